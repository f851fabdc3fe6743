// The provider's primitives one at a time (µs per operation): what the handshake lower bound is made of.
import type { CryptoProvider, NamedGroupName, SignatureAlgorithm } from '../../src/crypto/provider.js'
import { SignatureScheme, signatureAlgorithmForScheme } from '../../src/crypto/schemes.js'
import { parseCertificate } from '../../src/x509/certificate.js'
import type { Workload } from './measure.js'
import type { BenchChain } from './pki.js'

const once = (name: string, fn: () => unknown): Workload => ({
  name,
  run() {
    fn()
    return 1
  },
})

function keyExchange(provider: CryptoProvider, group: NamedGroupName): Workload {
  const peer = provider.generateKeyShare(group).publicKey
  return once(`${group}: key share + agreement`, () => provider.generateKeyShare(group).agree(peer))
}

function signing(provider: CryptoProvider, chain: BenchChain, scheme: number, label: string): Workload[] {
  const algorithm = signatureAlgorithmForScheme(scheme) as SignatureAlgorithm
  const message = provider.randomBytes(130)
  const signature = provider.sign(algorithm, chain.privateKey, message)
  return [
    once(`${label} sign (CertificateVerify)`, () => provider.sign(algorithm, chain.privateKey, message)),
    once(`${label} verify (CertificateVerify)`, () => {
      if (!provider.verify(algorithm, chain.privateKey.publicKey, message, signature)) throw new Error(`${label} did not verify`)
    }),
  ]
}

/** The leaf's certificate signature checked with the intermediate's key (one link of the chain). */
function certificateLink(provider: CryptoProvider, chain: BenchChain): Workload {
  const [leaf, intermediate] = chain.chainDer.map((der) => parseCertificate(der, { cache: null }))
  const key = intermediate!.publicKey
  return once(`${leaf!.signatureAlgorithmName} verify (certificate link)`, () => {
    if (!provider.verify(leaf!.signatureAlgorithm!, key, leaf!.tbs, leaf!.signature)) throw new Error('certificate link did not verify')
  })
}

export function primitiveWorkloads(provider: CryptoProvider, ecdsa: BenchChain, rsa: BenchChain): Workload[] {
  return [
    keyExchange(provider, 'x25519'),
    keyExchange(provider, 'secp256r1'),
    ...signing(provider, ecdsa, SignatureScheme.ecdsa_secp256r1_sha256, 'ECDSA P-256 SHA-256'),
    ...signing(provider, rsa, SignatureScheme.rsa_pss_rsae_sha256, 'RSA-2048 PSS SHA-256'),
    certificateLink(provider, ecdsa),
    certificateLink(provider, rsa),
  ]
}
