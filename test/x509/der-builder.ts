// A tiny DER writer for tests: hand-built certificates with exactly the (mis)encodings a case needs.

export type Bytes = Uint8Array | readonly number[]

function concat(parts: readonly Bytes[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

function lengthOctets(n: number): number[] {
  if (n < 0x80) return [n]
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return [0x80 | bytes.length, ...bytes]
}

export function tlv(tag: number, ...contents: Bytes[]): Uint8Array {
  const body = concat(contents)
  return concat([[tag], lengthOctets(body.length), body])
}

export const seq = (...items: Bytes[]) => tlv(0x30, ...items)
export const set = (...items: Bytes[]) => tlv(0x31, ...items)
export const octets = (bytes: Bytes) => tlv(0x04, bytes)
export const bool = (value: boolean) => tlv(0x01, [value ? 0xff : 0x00])
export const nul = () => tlv(0x05)
export const bits = (bytes: Bytes, unused = 0) => tlv(0x03, [unused], bytes)
export const utf8 = (text: string) => tlv(0x0c, new TextEncoder().encode(text))
export const ia5 = (text: string) => tlv(0x16, new TextEncoder().encode(text))
export const utcTime = (text: string) => tlv(0x17, new TextEncoder().encode(text))
export const generalizedTime = (text: string) => tlv(0x18, new TextEncoder().encode(text))
/** [n] IMPLICIT primitive / constructed, or EXPLICIT (always constructed). */
export const ctx = (n: number, ...contents: Bytes[]) => tlv(0x80 | n, ...contents)
export const ctxConstructed = (n: number, ...contents: Bytes[]) => tlv(0xa0 | n, ...contents)

/** A minimal INTEGER encoding of a small non-negative number (or the raw contents given). */
export function int(value: number | Bytes): Uint8Array {
  if (typeof value !== 'number') return tlv(0x02, value)
  const bytes: number[] = []
  let v = value
  do {
    bytes.unshift(v & 0xff)
    v = Math.floor(v / 256)
  } while (v > 0)
  if (bytes[0]! & 0x80) bytes.unshift(0)
  return tlv(0x02, bytes)
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number)
  const body: number[] = []
  const push = (n: number) => {
    const chunk = [n & 0x7f]
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f))
    body.push(...chunk)
  }
  push(arcs[0]! * 40 + arcs[1]!)
  for (const arc of arcs.slice(2)) push(arc)
  return tlv(0x06, body)
}

export const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), utf8(cn))))
export const extension = (id: string, critical: boolean, value: Bytes) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value))

export interface SyntheticCertificate {
  readonly version?: Bytes | null
  readonly serial?: Bytes
  readonly signature?: Bytes
  readonly outerSignature?: Bytes
  readonly issuer?: Bytes
  readonly subject?: Bytes
  readonly validity?: Bytes
  readonly spki: Bytes
  readonly extensions?: readonly Bytes[] | null
  readonly extra?: readonly Bytes[]
}

export const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'))

/** A certificate with the given parts (defaults: v3, serial 1, ecdsa-with-SHA256, CN=synthetic, 2020–2040, junk signature). */
export function syntheticCertificate(parts: SyntheticCertificate): Uint8Array {
  const version = parts.version === undefined ? ctxConstructed(0, int(2)) : parts.version
  const extensions = parts.extensions === undefined || parts.extensions === null ? [] : [ctxConstructed(3, seq(...parts.extensions))]
  const tbs = seq(
    ...(version === null ? [] : [version]),
    parts.serial ?? int(1),
    parts.signature ?? ecdsaWithSha256,
    parts.issuer ?? name('synthetic'),
    parts.validity ?? seq(utcTime('200101000000Z'), utcTime('400101000000Z')),
    parts.subject ?? name('synthetic'),
    parts.spki,
    ...(parts.extra ?? []),
    ...extensions,
  )
  return seq(tbs, parts.outerSignature ?? parts.signature ?? ecdsaWithSha256, bits(seq(int(1), int(1))))
}
