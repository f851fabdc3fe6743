// Strict DER: the gate itself on small inputs, and on real certificates with one encoding rule broken.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportSpki, generatePrivateKey } from '../../src/crypto/keys.js'
import { CertificateVerificationError } from '../../src/errors.js'
import { parseCertificate } from '../../src/x509/certificate.js'
import { assertStrictDer } from '../../src/crypto/der-strict.js'
import { checkProfile } from '../../src/x509/profile.js'
import { caExtensions, Fixtures } from './chains.js'
import { ctxConstructed, extension, int, seq, syntheticCertificate, tlv } from './der-builder.js'

const hex = (text: string) => Uint8Array.from((text.replace(/\s+/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16)))

function expectMalformed(run: () => unknown, fragment?: RegExp): void {
  let caught: unknown
  try {
    run()
  } catch (e) {
    caught = e
  }
  expect(caught).toBeInstanceOf(CertificateVerificationError)
  const error = caught as CertificateVerificationError
  expect(error.reason).toBe('malformed')
  expect(error.alert).toBe('bad_certificate')
  if (fragment) expect(error.message).toMatch(fragment)
}

/** Index of the first occurrence of `needle` in `haystack` (which must exist). */
function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const at = Buffer.from(haystack).indexOf(Buffer.from(needle))
  expect(at).toBeGreaterThanOrEqual(0)
  return at
}

describe('assertStrictDer on small inputs', () => {
  it('accepts canonical encodings', () => {
    for (const ok of ['3000', '3003020100', '010100', '0101ff', '020180', '02020080', '0500', '0303000102', '030206c0', '06032a0304', '3006020101020102']) {
      expect(() => assertStrictDer(hex(ok))).not.toThrow()
    }
  })
  const bad: [string, string, RegExp][] = [
    ['trailing bytes', '300000', /trailing/],
    ['long form for a short length', '3081030201 00', /non-minimal length/],
    ['leading zero length octet', '308200030201 00', /non-minimal length/],
    ['indefinite length', '3080020100 0000', /indefinite/],
    ['BOOLEAN 0x01', '010101', /BOOLEAN/],
    ['BOOLEAN of two octets', '010200ff', /BOOLEAN/],
    ['non-minimal INTEGER (leading 00)', '02020001', /non-minimal INTEGER/],
    ['non-minimal INTEGER (leading ff)', '0202ff80', /non-minimal INTEGER/],
    ['empty INTEGER', '0200', /empty INTEGER/],
    ['NULL with contents', '050100', /NULL/],
    ['BIT STRING unused bits 8', '03020800', /unused-bits/],
    ['BIT STRING non-zero padding', '03020701', /padding/],
    ['empty BIT STRING with unused bits', '030101', /unused-bits/],
    ['OID with a 0x80 subidentifier start', '0603802a03', /OBJECT IDENTIFIER/],
    ['OID ending mid-subidentifier', '06022a83', /OBJECT IDENTIFIER/],
    ['constructed OCTET STRING', '2403040100', /constructed form/],
    ['primitive SEQUENCE', '1000', /primitive form/],
    ['end-of-contents tag', '0000', /end-of-contents/],
    ['length past the end', '30050201', /./],
    ['high tag number that fits the short form', '1f0500', /long form/],
    ['empty input', '', /empty input/],
  ]
  for (const [label, input, message] of bad) it(`refuses ${label}`, () => expectMalformed(() => assertStrictDer(hex(input)), message))

  it('refuses nesting deeper than the limit', () => {
    let der: Uint8Array = int(0)
    for (let i = 0; i < 40; i++) der = seq(der)
    expectMalformed(() => assertStrictDer(der), /nesting/)
  })

  it('refuses inputs over the size limit', () => {
    expectMalformed(() => assertStrictDer(new Uint8Array(300 * 1024)), /exceeds/)
  })
})

