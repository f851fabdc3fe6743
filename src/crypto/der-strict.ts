// A strict DER gate (X.690 sections 8 and 10) run over untrusted bytes before anything reads their contents.
import { CertificateVerificationError } from '../errors.js'

/** Bounds on what the gate accepts; a certificate needs far less than any of them. */
export interface DerLimits {
  /** Longest input accepted, in bytes. */
  readonly maxLength: number
  /** Deepest nesting of constructed values (the outermost value is depth 1). */
  readonly maxDepth: number
  /** Most TLV elements in one input. */
  readonly maxElements: number
}

export const certificateDerLimits: DerLimits = { maxLength: 256 * 1024, maxDepth: 32, maxElements: 20_000 }

const TAG_BOOLEAN = 1
const TAG_INTEGER = 2
const TAG_BIT_STRING = 3
const TAG_NULL = 5
const TAG_OBJECT_IDENTIFIER = 6
const TAG_ENUMERATED = 10
const TAG_RELATIVE_OID = 13
const TAG_SEQUENCE = 16
const TAG_SET = 17

const CLASS_UNIVERSAL = 0

function malformed(message: string, offset: number): CertificateVerificationError {
  return new CertificateVerificationError('malformed', `DER: ${message} at offset ${offset}`)
}

/** One decoded identifier + length header. */
export interface DerHeader {
  readonly tagClass: number
  readonly constructed: boolean
  readonly tagNumber: number
  /** Offset of the contents. */
  readonly start: number
  /** Offset just past the contents. */
  readonly end: number
}

/** The header of the element at `offset`: definite, minimal length that fits in `limit`; contents unchecked. */
export function derHeaderAt(bytes: Uint8Array, offset: number, limit: number = bytes.length): DerHeader {
  let at = offset
  if (at >= limit) throw malformed('truncated identifier', at)
  const first = bytes[at++]!
  const tagClass = first >> 6
  const constructed = (first & 0x20) !== 0
  let tagNumber = first & 0x1f
  if (tagNumber === 0x1f) {
    // High-tag-number form: base 128, no leading 0x80 octet, and only for numbers above 30.
    tagNumber = 0
    let octets = 0
    for (;;) {
      if (at >= limit) throw malformed('truncated tag number', at)
      const b = bytes[at++]!
      if (octets === 0 && b === 0x80) throw malformed('non-minimal tag number', at - 1)
      if (++octets > 3) throw malformed('tag number too large', at - 1)
      tagNumber = tagNumber * 128 + (b & 0x7f)
      if ((b & 0x80) === 0) break
    }
    if (tagNumber < 0x1f) throw malformed('tag number in long form that fits the short form', offset)
  }
  if (tagClass === CLASS_UNIVERSAL && tagNumber === 0) throw malformed('end-of-contents marker', offset)
  if (at >= limit) throw malformed('truncated length', at)
  const lengthByte = bytes[at++]!
  let length: number
  if (lengthByte < 0x80) {
    length = lengthByte
  } else {
    if (lengthByte === 0x80) throw malformed('indefinite length', at - 1)
    const count = lengthByte & 0x7f
    if (count > 3) throw malformed(`length of ${count} octets`, at - 1)
    if (limit - at < count) throw malformed('truncated length', at)
    if (bytes[at] === 0) throw malformed('non-minimal length (leading zero octet)', at)
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + bytes[at++]!
    if (length < 0x80) throw malformed('non-minimal length (long form for a short length)', at - count - 1)
  }
  if (length > limit - at) throw malformed(`length ${length} runs past its container`, offset)
  return { tagClass, constructed, tagNumber, start: at, end: at + length }
}

class StrictDerWalker {
  #elements = 0

  readonly #bytes: Uint8Array
  readonly #limits: DerLimits

  constructor(bytes: Uint8Array, limits: DerLimits) {
    this.#bytes = bytes
    this.#limits = limits
  }

