// RSA signatures on BigInt (RFC 8017): RSASSA-PKCS1-v1_5 and RSASSA-PSS with MGF1, CRT signing with blinding.
import { bytesToNumberBE } from '@noble/curves/utils.js'
import { TlsError } from '../errors.js'
import { nobleHash } from './noble-hashes.js'
import type { HashName, PrivateKey } from './provider.js'
import type { RandomBytes } from './random.js'
import { concat, constantTimeEqual } from '../bytes.js'

/** The public half of an RSA key, as both PublicKey and PrivateKey carry it. */
export interface RsaPublicKey {
  readonly n: bigint
  readonly e: bigint
}

export type RsaPrivateKey = Extract<PrivateKey, { type: 'rsa' }>

/** Moduli outside these sizes are refused outright (verification returns false, signing throws). */
export const RSA_MIN_MODULUS_BITS = 2048
export const RSA_MAX_MODULUS_BITS = 8192
/** A peer's huge public exponent would make every verification a full-size exponentiation (BoringSSL caps at 33 bits, Go at 31). */
export const RSA_MAX_PUBLIC_EXPONENT_BITS = 32

// ---- integers and octet strings (RFC 8017 section 4) ----

export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length
}

/** OS2IP: big-endian bytes to a non-negative integer (noble's, which its curves use too). */
export const bytesToBigInt: (bytes: Uint8Array) => bigint = bytesToNumberBE

/** I2OSP: a non-negative integer to exactly `length` big-endian bytes; undefined when it does not fit. */
export function bigIntToBytes(x: bigint, length: number): Uint8Array | undefined {
  if (x < 0n) return undefined
  const hex = x.toString(16)
  if (hex.length > 2 * length) return undefined
  const padded = hex.padStart(2 * length, '0')
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = parseInt(padded.slice(2 * i, 2 * i + 2), 16)
  return out
}

function fixedBytes(x: bigint, length: number): Uint8Array {
  const out = bigIntToBytes(x, length)
  if (!out) throw new TlsError('internal_error', `integer does not fit in ${length} bytes`)
  return out
}

// ---- modular arithmetic ----

function windowBits(exponentBits: number): number {
  if (exponentBits <= 32) return 1
  if (exponentBits <= 256) return 4
  if (exponentBits <= 768) return 5
  return 6
}

/**
 * base^exponent mod modulus, left-to-right with a sliding window over precomputed odd powers.
 * Not constant time (BigInt never is): signing blinds both the base and the exponent instead.
 */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n
  const b = ((base % modulus) + modulus) % modulus
  const bits = exponent.toString(2)
  const w = windowBits(bits.length)
  const oddPowers = [b]
  if (w > 1) {
    const b2 = (b * b) % modulus
    for (let i = 1; i < 1 << (w - 1); i++) oddPowers.push((oddPowers[i - 1]! * b2) % modulus)
  }
  let result = 1n
  let i = 0
  while (i < bits.length) {
    if (bits[i] === '0') {
      result = (result * result) % modulus
      i++
      continue
    }
    let j = Math.min(i + w, bits.length)
    while (bits[j - 1] === '0') j--
    for (let k = i; k < j; k++) result = (result * result) % modulus
    result = (result * oddPowers[parseInt(bits.slice(i, j), 2) >> 1]!) % modulus
    i = j
  }
  return result
}

/** a^-1 mod m by the extended Euclidean algorithm; undefined when gcd(a, m) != 1. */
export function modInverse(a: bigint, m: bigint): bigint | undefined {
  let [r0, r1] = [((a % m) + m) % m, m]
  let [s0, s1] = [1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[s0, s1] = [s1, s0 - q * s1]
  }
  if (r0 !== 1n) return undefined
  return ((s0 % m) + m) % m
}

/** A random integer in [2, bound) with `bound` > 2 (64 extra bits make the modulo bias negligible). */
function randomBelow(bound: bigint, randomBytes: RandomBytes): bigint {
  const bytes = Math.ceil(bitLength(bound) / 8) + 8
  return (bytesToBigInt(randomBytes(bytes)) % (bound - 2n)) + 2n
}

// ---- key limits ----

/** What makes an RSA public key unusable here, or undefined when it is within our limits. */
export function rsaPublicKeyProblem(key: RsaPublicKey): string | undefined {
  const bits = bitLength(key.n)
  if (bits < RSA_MIN_MODULUS_BITS) return `RSA modulus of ${bits} bits is below the minimum of ${RSA_MIN_MODULUS_BITS}`
  if (bits > RSA_MAX_MODULUS_BITS) return `RSA modulus of ${bits} bits is above the maximum of ${RSA_MAX_MODULUS_BITS}`
  if ((key.n & 1n) === 0n) return 'RSA modulus is even'
  if (key.e < 3n || (key.e & 1n) === 0n) return 'RSA public exponent must be odd and at least 3'
  if (bitLength(key.e) > RSA_MAX_PUBLIC_EXPONENT_BITS) return `RSA public exponent is longer than ${RSA_MAX_PUBLIC_EXPONENT_BITS} bits`
  return undefined
}