describe('strict DER on certificates', () => {
  let f: Fixtures
  let der: Uint8Array
  beforeAll(() => {
    f = new Fixtures()
    der = f.ca('/CN=DER Victim', 'inter', f.root, caExtensions).der
  })
  afterAll(() => f.pki.cleanup())

  it('parses the untouched certificate', () => {
    expect(parseCertificate(der, { cache: null }).basicConstraints?.cA).toBe(true)
  })

  it('refuses trailing bytes', () => expectMalformed(() => parseCertificate(Uint8Array.from([...der, 0]), { cache: null }), /trailing/))

  it('refuses a non-minimal outer length', () => {
    // 30 82 HH LL → 30 83 00 HH LL
    expect(der[1]).toBe(0x82)
    const longer = Uint8Array.from([0x30, 0x83, 0x00, ...der.subarray(2)])
    expectMalformed(() => parseCertificate(longer, { cache: null }), /non-minimal length/)
  })

  it('refuses an extension critical flag encoded as BOOLEAN 0x01', () => {
    const tampered = der.slice()
    const at = indexOf(tampered, hex('0603551d13 0101ff')) // basicConstraints OID, critical TRUE
    tampered[at + 7] = 0x01
    expectMalformed(() => parseCertificate(tampered, { cache: null }), /BOOLEAN/)
  })

  it('refuses cA encoded as BOOLEAN 0x01 inside the basicConstraints value', () => {
    const tampered = der.slice()
    const at = indexOf(tampered, hex('04053003 0101ff')) // extnValue OCTET STRING { SEQUENCE { BOOLEAN TRUE } }
    tampered[at + 6] = 0x01
    expectMalformed(() => parseCertificate(tampered, { cache: null }), /BOOLEAN/)
  })

  it('refuses a truncated certificate at every length', () => {
    for (let n = 0; n < der.length; n += 7) expectMalformed(() => parseCertificate(der.subarray(0, n), { cache: null }))
  })

  it('never throws anything but CertificateVerificationError on random corruption', () => {
    let seed = 12345
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32
    for (let i = 0; i < 1000; i++) {
      const mutated = der.slice()
      for (let k = 1 + Math.floor(random() * 3); k > 0; k--) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256)
      try {
        const cert = parseCertificate(mutated, { cache: null })
        void cert.publicKey
      } catch (e) {
        expect(e).toBeInstanceOf(CertificateVerificationError)
      }
    }
  })
})

describe('RFC 5280 structure beyond DER', () => {
  const spki = exportSpki(generatePrivateKey('ecdsa-p256').publicKey)
  const parse = (der: Uint8Array) => parseCertificate(der, { cache: null })

  it('parses a well-formed synthetic certificate', () => {
    const cert = parse(syntheticCertificate({ spki }))
    expect(cert.version).toBe(3)
    expect(cert.subject.text).toBe('CN=synthetic')
  })
  it('refuses an explicitly encoded v1 version (a DEFAULT value)', () => expectMalformed(() => parse(syntheticCertificate({ spki, version: ctxConstructed(0, int(0)) })), /v1 encoded/))
  it('refuses version 4', () => expectMalformed(() => parse(syntheticCertificate({ spki, version: ctxConstructed(0, int(3)) })), /unknown version/))
  it('refuses extensions in a v1 certificate', () =>
    expectMalformed(() => parse(syntheticCertificate({ spki, version: null, extensions: [extension('1.2.3.4', false, seq())] })), /extensions in a v1/))
  // Serial numbers are a profile rule (src/x509/profile.ts), not a decoding one: trust anchors with serial 0 exist.
  for (const [label, serial, problem] of [
    ['a negative serial number', int([0x80]), /negative/],
    ['a 21-octet serial number', int(new Array(21).fill(0x11)), /21 octets/],
    ['serial number 0', int(0), /serial number 0/],
  ] as const) {
    it(`decodes ${label}, which the profile refuses`, () => {
      const cert = parse(syntheticCertificate({ spki, serial }))
      expect(() => checkProfile(cert, 'leaf', 0, { profile: 'private-pki', purpose: 'serverAuth' })).toThrow(problem)
      expect(() => checkProfile(cert, 'anchor', 0, { profile: 'web-pki', purpose: 'serverAuth' })).not.toThrow()
    })
  }
  it('accepts a 20-octet serial number with its sign octet', () => {
    const cert = parse(syntheticCertificate({ spki, serial: int([0, ...new Array(20).fill(0x91)]) }))
    expect(cert.serialNumber.length).toBe(21)
    expect(() => checkProfile(cert, 'leaf', 0, { profile: 'private-pki', purpose: 'serverAuth' })).not.toThrow(/serial/)
  })
  it('refuses duplicate extensions', () =>
    expectMalformed(() => parse(syntheticCertificate({ spki, extensions: [extension('1.2.3.4', false, seq()), extension('1.2.3.4', false, seq())] })), /twice/))
  it('refuses an empty extensions SEQUENCE', () => expectMalformed(() => parse(syntheticCertificate({ spki, extensions: [] })), /empty SEQUENCE/))
  it('refuses a field after the extensions', () => expectMalformed(() => parse(Uint8Array.from(syntheticCertificate({ spki, extra: [ctxConstructed(4, int(1))] }))), /trailing fields|missing|unexpected/))
  it('refuses an extension value that is not one DER element', () =>
    expectMalformed(() => parse(syntheticCertificate({ spki, extensions: [extension('2.5.29.19', true, [0x30, 0x00, 0x00])] })), /trailing/))
  it('refuses an unsigned tbs whose outer algorithm differs', () =>
    expectMalformed(() => parse(syntheticCertificate({ spki, outerSignature: seq(tlv(0x06, [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03])) })), /differs/))
})
