// The WebCrypto CryptoProvider: SubtleCrypto (asynchronous) for key shares, signatures and AES-GCM; noble for what a runtime lacks and for hashes, HMAC, HKDF.
import { TlsError } from '../errors.js'
import type { MaybePromise } from '../pending.js'
import { checkSigningKey } from './native-checks.js'
import { nobleProvider } from './noble.js'
import type { AeadAlgorithm, AeadKey, AeadName, CryptoProvider, NamedGroupName, ProviderDescription, ProviderOperation, SignatureAlgorithm } from './provider.js'
import { subtleOperations, type SubtleOperations } from './webcrypto-operations.js'
import { hybridEncapsulate, hybridKeyShare, isHybridGroup } from './hybrid.js'
import { runtimeRandomBytes } from './random.js'
import { probe, webCryptoFeatures, type WebCryptoFeature } from './webcrypto-support.js'

/** For each feature, whether SubtleCrypto does it here, or the probe that will tell. */
type Support = Record<WebCryptoFeature, boolean | Promise<boolean>>

const isFeature = (name: string): name is WebCryptoFeature => (webCryptoFeatures as readonly string[]).includes(name)

/**
 * Runs `run` knowing whether `feature` is native: at once when that is known, else once its probe settles, on
 * copies of `inputs` (the caller may reuse its buffers as soon as we return).
 */
function decide<T>(support: Support, feature: WebCryptoFeature, inputs: readonly Uint8Array[], run: (native: boolean, inputs: readonly Uint8Array[]) => MaybePromise<T>): MaybePromise<T> {
  const known = support[feature]
  if (typeof known === 'boolean') return run(known, inputs)
  const copies = inputs.map((b) => b.slice())
  return known.then((native) => run(native, copies))
}

/** An AEAD key whose implementation is still being decided: seal and open wait for it, on copies of their inputs. */
function deferredKey(deciding: Promise<AeadKey>): AeadKey {
  let key: AeadKey | undefined
  void deciding.then((k) => (key = k))
  const later =
    <T>(operation: (k: AeadKey, inputs: Uint8Array[]) => MaybePromise<T>) =>
    (...inputs: Uint8Array[]): MaybePromise<T> => {
      if (key) return operation(key, inputs)
      const copies = inputs.map((b) => b.slice())
      return deciding.then((k) => operation(k, copies))
    }
  return {
    seal: later((k, [nonce, plaintext, additionalData]) => k.seal(nonce!, plaintext!, additionalData!)),
    open: later((k, [nonce, sealed, additionalData]) => k.open(nonce!, sealed!, additionalData!)),
  }
}

function aeadAlgorithm(name: AeadName, support: Support, native: SubtleOperations): AeadAlgorithm {
  const noble = nobleProvider.aead(name)
  if (name === 'CHACHA20-POLY1305') return noble
  const { keyLength } = noble
  return {
    ...noble,
    importKey(key) {
      if (key.length !== keyLength) throw new TlsError('internal_error', `${name} key must be ${keyLength} bytes`)
      const known = support[name]
      if (typeof known === 'boolean') return known ? native.aesGcmKey(name, key) : noble.importKey(key)
      const copy = key.slice()
      return deferredKey(known.then((isNative) => (isNative ? native.aesGcmKey(name, copy) : noble.importKey(copy))))
    },
  }
}

const operations: readonly ProviderOperation[] = ['random', 'hash', 'hmac', 'hkdf', 'AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305', 'x25519', 'secp256r1', 'secp384r1', 'ecdsa', 'ed25519', 'rsa-pkcs1', 'rsa-pss']

function describe(support: Support): ProviderDescription {
  const native = (operation: ProviderOperation) => operation === 'random' || (isFeature(operation) && support[operation] === true)
  return {
    name: 'webcrypto',
    operations: {
      ...(Object.fromEntries(operations.map((operation) => [operation, native(operation) ? 'native' : 'javascript'])) as ProviderDescription['operations']),
      X25519MLKEM768: 'javascript',
      SecP256r1MLKEM768: 'javascript',
    },
  }
}