/** The modulus length in bytes (k in RFC 8017). */
function modulusLength(key: RsaPublicKey): number {
  return Math.ceil(bitLength(key.n) / 8)
}

// ---- RSASP1 / RSAVP1 ----

/** RSAVP1: s^e mod n, after the checks every verifier must make; undefined for an unusable input. */
function rsaPublic(key: RsaPublicKey, signature: Uint8Array): bigint | undefined {
  if (rsaPublicKeyProblem(key) !== undefined) return undefined
  if (signature.length !== modulusLength(key)) return undefined
  const s = bytesToBigInt(signature)
  if (s >= key.n) return undefined
  return modPow(s, key.e, key.n)
}

/** d' = d + k·(p−1) for a random 64-bit k: the same result, a different exponent every time. */
function blindExponent(d: bigint, primeMinusOne: bigint, randomBytes: RandomBytes): bigint {
  return d + bytesToBigInt(randomBytes(8)) * primeMinusOne
}

/**
 * RSASP1 with the Chinese remainder theorem, message blinding (m·r^e) and exponent blinding;
 * the result is checked with the public key before it leaves, so a fault never leaks a prime.
 */
function rsaPrivate(key: RsaPrivateKey, m: bigint, randomBytes: RandomBytes): bigint {
  const problem = rsaPublicKeyProblem(key)
  if (problem !== undefined) throw new TlsError('internal_error', `cannot sign with this key: ${problem}`)
  const { n, e, p, q, dp, dq, qi } = key
  let r: bigint
  let rInverse: bigint | undefined
  do {
    r = randomBelow(n, randomBytes)
    rInverse = modInverse(r, n)
  } while (rInverse === undefined)
  const blinded = (m * modPow(r, e, n)) % n
  const s1 = modPow(blinded % p, blindExponent(dp, p - 1n, randomBytes), p)
  const s2 = modPow(blinded % q, blindExponent(dq, q - 1n, randomBytes), q)
  const h = (((s1 - s2) % p) + p) % p
  const s = (((s2 + ((qi * h) % p) * q) % n) * rInverse) % n
  if (modPow(s, e, n) !== m) throw new TlsError('internal_error', 'RSA signature failed its own verification (a fault, or an inconsistent private key)')
  return s
}

function signRepresentative(key: RsaPrivateKey, encodedMessage: Uint8Array, randomBytes: RandomBytes): Uint8Array {
  return fixedBytes(rsaPrivate(key, bytesToBigInt(encodedMessage), randomBytes), modulusLength(key))
}

// ---- EMSA-PKCS1-v1_5 (RFC 8017 section 9.2) ----

/** DER of DigestInfo up to the digest itself (RFC 8017 section 9.2, note 1). */
const digestInfoPrefixes: Record<HashName, Uint8Array> = {
  'SHA-256': Uint8Array.of(0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20),
  'SHA-384': Uint8Array.of(0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30),
  'SHA-512': Uint8Array.of(0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40),
}

/** EM = 0x00 || 0x01 || PS (0xff…) || 0x00 || DigestInfo; undefined when emLen is too short. */
function emsaPkcs1v15Encode(hash: HashName, message: Uint8Array, emLen: number): Uint8Array | undefined {
  const prefix = digestInfoPrefixes[hash]
  if (!prefix) return undefined
  const t = concat(prefix, nobleHash(hash)(message))
  if (emLen < t.length + 11) return undefined
  const em = new Uint8Array(emLen).fill(0xff)
  em[0] = 0x00
  em[1] = 0x01
  em[emLen - t.length - 1] = 0x00
  em.set(t, emLen - t.length)
  return em
}

/** RSASSA-PKCS1-V1_5-VERIFY: rebuilds the one valid encoding and compares, so no ASN.1 is parsed. */
export function rsaPkcs1Verify(key: RsaPublicKey, hash: HashName, message: Uint8Array, signature: Uint8Array): boolean {
  const m = rsaPublic(key, signature)
  if (m === undefined) return false
  const k = modulusLength(key)
  const em = bigIntToBytes(m, k)
  const expected = emsaPkcs1v15Encode(hash, message, k)
  return em !== undefined && expected !== undefined && constantTimeEqual(em, expected)
}

/** RSASSA-PKCS1-V1_5-SIGN; `randomBytes` blinds the computation (the signature itself is deterministic). */
export function rsaPkcs1Sign(key: RsaPrivateKey, hash: HashName, message: Uint8Array, randomBytes: RandomBytes): Uint8Array {
  const em = emsaPkcs1v15Encode(hash, message, modulusLength(key))
  if (!em) throw new TlsError('internal_error', `RSA key is too short for PKCS#1 v1.5 with ${hash}`)
  return signRepresentative(key, em, randomBytes)
}

