// Small wire helpers shared by the message and extension codecs: bounded lists of items, u8 and u16 lists.
import { TlsError } from '../../errors.js'
import type { Reader, Writer } from '../../record/codec.js'
import { checkLimit } from './limits.js'

export type LengthBytes = 1 | 2 | 3

export interface ListBounds {
  /** The vector's minimum length in bytes (the `<min..max>` of the RFC); shorter is a decode_error. */
  readonly minBytes?: number
  /** The most items we accept; more is an illegal_parameter. */
  readonly maxItems?: number
}

/** Reads a length-prefixed vector of items, which must be consumed exactly. */
export function readList<T>(r: Reader, lengthBytes: LengthBytes, what: string, item: (r: Reader) => T, bounds: ListBounds = {}): T[] {
  return r.block(lengthBytes, what, (sub) => {
    const minBytes = bounds.minBytes ?? 0
    if (sub.remaining < minBytes) throw new TlsError('decode_error', `${what} is ${sub.remaining} bytes, shorter than its minimum ${minBytes}`)
    const items: T[] = []
    while (sub.remaining > 0) {
      items.push(item(sub))
      if (bounds.maxItems !== undefined) checkLimit(items.length, bounds.maxItems, what)
    }
    return items
  })
}

/** Writes a length-prefixed vector of items. */
export function writeList<T>(w: Writer, lengthBytes: LengthBytes, items: readonly T[], item: (w: Writer, value: T) => void): void {
  w.block(lengthBytes, (inner) => {
    for (const value of items) item(inner, value)
  })
}

/** A vector of uint16 values (cipher suites, groups, signature schemes, versions). */
export function readU16List(r: Reader, lengthBytes: LengthBytes, what: string, bounds: ListBounds = {}): number[] {
  return readList(r, lengthBytes, what, (sub) => sub.u16(what), bounds)
}

export function writeU16List(w: Writer, lengthBytes: LengthBytes, values: readonly number[]): void {
  writeList(w, lengthBytes, values, (inner, v) => inner.u16(v))
}

/** A vector of uint8 values (compression methods, point formats, PSK modes, certificate types). */
export function readU8List(r: Reader, lengthBytes: LengthBytes, what: string, bounds: ListBounds = {}): number[] {
  return readList(r, lengthBytes, what, (sub) => sub.u8(what), bounds)
}

export function writeU8List(w: Writer, lengthBytes: LengthBytes, values: readonly number[]): void {
  writeList(w, lengthBytes, values, (inner, v) => inner.u8(v))
}

/** The 32-byte Random of a hello. */
export function readRandom(r: Reader): Uint8Array {
  return r.take(32, 'random')
}

/** Writes a 32-byte Random, refusing any other length (our own bug, so internal_error). */
export function writeRandom(w: Writer, random: Uint8Array): void {
  if (random.length !== 32) throw new TlsError('internal_error', `random must be 32 bytes, not ${random.length}`)
  w.bytes(random)
}

/** A legacy session id (opaque<0..32>): longer is malformed. */
export function readSessionId(r: Reader, what: string): Uint8Array {
  const id = r.vec8(what)
  if (id.length > 32) throw new TlsError('decode_error', `${what} is ${id.length} bytes, longer than 32`)
  return id
}

/** Bytes as a string of the same length, one char per byte (host names, ALPN protocol names). */
export function bytesToBinaryString(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return s
}

/** The inverse of bytesToBinaryString; a char above 0xff is our own bug (internal_error). */
export function binaryStringToBytes(s: string, what: string): Uint8Array {
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c > 0xff) throw new TlsError('internal_error', `${what} "${s}" has a character that is not a single byte`)
    out[i] = c
  }
  return out
}
