// Signing and verification for ECDSA (P-256, P-384), Ed25519 and RSA (PKCS#1 v1.5, PSS): the provider's sign/verify.
import { ed25519 } from '@noble/curves/ed25519.js'
import { p256, p384 } from '@noble/curves/nist.js'
import { TlsError } from '../errors.js'
import { nobleHash } from './noble-hashes.js'
import type { CurveName, PrivateKey, PublicKey, SignatureAlgorithm } from './provider.js'
import { rsaPkcs1Sign, rsaPkcs1Verify, rsaPssSign, rsaPssVerify } from './rsa.js'

/** The noble curve for a curve name (shared with key import). */
export function nobleCurve(curve: CurveName): typeof p256 {
  return curve === 'P-256' ? p256 : p384
}

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

/** Signs `message` (hashed inside); ECDSA signatures are DER with low S, deterministic (RFC 6979). */
export function sign(algorithm: SignatureAlgorithm, key: PrivateKey, message: Uint8Array): Uint8Array {
  switch (algorithm.type) {
    case 'ecdsa':
      if (key.type !== 'ec') throw wrongKey(algorithm, key)
      return nobleCurve(key.curve).sign(nobleHash(algorithm.hash)(message), key.d, { prehash: false, format: 'der', lowS: true })
    case 'ed25519':
      if (key.type !== 'ed25519') throw wrongKey(algorithm, key)
      return ed25519.sign(message, key.seed)
    case 'rsa-pkcs1':
      if (key.type !== 'rsa') throw wrongKey(algorithm, key)
      return rsaPkcs1Sign(key, algorithm.hash, message)
    case 'rsa-pss':
      if (key.type !== 'rsa') throw wrongKey(algorithm, key)
      return rsaPssSign(key, algorithm.hash, algorithm.saltLength, message)
    default:
      throw new TlsError('internal_error', `unknown signature algorithm ${JSON.stringify(algorithm)}`)
  }
}

function verifyOrThrow(algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  switch (algorithm.type) {
    case 'ecdsa':
      // Strict DER, either S half (OpenSSL does not normalise S), the hash computed here for any curve.
      return (
        key.type === 'ec' &&
        nobleCurve(key.curve).verify(signature, nobleHash(algorithm.hash)(message), key.point, { prehash: false, format: 'der', lowS: false })
      )
    case 'ed25519':
      // RFC 8032 section 5.1.7 strictly: canonical encodings of R and A, S < L.
      return key.type === 'ed25519' && signature.length === 64 && ed25519.verify(signature, message, key.key, { zip215: false })
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