function assemble(native: SubtleOperations, support: Support, hasHardwareAes: boolean): CryptoProvider {
  const aeads = new Map<AeadName, AeadAlgorithm>()
  const feature = (algorithm: SignatureAlgorithm) => (isFeature(algorithm.type) ? algorithm.type : undefined)
  const provider: CryptoProvider = {
    name: 'webcrypto',
    hasHardwareAes,
    randomBytes: runtimeRandomBytes,
    hash: (name) => nobleProvider.hash(name),
    hmac: (hash, key, data) => nobleProvider.hmac(hash, key, data),
    hkdfExtract: (hash, salt, ikm) => nobleProvider.hkdfExtract(hash, salt, ikm),
    hkdfExpand: (hash, prk, info, length) => nobleProvider.hkdfExpand(hash, prk, info, length),
    aead(name) {
      let algorithm = aeads.get(name)
      if (!algorithm) aeads.set(name, (algorithm = aeadAlgorithm(name, support, native)))
      return algorithm
    },
    generateKeyShare(group: NamedGroupName, privateKey?: Uint8Array) {
      // The hybrids: ML-KEM in JavaScript (WebCrypto has none), the classical half from this provider.
      if (isHybridGroup(group)) return hybridKeyShare(provider, group, privateKey)
      if (!isFeature(group)) return nobleProvider.generateKeyShare(group, privateKey)
      return decide(support, group, privateKey ? [privateKey] : [], (isNative, [fixed]) =>
        isNative ? native.generateKeyShare(group, fixed) : nobleProvider.generateKeyShare(group, fixed),
      )
    },
    sign(algorithm, key, message) {
      checkSigningKey(algorithm, key)
      const type = feature(algorithm)!
      return decide(support, type, [message], (isNative, [m]) => (isNative ? native.sign(algorithm, key, m!) : nobleProvider.sign(algorithm, key, m!)))
    },
    verify(algorithm, key, message, signature) {
      const type = feature(algorithm)
      if (type === undefined) return false
      return decide(support, type, [message, signature], (isNative, [m, s]) =>
        isNative ? native.verify(algorithm, key, m!, s!) : nobleProvider.verify(algorithm, key, m!, s!),
      )
    },
    encapsulate: (group, clientShare) => hybridEncapsulate(provider, group, clientShare),
    describe: () => describe(support),
  }
  return provider
}

/** Where there is no SubtleCrypto: never called, because every feature is then known to be missing. */
const noSubtle: SubtleOperations = {
  generateKeyShare: () => Promise.reject(new TlsError('internal_error', 'no SubtleCrypto in this runtime')),
  sign: () => Promise.reject(new TlsError('internal_error', 'no SubtleCrypto in this runtime')),
  verify: () => Promise.resolve(false),
  aesGcmKey: () => {
    throw new TlsError('internal_error', 'no SubtleCrypto in this runtime')
  },
}

const allJavaScript = (): Support => Object.fromEntries(webCryptoFeatures.map((f) => [f, false])) as Support

/**
 * Starts a probe of every feature; each entry of the result is the probe's promise until it settles, then its
 * answer (so that operations after that decide synchronously).
 */
function startProbes(subtle: SubtleCrypto, native: SubtleOperations): Support {
  const support = {} as Support
  for (const feature of webCryptoFeatures) {
    support[feature] = probe(feature, subtle, native).then((answer) => (support[feature] = answer))
  }
  return support
}

/**
 * A provider on WebCrypto (browsers, Deno, Bun, workers, Node), made synchronously. It starts probing the runtime
 * at once; an operation waits for its own algorithm's probe the first time (then, for good, uses SubtleCrypto or
 * falls back to noble for just that algorithm). Until a probe settles, `describe()` reports that operation as
 * 'javascript'; `hasHardwareAes` is true whenever `subtle` exists, since every WebCrypto implementation has
 * AES-GCM (were the probe to fail, AES-GCM would run on noble, correctly, in an order meant for hardware AES).
 * Without `subtle` (a browser page that is not a secure context) everything runs on noble.
 * Prefer `createWebCryptoProvider()` where an `await` is possible: it probes first, so everything it reports is exact.
 *
 * Key shares, signatures and AES-GCM return promises; randomness is crypto.getRandomValues; hashes, HMAC and HKDF
 * stay on noble, synchronous, because a SubtleCrypto round trip costs more than the work (bench/README.md).
 */
export function webCryptoProvider(subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): CryptoProvider {
  if (!subtle) return assemble(noSubtle, allJavaScript(), false)
  const native = subtleOperations(subtle)
  return assemble(native, startProbes(subtle, native), true)
}

/**
 * A provider on WebCrypto whose probes have all settled: `describe()` says exactly which operations are native,
 * `hasHardwareAes` is whether AES-GCM is, and no operation waits on a probe.
 */
export async function createWebCryptoProvider(subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<CryptoProvider> {
  if (!subtle) return assemble(noSubtle, allJavaScript(), false)
  const native = subtleOperations(subtle)
  const support = startProbes(subtle, native)
  await Promise.all(Object.values(support))
  return assemble(native, support, support['AES-128-GCM'] === true && support['AES-256-GCM'] === true)
}
