// Our key shapes as JSON Web Keys (RFC 7517, RFC 7518 for EC and RSA, RFC 8037 for OKP): what WebCrypto and node:crypto import.
import type { CurveName, PrivateKey, PublicKey } from './provider.js'
import { base64Encode } from './pem.js'
import { bigIntToBytes, bitLength } from './rsa.js'

/** The members of a JSON Web Key that we fill; a subset of both WebCrypto's and node:crypto's JsonWebKey. */
export type Jwk = {
  kty: 'EC' | 'OKP' | 'RSA'
  crv?: string
  x?: string
  y?: string
  d?: string
  n?: string
  e?: string
  p?: string
  q?: string
  dp?: string
  dq?: string
  qi?: string
}

/** base64url without padding (RFC 4648 section 5), as JWK members are written: base64 with its two letters swapped. */
export function base64url(bytes: Uint8Array): string {
  return base64Encode(bytes).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
}

/** An unsigned integer in the fewest big-endian bytes (RFC 7518 section 2, Base64urlUInt). */
function uint(x: bigint): string {
  return base64url(bigIntToBytes(x, Math.max(1, Math.ceil(bitLength(x) / 8)))!)
}

/** The size in bytes of one coordinate of a point on `curve`. */
export function coordinateSize(curve: CurveName): number {
  return curve === 'P-256' ? 32 : 48
}

/** An EC public key from an uncompressed point (0x04 || x || y); the caller has checked its length and prefix. */
export function ecPublicJwk(curve: CurveName, point: Uint8Array): Jwk {
  const size = coordinateSize(curve)
  return { kty: 'EC', crv: curve, x: base64url(point.subarray(1, 1 + size)), y: base64url(point.subarray(1 + size, 1 + 2 * size)) }
}

/** An X25519 or Ed25519 public key (RFC 8037). */
export function okpPublicJwk(crv: 'X25519' | 'Ed25519', key: Uint8Array): Jwk {
  return { kty: 'OKP', crv, x: base64url(key) }
}

/** The JWK of a public key; an EC point must be uncompressed and of its curve's length (checked by the caller). */
export function publicJwk(key: PublicKey): Jwk {
  switch (key.type) {
    case 'ec':
      return ecPublicJwk(key.curve, key.point)
    case 'ed25519':
      return okpPublicJwk('Ed25519', key.key)
    case 'rsa':
      return { kty: 'RSA', n: uint(key.n), e: uint(key.e) }
  }
}

/** The JWK of a private key, with its public members (WebCrypto needs both). */
export function privateJwk(key: PrivateKey): Jwk {
  switch (key.type) {
    case 'ec':
      return { ...publicJwk(key.publicKey), d: base64url(key.d) }
    case 'ed25519':
      return { ...publicJwk(key.publicKey), d: base64url(key.seed) }
    case 'rsa':
      return { kty: 'RSA', n: uint(key.n), e: uint(key.e), d: uint(key.d), p: uint(key.p), q: uint(key.q), dp: uint(key.dp), dq: uint(key.dq), qi: uint(key.qi) }
  }
}
