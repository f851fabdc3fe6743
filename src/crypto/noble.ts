// The default CryptoProvider: pure JavaScript primitives from @noble/hashes, @noble/ciphers and @noble/curves.
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { expand, extract } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { TlsError } from '../errors.js'
import { type NobleCurves, nobleCurves, randomSecretKey } from './curves.js'
import { hybridEncapsulate, hybridKeyShare } from './hybrid.js'
import type { AeadName, HashAlgorithm, HashName, HashState, NamedGroupName, SyncAeadAlgorithm, SyncAeadKey, SyncCryptoProvider, SyncKeyShare } from './provider.js'
import { type NobleHash, nobleHash } from './noble-hashes.js'
import { AesGcmKey } from './noble-gcm.js'
import { checkedRandomBytes, type RandomBytes, runtimeRandomBytes } from './random.js'
import { createSigner, verify } from './signatures.js'

type NobleState = ReturnType<NobleHash['create']>

class NobleHashState implements HashState {
  readonly #state: NobleState

  constructor(state: NobleState) {
    this.#state = state
  }
  update(data: Uint8Array): HashState {
    this.#state.update(data)
    return this
  }
  digest(): Uint8Array {
    return this.#state.clone().digest()
  }
  clone(): HashState {
    return new NobleHashState(this.#state.clone())
  }
}

function hashAlgorithm(name: HashName): HashAlgorithm {
  const h = nobleHash(name)
  return { name, outputLength: h.outputLen, create: () => new NobleHashState(h.create()), digest: (data) => h(data) }
}

const hashAlgorithms: Record<HashName, HashAlgorithm> = {
  'SHA-256': hashAlgorithm('SHA-256'),
  'SHA-384': hashAlgorithm('SHA-384'),
  'SHA-512': hashAlgorithm('SHA-512'),
}

/** An AEAD of 12-byte nonces and 16-byte tags whose keys `keyed` makes once per traffic key. */
function aeadAlgorithm(name: AeadName, keyLength: number, keyed: (key: Uint8Array) => SyncAeadKey): SyncAeadAlgorithm {
  return {
    name,
    keyLength,
    nonceLength: 12,
    tagLength: 16,
    importKey(key) {
      if (key.length !== keyLength) throw new TlsError('internal_error', `${name} key must be ${keyLength} bytes`)
      return keyed(key)
    },
  }
}

/** ChaCha20-Poly1305 through noble's one-shot API: its per-call setup is the Poly1305 one-time key, per nonce by design. */
function chacha20Poly1305Key(key: Uint8Array): SyncAeadKey {
  const k = key.slice()
  return {
    seal: (nonce, plaintext, aad) => chacha20poly1305(k, nonce, aad).encrypt(plaintext),
    open(nonce, ciphertext, aad) {
      if (ciphertext.length < 16) return null
      try {
        return chacha20poly1305(k, nonce, aad).decrypt(ciphertext)
      } catch {
        return null
      }
    },
  }
}

const aeadAlgorithms: Record<AeadName, SyncAeadAlgorithm> = {
  // AES-GCM keyed once per traffic key: the key schedule and GHASH table are not rebuilt per record (noble-gcm.ts).
  'AES-128-GCM': aeadAlgorithm('AES-128-GCM', 16, (key) => new AesGcmKey(key)),
  'AES-256-GCM': aeadAlgorithm('AES-256-GCM', 32, (key) => new AesGcmKey(key)),
  'CHACHA20-POLY1305': aeadAlgorithm('CHACHA20-POLY1305', 32, chacha20Poly1305Key),
}

/** A secret scalar for `group` from `randomBytes`, or the fixed one given (test vectors). */
type SecretSource = Uint8Array | RandomBytes

function x25519Share(curves: NobleCurves, source: SecretSource): SyncKeyShare {
  const { x25519 } = curves
  // RFC 7748 section 5: any 32 random bytes are a secret (clamped when used).
  const secret = typeof source === 'function' ? source(32) : source
  return {
    group: 'x25519',
    publicKey: x25519.getPublicKey(secret),
    agree(peer) {
      if (peer.length !== 32) throw new TlsError('illegal_parameter', `x25519 key share must be 32 bytes, got ${peer.length}`)
      let shared: Uint8Array
      try {
        shared = x25519.getSharedSecret(secret, peer)
      } catch {
        throw new TlsError('illegal_parameter', 'x25519 key share gives an all-zero shared secret')
      }
      // RFC 8446 7.4.2: an all-zero result (a low-order point) must be refused.
      if (shared.every((b) => b === 0)) throw new TlsError('illegal_parameter', 'x25519 key share gives an all-zero shared secret')
      return shared
    },
  }
}

function nistShare(curves: NobleCurves, group: 'secp256r1' | 'secp384r1', source: SecretSource): SyncKeyShare {
  const curve = group === 'secp256r1' ? curves.p256 : curves.p384
  const coordinate = group === 'secp256r1' ? 32 : 48
  const secret = typeof source === 'function' ? randomSecretKey(curve, source) : source
  return {
    group,
    publicKey: curve.getPublicKey(secret, false),
    agree(peer) {
      // RFC 8446 4.2.8.2: only the uncompressed form, and the point must be on the curve.
      if (peer.length !== 1 + 2 * coordinate || peer[0] !== 4) throw new TlsError('illegal_parameter', `${group} key share is not an uncompressed point`)
      try {
        // getSharedSecret decodes the point and refuses one that is not on the curve.
        return curve.getSharedSecret(secret, peer, true).subarray(1)
      } catch {
        throw new TlsError('illegal_parameter', `${group} key share is not a valid point`)
      }
    },
  }
}

/** Whether this runtime is likely to run AES in hardware; noble's AES is pure JS, so never. */
const hasHardwareAes = false

/** Options of createNobleProvider. */
export interface NobleProviderOptions {
  /**
   * The one source of randomness: key shares, hello randoms, salts, blinding, tickets, everything. It must be
   * cryptographically secure. Default: the runtime's crypto.getRandomValues (an engine without `crypto`, such as
   * QuickJS, passes its own).
   */
  randomBytes?: RandomBytes
}

/**
 * A noble provider (pure JavaScript, synchronous) whose every random byte comes from `randomBytes`, including
 * the blinding inside the elliptic-curve and RSA arithmetic: nothing reads crypto.getRandomValues behind it.
 */
export function createNobleProvider(options: NobleProviderOptions = {}): SyncCryptoProvider {
  const randomBytes = options.randomBytes === undefined ? runtimeRandomBytes : checkedRandomBytes(options.randomBytes)
  const curves = nobleCurves(randomBytes)
  const provider: SyncCryptoProvider = {
    name: 'noble',
    hasHardwareAes,
    randomBytes,
    hash: (name) => hashAlgorithms[name],
    hmac: (hash, key, data) => hmac(nobleHash(hash), key, data),
    hkdfExtract: (hash, salt, ikm) => extract(nobleHash(hash), ikm, salt),
    hkdfExpand(hash, prk, info, length) {
      // RFC 5869 section 2.3: L <= 255 * HashLen; a longer request is our bug, not the peer's.
      const limit = 255 * nobleHash(hash).outputLen
      if (!Number.isInteger(length) || length < 0 || length > limit) throw new TlsError('internal_error', `HKDF-Expand length ${length} is outside 0..${limit}`)
      return expand(nobleHash(hash), prk, info, length)
    },
    aead: (name) => aeadAlgorithms[name],
    generateKeyShare(group: NamedGroupName, privateKey?: Uint8Array) {
      const source = privateKey ?? randomBytes
      switch (group) {
        case 'x25519':
          return x25519Share(curves, source)
        case 'secp256r1':
        case 'secp384r1':
          return nistShare(curves, group, source)
        case 'X25519MLKEM768':
        case 'SecP256r1MLKEM768':
          // The hybrids are built from this provider's own X25519 / P-256 and its randomness.
          return hybridKeyShare(provider, group, privateKey)
      }
    },
    encapsulate: (group, clientShare) => hybridEncapsulate(provider, group, clientShare),
    sign: createSigner(curves, randomBytes),
    verify,
  }
  return provider
}

/** The default provider: noble, with randomness from the runtime's crypto.getRandomValues (a clear error where there is none). */
export const nobleProvider: SyncCryptoProvider = createNobleProvider()
