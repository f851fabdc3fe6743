// The X.501 Name of RFC 5280 section 4.1.2.4: raw DER for comparison, plus a printable form for messages.
import { contentsOf, encodingOf, malformed, objectIdentifierOf, sequenceOf, setOf, UNIVERSAL, universalTagOf, type Block } from './asn1.js'
import { toHex, utf8 } from '../bytes.js'
import { attributeShortNames } from './oids.js'

export interface Name {
  /** The DER encoding of the whole Name; issuer/subject chaining compares these bytes exactly. */
  readonly der: Uint8Array
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

/** The attribute value as text, or `#hex` of its encoding for types that are not strings (RFC 4514 2.4). */
function attributeValueText(value: Block): string {
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
  return `#${toHex(encodingOf(value))}`
}

function escapeValue(text: string): string {
  return text.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

function attributeText(attribute: Block): string {
  const fields = sequenceOf(attribute, 'AttributeTypeAndValue')
  if (fields.length !== 2) throw malformed('AttributeTypeAndValue: expected type and value')
  const type = objectIdentifierOf(fields[0], 'AttributeType')
  return `${attributeShortNames[type] ?? type}=${escapeValue(attributeValueText(fields[1]!))}`
}

/** Decodes an RDNSequence; every RelativeDistinguishedName must hold at least one attribute. */
export function nameOf(block: Block | undefined, what: string): Name {
  const rdns = sequenceOf(block, what)
  const parts = rdns.map((rdn) => {
    const attributes = setOf(rdn, `${what} RDN`)
    if (attributes.length === 0) throw malformed(`${what}: empty RelativeDistinguishedName`)
    return attributes.map(attributeText).join(' + ')
  })
  return { der: encodingOf(block!), text: parts.join(', ') }
}

