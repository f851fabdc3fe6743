// Name constraints on the whole path (RFC 5280 4.2.1.10, 6.1.3): every form we evaluate, the forms we cannot, and the work budget.
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../../src/crypto/noble.js'
import { CertificateVerificationError } from '../../src/errors.js'
import { MAX_NAME_CHECKS } from '../../src/x509/name-constraints.js'
import { verifyCertificateChain } from '../../src/x509/verify.js'
import { type ChainCase, optionsOf, runChainCases, type Scenario, under } from './chain-cases.js'
import { caExtensions, Fixtures, leafExtensions, leafSubject } from './chains.js'
import type { Cert } from './pki.js'

const ca = caExtensions

/** A CA under the shared root (or under `issuer`) with name constraints given as openssl lines after `nameConstraints=`. */
function constrainedCa(f: Fixtures, subject: string, constraints: string, issuer: Cert = f.root, extra: readonly string[] = []): Cert {
  return f.ca(subject, 'inter', issuer, [...ca, `nameConstraints=${constraints}`, ...extra])
}

/** A root of its own with name constraints, self-signed. */
function constrainedRoot(f: Fixtures, constraints: string, extra: readonly string[] = []): Cert {
  f.pki.key('nc-root', 'ec256')
  return f.ca('/O=pure-tls test/CN=Constrained Root', 'nc-root', undefined, [...ca, `nameConstraints=${constraints}`, ...extra])
}

/** The openssl config section a `dirName:<name>` refers to, to end an extension list with. */
const dirSection = (name: string, ...attributes: string[]) => [`[ ${name} ]`, ...attributes]

/** A leaf with `san` under `issuer`, its subject as given or the default (CN = first SAN). */
const leafUnder = (f: Fixtures, issuer: Cert, san: string, subject?: string) => f.leaf(san, { issuer, subject: subject ?? leafSubject(san) })

/** A root permitting the directoryName `permitted` (one attribute) → an intermediate named `subject` → a standard leaf. */
function underConstrainedRoot(f: Fixtures, permitted: string, subject: string): Scenario {
  const root = constrainedRoot(f, 'critical,permitted;dirName:dn_permitted', dirSection('dn_permitted', permitted))
  const inter = f.ca(subject, 'inter', root)
  return { leaf: leafUnder(f, inter, 'DNS:good.example.com'), intermediates: [inter], roots: [root], serverName: 'good.example.com' }
}

/** The shared root → an intermediate constrained by `constraints` → a leaf with `san` (and `subject`), verified for `serverName`. */
function constrainedChain(f: Fixtures, constraints: string, san: string, serverName = 'good.example.com', subject?: string): Scenario {
  const inter = constrainedCa(f, '/O=pure-tls test/CN=Constrained Intermediate', `critical,${constraints}`)
  return under(f, inter, leafUnder(f, inter, san, subject), serverName)
}

/** root → ICA1 → ICA2 → leaf where the root or ICA1 carries the constraints and ICA2 names forbidden.example.com. */
function forbiddenIntermediate(f: Fixtures, on: 'root' | 'ica1', ica2Issuer: 'ica1' | 'self-issued' = 'ica1'): Scenario {
  const constraints = 'critical,permitted;DNS:permitted.example.com,excluded;DNS:forbidden.example.com'
  const root = on === 'root' ? constrainedRoot(f, constraints) : f.root
  const ica1 = on === 'ica1' ? constrainedCa(f, '/O=pure-tls test/CN=ICA1', constraints, root) : f.ca('/O=pure-tls test/CN=ICA1', 'inter', root)
  f.pki.key('ica2', 'ec256')
  // Self-issued: the same name as ICA1 under a new key, as in a key rollover (RFC 5280 6.1.3 (b) exempts it).
  const subject = ica2Issuer === 'self-issued' ? '/O=pure-tls test/CN=ICA1' : '/O=pure-tls test/CN=ICA2'
  const ica2 = f.ca(subject, 'ica2', ica1, [...ca, 'subjectAltName=DNS:forbidden.example.com'])
  const leaf = f.leaf('DNS:www.permitted.example.com', { issuer: ica2, key: 'leaf' })
  return { leaf, intermediates: [ica2, ica1], roots: [root], serverName: 'www.permitted.example.com' }
}

/** `count` openssl GeneralName entries for `side` (permitted/excluded), `make(i)` giving each. */
const subtrees = (side: string, count: number, make: (i: number) => string) => Array.from({ length: count }, (_, i) => `${side};${make(i)}`).join(',')

