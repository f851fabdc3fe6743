// What the native providers check before peer values reach native code, so they refuse exactly what noble refuses, with the same errors.
import { TlsError } from '../errors.js'
import { coordinateSize } from './jwk.js'
import type { ClassicalGroupName, PrivateKey, PublicKey, SignatureAlgorithm } from './provider.js'
import { bitLength, rsaPublicKeyProblem } from './rsa.js'

/** The curve of each NIST group. */
export const groupCurve = { secp256r1: 'P-256', secp384r1: 'P-384' } as const

/**
 * Throws TlsError(illegal_parameter) unless `peer` has the form RFC 8446 4.2.8.2 gives a key share of `group`:
 * 32 bytes for X25519, an uncompressed point (0x04 || x || y) for the NIST curves. Whether the point is on the
 * curve is the native import's check (see invalidPoint).
 */
export function checkPeerShare(group: ClassicalGroupName, peer: Uint8Array): void {
  if (group === 'x25519') {
    if (peer.length !== 32) throw new TlsError('illegal_parameter', `x25519 key share must be 32 bytes, got ${peer.length}`)
    return
  }
  const size = coordinateSize(groupCurve[group])
  if (peer.length !== 1 + 2 * size || peer[0] !== 4) throw new TlsError('illegal_parameter', `${group} key share is not an uncompressed point`)
}

/** The error for a NIST key share that native code refused (off the curve, coordinates out of range). */
export function invalidPoint(group: 'secp256r1' | 'secp384r1'): TlsError {
  return new TlsError('illegal_parameter', `${group} key share is not a valid point`)
}

/** The error for an X25519 agreement whose result is all zeros (RFC 8446 7.4.2: a low-order point). */
export function allZeroX25519(): TlsError {
  return new TlsError('illegal_parameter', 'x25519 key share gives an all-zero shared secret')
}

/** The error for a key share that native code refused: what noble throws for the same share. */
export function refusedShare(group: ClassicalGroupName): TlsError {
  return group === 'x25519' ? allZeroX25519() : invalidPoint(group)
}

/** `shared`, unless it is all zeros (RFC 8446 7.4.2), checked in constant time. */
export function refuseAllZero(shared: Uint8Array): Uint8Array {
  let bits = 0
  for (const b of shared) bits |= b
  if (bits === 0) throw allZeroX25519()
  return shared
}

/** The key type each signature algorithm needs. */
const keyTypeFor: Record<SignatureAlgorithm['type'], PublicKey['type']> = { ecdsa: 'ec', ed25519: 'ed25519', 'rsa-pkcs1': 'rsa', 'rsa-pss': 'rsa' }

/** Throws what noble throws when `key` cannot make an `algorithm` signature: a key of the wrong type, an RSA key outside our limits. */
export function checkSigningKey(algorithm: SignatureAlgorithm, key: PrivateKey): void {
  const needed = keyTypeFor[algorithm.type]
  if (needed === undefined) throw new TlsError('internal_error', `unknown signature algorithm ${JSON.stringify(algorithm)}`)
  if (key.type !== needed) throw new TlsError('internal_error', `a ${algorithm.type} signature needs a ${needed} key, not ${key.type}`)
  const problem = key.type === 'rsa' ? rsaPublicKeyProblem(key) : undefined
  if (problem !== undefined) throw new TlsError('internal_error', `cannot sign with this key: ${problem}`)
}

/**
 * Whether a verification is worth handing to native code: the key fits the algorithm and has the form noble
 * accepts (an uncompressed EC point, a 32-byte Ed25519 key, an RSA key within our limits), and the signature has
 * its fixed length (64 bytes for Ed25519, the modulus length for RSA). A false here is a false verification.
 */
export function verifiable(algorithm: SignatureAlgorithm, key: PublicKey, signature: Uint8Array): boolean {
  if (keyTypeFor[algorithm.type] !== key.type) return false
  switch (key.type) {
    case 'ec':
      return key.point.length === 1 + 2 * coordinateSize(key.curve) && key.point[0] === 4
    case 'ed25519':
      return key.key.length === 32 && signature.length === 64
    case 'rsa':
      return rsaPublicKeyProblem(key) === undefined && signature.length === Math.ceil(bitLength(key.n) / 8)
  }
}
