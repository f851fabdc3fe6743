// The crypto lower bound of one handshake: the public-key and symmetric work both ends cannot skip, through the same provider.
import type { AeadKey, CryptoProvider, HashName, PrivateKey, PublicKey, SignatureAlgorithm } from '../../src/crypto/provider.js'
import { drive, type MaybePromise, settle, type Waiting } from '../../src/pending.js'
import { signatureAlgorithmForScheme } from '../../src/crypto/schemes.js'
import { certificateVerifyContent } from '../../src/handshake/authentication.js'
import { finishedVerifyData, KeySchedule13, trafficKeys } from '../../src/handshake/key-schedule.js'
import { tls12ExtendedMasterSecret, tls12KeyBlock, tls12VerifyData } from '../../src/handshake/prf.js'
import { schemeByName } from '../../src/policy/names.js'
import { parseCertificate, type Certificate } from '../../src/x509/certificate.js'
import { handshake } from './pair.js'
import type { BenchChain } from './pki.js'
import { recordingProvider, type CryptoLog } from './recording-provider.js'
import { groupName, pureTlsContexts, type Setup } from './scenarios.js'

/** What one real handshake of a setup looked like, taken from a run through a recording provider. */
export interface HandshakeSample {
  /** The transcript's handshake messages, in order, by size (header included). */
  readonly messages: readonly number[]
  /** The CertificateVerify / ServerKeyExchange signature scheme the server used. */
  readonly scheme: number
  /** Everything the provider was asked to do, both ends together. */
  readonly log: CryptoLog
}

/** TLS 1.3: ClientHello, ServerHello, EncryptedExtensions, Certificate, CertificateVerify, Finished, Finished. */
const TLS13_MESSAGES = 7
/** TLS 1.2: ClientHello, ServerHello, Certificate, ServerKeyExchange, ServerHelloDone, ClientKeyExchange, Finished, Finished. */
const TLS12_MESSAGES = 8

/** Runs one handshake through a recording provider (after a warm-up one) and reads its shape off the transcript. */
export async function sampleHandshake(setup: Setup, chain: BenchChain, base: CryptoProvider): Promise<HandshakeSample> {
  const recording = recordingProvider(base)
  const contexts = pureTlsContexts(setup, chain, recording.provider)
  await handshake(contexts)
  recording.reset()
  const { client } = await handshake(contexts)
  const log = recording.log()
  const transcript = log.hashStates.reduce((a, b) => (b.length > a.length ? b : a), [])
  const expected = setup.version === 'TLSv1.3' ? TLS13_MESSAGES : TLS12_MESSAGES
  if (transcript.length !== expected) throw new Error(`${setup.id}: expected ${expected} transcript messages, saw ${transcript.length}`)
  const scheme = schemeByName(client.info!.signatureScheme ?? '')
  if (scheme === undefined) throw new Error(`${setup.id}: no signature scheme in ${JSON.stringify(client.info)}`)
  return { messages: transcript, scheme, log }
}

/** The certificates' signatures the client checks: leaf by intermediate, intermediate by root. */
interface ChainSignature {
  readonly algorithm: SignatureAlgorithm
  readonly key: PublicKey
  readonly message: Uint8Array
  readonly signature: Uint8Array
}

function chainSignatures(chain: BenchChain): ChainSignature[] {
  const [leaf, intermediate] = chain.chainDer.map((der) => parseCertificate(der, { cache: null })) as [Certificate, Certificate]
  const root = parseCertificate(chain.rootDer, { cache: null })
  return [
    [leaf, intermediate],
    [intermediate, root],
  ].map(([child, issuer]) => ({ algorithm: child!.signatureAlgorithm!, key: issuer!.publicKey, message: child!.tbs, signature: child!.signature }))
}

/** Random bytes standing in for a message of each size. */
const fakeMessages = (provider: CryptoProvider, sizes: readonly number[]) => sizes.map((n) => provider.randomBytes(n))

function* mustVerify(provider: CryptoProvider, s: ChainSignature): Waiting<void> {
  if (!(yield* settle(provider.verify(s.algorithm, s.key, s.message, s.signature)))) throw new Error('lower bound: a signature did not verify')
}