const cases: ChainCase[] = [
  // ---- constraints reach every certificate below, intermediates included ----
  {
    name: 'root permits permitted.example.com, excludes forbidden.example.com; ICA2 below ICA1 names forbidden.example.com',
    expect: 'name-constraints',
    depth: 1,
    message: /ICA2.*excluded subtree dNSName "forbidden\.example\.com"/,
    build: (f) => forbiddenIntermediate(f, 'root'),
  },
  {
    name: 'the same constraints on ICA1: ICA2 below it names forbidden.example.com',
    expect: 'name-constraints',
    depth: 1,
    build: (f) => forbiddenIntermediate(f, 'ica1'),
  },
  {
    name: 'a self-issued intermediate (key rollover) naming forbidden.example.com is exempt',
    expect: 'ok',
    build: (f) => forbiddenIntermediate(f, 'root', 'self-issued'),
  },
  {
    name: 'a self-issued leaf is not exempt',
    expect: 'name-constraints',
    depth: 0,
    build: (f) => {
      const inter = constrainedCa(f, '/O=pure-tls test/OU=Self Issued', 'critical,excluded;DNS:forbidden.example.com')
      const leaf = f.leaf('DNS:forbidden.example.com', { issuer: inter, subject: '/O=pure-tls test/OU=Self Issued' })
      return under(f, inter, leaf, 'forbidden.example.com')
    },
  },
  {
    name: 'root permits directoryName O=pure-tls test; the intermediate is O=Elsewhere',
    expect: 'name-constraints',
    depth: 1,
    message: /outside the permitted directoryName/,
    build: (f) => underConstrainedRoot(f, 'O=pure-tls test', '/O=Elsewhere/CN=Stray Intermediate'),
  },
  {
    name: 'root permits directoryName O=PURE-TLS TEST: subjects O=pure-tls test match it without regard to case',
    expect: 'ok',
    build: (f) => underConstrainedRoot(f, 'O=PURE-TLS TEST', '/O=pure-tls test/CN=Matching Intermediate'),
  },
  {
    name: 'intermediate excludes directoryName O=Evil; the leaf has a directoryName SAN O=Evil, CN=x',
    expect: 'name-constraints',
    depth: 0,
    message: /excluded subtree directoryName/,
    build: (f) => {
      const inter = constrainedCa(f, '/O=pure-tls test/CN=NC dirName', 'critical,excluded;dirName:dn_evil', f.root, dirSection('dn_evil', 'O=Evil'))
      const san = 'DNS:good.example.com, dirName:dn_evil_leaf'
      const leaf = f.leaf(undefined, { issuer: inter, subject: leafSubject(san), extensions: [...leafExtensions(san), ...dirSection('dn_evil_leaf', 'O=Evil', 'CN=x')] })
      return under(f, inter, leaf)
    },
  },
  // ---- rfc822Name: mailbox, host, domain ----
  { name: 'permits the mailbox root@example.com; the leaf is root@example.com', expect: 'ok', build: (f) => emailCase(f, 'permitted;email:root@example.com', 'root@example.com') },
  { name: 'permits the mailbox root@example.com; the leaf is root@EXAMPLE.com (hosts ignore case)', expect: 'ok', build: (f) => emailCase(f, 'permitted;email:root@example.com', 'root@EXAMPLE.com') },
  {
    name: 'permits the mailbox root@example.com; the leaf is Root@example.com (local parts do not)',
    expect: 'name-constraints',
    depth: 0,
    build: (f) => emailCase(f, 'permitted;email:root@example.com', 'Root@example.com'),
  },
  { name: 'permits the mailbox root@example.com; the leaf is other@example.com', expect: 'name-constraints', depth: 0, build: (f) => emailCase(f, 'permitted;email:root@example.com', 'other@example.com') },
  { name: 'permits the host example.com; the leaf is anyone@example.com', expect: 'ok', build: (f) => emailCase(f, 'permitted;email:example.com', 'anyone@example.com') },
  { name: 'permits the host example.com; the leaf is anyone@sub.example.com', expect: 'name-constraints', depth: 0, build: (f) => emailCase(f, 'permitted;email:example.com', 'anyone@sub.example.com') },
  { name: 'permits the domain .example.com; the leaf is anyone@sub.example.com', expect: 'ok', build: (f) => emailCase(f, 'permitted;email:.example.com', 'anyone@sub.example.com') },
  { name: 'permits the domain .example.com; the leaf is anyone@example.com', expect: 'name-constraints', depth: 0, build: (f) => emailCase(f, 'permitted;email:.example.com', 'anyone@example.com') },
  {
    name: 'excludes the host evil.example; the leaf subject has emailAddress=x@evil.example',
    expect: 'name-constraints',
    depth: 0,
    message: /email address "x@evil\.example"/,
    build: (f) => constrainedChain(f, 'excluded;email:evil.example', 'DNS:good.example.com', undefined, '/O=pure-tls test/CN=good.example.com/emailAddress=x@evil.example'),
  },
  // ---- forms we do not evaluate: refused only when a certificate presents such a name ----
  {
    name: 'excludes an otherName subtree; no certificate has an otherName',
    expect: 'ok',
    build: (f) => constrainedChain(f, 'excluded;otherName:1.3.6.1.4.1.55555.9;UTF8:anything', 'DNS:good.example.com'),
  },
  {
    name: 'excludes an otherName subtree; the leaf has an otherName SAN',
    expect: 'name-constraints',
    depth: 0,
    message: /otherName names/,
    build: (f) => constrainedChain(f, 'excluded;otherName:1.3.6.1.4.1.55555.9;UTF8:anything', 'DNS:good.example.com, otherName:1.3.6.1.4.1.55555.9;UTF8:mine'),
    note: 'OpenSSL cannot evaluate this otherName constraint either',
  },
  {
    name: 'critical URI constraint; no certificate has a URI',
    expect: 'ok',
    build: (f) => constrainedChain(f, 'permitted;URI:.example.com', 'DNS:good.example.com'),
  },
  // ---- malformed constraints ----
  {
    name: 'a dNSName constraint with a leading period (.example.com)',
    expect: 'bad-name-constraints',
    depth: 1,
    message: /leading period/,
    build: (f) => constrainedChain(f, 'permitted;DNS:.example.com', 'DNS:www.example.com', 'www.example.com'),
    openssl: { ok: true, why: 'OpenSSL reads a leading period as "subdomains only"; RFC 5280 4.2.1.10 gives that form to URI and rfc822Name constraints only, so as a dNSName it is malformed' },
  },
  // ---- the work budget ----
  {
    name: `a CA with 200 permitted subtrees and a leaf with 100 SANs (20,000 comparisons, under ${MAX_NAME_CHECKS})`,
    expect: 'ok',
    build: (f) =>
      constrainedChain(f, subtrees('permitted', 200, (i) => `DNS:p${i}.example.com`), Array.from({ length: 100 }, (_, i) => `DNS:h${i}.p199.example.com`).join(', '), 'h0.p199.example.com'),
  },
  {
    name: 'denial of service 1: an intermediate with 2048 permitted and 2048 excluded dNSName subtrees, a leaf with 2048 SANs and 2048 subject attributes',
    expect: 'too-many-name-checks',
    build: (f) => {
      const constraints = `critical,${subtrees('permitted', 2048, (i) => `DNS:p${i}.example.com`)},${subtrees('excluded', 2048, (i) => `DNS:x${i}.example.net`)}`
      const inter = constrainedCa(f, '/O=pure-tls test/CN=NC flood', constraints)
      return under(f, inter, floodLeaf(f, inter, 'OU'), 'h0.p2047.example.com')
    },
    note: 'OpenSSL refuses it too, beyond its own bound on names x constraints',
  },
  {
    name: 'denial of service 2: a root with 2048 permitted and 2048 excluded rfc822Name subtrees, a leaf with 2048 SANs and 2048 emailAddress attributes',
    expect: 'too-many-name-checks',
    build: (f) => {
      const root = constrainedRoot(f, `critical,${subtrees('permitted', 2048, (i) => `email:.d${i}.example`)},${subtrees('excluded', 2048, (i) => `email:.x${i}.example`)}`)
      const inter = f.ca('/O=pure-tls test/CN=Under Flooded Root', 'inter', root)
      return { leaf: floodLeaf(f, inter, 'emailAddress'), intermediates: [inter], roots: [root], serverName: 'h0.p2047.example.com' }
    },
    note: 'OpenSSL refuses it too, beyond its own bound on names x constraints',
  },
]

