// Strict DER decoding into typed accessors over its elements (certificates, keys): any shape mismatch is a 'malformed' CertificateVerificationError.
import { CertificateVerificationError } from '../errors.js'
import { assertStrictDer, certificateDerLimits, derHeaderAt, type DerLimits } from './der-strict.js'

const CLASS_UNIVERSAL = 0
const CLASS_CONTEXT = 2

/**
 * One DER element: its tag, its encoding, and (for a constructed one) its elements, read on first use. Only
 * decodeDer makes them, after the strict gate has checked the whole input, so reading the headers again cannot fail.
 */
export class Block {
  #children: Block[] | undefined

  readonly #contentsStart: number

  constructor(
    /** The X.690 class: 0 universal, 1 application, 2 context-specific, 3 private. */
    readonly tagClass: number,
    readonly constructed: boolean,
    readonly tagNumber: number,
    /** The whole element (tag, length and contents), a view into the decoded input. */
    readonly encoding: Uint8Array,
    contentsStart: number,
  ) {
    this.#contentsStart = contentsStart
  }

  /** The contents octets, a view into the decoded input. */
  get contents(): Uint8Array {
    return this.encoding.subarray(this.#contentsStart)
  }

  /** The elements inside a constructed value (empty for a primitive one). */
  get children(): Block[] {
    if (this.#children === undefined) {
      this.#children = []
      const bytes = this.encoding
      for (let at = this.#contentsStart; this.constructed && at < bytes.length; ) {
        const child = blockAt(bytes, at, bytes.length)
        this.#children.push(child)
        at += child.encoding.length
      }
    }
    return this.#children
  }
}

function blockAt(bytes: Uint8Array, offset: number, limit: number): Block {
  const header = derHeaderAt(bytes, offset, limit)
  return new Block(header.tagClass, header.constructed, header.tagNumber, bytes.subarray(offset, header.end), header.start - offset)
}

export const UNIVERSAL = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  objectIdentifier: 6,
  utf8String: 12,
  sequence: 16,
  set: 17,
  numericString: 18,
  printableString: 19,
  teletexString: 20,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
  visibleString: 26,
  universalString: 28,
  bmpString: 30,
} as const

export function malformed(message: string): CertificateVerificationError {
  return new CertificateVerificationError('malformed', message)
}

/** A CertificateVerificationError's message without its "certificate verify failed (reason) at depth N: " prefix. */
export function detailOf(error: CertificateVerificationError): string {
  return error.message.replace(/^certificate verify failed \([^)]*\) at depth \d+: /, '')
}

/** Runs the strict DER gate over exactly one element and returns it; `what` names it in errors. */
export function decodeDer(bytes: Uint8Array, what: string, limits: DerLimits = certificateDerLimits): Block {
  try {
    assertStrictDer(bytes, limits)
  } catch (e) {
    throw e instanceof CertificateVerificationError ? malformed(`${what}: ${detailOf(e)}`) : e
  }
  return blockAt(bytes, 0, bytes.length)
}

/** The full encoding (tag, length and contents) of a block, as a view into the decoded input. */
export function encodingOf(block: Block): Uint8Array {
  return block.encoding
}

/** The contents octets of a block, as a view into the decoded input. */
export function contentsOf(block: Block): Uint8Array {
  return block.contents
}

export function isUniversal(block: Block | undefined, tag: number): boolean {
  return block !== undefined && block.tagClass === CLASS_UNIVERSAL && block.tagNumber === tag
}

export function isContext(block: Block | undefined, tag: number): boolean {
  return block !== undefined && block.tagClass === CLASS_CONTEXT && block.tagNumber === tag
}

/** The universal tag number of a block, or -1 when it is not universal. */
export function universalTagOf(block: Block): number {
  return block.tagClass === CLASS_UNIVERSAL ? block.tagNumber : -1
}

export function isConstructed(block: Block): boolean {
  return block.constructed
}

/** The context-specific tag number of a block, or -1 when it is not context-specific. */
export function contextTagOf(block: Block): number {
  return block.tagClass === CLASS_CONTEXT ? block.tagNumber : -1
}

const TAG_CLASSES = ['universal', 'application', 'context', 'private'] as const

export function expectUniversal(block: Block | undefined, tag: number, what: string): Block {
  if (isUniversal(block, tag)) return block!
  throw malformed(`${what}: expected universal tag ${tag}, found ${block ? `${TAG_CLASSES[block.tagClass]} tag ${block.tagNumber}` : 'nothing'}`)
}

/** The elements of a constructed block (SEQUENCE, SET or a constructed context tag). */
export function childrenOf(block: Block, what: string): Block[] {
  if (!block.constructed) throw malformed(`${what}: expected a constructed value`)
  return block.children
}

export function sequenceOf(block: Block | undefined, what: string): Block[] {
  return childrenOf(expectUniversal(block, UNIVERSAL.sequence, what), what)
}

