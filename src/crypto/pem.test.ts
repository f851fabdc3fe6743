// PEM and base64: round trips against node's Buffer, OpenSSL-style tolerance between blocks, strictness inside them.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TlsConfigError } from '../errors.js'
import { base64Decode, base64Encode, pemDecode, pemEncode } from './pem.js'

const der = Uint8Array.from({ length: 100 }, (_, i) => (i * 37) & 0xff)

describe('base64', () => {
  it('matches Buffer in both directions for every length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = base64Encode(bytes)
        expect(text).toBe(Buffer.from(bytes).toString('base64'))
        expect(base64Decode(text)).toEqual(bytes)
      }),
      { numRuns: 500 },
    )
  })

  it('ignores whitespace and refuses anything non-canonical with a TlsConfigError', () => {
    expect(base64Decode(' QU\r\nJD\tRA==\n')).toEqual(new TextEncoder().encode('ABCD'))
    for (const bad of ['QUJDRA=', 'QUJD?A==', 'QUJDRB==', 'QU=DRA==', 'Q===', 'QUJDRA==QUJD', '-_8=']) {
      expect(() => base64Decode(bad), bad).toThrow(TlsConfigError)
    }
  })
})

describe('pemDecode', () => {
  const block = pemEncode('CERTIFICATE', der)

  it('writes 64-character lines and reads its own output', () => {
    expect(block.split('\n').every((line) => line.length <= 64 || line.startsWith('-----'))).toBe(true)
    expect(pemDecode(block)).toEqual([{ label: 'CERTIFICATE', der, headers: new Map() }])
  })

  it('skips text between blocks, as OpenSSL does with bundle comments and Bag Attributes', () => {
    const bundle = `# Mozilla roots\nBag Attributes\n    localKeyID: 01 02\n${block}\nsubject=CN = x\n\r\n${pemEncode('PRIVATE KEY', der.subarray(0, 10))}junk at the end`
    const blocks = pemDecode(bundle)
    expect(blocks.map((b) => b.label)).toEqual(['CERTIFICATE', 'PRIVATE KEY'])
    expect(blocks[1]!.der).toEqual(der.subarray(0, 10))
  })

  it('filters by label', () => {
    const text = block + pemEncode('X509 CRL', der) + block
    expect(pemDecode(text, 'CERTIFICATE')).toHaveLength(2)
    expect(pemDecode(text, 'X509 CRL')).toHaveLength(1)
    expect(pemDecode(text, 'PRIVATE KEY')).toEqual([])
  })

  it('reads CRLF files and legacy encapsulated headers', () => {
    const legacy = '-----BEGIN EC PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: AES-128-CBC,00\r\n\r\nQUJD\r\n-----END EC PRIVATE KEY-----\r\n'
    const [only] = pemDecode(legacy)
    expect(only!.headers.get('Proc-Type')).toBe('4,ENCRYPTED')
    expect(only!.der).toEqual(new TextEncoder().encode('ABC'))
  })

  it('refuses a broken block with a TlsConfigError', () => {
    const cases = [
      '-----BEGIN CERTIFICATE-----\nQUJD\n',
      '-----BEGIN CERTIFICATE-----\nQUJD\n-----END PRIVATE KEY-----\n',
      '-----BEGIN CERTIFICATE-----\nQU*D\n-----END CERTIFICATE-----\n',
      '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
      '-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\nQUJD\n-----END CERTIFICATE-----\n',
      '-----BEGIN CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n',
    ]
    for (const text of cases) expect(() => pemDecode(text), text).toThrow(TlsConfigError)
  })

  it('never throws anything but TlsConfigError on arbitrary text', () => {
    const pieces = fc.constantFrom('-----BEGIN A-----', '-----END A-----', '-----END B-----', 'QUJD', 'QQ==', 'x: y', '', '=', '-----')
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string()), { maxLength: 12 }), (lines) => {
        try {
          pemDecode(lines.join('\n'))
        } catch (e) {
          expect(e).toBeInstanceOf(TlsConfigError)
        }
      }),
      { numRuns: 2000 },
    )
  })
})
