// The profile rules (src/x509/profile.ts), one offending chain or more per rule, each compared with `openssl verify -x509_strict`.
import { describe, expect, it } from 'vitest'
import { profileRules } from '../../src/x509/profile.js'
import { type ChainCase, runChainCases, standard, under } from './chain-cases.js'
import { authorityKeyIdLine, caExtensions, type Fixtures, leafExtensions, leafSubject, withExtensions } from './chains.js'
import { int } from './der-builder.js'
import type { Cert } from './pki.js'

const ca = caExtensions
const SAN = 'DNS:good.example.com'

/** A leaf under the shared intermediate with the standard extensions, some of them replaced or added. */
const leafWith = (f: Fixtures, ...overrides: string[]) => f.leaf(undefined, { subject: leafSubject(SAN), extensions: withExtensions(leafExtensions(SAN), ...overrides) })
/** The standard leaf extensions without the ones named. */
const leafWithout = (...names: string[]) => leafExtensions(SAN).filter((line) => !names.includes(line.split('=')[0]!))
/** An intermediate under the shared root with caExtensions changed by `overrides`. */
const intermediateWith = (f: Fixtures, ...overrides: string[]) => f.ca('/O=pure-tls test/CN=Odd Intermediate', 'inter', f.root, withExtensions(ca, ...overrides))
/** A chain through an intermediate made with `extensions`, its leaf standard. */
function throughIntermediate(f: Fixtures, extensions: readonly string[], subject = '/O=pure-tls test/CN=Odd Intermediate'): ReturnType<typeof under> {
  const inter = f.ca(subject, 'inter', f.root, extensions)
  return under(f, inter, f.leaf(SAN, { issuer: inter }))
}

const notInOpenssl = (what: string) => ({ ok: true, why: `openssl verify does not check ${what}` })
const brOnly = (rule: string) => ({ ok: true, why: `a CA/Browser Forum Baseline Requirements rule (${rule}) that OpenSSL does not apply` })

