// Signing and verification for ECDSA (P-256, P-384), Ed25519 and RSA (PKCS#1 v1.5, PSS): the noble provider's sign/verify.
import { TlsError } from '../errors.js'
import { type NobleCurves, publicCurves } from './curves.js'
import { nobleHash } from './noble-hashes.js'
import type { PrivateKey, PublicKey, SignatureAlgorithm, SyncCryptoProvider } from './provider.js'
import type { RandomBytes } from './random.js'
import { rsaPkcs1Sign, rsaPkcs1Verify, rsaPssSign, rsaPssVerify } from './rsa.js'

/** The key type each signature algorithm needs. */
const keyTypeFor: Record<SignatureAlgorithm['type'], PublicKey['type']> = {
  ecdsa: 'ec',
  ed25519: 'ed25519',
  'rsa-pkcs1': 'rsa',
  'rsa-pss': 'rsa',
}

function wrongKey(algorithm: SignatureAlgorithm, key: PrivateKey): TlsError {
  return new TlsError('internal_error', `a ${algorithm.type} signature needs a ${keyTypeFor[algorithm.type]} key, not ${key.type}`)
}

/**
 * The provider's sign(): `message` is hashed inside; ECDSA signatures are DER with low S. Every random value
 * comes from `randomBytes`: the extra entropy of hedged ECDSA (RFC 6979 section 3.6: deterministic nonces with
 * fresh input mixed in, against fault attacks), the curves' scalar blinding, RSA blinding and PSS salts.
 */
export function createSigner(curves: NobleCurves, randomBytes: RandomBytes): SyncCryptoProvider['sign'] {
  return (algorithm, key, message) => {
    switch (algorithm.type) {
      case 'ecdsa':
        if (key.type !== 'ec') throw wrongKey(algorithm, key)
        return curves
          .ecdsa(key.curve)
          .sign(nobleHash(algorithm.hash)(message), key.d, { prehash: false, format: 'der', lowS: true, extraEntropy: randomBytes(32) })
      case 'ed25519':
        if (key.type !== 'ed25519') throw wrongKey(algorithm, key)
        return curves.ed25519.sign(message, key.seed)
      case 'rsa-pkcs1':
        if (key.type !== 'rsa') throw wrongKey(algorithm, key)
        return rsaPkcs1Sign(key, algorithm.hash, message, randomBytes)
      case 'rsa-pss':
        if (key.type !== 'rsa') throw wrongKey(algorithm, key)
        return rsaPssSign(key, algorithm.hash, algorithm.saltLength, message, randomBytes)
      default:
        throw new TlsError('internal_error', `unknown signature algorithm ${JSON.stringify(algorithm)}`)
    }
  }
}

function verifyOrThrow(algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  switch (algorithm.type) {
    case 'ecdsa':
      // Strict DER, either S half (OpenSSL does not normalise S), the hash computed here for any curve.
      return (
        key.type === 'ec' &&
        publicCurves.ecdsa(key.curve).verify(signature, nobleHash(algorithm.hash)(message), key.point, { prehash: false, format: 'der', lowS: false })
      )
    case 'ed25519':
      // RFC 8032 section 5.1.7 strictly: canonical encodings of R and A, S < L.
      return key.type === 'ed25519' && signature.length === 64 && publicCurves.ed25519.verify(signature, message, key.key, { zip215: false })
    case 'rsa-pkcs1':
      return key.type === 'rsa' && rsaPkcs1Verify(key, algorithm.hash, message, signature)
    case 'rsa-pss':
      return key.type === 'rsa' && rsaPssVerify(key, algorithm.hash, algorithm.saltLength, message, signature)
    default:
      return false
  }
}

/** Verifies; false for a bad signature, a malformed one, or a key of the wrong type. Never throws. */
export function verify(algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verifyOrThrow(algorithm, key, message, signature)
  } catch {
    return false
  }
}