// ---- EMSA-PSS (RFC 8017 section 9.1) ----

/** MGF1 (RFC 8017 appendix B.2.1) with `hash`. */
function mgf1(hash: HashName, seed: Uint8Array, maskLen: number): Uint8Array {
  const h = nobleHash(hash)
  const mask = new Uint8Array(maskLen)
  const input = new Uint8Array(seed.length + 4)
  input.set(seed)
  for (let counter = 0, at = 0; at < maskLen; counter++, at += h.outputLen) {
    new DataView(input.buffer).setUint32(seed.length, counter)
    mask.set(h(input).subarray(0, maskLen - at), at)
  }
  return mask
}

/** H = Hash(0x00 × 8 || mHash || salt), the value both PSS sides compute. */
function pssHash(hash: HashName, message: Uint8Array, salt: Uint8Array): Uint8Array {
  const h = nobleHash(hash)
  return h(concat(new Uint8Array(8), h(message), salt))
}

function pssLengths(key: RsaPublicKey, hash: HashName, saltLength: number) {
  const emBits = bitLength(key.n) - 1
  const emLen = Math.ceil(emBits / 8)
  const hLen = nobleHash(hash).outputLen
  const fits = Number.isInteger(saltLength) && saltLength >= 0 && emLen >= hLen + saltLength + 2
  return { emBits, emLen, hLen, fits }
}

/** The mask for the leftmost byte of maskedDB: clears the 8·emLen − emBits bits above emBits. */
function topByteMask(emBits: number, emLen: number): number {
  return 0xff >>> (8 * emLen - emBits)
}

/** EMSA-PSS-ENCODE with a fresh random salt of `saltLength` bytes. */
function emsaPssEncode(key: RsaPublicKey, hash: HashName, saltLength: number, message: Uint8Array, randomBytes: RandomBytes): Uint8Array {
  const { emBits, emLen, hLen, fits } = pssLengths(key, hash, saltLength)
  if (!fits) throw new TlsError('internal_error', `RSA key is too short for PSS with ${hash} and a ${saltLength}-byte salt`)
  const salt = randomBytes(saltLength)
  const h = pssHash(hash, message, salt)
  const db = new Uint8Array(emLen - hLen - 1)
  db[db.length - saltLength - 1] = 0x01
  db.set(salt, db.length - saltLength)
  const dbMask = mgf1(hash, h, db.length)
  for (let i = 0; i < db.length; i++) db[i]! ^= dbMask[i]!
  db[0]! &= topByteMask(emBits, emLen)
  return concat(db, h, Uint8Array.of(0xbc))
}

/** EMSA-PSS-VERIFY (RFC 8017 section 9.1.2) for a known salt length. */
function emsaPssVerify(key: RsaPublicKey, hash: HashName, saltLength: number, message: Uint8Array, em: Uint8Array): boolean {
  const { emBits, emLen, hLen, fits } = pssLengths(key, hash, saltLength)
  if (!fits || em.length !== emLen || em[emLen - 1] !== 0xbc) return false
  const maskedDb = em.subarray(0, emLen - hLen - 1)
  const h = em.subarray(emLen - hLen - 1, emLen - 1)
  const topMask = topByteMask(emBits, emLen)
  if ((maskedDb[0]! & ~topMask) !== 0) return false
  const db = mgf1(hash, h, maskedDb.length)
  for (let i = 0; i < db.length; i++) db[i]! ^= maskedDb[i]!
  db[0]! &= topMask
  const separator = db.length - saltLength - 1
  for (let i = 0; i < separator; i++) if (db[i] !== 0) return false
  if (db[separator] !== 0x01) return false
  return constantTimeEqual(h, pssHash(hash, message, db.subarray(separator + 1)))
}

/** RSASSA-PSS-VERIFY with MGF1 over the same hash and the given salt length. */
export function rsaPssVerify(key: RsaPublicKey, hash: HashName, saltLength: number, message: Uint8Array, signature: Uint8Array): boolean {
  const m = rsaPublic(key, signature)
  if (m === undefined) return false
  const em = bigIntToBytes(m, Math.ceil((bitLength(key.n) - 1) / 8))
  return em !== undefined && emsaPssVerify(key, hash, saltLength, message, em)
}

/** RSASSA-PSS-SIGN with MGF1 over the same hash; `randomBytes` gives the salt of `saltLength` bytes and the blinding. */
export function rsaPssSign(key: RsaPrivateKey, hash: HashName, saltLength: number, message: Uint8Array, randomBytes: RandomBytes): Uint8Array {
  return signRepresentative(key, emsaPssEncode(key, hash, saltLength, message, randomBytes), randomBytes)
}