function* mustOpen(key: AeadKey, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Waiting<void> {
  if ((yield* settle(key.open(nonce, sealed, aad))) === null) throw new Error('lower bound: a record did not open')
}

/** Both ends' ephemeral shares and the secret each computes (`first` is the one whose share goes out first). */
function* keyExchange(provider: CryptoProvider, setup: Setup): Waiting<{ first: Uint8Array; second: Uint8Array; firstPublic: Uint8Array }> {
  const a = yield* settle(provider.generateKeyShare(groupName(setup)))
  const b = yield* settle(provider.generateKeyShare(groupName(setup)))
  return { first: yield* settle(a.agree(b.publicKey)), second: yield* settle(b.agree(a.publicKey)), firstPublic: a.publicKey }
}

/** Hashes `messages` in one running state, taking a digest after each index in `digestAfter`. */
function transcriptDigests(provider: CryptoProvider, hash: HashName, messages: readonly Uint8Array[], digestAfter: readonly number[]): Uint8Array[] {
  const state = provider.hash(hash).create()
  const digests: Uint8Array[] = []
  messages.forEach((m, i) => {
    state.update(m)
    if (digestAfter.includes(i)) digests.push(state.digest())
  })
  return digests
}

interface Parties {
  readonly provider: CryptoProvider
  readonly setup: Setup
  readonly signing: { readonly algorithm: SignatureAlgorithm; readonly key: PrivateKey; readonly leafKey: PublicKey }
  readonly chain: readonly ChainSignature[]
}

/**
 * TLS 1.3, per end: one key share and one agreement; the transcript hashed through the server Finished with the
 * four digests the schedule needs; the key schedule to the application secrets (no exporter or resumption secret);
 * four traffic keys imported; two Finished MACs. The server signs CertificateVerify; the client verifies it and the
 * chain. The server's encrypted flight is sealed and opened as one record, the client Finished as another.
 */
function tls13Handshake(p: Parties, sample: HandshakeSample): () => MaybePromise<void> {
  const { provider, setup } = p
  const suite = setup.suite
  const hash = suite.hash
  const messages = fakeMessages(provider, sample.messages.slice(0, 6))
  const aead = provider.aead(suite.aead)
  const serverFlight = provider.randomBytes(sample.messages.slice(2, 6).reduce((a, b) => a + b, 0) + 1)
  const clientFinished = provider.randomBytes(sample.messages[6]! + 1)
  const nonce = new Uint8Array(12)
  const header = new Uint8Array(5)

  /** One end's key schedule; returns its four record keys. */
  const schedule = (shared: Uint8Array, digests: Uint8Array[]) => {
    const ks = new KeySchedule13(provider, hash)
    ks.addSharedSecret(shared)
    const clientHs = ks.clientHandshakeTrafficSecret(digests[0]!)
    const serverHs = ks.serverHandshakeTrafficSecret(digests[0]!)
    finishedVerifyData(provider, hash, serverHs, digests[2]!)
    finishedVerifyData(provider, hash, clientHs, digests[3]!)
    const secrets = [clientHs, serverHs, ks.clientApplicationTrafficSecret(digests[3]!), ks.serverApplicationTrafficSecret(digests[3]!)]
    return secrets.map((secret) => aead.importKey(trafficKeys(provider, hash, secret, suite.keyLength, suite.ivLength).key))
  }
  // Digests after ServerHello (handshake secrets), Certificate (CertificateVerify), CertificateVerify (server Finished), server Finished (application secrets, client Finished).
  const digestAfter = [1, 3, 4, 5]

  return () =>
    drive(
      (function* () {
        // Server: its keys, CertificateVerify, and its encrypted flight (EncryptedExtensions … Finished) as one record.
        const shares = yield* keyExchange(provider, setup)
        const serverDigests = transcriptDigests(provider, hash, messages, digestAfter)
        const [serverClientHs, serverServerHs] = schedule(shares.second, serverDigests)
        const signature = yield* settle(provider.sign(p.signing.algorithm, p.signing.key, certificateVerifyContent('server', serverDigests[1]!)))
        const sealedFlight = yield* settle(serverServerHs!.seal(nonce, serverFlight, header))
        // Client: its keys, the flight opened, the chain and CertificateVerify checked, its Finished sealed.
        const clientDigests = transcriptDigests(provider, hash, messages, digestAfter)
        const [clientClientHs, clientServerHs] = schedule(shares.first, clientDigests)
        yield* mustOpen(clientServerHs!, nonce, sealedFlight, header)
        for (const s of p.chain) yield* mustVerify(provider, s)
        yield* mustVerify(provider, { algorithm: p.signing.algorithm, key: p.signing.leafKey, message: certificateVerifyContent('server', clientDigests[1]!), signature })
        // Server: opens the client Finished.
        yield* mustOpen(serverClientHs!, nonce, yield* settle(clientClientHs!.seal(nonce, clientFinished, header)), header)
      })(),
    )
}

/**
 * TLS 1.2 with EMS, per end: one key share and one agreement; the transcript hashed through the client Finished with
 * two digests (session hash = client Finished hash, then the server Finished hash); the extended master secret; the
 * key block once; two verify_data; two keys imported. The server signs ServerKeyExchange; the client verifies it
 * and the chain. Each Finished is sealed once and opened once.
 */
function tls12Handshake(p: Parties, sample: HandshakeSample): () => MaybePromise<void> {
  const { provider, setup } = p
  const suite = setup.suite
  const hash = suite.hash
  const messages = fakeMessages(provider, sample.messages.slice(0, 7))
  const aead = provider.aead(suite.aead)
  const clientRandom = provider.randomBytes(32)
  const serverRandom = provider.randomBytes(32)
  const finished = provider.randomBytes(sample.messages[6]!)
  const nonce = new Uint8Array(12)
  const aad = new Uint8Array(13)
  // Digests after ClientKeyExchange (session hash, client Finished) and after the client Finished (server Finished).
  const digestAfter = [5, 6]

  const keys = (preMaster: Uint8Array, digests: Uint8Array[]) => {
    const master = tls12ExtendedMasterSecret(provider, hash, preMaster, digests[0]!)
    const block = tls12KeyBlock(provider, suite, master, clientRandom, serverRandom)
    tls12VerifyData(provider, hash, master, 'client', digests[0]!)
    tls12VerifyData(provider, hash, master, 'server', digests[1]!)
    return [aead.importKey(block.clientWriteKey), aead.importKey(block.serverWriteKey)]
  }

  return () =>
    drive(
      (function* () {
        // Server signs its ServerKeyExchange (its share first); the client checks it and the chain.
        const shares = yield* keyExchange(provider, setup)
        const signed = new Uint8Array(64 + 4 + shares.firstPublic.length)
        signed.set(shares.firstPublic, 68)
        const signature = yield* settle(provider.sign(p.signing.algorithm, p.signing.key, signed))
        for (const s of p.chain) yield* mustVerify(provider, s)
        yield* mustVerify(provider, { algorithm: p.signing.algorithm, key: p.signing.leafKey, message: signed, signature })
        const [clientWrite, clientRead] = keys(shares.second, transcriptDigests(provider, hash, messages, digestAfter))
        const [serverRead, serverWrite] = keys(shares.first, transcriptDigests(provider, hash, messages, digestAfter))
        yield* mustOpen(serverRead!, nonce, yield* settle(clientWrite!.seal(nonce, finished, aad)), aad)
        yield* mustOpen(clientRead!, nonce, yield* settle(serverWrite!.seal(nonce, finished, aad)), aad)
      })(),
    )
}

/** One handshake's worth of crypto for `setup`, both ends; returns a function that does it once (synchronously with a synchronous provider). */
export function lowerBound(setup: Setup, chain: BenchChain, sample: HandshakeSample, provider: CryptoProvider): () => MaybePromise<void> {
  const algorithm = signatureAlgorithmForScheme(sample.scheme)
  if (!algorithm) throw new Error(`no algorithm for scheme ${sample.scheme}`)
  const parties: Parties = {
    provider,
    setup,
    signing: { algorithm, key: chain.privateKey, leafKey: chain.privateKey.publicKey },
    chain: chainSignatures(chain),
  }
  return setup.version === 'TLSv1.3' ? tls13Handshake(parties, sample) : tls12Handshake(parties, sample)
}
