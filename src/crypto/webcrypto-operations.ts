// The operations SubtleCrypto can do for us, in our shapes: ECDH key shares, signatures in TLS's encodings, AES-GCM keys.
import { TlsError } from '../errors.js'
import { publicCurves } from './curves.js'
import { ecdsaDerToRaw, ecdsaRawToDer } from './ecdsa-der.js'
import { base64url, ecPublicJwk, okpPublicJwk, privateJwk, publicJwk, type Jwk } from './jwk.js'
import { checkPeerShare, checkSigningKey, groupCurve, refuseAllZero, refusedShare, verifiable } from './native-checks.js'
import type { AeadKey, AeadName, KeyShare, ClassicalGroupName, PrivateKey, PublicKey, SignatureAlgorithm } from './provider.js'

/** What SubtleCrypto takes: our bytes never live in a SharedArrayBuffer, so the view is one over an ArrayBuffer. */
const source = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => bytes as Uint8Array<ArrayBuffer>

/** The native half of the WebCrypto provider; each operation returns a promise. */
export interface SubtleOperations {
  generateKeyShare(group: ClassicalGroupName, fixedPrivateKey?: Uint8Array): Promise<KeyShare>
  sign(algorithm: SignatureAlgorithm, key: PrivateKey, message: Uint8Array): Promise<Uint8Array>
  verify(algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): Promise<boolean>
  /** An AES-GCM key, imported in the background; seal and open wait for it the first time. */
  aesGcmKey(name: Exclude<AeadName, 'CHACHA20-POLY1305'>, key: Uint8Array): AeadKey
}

// ---- key shares ----

const ecdhAlgorithms = {
  x25519: { name: 'X25519' },
  secp256r1: { name: 'ECDH', namedCurve: 'P-256' },
  secp384r1: { name: 'ECDH', namedCurve: 'P-384' },
} as const satisfies Record<ClassicalGroupName, Algorithm | EcKeyImportParams>

const sharedSecretBits: Record<ClassicalGroupName, number> = { x25519: 256, secp256r1: 256, secp384r1: 384 }

/**
 * A test vector's fixed secret as a JWK: WebCrypto imports private keys only with their public half, computed here
 * with noble's unblinded curves (a fixed secret is a published one; generated shares never come this way).
 */
function fixedPrivateJwk(group: ClassicalGroupName, d: Uint8Array): Jwk {
  if (group === 'x25519') return { ...okpPublicJwk('X25519', publicCurves.x25519.getPublicKey(d)), d: base64url(d) }
  const point = (group === 'secp256r1' ? publicCurves.p256 : publicCurves.p384).getPublicKey(d, false)
  return { ...ecPublicJwk(groupCurve[group], point), d: base64url(d) }
}

async function keyPair(subtle: SubtleCrypto, group: ClassicalGroupName, fixed: Uint8Array | undefined): Promise<{ privateKey: CryptoKey; publicKey: Uint8Array }> {
  const algorithm = ecdhAlgorithms[group]
  if (fixed === undefined) {
    const pair = (await subtle.generateKey(algorithm, false, ['deriveBits'])) as CryptoKeyPair
    return { privateKey: pair.privateKey, publicKey: new Uint8Array(await subtle.exportKey('raw', pair.publicKey)) }
  }
  const jwk = fixedPrivateJwk(group, fixed)
  const privateKey = await subtle.importKey('jwk', jwk, algorithm, false, ['deriveBits'])
  const publicKey = await subtle.importKey('jwk', { ...jwk, d: undefined }, algorithm, true, [])
  return { privateKey, publicKey: new Uint8Array(await subtle.exportKey('raw', publicKey)) }
}

async function keyShare(subtle: SubtleCrypto, group: ClassicalGroupName, fixed: Uint8Array | undefined): Promise<KeyShare> {
  const { privateKey, publicKey } = await keyPair(subtle, group, fixed)
  const algorithm = ecdhAlgorithms[group]
  return {
    group,
    publicKey,
    agree(peer) {
      // The form is checked at once; importKey copies the bytes before this returns.
      checkPeerShare(group, peer)
      const importing = subtle.importKey('raw', source(peer), algorithm, false, [])
      return (async () => {
        let shared: ArrayBuffer
        try {
          // Import refuses a NIST point off the curve; deriveBits refuses an all-zero X25519 result.
          shared = await subtle.deriveBits({ name: algorithm.name, public: await importing }, privateKey, sharedSecretBits[group])
        } catch {
          throw refusedShare(group)
        }
        return group === 'x25519' ? refuseAllZero(new Uint8Array(shared)) : new Uint8Array(shared)
      })()
    },
  }
}

// ---- signatures ----

type ImportAlgorithm = Algorithm | EcKeyImportParams | RsaHashedImportParams
type SignAlgorithm = Algorithm | EcdsaParams | RsaPssParams

/** How a key is imported for `algorithm`: WebCrypto binds an RSA key to its padding and hash, an EC key to its curve. */
function importAlgorithm(algorithm: SignatureAlgorithm, key: PublicKey): ImportAlgorithm {
  switch (algorithm.type) {
    case 'ecdsa':
      return { name: 'ECDSA', namedCurve: key.type === 'ec' ? key.curve : '' }
    case 'ed25519':
      return { name: 'Ed25519' }
    case 'rsa-pkcs1':
      return { name: 'RSASSA-PKCS1-v1_5', hash: algorithm.hash }
    case 'rsa-pss':
      return { name: 'RSA-PSS', hash: algorithm.hash }
  }
}

