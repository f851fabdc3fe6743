// The node:crypto CryptoProvider: every primitive native (Node's OpenSSL) and synchronous. Node only: the Node entry point exports it.
import { hybridEncapsulate, hybridKeyShare, isHybridGroup } from './hybrid.js'
import {
  type KeyObject,
  type Hash,
  constants,
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto'
import { TlsError } from '../errors.js'
import { ecdsaDerToRaw, ecdsaRawToDer } from './ecdsa-der.js'
import { okpPublicJwk, privateJwk, publicJwk } from './jwk.js'
import { checkPeerShare, checkSigningKey, refuseAllZero, refusedShare, verifiable } from './native-checks.js'
import type {
  AeadName,
  HashAlgorithm,
  HashName,
  HashState,
  NamedGroupName,
  PrivateKey,
  ProviderDescription,
  ProviderOperation,
  PublicKey,
  SignatureAlgorithm,
  SyncAeadAlgorithm,
  SyncCryptoProvider,
  SyncKeyShare,
} from './provider.js'

/** A Buffer's bytes as a plain Uint8Array (no copy), so `.slice()` copies as everywhere else in the stack. */
const plain = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

const hashNames: Record<HashName, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' }
const hashLengths: Record<HashName, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }

// ---- hashes, HMAC, HKDF ----

class NodeHashState implements HashState {
  readonly #state: Hash

  constructor(state: Hash) {
    this.#state = state
  }
  update(data: Uint8Array): HashState {
    this.#state.update(data)
    return this
  }
  digest(): Uint8Array {
    return plain(this.#state.copy().digest())
  }
  clone(): HashState {
    return new NodeHashState(this.#state.copy())
  }
}

function hashAlgorithm(name: HashName): HashAlgorithm {
  const nodeName = hashNames[name]
  return {
    name,
    outputLength: hashLengths[name],
    create: () => new NodeHashState(createHash(nodeName)),
    digest: (data) => plain(createHash(nodeName).update(data).digest()),
  }
}

const hashAlgorithms: Record<HashName, HashAlgorithm> = {
  'SHA-256': hashAlgorithm('SHA-256'),
  'SHA-384': hashAlgorithm('SHA-384'),
  'SHA-512': hashAlgorithm('SHA-512'),
}

function hmac(hash: HashName, key: Uint8Array, ...data: Uint8Array[]): Uint8Array {
  const mac = createHmac(hashNames[hash], key)
  for (const part of data) mac.update(part)
  return plain(mac.digest())
}

/**
 * HKDF-Expand (RFC 5869 section 2.3) on HMAC: node's hkdfSync always extracts first, and TLS needs the two
 * steps apart. L <= 255 * HashLen; a longer request is our bug, not the peer's.
 */
function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const limit = 255 * hashLengths[hash]
  if (!Number.isInteger(length) || length < 0 || length > limit) throw new TlsError('internal_error', `HKDF-Expand length ${length} is outside 0..${limit}`)
  const okm = new Uint8Array(length)
  let block: Uint8Array = new Uint8Array(0)
  for (let counter = 1, at = 0; at < length; counter++, at += block.length) {
    block = hmac(hash, prk, block, info, Uint8Array.of(counter))
    okm.set(block.subarray(0, length - at), at)
  }
  return okm
}

// ---- AEADs ----

type NodeAeadName = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'

const TAG_LENGTH = 16

function aeadAlgorithm(name: AeadName, nodeName: NodeAeadName, keyLength: number): SyncAeadAlgorithm {
  return {
    name,
    keyLength,
    nonceLength: 12,
    tagLength: TAG_LENGTH,
    importKey(key) {
      if (key.length !== keyLength) throw new TlsError('internal_error', `${name} key must be ${keyLength} bytes`)
      const secret = createSecretKey(key)
      return {
        seal(nonce, plaintext, additionalData) {
          const cipher = createCipheriv(nodeName as 'aes-128-gcm', secret, nonce, { authTagLength: TAG_LENGTH })
          cipher.setAAD(additionalData, { plaintextLength: plaintext.length })
          const sealed = new Uint8Array(plaintext.length + TAG_LENGTH)
          sealed.set(cipher.update(plaintext))
          cipher.final()
          sealed.set(cipher.getAuthTag(), plaintext.length)
          return sealed
        },
        open(nonce, sealed, additionalData) {
          if (sealed.length < TAG_LENGTH) return null
          const ciphertextLength = sealed.length - TAG_LENGTH
          const decipher = createDecipheriv(nodeName as 'aes-128-gcm', secret, nonce, { authTagLength: TAG_LENGTH })
          decipher.setAuthTag(sealed.subarray(ciphertextLength))
          decipher.setAAD(additionalData, { plaintextLength: ciphertextLength })
          const plaintext = decipher.update(sealed.subarray(0, ciphertextLength))
          try {
            decipher.final()
          } catch {
            return null
          }
          return plain(plaintext)
        },
      }
    },
  }
}

const aeadAlgorithms: Record<AeadName, SyncAeadAlgorithm> = {
  'AES-128-GCM': aeadAlgorithm('AES-128-GCM', 'aes-128-gcm', 16),
  'AES-256-GCM': aeadAlgorithm('AES-256-GCM', 'aes-256-gcm', 32),
  'CHACHA20-POLY1305': aeadAlgorithm('CHACHA20-POLY1305', 'chacha20-poly1305', 32),
}

// ---- key shares ----

/** PKCS#8 for an X25519 private key up to the key itself (RFC 8410 section 7): how a fixed test-vector secret gets in. */
const X25519_PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20)

