// The provider's primitives one at a time (µs per operation): what the handshake lower bound is made of.
import type { CryptoProvider, NamedGroupName, SignatureAlgorithm } from '../../src/crypto/provider.js'
import { SignatureScheme, signatureAlgorithmForScheme } from '../../src/crypto/schemes.js'
import { drive, isPending, settle, type Waiting } from '../../src/pending.js'
import { parseCertificate } from '../../src/x509/certificate.js'
import type { Workload } from './measure.js'
import type { BenchChain } from './pki.js'

/** One operation per run: synchronous with a synchronous provider, awaited with an asynchronous one. */
const once = (name: string, step: () => Waiting<unknown>): Workload => ({
  name,
  run() {
    const done = drive(step())
    return isPending(done) ? Promise.resolve(done).then(() => 1) : 1
  },
})

function mustVerify(valid: boolean, label: string): void {
  if (!valid) throw new Error(`${label} did not verify`)
}

async function keyExchange(provider: CryptoProvider, group: NamedGroupName): Promise<Workload> {
  const peer = (await provider.generateKeyShare(group)).publicKey
  return once(`${group}: key share + agreement`, function* () {
    const share = yield* settle(provider.generateKeyShare(group))
    yield* settle(share.agree(peer))
  })
}

async function signing(provider: CryptoProvider, chain: BenchChain, scheme: number, label: string): Promise<Workload[]> {
  const algorithm = signatureAlgorithmForScheme(scheme) as SignatureAlgorithm
  const message = provider.randomBytes(130)
  const signature = await provider.sign(algorithm, chain.privateKey, message)
  return [
    once(`${label} sign (CertificateVerify)`, function* () {
      yield* settle(provider.sign(algorithm, chain.privateKey, message))
    }),
    once(`${label} verify (CertificateVerify)`, function* () {
      mustVerify(yield* settle(provider.verify(algorithm, chain.privateKey.publicKey, message, signature)), label)
    }),
  ]
}

/** The leaf's certificate signature checked with the intermediate's key (one link of the chain). */
function certificateLink(provider: CryptoProvider, chain: BenchChain): Workload {
  const [leaf, intermediate] = chain.chainDer.map((der) => parseCertificate(der, { cache: null }))
  const key = intermediate!.publicKey
  return once(`${leaf!.signatureAlgorithmName} verify (certificate link)`, function* () {
    mustVerify(yield* settle(provider.verify(leaf!.signatureAlgorithm!, key, leaf!.tbs, leaf!.signature)), 'certificate link')
  })
}

/** Each public-key operation of a handshake alone, through `provider`. */
export async function primitiveWorkloads(provider: CryptoProvider, ecdsa: BenchChain, rsa: BenchChain): Promise<Workload[]> {
  return [
    await keyExchange(provider, 'x25519'),
    await keyExchange(provider, 'secp256r1'),
    ...(await signing(provider, ecdsa, SignatureScheme.ecdsa_secp256r1_sha256, 'ECDSA P-256 SHA-256')),
    ...(await signing(provider, rsa, SignatureScheme.rsa_pss_rsae_sha256, 'RSA-2048 PSS SHA-256')),
    certificateLink(provider, ecdsa),
    certificateLink(provider, rsa),
  ]
}