function signAlgorithm(algorithm: SignatureAlgorithm): SignAlgorithm {
  switch (algorithm.type) {
    case 'ecdsa':
      return { name: 'ECDSA', hash: algorithm.hash }
    case 'ed25519':
      return { name: 'Ed25519' }
    case 'rsa-pkcs1':
      return { name: 'RSASSA-PKCS1-v1_5' }
    case 'rsa-pss':
      return { name: 'RSA-PSS', saltLength: algorithm.saltLength }
  }
}

/** CryptoKeys made once per key and import algorithm (a certificate's key is reused across handshakes). */
class KeyCache {
  readonly #keys = new WeakMap<object, Map<string, Promise<CryptoKey>>>()

  get(key: object, algorithm: ImportAlgorithm, make: () => Promise<CryptoKey>): Promise<CryptoKey> {
    let byAlgorithm = this.#keys.get(key)
    if (!byAlgorithm) this.#keys.set(key, (byAlgorithm = new Map()))
    const name = JSON.stringify(algorithm)
    let cryptoKey = byAlgorithm.get(name)
    if (!cryptoKey) byAlgorithm.set(name, (cryptoKey = make()))
    return cryptoKey
  }
}

function signatures(subtle: SubtleCrypto): Pick<SubtleOperations, 'sign' | 'verify'> {
  const privateKeys = new KeyCache()
  const publicKeys = new KeyCache()
  const privateKey = (algorithm: SignatureAlgorithm, key: PrivateKey) => {
    const imported = importAlgorithm(algorithm, key.publicKey)
    return privateKeys.get(key, imported, () => subtle.importKey('jwk', privateJwk(key), imported, false, ['sign']))
  }
  const publicKey = (algorithm: SignatureAlgorithm, key: PublicKey) => {
    const imported = importAlgorithm(algorithm, key)
    return publicKeys.get(key, imported, () => subtle.importKey('jwk', publicJwk(key), imported, false, ['verify']))
  }
  return {
    async sign(algorithm, key, message) {
      checkSigningKey(algorithm, key)
      const data = message.slice()
      let signature: Uint8Array
      try {
        signature = new Uint8Array(await subtle.sign(signAlgorithm(algorithm), await privateKey(algorithm, key), data))
      } catch (e) {
        throw new TlsError('internal_error', `WebCrypto could not sign with ${algorithm.type}: ${e instanceof Error ? e.message : String(e)}`)
      }
      return key.type === 'ec' ? ecdsaRawToDer(key.curve, signature) : signature
    },
    async verify(algorithm, key, message, signature) {
      if (!verifiable(algorithm, key, signature)) return false
      const raw = key.type === 'ec' ? ecdsaDerToRaw(key.curve, signature) : signature.slice()
      if (raw === undefined) return false
      const data = message.slice()
      try {
        return await subtle.verify(signAlgorithm(algorithm), await publicKey(algorithm, key), source(raw), data)
      } catch {
        return false
      }
    },
  }
}

// ---- AES-GCM ----

const TAG_BITS = 128

function aesGcmKey(subtle: SubtleCrypto, name: AeadName, rawKey: Uint8Array): AeadKey {
  let key: CryptoKey | undefined
  const importing = subtle.importKey('raw', source(rawKey), 'AES-GCM', false, ['encrypt', 'decrypt']).then(
    (k) => (key = k),
    (e: unknown) => {
      throw new TlsError('internal_error', `WebCrypto could not import an ${name} key: ${e instanceof Error ? e.message : String(e)}`)
    },
  )
  // A failed import surfaces through seal/open; it must not also be an unhandled rejection.
  importing.catch(() => {})
  const parameters = (nonce: Uint8Array, additionalData: Uint8Array): AesGcmParams => ({ name: 'AES-GCM', iv: source(nonce), additionalData: source(additionalData), tagLength: TAG_BITS })

  /** Runs `operation` at once when the key is ready (SubtleCrypto copies its inputs), else on copies once it is. */
  const withKey = <T>(inputs: Uint8Array[], operation: (key: CryptoKey, ...inputs: Uint8Array[]) => Promise<T>): Promise<T> => {
    if (key) return operation(key, ...inputs)
    const copies = inputs.map((b) => b.slice())
    return importing.then((k) => operation(k, ...copies))
  }

  return {
    seal: (nonce, plaintext, additionalData) =>
      withKey([nonce, plaintext, additionalData], async (k, n, p, a) => {
        try {
          return new Uint8Array(await subtle.encrypt(parameters(n!, a!), k, source(p!)))
        } catch (e) {
          throw new TlsError('internal_error', `WebCrypto could not seal with ${name}: ${e instanceof Error ? e.message : String(e)}`)
        }
      }),
    open(nonce, sealed, additionalData) {
      if (sealed.length < TAG_BITS / 8) return null
      return withKey([nonce, sealed, additionalData], (k, n, s, a) =>
        subtle.decrypt(parameters(n!, a!), k, source(s!)).then(
          (plaintext) => new Uint8Array(plaintext),
          () => null,
        ),
      )
    },
  }
}

/** SubtleCrypto's operations in our shapes, for the algorithms it is asked about (the caller knows which it has). */
export function subtleOperations(subtle: SubtleCrypto): SubtleOperations {
  return {
    generateKeyShare: (group, fixed) => keyShare(subtle, group, fixed),
    ...signatures(subtle),
    aesGcmKey: (name, key) => aesGcmKey(subtle, name, key),
  }
}
