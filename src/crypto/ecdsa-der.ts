// ECDSA signatures between TLS's DER (RFC 8422 section 5.4: a SEQUENCE of two INTEGERs) and r || s (IEEE P1363, what WebCrypto speaks).
import type { CurveName } from './provider.js'
import { bigIntToBytes, bytesToBigInt } from './rsa.js'
import { coordinateSize } from './jwk.js'

/** The order n of each curve's base point (FIPS 186-4 appendix D.1.2). */
const ORDER: Record<CurveName, bigint> = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
}

const SEQUENCE = 0x30
const INTEGER = 0x02

/**
 * One DER INTEGER at `at`, strictly: short-form length (a P-256/P-384 signature never needs the long form, so a
 * long form is never minimal), non-empty, minimal, non-negative. Returns its magnitude and where the next item starts.
 */
function readInteger(der: Uint8Array, at: number): { value: Uint8Array; next: number } | undefined {
  if (der[at] !== INTEGER) return undefined
  const length = der[at + 1]
  if (length === undefined || length === 0 || length > 0x7f || at + 2 + length > der.length) return undefined
  const content = der.subarray(at + 2, at + 2 + length)
  if (content[0]! & 0x80) return undefined
  if (content[0] === 0 && length > 1 && !(content[1]! & 0x80)) return undefined
  return { value: content[0] === 0 && length > 1 ? content.subarray(1) : content, next: at + 2 + length }
}

/**
 * r || s, each left-padded to the curve's size, from a strict-DER ECDSA signature; undefined for anything that is
 * not exactly one minimal SEQUENCE of two minimal INTEGERs that fit the curve. The range 1..n-1 is the verifier's check.
 */
export function ecdsaDerToRaw(curve: CurveName, der: Uint8Array): Uint8Array | undefined {
  if (der.length < 2 || der[0] !== SEQUENCE || der[1]! > 0x7f || der[1] !== der.length - 2) return undefined
  const r = readInteger(der, 2)
  const s = r && readInteger(der, r.next)
  if (!r || !s || s.next !== der.length) return undefined
  const size = coordinateSize(curve)
  if (r.value.length > size || s.value.length > size) return undefined
  const raw = new Uint8Array(2 * size)
  raw.set(r.value, size - r.value.length)
  raw.set(s.value, 2 * size - s.value.length)
  return raw
}

function integer(magnitude: Uint8Array): Uint8Array {
  let start = 0
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++
  const trimmed = magnitude.subarray(start)
  const sign = trimmed[0]! & 0x80 ? 1 : 0
  const out = new Uint8Array(2 + sign + trimmed.length)
  out[0] = INTEGER
  out[1] = sign + trimmed.length
  out.set(trimmed, 2 + sign)
  return out
}

/**
 * The DER of an r || s signature, with S made low (n − s when s > n/2: the same signature, in the form noble
 * and strict verifiers produce), so every provider hands out signatures of one shape.
 */
export function ecdsaRawToDer(curve: CurveName, raw: Uint8Array): Uint8Array {
  const size = coordinateSize(curve)
  const n = ORDER[curve]
  const s = bytesToBigInt(raw.subarray(size))
  const lowS = s > n >> 1n ? bigIntToBytes(n - s, size)! : raw.subarray(size)
  const [r, sInteger] = [integer(raw.subarray(0, size)), integer(lowS)]
  const out = new Uint8Array(2 + r.length + sInteger.length)
  out[0] = SEQUENCE
  out[1] = r.length + sInteger.length
  out.set(r, 2)
  out.set(sInteger, 2 + r.length)
  return out
}