function x25519PrivateKey(fixed: Uint8Array | undefined): KeyObject {
  if (fixed === undefined) return generateKeyPairSync('x25519').privateKey
  if (fixed.length !== 32) throw new TlsError('internal_error', `an x25519 private key is 32 bytes, not ${fixed.length}`)
  const der = new Uint8Array(X25519_PKCS8_PREFIX.length + 32)
  der.set(X25519_PKCS8_PREFIX)
  der.set(fixed, X25519_PKCS8_PREFIX.length)
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })
}

function x25519Share(fixed?: Uint8Array): SyncKeyShare {
  const privateKey = x25519PrivateKey(fixed)
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x!
  return {
    group: 'x25519',
    publicKey: plain(Buffer.from(x, 'base64url')),
    agree(peer) {
      checkPeerShare('x25519', peer)
      let shared: Buffer
      try {
        // OpenSSL refuses an all-zero result itself (X25519 with a low-order point).
        shared = diffieHellman({ privateKey, publicKey: createPublicKey({ key: okpPublicJwk('X25519', peer), format: 'jwk' }) })
      } catch {
        throw refusedShare('x25519')
      }
      return refuseAllZero(plain(shared))
    },
  }
}

const ecdhCurves = { secp256r1: 'prime256v1', secp384r1: 'secp384r1' } as const

function nistShare(group: 'secp256r1' | 'secp384r1', fixed?: Uint8Array): SyncKeyShare {
  const ecdh = createECDH(ecdhCurves[group])
  try {
    if (fixed === undefined) ecdh.generateKeys()
    else ecdh.setPrivateKey(fixed)
  } catch {
    throw new TlsError('internal_error', `not a ${group} private key`)
  }
  return {
    group,
    publicKey: plain(ecdh.getPublicKey()),
    agree(peer) {
      checkPeerShare(group, peer)
      try {
        // computeSecret decodes the point and refuses one that is not on the curve.
        return plain(ecdh.computeSecret(peer))
      } catch {
        throw refusedShare(group)
      }
    },
  }
}

// ---- signatures ----

const privateKeys = new WeakMap<PrivateKey, KeyObject>()
const publicKeys = new WeakMap<PublicKey, KeyObject>()

/** The KeyObject of one of our keys, made once per key (certificates' keys are reused across handshakes). */
function keyObject<K extends object>(cache: WeakMap<K, KeyObject>, key: K, make: (key: K) => KeyObject): KeyObject {
  let object = cache.get(key)
  if (!object) {
    object = make(key)
    cache.set(key, object)
  }
  return object
}

