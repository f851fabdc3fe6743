// P-256, P-384, Ed25519 and X25519 built from noble's abstract constructions, blinded with randomness the caller gives.
//
// noble's ready-made curves (@noble/curves/nist.js, ed25519.js) draw the random values of their scalar and
// nonce blinding from crypto.getRandomValues themselves, and probe it when the module loads. Built here from
// the standards' domain parameters, every random byte comes from the `randomBytes` passed in, and nothing
// random is touched at load time. Without a source (public-key work only: verification, key import) the
// blinding is off and noble's constant-time paths run unblinded.
import { type ECDSA, ecdsa, weierstrass } from '@noble/curves/abstract/weierstrass.js'
import { type EdDSA, eddsa, edwards } from '@noble/curves/abstract/edwards.js'
import { type MontgomeryECDH, montgomery } from '@noble/curves/abstract/montgomery.js'
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import type { CurveName } from './provider.js'
import type { RandomBytes } from './random.js'
import { modPow } from './rsa.js'

/** P-256 (secp256r1) domain parameters: FIPS 186-4 appendix D.1.2.3, SEC 2 section 2.4.2. */
const P256 = {
  p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
  n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  h: 1n,
  a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
  b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  Gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  Gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
}

/** P-384 (secp384r1) domain parameters: FIPS 186-4 appendix D.1.2.4, SEC 2 section 2.5.1. */
const P384 = {
  p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
  n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  h: 1n,
  a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
  b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  Gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
  Gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
}

/** p = 2^255 - 19, the field of Curve25519 and edwards25519 (RFC 7748 section 4.1). */
const P25519 = 2n ** 255n - 19n

/** edwards25519 (RFC 8032 section 5.1): a = -1, d = -121665/121666, the base point B, the group order L, cofactor 8. */
const ED25519 = {
  p: P25519,
  n: 2n ** 252n + 27742317777372353535851937790883648493n,
  h: 8n,
  a: P25519 - 1n,
  d: 37095705934669439343138083508754565189542113879843219016388785533085940283555n,
  Gx: 15112221349535400772501151409588531511454012693041857206046113283949847762202n,
  Gy: 46316835694926478169428394003475163141307993866256225615783033603165251855960n,
}

/** RFC 7748 section 5 (X25519) and RFC 8032 section 5.1.5 (Ed25519): the scalar's low 3 bits cleared, bit 254 set, bit 255 cleared. */
function clamp25519(bytes: Uint8Array): Uint8Array {
  bytes[0]! &= 248
  bytes[31]! &= 127
  bytes[31]! |= 64
  return bytes
}

/** x^(p-2) mod p: the inverse of x in GF(2^255 - 19) (Fermat). The exponent is public, so is the sequence of operations. */
function invert25519(x: bigint): bigint {
  return modPow(x, P25519 - 2n, P25519)
}

/**
 * The Curve25519 u-coordinate of an edwards25519 point, by the birational map of RFC 7748 section 4.1:
 * u = (1 + y) / (1 - y), which in projective coordinates (y = Y/Z) is (Z + Y) / (Z - Y). Lets X25519 compute
 * its public key with the fast fixed-base tables of edwards25519 instead of a full Montgomery ladder.
 */
function montgomeryU(point: { readonly Y: bigint; readonly Z: bigint }): bigint {
  const denominator = (((point.Z - point.Y) % P25519) + P25519) % P25519
  // Only the identity has Z = Y; montgomery() refuses the 0 returned for it.
  return denominator === 0n ? 0n : ((point.Z + point.Y) * invert25519(denominator)) % P25519
}

/** The curves the noble provider computes with, each built on first use. */
export interface NobleCurves {
  readonly p256: ECDSA
  readonly p384: ECDSA
  readonly ed25519: EdDSA
  readonly x25519: MontgomeryECDH
  /** The ECDSA curve for a curve name. */
  ecdsa(curve: CurveName): ECDSA
}

/** What noble is given when there is no source: its probe fails and it runs without blinding. */
function noRandomness(): Uint8Array {
  throw new Error('no randomness for blinding: public-key operations only')
}

function lazy<T>(build: () => T): () => T {
  let value: T | undefined
  return () => (value ??= build())
}

/**
 * The curves, blinded with `randomBytes` (secret-key work: key shares, signing), or unblinded without it
 * (public-key work). X25519 uses the Montgomery ladder for its public key too, which needs no randomness.
 */
export function nobleCurves(source: RandomBytes = noRandomness): NobleCurves {
  // noble asks for a length every time; its type leaves it optional.
  const randomBytes = (length?: number) => source(length ?? 32) as Uint8Array<ArrayBuffer>
  const p256 = lazy(() => ecdsa(weierstrass(P256, { randomBytes }), sha256, { randomBytes }))
  const p384 = lazy(() => ecdsa(weierstrass(P384, { randomBytes }), sha384, { randomBytes }))
  const edwardsPoint = lazy(() => edwards(ED25519, { randomBytes }))
  const ed25519 = lazy(() => eddsa(edwardsPoint(), sha512, { adjustScalarBytes: clamp25519, randomBytes, zip215: false }))
  const x25519 = lazy(() =>
    montgomery({
      P: P25519,
      type: 'x25519',
      adjustScalarBytes: clamp25519,
      powPminus2: invert25519,
      randomBytes,
      scalarMultBase: (k) => montgomeryU(edwardsPoint().BASE.multiply(k % ED25519.n)),
    }),
  )
  return {
    get p256() {
      return p256()
    },
    get p384() {
      return p384()
    },
    get ed25519() {
      return ed25519()
    },
    get x25519() {
      return x25519()
    },
    ecdsa: (curve) => (curve === 'P-256' ? p256() : p384()),
  }
}

/** A secret scalar in [1, n - 1] for `curve`: noble reduces a seed half again as long as the scalar, so the bias is negligible. */
export function randomSecretKey(curve: ECDSA, randomBytes: RandomBytes): Uint8Array {
  return curve.utils.randomSecretKey(randomBytes(curve.lengths.seed!))
}

/** The unblinded curves for public-key work (verification, decoding points, deriving a public key on import). */
export const publicCurves: NobleCurves = nobleCurves()