const cases: ChainCase[] = [
  // ---- RFC 5280 4.1.2.2: serial numbers ----
  { name: 'leaf with serial number 0', expect: 'bad-serial-number', depth: 0, build: (f) => standard(f, f.leaf(SAN, { serial: '00' })), openssl: notInOpenssl('serial numbers') },
  {
    name: 'leaf with a 21-octet serial number',
    expect: 'bad-serial-number',
    depth: 0,
    build: (f) => standard(f, f.leaf(SAN, { serial: '0102030405060708090a0b0c0d0e0f101112131415' })),
    openssl: notInOpenssl('the length of serial numbers'),
  },
  {
    name: 'leaf with a negative serial number',
    expect: 'bad-serial-number',
    depth: 0,
    build: (f) => {
      const leaf = f.leaf(SAN)
      return standard(f, f.pki.resign(f.name('negative'), leaf, 'inter', (fields) => fields.map((field, i) => (i === 1 ? int([0xfb]) : field))))
    },
    openssl: notInOpenssl('serial numbers'),
  },
  {
    name: 'intermediate with serial number 0',
    expect: 'bad-serial-number',
    depth: 1,
    build: (f) => {
      const inter = f.ca('/O=pure-tls test/CN=Serial Zero', 'inter', f.root, ca, { serial: '00' })
      return under(f, inter, f.leaf(SAN, { issuer: inter }))
    },
    openssl: notInOpenssl('serial numbers'),
  },
  // ---- RFC 5280 4.2.1.1 and 4.2.1.2: key identifiers ----
  { name: 'leaf with a critical authorityKeyIdentifier', expect: 'bad-key-identifier', depth: 0, message: /authorityKeyIdentifier critical/, build: (f) => standard(f, leafWith(f, 'authorityKeyIdentifier=critical,keyid')) },
  {
    name: 'leaf without authorityKeyIdentifier',
    expect: 'bad-key-identifier',
    depth: 0,
    message: /no authorityKeyIdentifier/,
    build: (f) => standard(f, leafWith(f, 'authorityKeyIdentifier=none')),
    note: 'OpenSSL -x509_strict reports "Missing Authority Key Identifier" too',
  },
  {
    name: 'leaf whose authorityKeyIdentifier names the issuer and serial but no keyIdentifier',
    expect: 'bad-key-identifier',
    depth: 0,
    message: /without keyIdentifier/,
    build: (f) => standard(f, leafWith(f, 'authorityKeyIdentifier=issuer:always')),
  },
  {
    name: 'intermediate without authorityKeyIdentifier',
    expect: 'bad-key-identifier',
    depth: 1,
    message: /no authorityKeyIdentifier/,
    build: (f) => throughIntermediate(f, withExtensions(ca, 'authorityKeyIdentifier=none')),
  },
  { name: 'leaf with a critical subjectKeyIdentifier', expect: 'bad-key-identifier', depth: 0, message: /subjectKeyIdentifier critical/, build: (f) => standard(f, leafWith(f, 'subjectKeyIdentifier=critical,hash')) },
  {
    name: 'intermediate without subjectKeyIdentifier',
    expect: 'bad-key-identifier',
    depth: 1,
    message: /without subjectKeyIdentifier/,
    build: (f) => {
      const inter = intermediateWith(f, 'subjectKeyIdentifier=none')
      const leaf = f.leaf(undefined, { issuer: inter, subject: leafSubject(SAN), extensions: [...leafWithout('authorityKeyIdentifier'), authorityKeyIdLine(inter)] })
      return under(f, inter, leaf)
    },
  },
  // ---- RFC 5280 4.2.1.9 and 4.2.1.3: basicConstraints and keyUsage ----
  { name: 'intermediate whose basicConstraints is not critical', expect: 'bad-basic-constraints', depth: 1, build: (f) => throughIntermediate(f, withExtensions(ca, 'basicConstraints=CA:TRUE')) },
  { name: 'leaf with a pathLenConstraint (cA false)', expect: 'bad-basic-constraints', depth: 0, build: (f) => standard(f, leafWith(f, 'basicConstraints=critical,CA:FALSE,pathlen:0')) },
  { name: 'leaf asserting keyCertSign with cA false', expect: 'bad-key-usage', depth: 0, message: /keyCertSign/, build: (f) => standard(f, leafWith(f, 'keyUsage=critical,digitalSignature,keyCertSign')) },
  {
    name: 'leaf asserting keyCertSign without basicConstraints',
    expect: 'bad-key-usage',
    depth: 0,
    message: /keyCertSign/,
    build: (f) => standard(f, f.leaf(undefined, { subject: leafSubject(SAN), extensions: withExtensions(leafWithout('basicConstraints'), 'keyUsage=critical,digitalSignature,keyCertSign') })),
  },
  // ---- RFC 5280 4.2.1.10: nameConstraints only in CAs ----
  {
    name: 'leaf with critical nameConstraints',
    expect: 'bad-name-constraints',
    depth: 0,
    build: (f) => standard(f, leafWith(f, 'nameConstraints=critical,permitted;DNS:example.com')),
    openssl: notInOpenssl('nameConstraints in an end-entity certificate'),
  },
  {
    name: 'leaf with non-critical nameConstraints',
    expect: 'bad-name-constraints',
    depth: 0,
    build: (f) => standard(f, leafWith(f, 'nameConstraints=permitted;DNS:example.com')),
    openssl: notInOpenssl('nameConstraints in an end-entity certificate'),
  },
  // ---- RFC 5280 4.1.2.6: a CA has a subject ----
  { name: 'intermediate with an empty subject', expect: 'bad-subject', depth: 1, build: (f) => throughIntermediate(f, ca, '/') },
  // ---- RFC 5280 4.2.1.11, 4.2.1.14: policy extensions ----
  {
    name: 'intermediate with non-critical policyConstraints',
    expect: 'bad-policy-extension',
    depth: 1,
    build: (f) => throughIntermediate(f, [...ca, 'policyConstraints=inhibitPolicyMapping:1']),
    openssl: notInOpenssl('that policyConstraints is critical'),
  },
  {
    name: 'intermediate with non-critical inhibitAnyPolicy',
    expect: 'bad-policy-extension',
    depth: 1,
    build: (f) => throughIntermediate(f, [...ca, 'inhibitAnyPolicy=0']),
    openssl: notInOpenssl('that inhibitAnyPolicy is critical'),
  },
  {
    name: 'critical policyConstraints and inhibitAnyPolicy on the intermediate, critical certificatePolicies on the leaf',
    expect: 'ok',
    build: (f) => {
      const inter = intermediateWith(f, 'policyConstraints=critical,inhibitPolicyMapping:0', 'inhibitAnyPolicy=critical,0')
      return under(f, inter, f.leaf(undefined, { issuer: inter, subject: leafSubject(SAN), extensions: [...leafExtensions(SAN), 'certificatePolicies=critical,2.23.140.1.2.1'] }))
    },
  },
  {
    name: 'requireExplicitPolicy 0 on the intermediate, no certificate policies anywhere',
    expect: 'unhandled-critical-extension',
    depth: 1,
    message: /requireExplicitPolicy/,
    build: (f) => throughIntermediate(f, [...ca, 'policyConstraints=critical,requireExplicitPolicy:0']),
    openssl: {
      ok: true,
      why: 'openssl verify processes certificate policies only with -policy_check; by RFC 5280 6.1.3 (f) the path is invalid (explicit_policy reaches 0 with no policy tree), and pure-tls refuses it',
    },
  },
  {
    name: 'requireExplicitPolicy 0 on the intermediate, the same policy in the intermediate and the leaf',
    expect: 'unhandled-critical-extension',
    depth: 1,
    build: (f) => {
      const inter = intermediateWith(f, 'policyConstraints=critical,requireExplicitPolicy:0', 'certificatePolicies=2.23.140.1.2.1')
      return under(f, inter, f.leaf(undefined, { issuer: inter, subject: leafSubject(SAN), extensions: [...leafExtensions(SAN), 'certificatePolicies=2.23.140.1.2.1'] }))
    },
    openssl: {
      ok: true,
      why: 'openssl verify processes certificate policies only with -policy_check (and would then find the policy); pure-tls does not build the policy tree and refuses a path whose verdict depends on it, rather than guess',
    },
  },
  {
    name: 'requireExplicitPolicy 2 on the intermediate: it never takes effect in a path of three',
    expect: 'ok',
    build: (f) => throughIntermediate(f, [...ca, 'policyConstraints=critical,requireExplicitPolicy:2']),
  },
  {
    name: 'intermediate mapping anyPolicy in policyMappings',
    expect: 'bad-policy-extension',
    depth: 1,
    message: /anyPolicy/,
    build: (f) => throughIntermediate(f, [...ca, 'policyMappings=critical,2.5.29.32.0:1.2.3.4']),
    openssl: { ok: true, why: 'openssl verify processes certificate policies (mappings included) only with -policy_check; RFC 5280 6.1.4 (a) refuses the mapping' },
  },
  // ---- RFC 5280 4.2.1.6: subjectAltName ----
  {
    name: 'leaf with an empty subject and a non-critical subjectAltName',
    expect: 'bad-subject-alt-name',
    depth: 0,
    message: /empty subject/,
    build: (f) => standard(f, f.leaf(SAN, { subject: '/' })),
  },
  {
    name: 'leaf with an empty subject and no subjectAltName',
    expect: 'bad-subject-alt-name',
    depth: 0,
    message: /no subjectAltName/,
    build: (f) => ({ ...standard(f, f.leaf(undefined, { subject: '/' })), serverName: undefined, purpose: 'clientAuth' }),
  },
  { name: 'leaf with an empty subject and a critical subjectAltName', expect: 'ok', build: (f) => standard(f, f.leaf(undefined, { subject: '/', extensions: leafExtensions(`critical,${SAN}`) })) },
  {
    name: 'leaf with a dNSName holding an underscore',
    expect: 'bad-subject-alt-name',
    depth: 0,
    message: /preferred name syntax/,
    build: (f) => standard(f, f.leaf(`${SAN}, DNS:bad_name.example.com`)),
    openssl: notInOpenssl('the syntax of dNSName SANs'),
  },
  {
    name: 'leaf with a dNSName ending in a dot',
    expect: 'bad-subject-alt-name',
    depth: 0,
    build: (f) => standard(f, f.leaf(`${SAN}, DNS:other.example.com.`)),
    openssl: notInOpenssl('the syntax of dNSName SANs'),
  },
  // ---- Baseline Requirements (web-pki profile, server certificates) ----
  {
    name: 'BR: leaf with a critical subjectAltName beside a non-empty subject',
    expect: 'bad-subject-alt-name',
    depth: 0,
    message: /BR 7\.1\.2\.7\.12/,
    build: (f) => standard(f, f.leaf(`critical,${SAN}`, { subject: leafSubject(SAN) })),
    openssl: brOnly('7.1.2.7.12'),
  },
  {
    name: 'BR, private-pki profile: the same leaf is accepted',
    expect: 'ok',
    build: (f) => ({ ...standard(f, f.leaf(`critical,${SAN}`, { subject: leafSubject(SAN) })), certificateProfile: 'private-pki' }),
  },
  {
    name: 'BR: subject CN Example.COM beside the SAN example.com',
    expect: 'bad-common-name',
    depth: 0,
    build: (f) => standard(f, f.leaf('DNS:example.com', { subject: '/CN=Example.COM' }), 'example.com'),
    openssl: brOnly('7.1.4.3'),
  },
  {
    name: 'BR, private-pki profile: CN Example.COM beside the SAN example.com is accepted',
    expect: 'ok',
    build: (f) => ({ ...standard(f, f.leaf('DNS:example.com', { subject: '/CN=Example.COM' }), 'example.com'), certificateProfile: 'private-pki' }),
  },
  {
    name: 'BR: subject CN 192.168.001.001 beside the SAN 192.168.1.1',
    expect: 'bad-common-name',
    depth: 0,
    build: (f) => standard(f, f.leaf('IP:192.168.1.1', { subject: '/CN=192.168.001.001' }), '192.168.1.1'),
    openssl: brOnly('7.1.4.3'),
  },
  {
    name: 'BR: subject CN 2001:DB8:0:0:0:0:0:1 beside the SAN 2001:db8::1',
    expect: 'bad-common-name',
    depth: 0,
    build: (f) => standard(f, f.leaf('IP:2001:db8::1', { subject: '/CN=2001:DB8:0:0:0:0:0:1' }), '2001:db8::1'),
    openssl: brOnly('7.1.4.3'),
  },
  { name: 'BR: subject CN 2001:db8::1 (RFC 5952 text) beside the SAN 2001:db8::1', expect: 'ok', build: (f) => standard(f, f.leaf('IP:2001:db8::1'), '2001:db8::1') },
  {
    name: 'BR: two subject CNs, both among the SANs',
    expect: 'bad-common-name',
    depth: 0,
    message: /2 subject commonName/,
    build: (f) => standard(f, f.leaf(`${SAN}, DNS:other.example.com`, { subject: '/CN=good.example.com/CN=other.example.com' })),
    openssl: brOnly('7.1.4.3'),
  },
  {
    name: 'BR rules are for server certificates: a client leaf whose CN is not a SAN is accepted',
    expect: 'ok',
    build: (f) => ({ ...standard(f, f.leaf(undefined, { subject: '/CN=a client', extensions: leafWithout() })), serverName: undefined, purpose: 'clientAuth' }),
  },
  {
    name: 'BR: leaf with a 2052-bit RSA modulus',
    expect: 'bad-rsa-modulus',
    depth: 0,
    build: (f) => {
      f.pki.key('rsa2052', 'rsa2052')
      return standard(f, f.leaf(SAN, { key: 'rsa2052' }))
    },
    openssl: brOnly('6.1.5'),
  },
  {
    name: 'BR, private-pki profile: the 2052-bit leaf is accepted',
    expect: 'ok',
    build: (f) => {
      f.pki.key('rsa2052', 'rsa2052')
      return { ...standard(f, f.leaf(SAN, { key: 'rsa2052' })), certificateProfile: 'private-pki' }
    },
  },
  {
    name: 'BR: intermediate with a 2052-bit RSA modulus',
    expect: 'bad-rsa-modulus',
    depth: 1,
    build: (f) => {
      f.pki.key('rsa2052', 'rsa2052')
      const inter = f.ca('/O=pure-tls test/CN=Odd RSA Intermediate', 'rsa2052', f.root)
      return under(f, inter, f.leaf(SAN, { issuer: inter }))
    },
    openssl: brOnly('6.1.5'),
  },
  {
    name: 'BR: trust anchor with a 2052-bit RSA modulus',
    expect: 'bad-rsa-modulus',
    depth: 2,
    build: (f) => {
      f.pki.key('rsa2052', 'rsa2052')
      const root = f.ca('/O=pure-tls test/CN=Odd RSA Root', 'rsa2052')
      const inter = f.ca('/O=pure-tls test/CN=Under Odd RSA Root', 'inter', root)
      return { leaf: f.leaf(SAN, { issuer: inter }), intermediates: [inter], roots: [root], serverName: 'good.example.com' }
    },
    openssl: brOnly('6.1.5'),
  },
  {
    name: 'BR: a 2024 root whose authorityKeyIdentifier carries issuer and serial',
    expect: 'bad-key-identifier',
    depth: 2,
    message: /BR 7\.1\.2\.1\.3/,
    build: (f) => rootWith(f, 'authorityKeyIdentifier=keyid,issuer:always', '20240101000000Z'),
    openssl: brOnly('7.1.2.1.3'),
  },
  {
    name: 'BR, before the rule took effect: a 2020 root whose authorityKeyIdentifier carries issuer and serial is accepted',
    expect: 'ok',
    build: (f) => rootWith(f, 'authorityKeyIdentifier=keyid,issuer:always', '20200101000000Z'),
  },
  {
    name: 'BR: a 2024 root whose authorityKeyIdentifier differs from its subjectKeyIdentifier',
    expect: 'bad-key-identifier',
    depth: 2,
    message: /differs from its subjectKeyIdentifier/,
    build: (f) => rootWith(f, `2.5.29.35=DER:30:16:80:14:${new Array(20).fill('ab').join(':')}`, '20240101000000Z'),
    note: 'OpenSSL takes the mismatched key identifier to mean the root is not self-signed, and reports that it cannot find its issuer',
  },
  {
    name: 'BR, private-pki profile: the 2024 root with issuer and serial in its authorityKeyIdentifier is accepted',
    expect: 'ok',
    build: (f) => ({ ...rootWith(f, 'authorityKeyIdentifier=keyid,issuer:always', '20240101000000Z'), certificateProfile: 'private-pki' }),
  },
  // ---- extensions that must be well-formed even when not critical ----
  { name: 'leaf with an empty authorityInfoAccess', expect: 'malformed', depth: 0, message: /authorityInfoAccess: empty SEQUENCE/, build: (f) => standard(f, leafWith(f, '1.3.6.1.5.5.7.1.1=DER:30:00')), openssl: notInOpenssl('an empty authorityInfoAccess') },
  { name: 'leaf with an empty cRLDistributionPoints', expect: 'malformed', depth: 0, message: /cRLDistributionPoints: empty SEQUENCE/, build: (f) => standard(f, leafWith(f, '2.5.29.31=DER:30:00')), openssl: notInOpenssl('an empty cRLDistributionPoints') },
  {
    name: 'leaf whose certificatePolicies lists a policy twice',
    expect: 'malformed',
    depth: 0,
    message: /appears twice/,
    build: (f) => standard(f, leafWith(f, 'certificatePolicies=2.23.140.1.2.1,2.23.140.1.2.1')),
    openssl: notInOpenssl('repeated policies'),
  },
  {
    name: 'leaf whose keyUsage sets no bit',
    expect: 'malformed',
    depth: 0,
    message: /no bit/,
    build: (f) => standard(f, leafWith(f, 'keyUsage=critical,DER:03:01:00')),
    note: 'OpenSSL fails to decode the keyUsage and then reports that it cannot find the issuer',
  },
  // ---- RFC 5280 4.1.2.5: validity to the second, both ends inclusive ----
  {
    name: 'verified half a second into the notAfter second',
    expect: 'ok',
    build: (f) => ({ ...standard(f, f.leaf(SAN)), at: new Date('2040-01-01T00:00:00.500Z') }),
    openssl: { ok: false, why: 'X509_cmp_time treats notAfter as exclusive (a certificate is expired at its notAfter second); RFC 5280 4.1.2.5 makes the validity period inclusive' },
  },
  { name: 'verified one second after notAfter', expect: 'expired', depth: 0, build: (f) => ({ ...standard(f, f.leaf(SAN, { notAfter: '20300601000000Z' })), at: new Date('2030-06-01T00:00:01.000Z') }) },
  {
    name: 'verified in the last millisecond before notBefore',
    expect: 'not-yet-valid',
    depth: 0,
    build: (f) => ({ ...standard(f, f.leaf(SAN, { notBefore: '20300601000000Z' })), at: new Date('2030-05-31T23:59:59.999Z') }),
  },
]