const privateKeyObject = (key: PrivateKey) => keyObject(privateKeys, key, (k) => createPrivateKey({ key: privateJwk(k), format: 'jwk' }))
const publicKeyObject = (key: PublicKey) => keyObject(publicKeys, key, (k) => createPublicKey({ key: publicJwk(k), format: 'jwk' }))

/** The digest node:crypto's sign/verify take: none for Ed25519, which hashes inside. */
const digestOf = (algorithm: SignatureAlgorithm): string | null => (algorithm.type === 'ed25519' ? null : hashNames[algorithm.hash])

/** sign/verify options: ECDSA as r || s (converted to and from DER by us, strictly), RSA with its padding. */
function signatureOptions(algorithm: SignatureAlgorithm, key: KeyObject) {
  switch (algorithm.type) {
    case 'ecdsa':
      return { key, dsaEncoding: 'ieee-p1363' as const }
    case 'rsa-pkcs1':
      return { key, padding: constants.RSA_PKCS1_PADDING }
    case 'rsa-pss':
      return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.saltLength }
    default:
      return { key }
  }
}

function sign(algorithm: SignatureAlgorithm, key: PrivateKey, message: Uint8Array): Uint8Array {
  checkSigningKey(algorithm, key)
  const signature = plain(nodeSign(digestOf(algorithm), message, signatureOptions(algorithm, privateKeyObject(key))))
  return key.type === 'ec' ? ecdsaRawToDer(key.curve, signature) : signature
}

function verify(algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (!verifiable(algorithm, key, signature)) return false
  try {
    const raw = key.type === 'ec' ? ecdsaDerToRaw(key.curve, signature) : signature
    return raw !== undefined && nodeVerify(digestOf(algorithm), message, signatureOptions(algorithm, publicKeyObject(key)), raw)
  } catch {
    return false
  }
}

// ---- the provider ----

const operations: readonly ProviderOperation[] = [
  'random',
  'hash',
  'hmac',
  'hkdf',
  'AES-128-GCM',
  'AES-256-GCM',
  'CHACHA20-POLY1305',
  'x25519',
  'secp256r1',
  'secp384r1',
  'ecdsa',
  'ed25519',
  'rsa-pkcs1',
  'rsa-pss',
]

const description: ProviderDescription = {
  name: 'node:crypto',
  operations: {
    ...(Object.fromEntries(operations.map((operation) => [operation, 'native'])) as ProviderDescription['operations']),
    // ML-KEM-768 comes from @noble/post-quantum; the classical halves are node's.
    X25519MLKEM768: 'javascript',
    SecP256r1MLKEM768: 'javascript',
  },
}

/**
 * Node's OpenSSL behind the CryptoProvider interface, synchronously: handshakes with it run inside `receive()`
 * exactly as with noble. Key shares, signatures and AEADs refuse what noble refuses, with the same errors
 * (src/crypto/native-checks.ts). AES-GCM counts as hardware on x64 and arm64 (AES-NI, ARMv8 crypto
 * extensions), so the default suite order puts AES first there.
 */
export function nodeCryptoProvider(): SyncCryptoProvider {
  const provider: SyncCryptoProvider = {
    name: 'node:crypto',
    hasHardwareAes: process.arch === 'x64' || process.arch === 'arm64',
    randomBytes: (length) => plain(randomBytes(length)),
    hash: (name) => hashAlgorithms[name],
    hmac: (hash, key, data) => hmac(hash, key, data),
    hkdfExtract: (hash, salt, ikm) => hmac(hash, salt, ikm),
    hkdfExpand,
    aead: (name) => aeadAlgorithms[name],
    generateKeyShare(group: NamedGroupName, privateKey?: Uint8Array) {
      // The hybrids are built from this provider's own X25519 / P-256 (ML-KEM stays JavaScript: node has none).
      if (isHybridGroup(group)) return hybridKeyShare(provider, group, privateKey)
      return group === 'x25519' ? x25519Share(privateKey) : nistShare(group, privateKey)
    },
    encapsulate: (group, clientShare) => hybridEncapsulate(provider, group, clientShare),
    sign,
    verify,
    describe: () => description,
  }
  return provider
}
