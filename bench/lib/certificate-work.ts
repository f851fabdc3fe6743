// Certificate workloads: one parse and one chain verification, cold (no parsed-certificate cache) and warm (the shipped cache).
import type { SyncCryptoProvider } from '../../src/crypto/provider.js'
import { parseCertificate } from '../../src/x509/certificate.js'
import { TrustStore } from '../../src/x509/trust-store.js'
import { verifyCertificateChain } from '../../src/x509/verify.js'
import type { Workload } from './measure.js'
import { SERVER_NAME, type BenchChain } from './pki.js'

export type CacheMode = 'cold' | 'warm'

/** Parses the chain's leaf: cold with `cache: null`, warm through the default cache (a hit after the first run). */
export function parseWorkload(chain: BenchChain, mode: CacheMode): Workload {
  const leaf = chain.chainDer[0]!
  const options = mode === 'cold' ? { cache: null } : {}
  return {
    name: `parse ${chain.keyType} leaf ${mode}`,
    run() {
      parseCertificate(leaf, options)
      return 1
    },
  }
}

/**
 * Verifies leaf → intermediate → root for serverAuth and SERVER_NAME, as a client context does. The trust store is
 * built once (an anchor is parsed once per store either way); cold parses the leaf and the intermediate every time.
 */
export function verifyWorkload(chain: BenchChain, mode: CacheMode, provider: SyncCryptoProvider): Workload {
  const trustStore = new TrustStore([chain.rootDer])
  const options = {
    chain: chain.chainDer,
    trustStore,
    purpose: 'serverAuth' as const,
    serverName: SERVER_NAME,
    provider,
    ...(mode === 'cold' ? { cache: null } : {}),
  }
  return {
    name: `verify ${chain.keyType} chain ${mode} (${provider.name})`,
    run() {
      const { path } = verifyCertificateChain(options)
      if (path.length !== 3) throw new Error(`expected a path of 3, got ${path.length}`)
      return 1
    },
  }
}
