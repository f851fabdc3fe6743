// DER encoding (X.690 section 10) of the universal types keys are written with: each function returns one whole TLV.
import { concatAll } from '../bytes.js'

const TAG = { INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OBJECT_IDENTIFIER: 0x06, SEQUENCE: 0x30 } as const

/** The definite length octets (X.690 8.1.3): the short form below 128, else the minimal long form. */
function lengthOctets(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length)
  const octets: number[] = []
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets.unshift(n & 0xff)
  return Uint8Array.of(0x80 | octets.length, ...octets)
}

/** One element: a single identifier octet (tag numbers 0..30), its length, then `contents` concatenated. */
export function tlv(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  const body = concatAll(contents)
  return concatAll([Uint8Array.of(tag), lengthOctets(body.length), body])
}

export function sequence(...items: readonly Uint8Array[]): Uint8Array {
  return tlv(TAG.SEQUENCE, ...items)
}

/** A non-negative INTEGER in its minimal two's-complement form (a 0x00 octet before a set high bit). */
export function integer(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('negative INTEGERs are not written here')
  let hex = value.toString(16)
  if (hex.length % 2 === 1) hex = `0${hex}`
  if (parseInt(hex[0]!, 16) >= 8) hex = `00${hex}`
  const contents = new Uint8Array(hex.length / 2)
  for (let i = 0; i < contents.length; i++) contents[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return tlv(TAG.INTEGER, contents)
}

/** A subidentifier in base 128, high bit set on every octet but the last (X.690 8.19.2). */
function subidentifier(value: bigint): number[] {
  const octets = [Number(value & 0x7fn)]
  for (let v = value >> 7n; v > 0n; v >>= 7n) octets.unshift(0x80 | Number(v & 0x7fn))
  return octets
}

/** An OBJECT IDENTIFIER from its dotted form; the first two arcs share one subidentifier, 40 * X + Y (X.690 8.19.4). */
export function objectIdentifier(dotted: string): Uint8Array {
  if (!/^[0-2]\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/.test(dotted)) throw new RangeError(`${JSON.stringify(dotted)} is not a dotted OBJECT IDENTIFIER`)
  const [first, second, ...rest] = dotted.split('.').map(BigInt) as [bigint, bigint, ...bigint[]]
  if (first < 2n && second >= 40n) throw new RangeError(`${dotted}: the second arc under ${first} is at most 39`)
  const octets = [first * 40n + second, ...rest].flatMap(subidentifier)
  return tlv(TAG.OBJECT_IDENTIFIER, Uint8Array.from(octets))
}

export function octetString(bytes: Uint8Array): Uint8Array {
  return tlv(TAG.OCTET_STRING, bytes)
}

/** A BIT STRING of whole octets: the unused-bits octet is 0. */
export function bitString(bytes: Uint8Array): Uint8Array {
  return tlv(TAG.BIT_STRING, Uint8Array.of(0), bytes)
}

export function nullValue(): Uint8Array {
  return tlv(TAG.NULL)
}

/** [n] EXPLICIT: a constructed context-specific tag around one whole element. */
export function explicit(n: number, inner: Uint8Array): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`context tag [${n}] needs the high-tag-number form`)
  return tlv(0xa0 | n, inner)
}