/** A self-issued root with `extra` (and caExtensions without their AKI) made at `notBefore`, an intermediate and a standard leaf under it. */
function rootWith(f: Fixtures, extra: string, notBefore: string): ReturnType<typeof under> {
  f.pki.key('br-root', 'ec256')
  const root: Cert = f.ca('/O=pure-tls test/CN=BR Root', 'br-root', undefined, [...ca.filter((line) => !line.startsWith('authorityKeyIdentifier')), extra], { notBefore })
  const inter = f.ca('/O=pure-tls test/CN=Under BR Root', 'inter', root)
  return { leaf: f.leaf(SAN, { issuer: inter }), intermediates: [inter], roots: [root], serverName: 'good.example.com' }
}

runChainCases('profile rules (with openssl verify -x509_strict for agreement)', cases)

describe('the rule table', () => {
  it('names its source for every rule, and only BR rules are loosened by private-pki', () => {
    for (const rule of profileRules) {
      expect(rule.source).toMatch(rule.baseline ? /^BR / : /^RFC 5280 /)
      expect(rule.places.length).toBeGreaterThan(0)
    }
  })
  it('applies no RFC 5280 rule to a trust anchor (RFC 5280 6.1: an anchor is a name and a key)', () => {
    expect(profileRules.filter((rule) => rule.places.includes('anchor')).every((rule) => rule.baseline)).toBe(true)
  })
})
