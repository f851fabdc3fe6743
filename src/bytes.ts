// Byte-array helpers every layer shares: concatenation, comparison (plain and constant-time), hex, UTF-8, map keys, input bytes.
import { TlsError } from './errors.js'

/** What the public API takes as bytes: an ArrayBuffer (or SharedArrayBuffer), any typed array or DataView. */
export type BinaryInput = ArrayBufferLike | ArrayBufferView

/**
 * The bytes of `data` as a Uint8Array (a view, never a copy, for binary input; UTF-8 for a string).
 * Anything else is a TlsError with code ERR_TLS_INVALID_ARGUMENT naming `what` took it.
 */
export function toBytes(data: BinaryInput | string, what: string): Uint8Array {
  if (data instanceof Uint8Array) return data
  if (typeof data === 'string') return utf8.encode(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer)) return new Uint8Array(data)
  const kind = data === null ? 'null' : typeof data === 'object' ? ((data as object).constructor?.name ?? 'object') : typeof data
  throw new TlsError('internal_error', `${what} takes bytes (an ArrayBuffer, a typed array or a DataView) or a string, not ${kind}`, 'ERR_TLS_INVALID_ARGUMENT')
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatAll(parts)
}

/** Concatenates a list of byte arrays of any length (no argument spreading). */
export function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Compares two byte strings in time that depends only on their lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

export function toHex(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}

/** Parses hex (whitespace and colons allowed); for our own constants and test data, never for peer input. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '')
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new TypeError(`not a hex string: ${hex.slice(0, 40)}`)
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16)
  return out
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export const utf8 = {
  encode: (s: string): Uint8Array => encoder.encode(s),
  decode: (b: Uint8Array): string => decoder.decode(b),
}

/** Plain equality, for public values (names, DER); secrets use constantTimeEqual. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** A string usable as a Map key for `bytes` (one UTF-16 unit per byte). */
export function bytesKey(bytes: Uint8Array): string {
  let key = ''
  // apply() takes the typed array as its argument list directly; a spread would iterate it (about 6x slower, and garbage).
  for (let i = 0; i < bytes.length; i += 4096) key += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[])
  return key
}