export function nonEmptySequenceOf(block: Block | undefined, what: string): Block[] {
  const items = sequenceOf(block, what)
  if (items.length === 0) throw malformed(`${what}: empty SEQUENCE`)
  return items
}

export function setOf(block: Block | undefined, what: string): Block[] {
  return childrenOf(expectUniversal(block, UNIVERSAL.set, what), what)
}

/** Arcs above this are summed as bigint (UUID-based OIDs under 2.25 have 128-bit arcs). */
const SAFE_ARC = 2 ** 45

/** The dotted form of an OBJECT IDENTIFIER (its subidentifiers are minimal, by the DER gate). */
export function objectIdentifierOf(block: Block | undefined, what: string): string {
  const contents = contentsOf(expectUniversal(block, UNIVERSAL.objectIdentifier, what))
  const arcs: (number | bigint)[] = []
  let value: number | bigint = 0
  for (const octet of contents) {
    if (typeof value === 'number' && value >= SAFE_ARC) value = BigInt(value)
    value = typeof value === 'number' ? value * 128 + (octet & 0x7f) : value * 128n + BigInt(octet & 0x7f)
    if ((octet & 0x80) !== 0) continue
    arcs.push(value)
    value = 0
  }
  const first = arcs[0]!
  const [top, second] = first < 40 ? [0, first] : first < 80 ? [1, Number(first) - 40] : [2, typeof first === 'bigint' ? first - 80n : first - 80]
  return [top, second, ...arcs.slice(1)].join('.')
}

export function booleanOf(block: Block | undefined, what: string): boolean {
  // The DER gate has already insisted on a single 0x00 / 0xFF octet.
  return contentsOf(expectUniversal(block, UNIVERSAL.boolean, what))[0] === 0xff
}

/** The two's-complement contents of an INTEGER (already minimal, by the DER gate). */
export function integerBytesOf(block: Block | undefined, what: string): Uint8Array {
  return contentsOf(expectUniversal(block, UNIVERSAL.integer, what))
}

/** A non-negative INTEGER no larger than `max`. */
export function smallIntegerOf(block: Block | undefined, what: string, max: number): number {
  const bytes = integerBytesOf(block, what)
  if ((bytes[0]! & 0x80) !== 0) throw malformed(`${what}: negative`)
  if (bytes.length > 4) throw malformed(`${what}: larger than ${max}`)
  let value = 0
  for (const b of bytes) value = value * 256 + b
  if (value > max) throw malformed(`${what}: larger than ${max}`)
  return value
}

export function octetStringOf(block: Block | undefined, what: string): Uint8Array {
  return contentsOf(expectUniversal(block, UNIVERSAL.octetString, what))
}

export interface BitString {
  /** The bit octets, first bit in the high bit of the first octet. */
  readonly bytes: Uint8Array
  readonly unusedBits: number
}

export function bitStringOf(block: Block | undefined, what: string): BitString {
  const contents = contentsOf(expectUniversal(block, UNIVERSAL.bitString, what))
  return { unusedBits: contents[0]!, bytes: contents.subarray(1) }
}

/** A BIT STRING whose length is a whole number of octets (keys, signatures). */
export function octetAlignedBitStringOf(block: Block | undefined, what: string): Uint8Array {
  const bits = bitStringOf(block, what)
  if (bits.unusedBits !== 0) throw malformed(`${what}: not a whole number of octets`)
  return bits.bytes
}

/** Reads the fields of a SEQUENCE in order, with OPTIONAL context-tagged fields and nothing left over. */
export class FieldReader {
  #index = 0
  readonly #fields: readonly Block[]
  readonly #what: string

  constructor(fields: readonly Block[], what: string) {
    this.#fields = fields
    this.#what = what
  }

  /** The next field, which must exist. */
  next(name: string): Block {
    const field = this.#fields[this.#index++]
    if (field === undefined) throw malformed(`${this.#what}: missing ${name}`)
    return field
  }

  /** The next field if it carries context tag `tag`, else undefined (the field stays unread). */
  optionalContext(tag: number): Block | undefined {
    const field = this.#fields[this.#index]
    if (!isContext(field, tag)) return undefined
    this.#index++
    return field
  }

  /** The next field if it has universal tag `tag`, else undefined. */
  optionalUniversal(tag: number): Block | undefined {
    const field = this.#fields[this.#index]
    if (!isUniversal(field, tag)) return undefined
    this.#index++
    return field
  }

  /** Throws if fields remain. */
  end(): void {
    if (this.#index !== this.#fields.length) throw malformed(`${this.#what}: ${this.#fields.length - this.#index} unexpected trailing fields`)
  }
}

/** The single value inside an EXPLICIT context tag. */
export function explicitOf(block: Block, what: string): Block {
  const inner = childrenOf(block, what)
  if (inner.length !== 1) throw malformed(`${what}: EXPLICIT tag must hold exactly one value`)
  return inner[0]!
}
