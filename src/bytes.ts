// Byte-array helpers every layer shares: input normalisation, concatenation, comparison (plain and constant-time), hex, UTF-8, map keys.
import { bytesToHex } from '@noble/hashes/utils.js'
import { TlsError } from './errors.js'

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

/** Lower-case hex (noble's encoder, which the curves and hashes use too). */
export const toHex: (bytes: Uint8Array) => string = bytesToHex

/** Parses hex (whitespace and colons allowed); for our own constants and test data, never for peer input. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '')
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new TypeError(`not a hex string: ${hex.slice(0, 40)}`)
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** The replacement character U+FFFD, for ill-formed input (as TextEncoder and TextDecoder substitute it). */
const REPLACEMENT = 0xfffd

/** UTF-8 encoding (RFC 3629) of one code point into `out` at `at`; returns the next free index. */
function putCodePoint(out: Uint8Array, at: number, code: number): number {
  if (code < 0x80) {
    out[at] = code
    return at + 1
  }
  if (code < 0x800) {
    out[at] = 0xc0 | (code >> 6)
    out[at + 1] = 0x80 | (code & 0x3f)
    return at + 2
  }
  if (code < 0x10000) {
    out[at] = 0xe0 | (code >> 12)
    out[at + 1] = 0x80 | ((code >> 6) & 0x3f)
    out[at + 2] = 0x80 | (code & 0x3f)
    return at + 3
  }
  out[at] = 0xf0 | (code >> 18)
  out[at + 1] = 0x80 | ((code >> 12) & 0x3f)
  out[at + 2] = 0x80 | ((code >> 6) & 0x3f)
  out[at + 3] = 0x80 | (code & 0x3f)
  return at + 4
}

/** The code point of `s` at `i` (a lone surrogate becomes U+FFFD) and how many UTF-16 units it took. */
function codePointAt(s: string, i: number): [code: number, units: 1 | 2] {
  const unit = s.charCodeAt(i)
  if (unit < 0xd800 || unit > 0xdfff) return [unit, 1]
  const next = unit <= 0xdbff ? s.charCodeAt(i + 1) : NaN
  if (next >= 0xdc00 && next <= 0xdfff) return [0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00), 2]
  return [REPLACEMENT, 1]
}

function encodeUtf8(s: string): Uint8Array {
  // At most 3 bytes per UTF-16 unit (a surrogate pair, 2 units, takes 4).
  const out = new Uint8Array(s.length * 3)
  let at = 0
  for (let i = 0; i < s.length; ) {
    const [code, units] = codePointAt(s, i)
    at = putCodePoint(out, at, code)
    i += units
  }
  return out.slice(0, at)
}

/** The valid range of the first continuation byte after each lead byte (RFC 3629 section 4; WHATWG Encoding 8.1.1). */
function continuationRange(lead: number): [low: number, high: number] {
  if (lead === 0xe0) return [0xa0, 0xbf]
  if (lead === 0xed) return [0x80, 0x9f]
  if (lead === 0xf0) return [0x90, 0xbf]
  if (lead === 0xf4) return [0x80, 0x8f]
  return [0x80, 0xbf]
}

/** How many continuation bytes a lead byte announces; 0 for ASCII, -1 for a byte that cannot start a sequence. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 0
  if (lead >= 0xc2 && lead <= 0xdf) return 1
  if (lead >= 0xe0 && lead <= 0xef) return 2
  if (lead >= 0xf0 && lead <= 0xf4) return 3
  return -1
}

/**
 * One code point decoded from `b` at `i`, the bytes it took, and whether the sequence was well formed. An
 * ill-formed sequence gives U+FFFD for its maximal valid prefix, as TextDecoder does (WHATWG Encoding's decoder).
 */
function decodeCodePoint(b: Uint8Array, i: number): [code: number, length: number, wellFormed: boolean] {
  const lead = b[i]!
  const needed = sequenceLength(lead)
  if (needed === 0) return [lead, 1, true]
  if (needed < 0) return [REPLACEMENT, 1, false]
  let code = lead & (0x3f >> needed)
  let [low, high] = continuationRange(lead)
  for (let k = 1; k <= needed; k++) {
    const next = b[i + k]
    if (next === undefined || next < low || next > high) return [REPLACEMENT, k, false]
    code = (code << 6) | (next & 0x3f)
    ;[low, high] = [0x80, 0xbf]
  }
  return [code, needed + 1, true]
}

/** The text of `b`; with `strict`, undefined for ill-formed input instead of replacement characters. */
function decodeUtf8(b: Uint8Array, strict = false): string | undefined {
  let out = ''
  const units: number[] = []
  for (let i = 0; i < b.length; ) {
    const [code, length, wellFormed] = decodeCodePoint(b, i)
    if (strict && !wellFormed) return undefined
    i += length
    if (code < 0x10000) units.push(code)
    else units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff))
    if (units.length >= 4096) {
      out += String.fromCharCode.apply(null, units)
      units.length = 0
    }
  }
  return out + String.fromCharCode.apply(null, units)
}

/**
 * UTF-8 in plain ECMAScript, so the library loads and runs where TextEncoder and TextDecoder do not exist
 * (embedded engines). Encoding replaces lone surrogates and decoding replaces ill-formed sequences with
 * U+FFFD, exactly as TextEncoder and a non-fatal TextDecoder do; a byte order mark is kept, as with ignoreBOM.
 */
export const utf8 = {
  encode: encodeUtf8,
  decode: (b: Uint8Array): string => decodeUtf8(b)!,
  /** The text of well-formed UTF-8, or undefined (a fatal TextDecoder would throw). */
  decodeStrict: (b: Uint8Array): string | undefined => decodeUtf8(b, true),
}

/** Bytes or text, in every form the public API takes them: any BufferSource, or a string (sent as UTF-8). */
export type BytesLike = ArrayBufferLike | ArrayBufferView | string

/** What `value` is, for an error message that names the mistake. */
function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value !== 'object') return typeof value
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name
  return typeof name === 'string' && name !== '' ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}` : 'an object'
}

/** Whether `value` is an ArrayBuffer or a SharedArrayBuffer, from this realm or another (a worker, a frame). */
function isArrayBufferLike(value: unknown): value is ArrayBufferLike {
  const tag = Object.prototype.toString.call(value)
  return tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]'
}

/**
 * `data` as a Uint8Array over the same memory (no copy): an ArrayBuffer or SharedArrayBuffer, any
 * ArrayBufferView (a typed array of any element size, a DataView, a Buffer), or a string, encoded as UTF-8.
 * Anything else, or a detached buffer, throws TlsError ERR_TLS_INVALID_ARGUMENT naming `what`.
 */
export function toBytes(data: BytesLike, what: string): Uint8Array {
  if (typeof data === 'string') return utf8.encode(data)
  if (data instanceof Uint8Array) return data
  try {
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    if (isArrayBufferLike(data)) return new Uint8Array(data)
  } catch {
    throw new TlsError('internal_error', `${what}: the buffer is detached (it was transferred or resized away)`, 'ERR_TLS_INVALID_ARGUMENT')
  }
  throw new TlsError(
    'internal_error',
    `${what} takes bytes (an ArrayBuffer, a typed array or a DataView) or a string, not ${describeValue(data)}`,
    'ERR_TLS_INVALID_ARGUMENT',
  )
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
