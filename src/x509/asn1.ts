// Strict decoding with asn1js and typed accessors over its blocks: any shape mismatch is a 'malformed' certificate.
import { asn1js } from '../crypto/asn1js.js'
import { CertificateVerificationError } from '../errors.js'
import { assertStrictDer, certificateDerLimits, type DerLimits } from './der-strict.js'

export type Block = asn1js.BaseBlock

const CLASS_UNIVERSAL = 1
const CLASS_CONTEXT = 3

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

/** Runs the strict DER gate, then asn1js, over exactly one element; `what` names it in errors. */
export function decodeDer(bytes: Uint8Array, what: string, limits: DerLimits = certificateDerLimits): Block {
  assertStrictDer(bytes, limits)
  let decoded: ReturnType<typeof asn1js.fromBER>
  try {
    decoded = asn1js.fromBER(bytes, { parseEmbedded: false, copyInput: false, maxDepth: limits.maxDepth + 1 })
  } catch {
    throw malformed(`${what}: undecodable`)
  }
  const block = decoded.result as Block
  if (decoded.offset !== bytes.length || block.error) throw malformed(`${what}: undecodable${block.error ? ` (${block.error})` : ''}`)
  return block
}

/** The full encoding (tag, length and contents) of a block, as a view into the decoded input. */
export function encodingOf(block: Block): Uint8Array {
  return block.valueBeforeDecodeView
}

/** The contents octets of a block, as a view into the decoded input. */
export function contentsOf(block: Block): Uint8Array {
  return block.valueBeforeDecodeView.subarray(block.idBlock.blockLength + block.lenBlock.blockLength)
}

export function isUniversal(block: Block | undefined, tag: number): boolean {
  return block !== undefined && block.idBlock.tagClass === CLASS_UNIVERSAL && block.idBlock.tagNumber === tag
}

export function isContext(block: Block | undefined, tag: number): boolean {
  return block !== undefined && block.idBlock.tagClass === CLASS_CONTEXT && block.idBlock.tagNumber === tag
}

/** The universal tag number of a block, or -1 when it is not universal. */
export function universalTagOf(block: Block): number {
  return block.idBlock.tagClass === CLASS_UNIVERSAL ? block.idBlock.tagNumber : -1
}

export function isConstructed(block: Block): boolean {
  return block.idBlock.isConstructed
}

/** The context-specific tag number of a block, or -1 when it is not context-specific. */
export function contextTagOf(block: Block): number {
  return block.idBlock.tagClass === CLASS_CONTEXT ? block.idBlock.tagNumber : -1
}

export function expectUniversal(block: Block | undefined, tag: number, what: string): Block {
  if (!isUniversal(block, tag)) throw malformed(`${what}: expected universal tag ${tag}`)
  return block!
}

/** The elements of a constructed block (SEQUENCE, SET or a constructed context tag). */
export function childrenOf(block: Block, what: string): Block[] {
  if (!block.idBlock.isConstructed) throw malformed(`${what}: expected a constructed value`)
  return (block.valueBlock as unknown as { value: Block[] }).value
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

export function objectIdentifierOf(block: Block | undefined, what: string): string {
  const b = expectUniversal(block, UNIVERSAL.objectIdentifier, what) as asn1js.ObjectIdentifier
  return b.valueBlock.toString()
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
  private index = 0
  constructor(
    private readonly fields: readonly Block[],
    private readonly what: string,
  ) {}

  /** The next field, which must exist. */
  next(name: string): Block {
    const field = this.fields[this.index++]
    if (field === undefined) throw malformed(`${this.what}: missing ${name}`)
    return field
  }

  /** The next field if it carries context tag `tag`, else undefined (the field stays unread). */
  optionalContext(tag: number): Block | undefined {
    const field = this.fields[this.index]
    if (!isContext(field, tag)) return undefined
    this.index++
    return field
  }

  /** The next field if it has universal tag `tag`, else undefined. */
  optionalUniversal(tag: number): Block | undefined {
    const field = this.fields[this.index]
    if (!isUniversal(field, tag)) return undefined
    this.index++
    return field
  }

  /** Throws if fields remain. */
  end(): void {
    if (this.index !== this.fields.length) throw malformed(`${this.what}: ${this.fields.length - this.index} unexpected trailing fields`)
  }
}

/** The single value inside an EXPLICIT context tag. */
export function explicitOf(block: Block, what: string): Block {
  const inner = childrenOf(block, what)
  if (inner.length !== 1) throw malformed(`${what}: EXPLICIT tag must hold exactly one value`)
  return inner[0]!
}