/** A leaf with 2048 dNSName SANs (all under p2047.example.com) and 2048 subject attributes of `attribute`. */
function floodLeaf(f: Fixtures, issuer: Cert, attribute: 'OU' | 'emailAddress'): Cert {
  const san = Array.from({ length: 2048 }, (_, i) => `DNS:h${i}.p2047.example.com`).join(',')
  const subject = Array.from({ length: 2048 }, (_, i) => (attribute === 'OU' ? `/OU=u${i}` : `/emailAddress=e${i}@m.d2047.example`)).join('')
  return f.leaf(undefined, { issuer, subject, extensions: leafExtensions(san) })
}

/** A leaf with the email SAN `address` under an intermediate whose nameConstraints are `constraint`. */
const emailCase = (f: Fixtures, constraint: string, address: string) => constrainedChain(f, constraint, `DNS:good.example.com, email:${address}`)

runChainCases('name constraints (with openssl verify -x509_strict for agreement)', cases)

describe('the budget', () => {
  it('counts every comparison: 300 permitted subtrees x 300 SANs (90,000) is refused with too-many-name-checks', () => {
    const f = new Fixtures()
    try {
      const san = Array.from({ length: 300 }, (_, i) => `DNS:h${i}.p299.example.com`).join(', ')
      const scenario = constrainedChain(f, subtrees('permitted', 300, (i) => `DNS:p${i}.example.com`), san, 'h0.p299.example.com')
      let caught: unknown
      try {
        verifyCertificateChain({ ...optionsOf(scenario, nobleProvider) })
      } catch (e) {
        caught = e
      }
      expect(caught).toBeInstanceOf(CertificateVerificationError)
      expect((caught as CertificateVerificationError).reason).toBe('too-many-name-checks')
      expect((caught as CertificateVerificationError).alert).toBe('bad_certificate')
    } finally {
      f.pki.cleanup()
    }
  })
})