  /** Checks the single element at `offset` (which must end by `limit`) and returns the offset after it. */
  element(offset: number, limit: number, depth: number): number {
    if (++this.#elements > this.#limits.maxElements) throw malformed(`more than ${this.#limits.maxElements} elements`, offset)
    const header = derHeaderAt(this.#bytes, offset, limit)
    if (header.constructed) {
      // Strings and the like are primitive in DER (X.690 10.2); only SEQUENCE and SET are constructed.
      if (header.tagClass === CLASS_UNIVERSAL && header.tagNumber !== TAG_SEQUENCE && header.tagNumber !== TAG_SET) {
        throw malformed(`universal tag ${header.tagNumber} in constructed form`, offset)
      }
      if (depth >= this.#limits.maxDepth) throw malformed(`nesting deeper than ${this.#limits.maxDepth}`, offset)
      let at = header.start
      while (at < header.end) at = this.element(at, header.end, depth + 1)
    } else {
      this.#checkPrimitive(header)
    }
    return header.end
  }

  #checkPrimitive(h: DerHeader): void {
    if (h.tagClass !== CLASS_UNIVERSAL) return
    const bytes = this.#bytes
    const length = h.end - h.start
    switch (h.tagNumber) {
      case TAG_SEQUENCE:
      case TAG_SET:
        throw malformed('SEQUENCE/SET in primitive form', h.start)
      case TAG_BOOLEAN: {
        const v = bytes[h.start]
        if (length !== 1 || (v !== 0x00 && v !== 0xff)) throw malformed('BOOLEAN must be one octet, 0x00 or 0xFF', h.start)
        return
      }
      case TAG_INTEGER:
      case TAG_ENUMERATED: {
        if (length === 0) throw malformed('empty INTEGER', h.start)
        if (length > 1) {
          const a = bytes[h.start]!
          const b = bytes[h.start + 1]!
          if ((a === 0x00 && b < 0x80) || (a === 0xff && b >= 0x80)) throw malformed('non-minimal INTEGER', h.start)
        }
        return
      }
      case TAG_BIT_STRING: {
        if (length === 0) throw malformed('BIT STRING without its unused-bits octet', h.start)
        const unused = bytes[h.start]!
        if (unused > 7 || (length === 1 && unused !== 0)) throw malformed('BIT STRING unused-bits count out of range', h.start)
        if (unused !== 0 && (bytes[h.end - 1]! & ((1 << unused) - 1)) !== 0) throw malformed('BIT STRING padding bits not zero', h.end - 1)
        return
      }
      case TAG_NULL:
        if (length !== 0) throw malformed('NULL with contents', h.start)
        return
      case TAG_OBJECT_IDENTIFIER:
      case TAG_RELATIVE_OID:
        this.#checkSubidentifiers(h.start, h.end)
        return
      default:
        return
    }
  }

  #checkSubidentifiers(start: number, end: number): void {
    if (start === end) throw malformed('empty OBJECT IDENTIFIER', start)
    let first = true
    for (let at = start; at < end; at++) {
      const b = this.#bytes[at]!
      if (first && b === 0x80) throw malformed('non-minimal OBJECT IDENTIFIER subidentifier', at)
      first = (b & 0x80) === 0
    }
    if (!first) throw malformed('OBJECT IDENTIFIER ends inside a subidentifier', end - 1)
  }
}

/**
 * Throws CertificateVerificationError('malformed') unless `bytes` is exactly one DER element: definite minimal
 * lengths, canonical BOOLEAN/INTEGER/BIT STRING/NULL/OID encodings, primitive strings, no trailing bytes, and
 * within `limits`. Contents of OCTET and BIT STRINGs are not descended into; decode those with this gate again.
 */
export function assertStrictDer(bytes: Uint8Array, limits: DerLimits = certificateDerLimits): void {
  if (bytes.length === 0) throw malformed('empty input', 0)
  if (bytes.length > limits.maxLength) throw malformed(`input of ${bytes.length} bytes exceeds ${limits.maxLength}`, 0)
  const walker = new StrictDerWalker(bytes, limits)
  const end = walker.element(0, bytes.length, 1)
  if (end !== bytes.length) throw malformed(`${bytes.length - end} trailing bytes`, end)
}

