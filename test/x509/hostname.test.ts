// Host name and IP address matching (RFC 6125 as webpki applies it), as units over presented and reference names.
import { describe, expect, it } from 'vitest'
import { exportSpki, generatePrivateKey } from '../../src/crypto/keys.js'
import { CertificateVerificationError } from '../../src/errors.js'
import { parseCertificate } from '../../src/x509/certificate.js'
import { dnsNameMatches, parseReferenceIdentity, verifyHostname } from '../../src/x509/hostname.js'
import { formatIpAddress, parseIpAddress } from '../../src/x509/ip-address.js'
import { ctx, extension, name, seq, syntheticCertificate } from './der-builder.js'

function reference(text: string): string {
  const id = parseReferenceIdentity(text)
  if (id.type !== 'dns') throw new Error(`${text} parsed as an IP address`)
  return id.name
}

const matches = (presented: string, ref: string) => dnsNameMatches(presented, reference(ref))

describe('dNSName matching', () => {
  const table: [string, string, boolean][] = [
    ['example.com', 'example.com', true],
    ['Example.COM', 'eXample.com', true],
    ['example.com', 'example.com.', true],
    ['example.com.', 'example.com', false],
    ['www.example.com', 'example.com', false],
    ['example.com', 'www.example.com', false],
    ['*.example.com', 'www.example.com', true],
    ['*.EXAMPLE.com', 'WWW.example.COM', true],
    ['*.example.com', 'www.example.com.', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.b.example.com', false],
    ['*.com', 'example.com', false],
    ['*', 'example', false],
    ['f*.example.com', 'foo.example.com', false],
    ['*o.example.com', 'foo.example.com', false],
    ['f*o.example.com', 'foo.example.com', false],
    ['*.*.example.com', 'a.b.example.com', false],
    ['www.*.com', 'www.example.com', false],
    ['*.example.com', 'xn--bcher-kva.example.com', true],
    ['xn--bcher-kva.example', 'XN--BCHER-KVA.example', true],
    ['', 'example.com', false],
    ['exa mple.com', 'example.com', false],
    ['-bad.example.com', 'bad.example.com', false],
    ['under_score.example.com', 'under_score.example.com', true],
  ]
  for (const [presented, ref, expected] of table) {
    it(`${JSON.stringify(presented)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(ref)}`, () => expect(matches(presented, ref)).toBe(expected))
  }
})

describe('reference identities', () => {
  const refused = ['bücher.example', 'exa mple.com', '*.example.com', 'a..b', '.example.com', 'example.com..', '123', '1.2.3.04', 'fe80::1%eth0', '[example.com]', '', 'a'.repeat(64) + '.com']
  for (const text of refused) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      expect(() => parseReferenceIdentity(text)).toThrow(CertificateVerificationError)
    })
  }
  it('explains that an internationalized name must be given as an A-label', () => {
    expect(() => parseReferenceIdentity('bücher.example')).toThrow(/A-label/)
  })
  it('reads IP literals, bracketed IPv6 included', () => {
    expect(parseReferenceIdentity('10.0.0.1')).toEqual({ type: 'ip', address: Uint8Array.from([10, 0, 0, 1]) })
    expect(parseReferenceIdentity('[::1]')).toEqual({ type: 'ip', address: parseIpAddress('::1') })
  })
})

describe('IP address text forms', () => {
  const good: [string, string][] = [
    ['1.2.3.4', '1.2.3.4'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['::', '0:0:0:0:0:0:0:0'],
    ['::1', '0:0:0:0:0:0:0:1'],
    ['2001:DB8::1', '2001:db8:0:0:0:0:0:1'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8:0:0:0:0:0:1'],
    ['1::', '1:0:0:0:0:0:0:0'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::ffff:1.2.3.4', '0:0:0:0:0:ffff:102:304'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ]
  for (const [text, canonical] of good) it(`parses ${text}`, () => expect(formatIpAddress(parseIpAddress(text)!)).toBe(canonical))
  const bad = ['1.2.3', '1.2.3.4.5', '01.2.3.4', '256.0.0.1', '1.2.3.-4', '1:2:3:4:5:6:7:8:9', '1::2::3', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:', '12345::', '1.2.3.4::', '::1.2.3', 'g::1', '1:2:3:4:5:6:7:8::']
  for (const text of bad) it(`refuses ${text}`, () => expect(parseIpAddress(text)).toBeNull())
})

describe('verifyHostname against certificates', () => {
  const spki = exportSpki(generatePrivateKey('ecdsa-p256').publicKey)
  const san = (...names: Uint8Array[]) => extension('2.5.29.17', false, seq(...names))
  const dns = (text: string) => ctx(2, new TextEncoder().encode(text))
  const ip = (text: string) => ctx(7, parseIpAddress(text)!)
  const cert = (extensions: Uint8Array[] | null, cn = 'synthetic') => parseCertificate(syntheticCertificate({ spki, subject: name(cn), extensions }), { cache: null })
  const reason = (run: () => void) => {
    try {
      run()
      return 'ok'
    } catch (e) {
      return (e as CertificateVerificationError).reason
    }
  }

  it('matches a dNSName and an iPAddress', () => {
    const c = cert([san(dns('www.example.com'), ip('192.0.2.1'), ip('2001:db8::5'))])
    expect(reason(() => verifyHostname(c, 'www.example.com'))).toBe('ok')
    expect(reason(() => verifyHostname(c, '192.0.2.1'))).toBe('ok')
    expect(reason(() => verifyHostname(c, '2001:0db8:0000::5'))).toBe('ok')
    expect(reason(() => verifyHostname(c, '[2001:db8::5]'))).toBe('ok')
    expect(reason(() => verifyHostname(c, '192.0.2.2'))).toBe('hostname-mismatch')
  })
  it('never matches an IP reference against a dNSName, nor a name against an iPAddress', () => {
    const c = cert([san(dns('192.0.2.1'), ip('192.0.2.9'))])
    expect(reason(() => verifyHostname(c, '192.0.2.1'))).toBe('hostname-mismatch')
  })
  it('does not treat an IPv4-mapped IPv6 SAN as the IPv4 address', () => {
    const c = cert([san(ip('::ffff:192.0.2.1'))])
    expect(reason(() => verifyHostname(c, '192.0.2.1'))).toBe('hostname-mismatch')
  })
  it('never falls back to the subject CN', () => {
    const c = cert(null, 'www.example.com')
    expect(() => verifyHostname(c, 'www.example.com')).toThrow(/no subjectAltName/)
  })
  it('ignores a SAN with only other forms', () => {
    const c = cert([san(ctx(1, new TextEncoder().encode('admin@example.com')))], 'www.example.com')
    expect(reason(() => verifyHostname(c, 'www.example.com'))).toBe('hostname-mismatch')
  })
  it('refuses a SAN dNSName holding non-ASCII octets as malformed', () => {
    expect(() => cert([san(ctx(2, [0x62, 0xfc, 0x2e, 0x63, 0x6f]))])).toThrow(/non-ASCII/)
  })
  it('refuses an iPAddress SAN of 5 octets as malformed', () => {
    expect(() => cert([san(ctx(7, [1, 2, 3, 4, 5]))])).toThrow(/iPAddress of 5 octets/)
  })
})
