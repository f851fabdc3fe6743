// Handshake workloads: full pure-tls handshakes (certificate cache warm or cold) and the crypto lower bound, for any provider.
import { isPending, type MaybePromise } from '../../src/pending.js'
import { defaultCertificateCache } from '../../src/x509/certificate-cache.js'
import type { Workload } from './measure.js'
import { checkNegotiated, handshake } from './pair.js'
import type { BenchChain } from './pki.js'
import { pureTlsContexts, type Setup } from './scenarios.js'
import type { CryptoProvider } from '../../src/crypto/provider.js'

export type CacheMode = 'warm' | 'cold'

/** 1 once `done` has settled: a workload's count for one piece of work, synchronous when the work was. */
export function countOne(done: MaybePromise<unknown>): MaybePromise<number> {
  return isPending(done) ? Promise.resolve(done).then(() => 1) : 1
}

/** Runs `work` with the parsed-certificate cache switched off, and switches it back on when the work has settled. */
function withoutCertificateCache<T>(work: () => MaybePromise<T>): MaybePromise<T> {
  defaultCertificateCache.enabled = false
  let done: MaybePromise<T>
  try {
    done = work()
  } catch (e) {
    defaultCertificateCache.enabled = true
    throw e
  }
  if (!isPending(done)) {
    defaultCertificateCache.enabled = true
    return done
  }
  return Promise.resolve(done).finally(() => {
    defaultCertificateCache.enabled = true
  })
}

/** A full handshake per run through `provider`, with the parsed-certificate cache as shipped (warm) or switched off (cold). */
export async function pureTlsWorkload(setup: Setup, chain: BenchChain, cache: CacheMode, provider: CryptoProvider): Promise<Workload> {
  const contexts = pureTlsContexts(setup, chain, provider)
  checkNegotiated((await handshake(contexts)).client, setup)
  return {
    name: `pure-tls ${setup.id} ${cache} ${provider.name}`,
    run: () => countOne(cache === 'warm' ? handshake(contexts) : withoutCertificateCache(() => handshake(contexts))),
  }
}

/** The crypto lower bound (lower-bound.ts) as a workload: one handshake's worth per run. */
export function lowerBoundWorkload(setup: Setup, provider: CryptoProvider, crypto: () => MaybePromise<void>): Workload {
  return { name: `lower bound ${setup.id} ${provider.name}`, run: () => countOne(crypto()) }
}
