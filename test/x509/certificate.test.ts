// Certificate parsing: every field of our view, the signature algorithm mapping, and the parse cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportSpki, generatePrivateKey } from '../../src/crypto/keys.js'
import { CertificateVerificationError } from '../../src/errors.js'
import { Certificate, parseCertificate } from '../../src/x509/certificate.js'
import { CertificateCache, defaultCertificateCache } from '../../src/x509/certificate-cache.js'
import { formatIpAddress } from '../../src/x509/ip-address.js'
import { Fixtures, leafExtensions } from './chains.js'
import { ctx, ctxConstructed, extension, generalizedTime, int, nul, oid, seq, syntheticCertificate, utcTime } from './der-builder.js'

let f: Fixtures
beforeAll(() => {
  f = new Fixtures()
})
afterAll(() => f.pki.cleanup())

const parse = (der: Uint8Array) => parseCertificate(der, { cache: null })

describe('fields', () => {
  it('decodes a leaf', () => {
    const leaf = f.pki.cert('fields-leaf', {
      subject: '/C=DE/O=Müller, Schmidt & Co/CN=www.example.com',
      key: 'leaf',
      issuer: f.intermediate,
      notBefore: '20240229120000Z',
      notAfter: '20500101000000Z',
      extensions: [
        ...leafExtensions('DNS:www.example.com,DNS:*.example.com,IP:192.0.2.1,IP:2001:db8::1,email:admin@example.com'),
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid',
        '1.3.6.1.4.1.55555.7=critical,DER:05:00',
      ],
    })
    const cert = parse(leaf.der)
    expect(cert).toBeInstanceOf(Certificate)
    expect(cert.version).toBe(3)
    expect(cert.subject.text).toBe('C=DE, O=Müller\\, Schmidt & Co, CN=www.example.com')
    expect(cert.issuer.text).toBe('O=pure-tls test, CN=Test Intermediate')
    expect(cert.issuer.der).toEqual(parse(f.intermediate.der).subject.der)
    expect(cert.notBefore.toISOString()).toBe('2024-02-29T12:00:00.000Z')
    // 2050 and later must be GeneralizedTime (RFC 5280 4.1.2.5); openssl ca writes it so.
    expect(cert.notAfter.toISOString()).toBe('2050-01-01T00:00:00.000Z')
    expect(cert.serialNumberHex).toMatch(/^[0-9a-f]+$/)
    expect(cert.signatureAlgorithm).toEqual({ type: 'ecdsa', hash: 'SHA-256' })
    expect(cert.signatureAlgorithmName).toBe('ecdsa-with-SHA256')
    expect(cert.publicKey.type).toBe('ec')
    expect(cert.basicConstraints).toEqual({ cA: false, pathLenConstraint: undefined })
    expect([...cert.keyUsage!]).toEqual(['digitalSignature'])
    expect(cert.extKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'])
    expect(cert.subjectAltName?.dnsNames).toEqual(['www.example.com', '*.example.com'])
    expect(cert.subjectAltName?.ipAddresses.map(formatIpAddress)).toEqual(['192.0.2.1', '2001:db8:0:0:0:0:0:1'])
    expect(cert.subjectAltName?.others.map((o) => o.form)).toEqual(['rfc822Name'])
    expect(cert.subjectKeyIdentifier?.length).toBe(20)
    expect(cert.authorityKeyIdentifier).toEqual(parse(f.intermediate.der).subjectKeyIdentifier)
    expect(cert.unhandledCriticalExtensions).toEqual(['1.3.6.1.4.1.55555.7'])
    expect(cert.selfIssued).toBe(false)
    expect(cert.tbs.length).toBeLessThan(cert.der.length)
    expect(Buffer.from(cert.der).indexOf(Buffer.from(cert.tbs))).toBe(4)
  })

  it('decodes a CA with pathLen and name constraints of every kind', () => {
    const inter = f.ca('/CN=Constrained', 'inter', f.root, [
      'basicConstraints=critical,CA:TRUE,pathlen:3',
      'keyUsage=critical,keyCertSign,cRLSign',
      'nameConstraints=critical,permitted;DNS:example.com,permitted;IP:10.0.0.0/255.0.0.0,excluded;DNS:.bad.example.com,excluded;email:example.org,excluded;dirName:dir_sect',
      '[dir_sect]',
      'CN=Excluded',
    ])
    const cert = parse(inter.der)
    expect(cert.basicConstraints).toEqual({ cA: true, pathLenConstraint: 3 })
    expect([...cert.keyUsage!].sort()).toEqual(['cRLSign', 'keyCertSign'])
    const nc = cert.nameConstraints!
    expect(nc.permittedSubtrees.map((s) => s.form)).toEqual(['dNSName', 'iPAddress'])
    expect(nc.excludedSubtrees.map((s) => s.form)).toEqual(['dNSName', 'rfc822Name', 'directoryName'])
  })

  it('decodes a v1 certificate', () => {
    f.pki.key('v1', 'ec256')
    const cert = parse(f.ca('/CN=Version One', 'v1', undefined, []).der)
    expect(cert.version).toBe(1)
    expect(cert.extensions).toEqual([])
    expect(cert.basicConstraints).toBeUndefined()
    expect(cert.selfIssued).toBe(true)
  })
})

describe('signature algorithms', () => {
  const table: { label: string; key: 'rsa2048' | 'ec384' | 'ed25519'; md?: 'sha256' | 'sha384' | 'sha512' | 'sha1'; sigopts?: string[]; expected: unknown }[] = [
    { label: 'sha256WithRSAEncryption', key: 'rsa2048', md: 'sha256', expected: { type: 'rsa-pkcs1', hash: 'SHA-256' } },
    { label: 'sha384WithRSAEncryption', key: 'rsa2048', md: 'sha384', expected: { type: 'rsa-pkcs1', hash: 'SHA-384' } },
    { label: 'sha512WithRSAEncryption', key: 'rsa2048', md: 'sha512', expected: { type: 'rsa-pkcs1', hash: 'SHA-512' } },
    { label: 'RSASSA-PSS SHA-256', key: 'rsa2048', md: 'sha256', sigopts: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:digest'], expected: { type: 'rsa-pss', hash: 'SHA-256', saltLength: 32 } },
    { label: 'RSASSA-PSS SHA-384 salt 20', key: 'rsa2048', md: 'sha384', sigopts: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:20'], expected: { type: 'rsa-pss', hash: 'SHA-384', saltLength: 20 } },
    { label: 'ecdsa-with-SHA384', key: 'ec384', md: 'sha384', expected: { type: 'ecdsa', hash: 'SHA-384' } },
    { label: 'ecdsa-with-SHA512', key: 'ec384', md: 'sha512', expected: { type: 'ecdsa', hash: 'SHA-512' } },
    { label: 'Ed25519', key: 'ed25519', expected: { type: 'ed25519' } },
    { label: 'sha1WithRSAEncryption (unsupported)', key: 'rsa2048', md: 'sha1', expected: undefined },
  ]
  for (const row of table) {
    it(row.label, () => {
      const keyName = f.pki.key(`alg-${row.key}`, row.key)
      const issuer = f.ca(`/CN=${row.label}`, keyName)
      const cert = parse(f.pki.cert(f.name('alg'), { subject: '/CN=alg', key: 'leaf', issuer, md: row.md, sigopts: row.sigopts, extensions: leafExtensions('DNS:a.example') }).der)
      expect(cert.signatureAlgorithm).toEqual(row.expected)
      if (row.expected === undefined) expect(cert.signatureAlgorithmName).toBe('1.2.840.113549.1.1.5')
    })
  }

  const spki = exportSpki(generatePrivateKey('ecdsa-p256').publicKey)
  const pss = (...params: Uint8Array[]) => seq(oid('1.2.840.113549.1.1.10'), seq(...params))
  const sha = (n: 1 | 2 | 3) => seq(oid(`2.16.840.1.101.3.4.2.${n}`))
  const mgf1 = (hash: Uint8Array) => seq(oid('1.2.840.113549.1.1.8'), hash)
  const algorithmOf = (signature: Uint8Array) => parse(syntheticCertificate({ spki, signature })).signatureAlgorithm

  it('PSS with explicit NULL hash parameters', () => {
    const sha256Null = seq(oid('2.16.840.1.101.3.4.2.1'), nul())
    expect(algorithmOf(pss(ctxConstructed(0, sha256Null), ctxConstructed(1, mgf1(sha256Null)), ctxConstructed(2, int(32))))).toEqual({ type: 'rsa-pss', hash: 'SHA-256', saltLength: 32 })
  })
  it('PSS whose MGF1 hash differs is unsupported', () => expect(algorithmOf(pss(ctxConstructed(0, sha(1)), ctxConstructed(1, mgf1(sha(2)))))).toBeUndefined())
  it('PSS with the SHA-1 defaults is unsupported', () => expect(algorithmOf(pss())).toBeUndefined())
  it('PSS with trailerField 2 is unsupported', () =>
    expect(algorithmOf(pss(ctxConstructed(0, sha(1)), ctxConstructed(1, mgf1(sha(1))), ctxConstructed(3, int(2))))).toBeUndefined())
  it('ECDSA with parameters is malformed', () => {
    expect(() => algorithmOf(seq(oid('1.2.840.10045.4.3.2'), nul()))).toThrow(/parameters must be absent/)
  })
  it('RSA PKCS#1 with absent parameters is accepted', () => expect(algorithmOf(seq(oid('1.2.840.113549.1.1.11')))).toEqual({ type: 'rsa-pkcs1', hash: 'SHA-256' }))
})

describe('time encodings', () => {
  const spki = exportSpki(generatePrivateKey('ecdsa-p256').publicKey)
  const validity = (a: Uint8Array, b: Uint8Array) => parse(syntheticCertificate({ spki, validity: seq(a, b) }))
  it('reads UTCTime years 50–99 as 19xx and 00–49 as 20xx', () => {
    const cert = validity(utcTime('500101000000Z'), utcTime('491231235959Z'))
    expect(cert.notBefore.toISOString()).toBe('1950-01-01T00:00:00.000Z')
    expect(cert.notAfter.toISOString()).toBe('2049-12-31T23:59:59.000Z')
  })
  it('reads GeneralizedTime', () => expect(validity(generalizedTime('20500101000000Z'), generalizedTime('99991231235959Z')).notAfter.getUTCFullYear()).toBe(9999))
  for (const bad of ['2001010000Z', '200101000000+0100', '200101000000', '201301000000Z', '200230000000Z', '200101240000Z', '200101000060Z']) {
    it(`refuses UTCTime ${bad}`, () => expect(() => validity(utcTime(bad), utcTime('400101000000Z'))).toThrow(CertificateVerificationError))
  }
  for (const bad of ['20200101000000.5Z', '2020010100000Z', '20210229000000Z']) {
    it(`refuses GeneralizedTime ${bad}`, () => expect(() => validity(generalizedTime(bad), utcTime('400101000000Z'))).toThrow(CertificateVerificationError))
  }
})

describe('extension shapes', () => {
  const spki = exportSpki(generatePrivateKey('ecdsa-p256').publicKey)
  const withExtension = (id: string, value: Uint8Array, critical = true) => parse(syntheticCertificate({ spki, extensions: [extension(id, critical, value)] }))
  it('refuses an empty subjectAltName', () => expect(() => withExtension('2.5.29.17', seq())).toThrow(/empty SEQUENCE/))
  it('refuses an empty extKeyUsage', () => expect(() => withExtension('2.5.29.37', seq())).toThrow(/empty SEQUENCE/))
  it('refuses nameConstraints with neither subtree', () => expect(() => withExtension('2.5.29.30', seq())).toThrow(/neither/))
  it('refuses a GeneralSubtree with a minimum', () =>
    expect(() => withExtension('2.5.29.30', seq(ctxConstructed(0, seq(ctx(2, new TextEncoder().encode('example.com')), ctx(0, [1])))))).toThrow(/minimum/))
  it('refuses an iPAddress constraint with a non-contiguous mask', () =>
    expect(() => withExtension('2.5.29.30', seq(ctxConstructed(0, seq(ctx(7, [10, 0, 0, 0, 255, 0, 255, 0])))))).toThrow(/non-contiguous/))
  it('refuses a negative pathLenConstraint', () => expect(() => withExtension('2.5.29.19', seq(int([0xff])))).toThrow(CertificateVerificationError))
  it('reads an absent cA as false', () => expect(withExtension('2.5.29.19', seq()).basicConstraints).toEqual({ cA: false, pathLenConstraint: undefined }))
})

describe('the parse cache', () => {
  it('returns the same object for the same bytes, and copies the input', () => {
    const cache = new CertificateCache(10)
    const der = f.root.der.slice()
    const a = parseCertificate(der, { cache })
    expect(parseCertificate(der.slice(), { cache })).toBe(a)
    der[der.length - 1] = der[der.length - 1]! ^ 0xff
    expect(a.der).toEqual(f.root.der)
    expect(parseCertificate(f.root.der, { cache })).toBe(a)
    expect(cache.size).toBe(1)
  })
  it('can be bypassed and disabled', () => {
    const cache = new CertificateCache(10)
    const a = parseCertificate(f.root.der, { cache })
    expect(parseCertificate(f.root.der, { cache: null })).not.toBe(a)
    cache.enabled = false
    expect(parseCertificate(f.root.der, { cache })).not.toBe(a)
  })
  it('evicts the least recently used entries beyond its bound', () => {
    const cache = new CertificateCache(2)
    const [x, y, z] = [f.root, f.intermediate, f.leaf('DNS:cache.example')].map((c) => c.der)
    const px = parseCertificate(x!, { cache })
    parseCertificate(y!, { cache })
    parseCertificate(x!, { cache })
    parseCertificate(z!, { cache })
    expect(cache.size).toBe(2)
    expect(parseCertificate(x!, { cache })).toBe(px)
    expect(cache.get(y!)).toBeUndefined()
  })
  it('does not cache failures', () => {
    const before = defaultCertificateCache.size
    expect(() => parseCertificate(Uint8Array.from([0x30, 0x00]))).toThrow(CertificateVerificationError)
    expect(defaultCertificateCache.size).toBe(before)
  })
})

describe('keys', () => {
  it('decodes each key type on first use and refuses unsupported ones then', () => {
    for (const kind of ['rsa2048', 'ec384', 'ed25519'] as const) {
      const key = f.pki.key(`pk-${kind}`, kind)
      expect(parse(f.ca(`/CN=${kind}`, key).der).publicKey.type).toBe(kind === 'rsa2048' ? 'rsa' : kind === 'ec384' ? 'ec' : 'ed25519')
    }
    const spkiP521 = Uint8Array.from(Buffer.from('30819b301006072a8648ce3d020106052b810400230381860004' + '00'.repeat(132), 'hex'))
    const cert = parse(syntheticCertificate({ spki: spkiP521 }))
    expect(() => cert.publicKey).toThrow(CertificateVerificationError)
  })
})
