// The X.501 Name of RFC 5280 section 4.1.2.4: raw DER for comparison, its attributes, and a printable form for messages.
import { contentsOf, encodingOf, malformed, objectIdentifierOf, sequenceOf, setOf, UNIVERSAL, universalTagOf, type Block } from '../crypto/der-reader.js'
import { toHex, utf8 } from '../bytes.js'
import { attributeShortNames } from './oids.js'

/** One AttributeTypeAndValue of a RelativeDistinguishedName. */
export interface NameAttribute {
  /** The AttributeType, dotted. */
  readonly type: string
  /** The DER of the AttributeValue (tag included): what binary comparison uses. */
  readonly value: Uint8Array
  /** The value as text when it is one of the directory string types, else undefined. */
  readonly text: string | undefined
}

/** A RelativeDistinguishedName: a SET of one or more attributes (usually one). */
export type RelativeDistinguishedName = readonly NameAttribute[]

export interface Name {
  /** The DER encoding of the whole Name; issuer/subject chaining compares these bytes exactly. */
  readonly der: Uint8Array
  /** The RDNSequence, most significant RDN first (as encoded). */
  readonly rdns: readonly RelativeDistinguishedName[]
  /** A readable rendering such as `C=US, O=Example, CN=example.com` (for messages only, never compared). */
  readonly text: string
}

const utf8Decoder = utf8

function decodeWide(bytes: Uint8Array, width: 2 | 4): string {
  let out = ''
  for (let i = 0; i + width <= bytes.length; i += width) {
    let code = 0
    for (let j = 0; j < width; j++) code = code * 256 + bytes[i + j]!
    out += code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd'
  }
  return out
}

function latin1(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += String.fromCharCode(b)
  return out
}

/** The value as text for the string types of DirectoryString, IA5String and the like; undefined for any other type. */
function stringValueOf(value: Block): string | undefined {
  const contents = contentsOf(value)
  switch (universalTagOf(value)) {
    case UNIVERSAL.utf8String:
      return utf8Decoder.decode(contents)
    case UNIVERSAL.printableString:
    case UNIVERSAL.ia5String:
    case UNIVERSAL.teletexString:
    case UNIVERSAL.numericString:
    case UNIVERSAL.visibleString:
      return latin1(contents)
    case UNIVERSAL.bmpString:
      return decodeWide(contents, 2)
    case UNIVERSAL.universalString:
      return decodeWide(contents, 4)
  }
  return undefined
}

function escapeValue(text: string): string {
  return text.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

function attributeOf(attribute: Block): NameAttribute {
  const fields = sequenceOf(attribute, 'AttributeTypeAndValue')
  if (fields.length !== 2) throw malformed('AttributeTypeAndValue: expected type and value')
  return { type: objectIdentifierOf(fields[0], 'AttributeType'), value: encodingOf(fields[1]!), text: stringValueOf(fields[1]!) }
}

/** `CN=example.com`, or `#hex` of the encoding for values that are not strings (RFC 4514 2.4). */
function attributeText(attribute: NameAttribute): string {
  const value = attribute.text === undefined ? `#${toHex(attribute.value)}` : escapeValue(attribute.text)
  return `${attributeShortNames[attribute.type] ?? attribute.type}=${value}`
}

/** Decodes an RDNSequence; every RelativeDistinguishedName must hold at least one attribute. */
export function nameOf(block: Block | undefined, what: string): Name {
  const rdns = sequenceOf(block, what).map((rdn) => {
    const attributes = setOf(rdn, `${what} RDN`)
    if (attributes.length === 0) throw malformed(`${what}: empty RelativeDistinguishedName`)
    return attributes.map(attributeOf)
  })
  const text = rdns.map((rdn) => rdn.map(attributeText).join(' + ')).join(', ')
  return { der: encodingOf(block!), rdns, text }
}

/** Every value of attribute `type` in `name`, as text (values that are not strings are skipped). */
export function attributeValues(name: Name, type: string): string[] {
  const out: string[] = []
  for (const rdn of name.rdns) for (const attribute of rdn) if (attribute.type === type && attribute.text !== undefined) out.push(attribute.text)
  return out
}

/** How many attributes of `type` the name holds, string or not. */
export function attributeCount(name: Name, type: string): number {
  let count = 0
  for (const rdn of name.rdns) for (const attribute of rdn) if (attribute.type === type) count++
  return count
}
