// The default CryptoProvider: pure JavaScript primitives from @noble/hashes, @noble/ciphers and @noble/curves.
import { gcm } from '@noble/ciphers/aes.js'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { x25519 } from '@noble/curves/ed25519.js'
import { p256, p384 } from '@noble/curves/nist.js'
import { expand, extract } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { TlsError } from '../errors.js'
import { hybridEncapsulate, hybridKeyShare } from './hybrid.js'
import type { AeadName, HashAlgorithm, HashName, HashState, NamedGroupName, SyncAeadAlgorithm, SyncCryptoProvider, SyncKeyShare } from './provider.js'
import { type NobleHash, nobleHash } from './noble-hashes.js'
import { sign, verify } from './signatures.js'

type NobleState = ReturnType<NobleHash['create']>

class NobleHashState implements HashState {
  constructor(private readonly state: NobleState) {}
  update(data: Uint8Array): HashState {
    this.state.update(data)
    return this
  }
  digest(): Uint8Array {
    return this.state.clone().digest()
  }
  clone(): HashState {
    return new NobleHashState(this.state.clone())
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

function aeadAlgorithm(name: AeadName, keyLength: number, cipher: typeof gcm | typeof chacha20poly1305): SyncAeadAlgorithm {
  return {
    name,
    keyLength,
    nonceLength: 12,
    tagLength: 16,
    importKey(key) {
      if (key.length !== keyLength) throw new TlsError('internal_error', `${name} key must be ${keyLength} bytes`)
      const k = key.slice()
      return {
        seal: (nonce, plaintext, aad) => cipher(k, nonce, aad).encrypt(plaintext),
        open(nonce, ciphertext, aad) {
          if (ciphertext.length < 16) return null
          try {
            return cipher(k, nonce, aad).decrypt(ciphertext)
          } catch {
            return null
          }
        },
      }
    },
  }
}

const aeadAlgorithms: Record<AeadName, SyncAeadAlgorithm> = {
  'AES-128-GCM': aeadAlgorithm('AES-128-GCM', 16, gcm),
  'AES-256-GCM': aeadAlgorithm('AES-256-GCM', 32, gcm),
  'CHACHA20-POLY1305': aeadAlgorithm('CHACHA20-POLY1305', 32, chacha20poly1305),
}

function x25519Share(secret: Uint8Array = x25519.utils.randomSecretKey()): SyncKeyShare {
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

function nistShare(group: 'secp256r1' | 'secp384r1', fixedSecret?: Uint8Array): SyncKeyShare {
  const curve = group === 'secp256r1' ? p256 : p384
  const coordinate = group === 'secp256r1' ? 32 : 48
  const secret = fixedSecret ?? curve.utils.randomSecretKey()
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

export const nobleProvider: SyncCryptoProvider = {
  name: 'noble',
  hasHardwareAes,
  randomBytes: (n) => randomBytes(n),
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
    switch (group) {
      case 'x25519':
        return x25519Share(privateKey)
      case 'secp256r1':
      case 'secp384r1':
        return nistShare(group, privateKey)
      case 'X25519MLKEM768':
      case 'SecP256r1MLKEM768':
        return hybridKeyShare(nobleProvider, group, privateKey)
    }
  },
  encapsulate: (group, clientShare) => hybridEncapsulate(nobleProvider, group, clientShare),
  sign,
  verify,
}
