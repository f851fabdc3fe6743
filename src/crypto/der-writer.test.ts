// The DER writer: length forms, INTEGER and OBJECT IDENTIFIER encodings, and agreement with the strict DER reader.
import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.js'
import { decodeDer, objectIdentifierOf } from './der-reader.js'
import { bitString, explicit, integer, nullValue, objectIdentifier, octetString, sequence, tlv } from './der-writer.js'

const hex = (b: Uint8Array) => toHex(b)

describe('lengths', () => {
  it('uses the short form up to 127 and the minimal long form (0x81, 0x82, 0x83) above', () => {
    for (const [length, header] of [
      [0, '0400'],
      [1, '0401'],
      [127, '047f'],
      [128, '048180'],
      [255, '0481ff'],
      [256, '04820100'],
      [65535, '0482ffff'],
      [65536, '0483010000'],
    ] as const) {
      const encoded = octetString(new Uint8Array(length))
      expect(hex(encoded.subarray(0, header.length / 2)), `length ${length}`).toBe(header)
      expect(encoded.length).toBe(header.length / 2 + length)
    }
  })

  it('writes every element the strict reader takes back whole', () => {
    for (const length of [0, 127, 128, 255, 256, 70000]) {
      const encoded = sequence(octetString(new Uint8Array(length).fill(7)), nullValue())
      const [octets, nul] = decodeDer(encoded, 'test', { maxLength: 1 << 20, maxDepth: 4, maxElements: 4 }).children
      expect(octets!.contents.length).toBe(length)
      expect(nul!.tagNumber).toBe(5)
    }
  })
})

describe('INTEGER', () => {
  it('is minimal two\'s complement: zero, small, a leading 0x00 before a set high bit, multi-byte', () => {
    expect(hex(integer(0n))).toBe('020100')
    expect(hex(integer(1n))).toBe('020101')
    expect(hex(integer(127n))).toBe('02017f')
    expect(hex(integer(128n))).toBe('02020080')
    expect(hex(integer(255n))).toBe('020200ff')
    expect(hex(integer(256n))).toBe('02020100')
    expect(hex(integer(65537n))).toBe('0203010001')
    expect(hex(integer(0x8000n))).toBe('0203008000')
    expect(hex(integer(2n ** 64n - 1n))).toBe('020900ffffffffffffffff')
  })

  it('takes a 1025-octet INTEGER (an 8192-bit modulus with its 0x00) into the long form', () => {
    const n = 2n ** 8192n - 1n
    const encoded = integer(n)
    expect(hex(encoded.subarray(0, 5))).toBe('0282040100')
    expect(encoded.length).toBe(4 + 1025)
  })

  it('refuses a negative value', () => {
    expect(() => integer(-1n)).toThrow(RangeError)
  })
})

describe('OBJECT IDENTIFIER', () => {
  it('joins the first two arcs and writes each arc in base 128', () => {
    expect(hex(objectIdentifier('1.2.840.10045.2.1'))).toBe('06072a8648ce3d0201')
    expect(hex(objectIdentifier('1.3.101.112'))).toBe('06032b6570')
    expect(hex(objectIdentifier('1.2.840.113549.1.1.10'))).toBe('06092a864886f70d01010a')
    expect(hex(objectIdentifier('2.16.840.1.101.3.4.2.1'))).toBe('0609608648016503040201')
    expect(hex(objectIdentifier('0.0'))).toBe('060100')
    expect(hex(objectIdentifier('2.999.3'))).toBe('0603883703')
  })

  it('writes arcs beyond 2^53 (UUID OIDs under 2.25) exactly, as the reader reads them', () => {
    const dotted = '2.25.329800735698586629295641978511506172918'
    const encoded = objectIdentifier(dotted)
    expect(objectIdentifierOf(decodeDer(encoded, 'oid'), 'oid')).toBe(dotted)
    expect(hex(objectIdentifier('1.2.128'))).toBe('06032a8100')
    expect(hex(objectIdentifier('1.2.16384'))).toBe('06042a818000')
  })

  it('refuses what is not a dotted OBJECT IDENTIFIER', () => {
    for (const bad of ['', '1', '3.1', '1.40', '0.40', '1.2.', '1..2', '1.02', 'a.b']) expect(() => objectIdentifier(bad), bad).toThrow(RangeError)
  })
})

describe('BIT STRING, OCTET STRING, NULL, SEQUENCE, EXPLICIT', () => {
  it('writes a whole-octet BIT STRING with its unused-bits octet 0', () => {
    expect(hex(bitString(new Uint8Array(0)))).toBe('030100')
    expect(hex(bitString(Uint8Array.of(0x04, 0xff)))).toBe('03030004ff')
  })

  it('writes the rest as X.690 has them', () => {
    expect(hex(octetString(Uint8Array.of(1, 2)))).toBe('04020102')
    expect(hex(nullValue())).toBe('0500')
    expect(hex(sequence())).toBe('3000')
    expect(hex(sequence(integer(1n), nullValue()))).toBe('30050201010500')
    expect(hex(explicit(1, bitString(Uint8Array.of(4))))).toBe('a1040302' + '0004')
    expect(hex(tlv(0x80, Uint8Array.of(9), Uint8Array.of(8)))).toBe('80020908')
  })

  it('refuses an EXPLICIT tag number that needs the high-tag-number form', () => {
    expect(() => explicit(31, nullValue())).toThrow(RangeError)
  })
})
