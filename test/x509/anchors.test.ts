// Trust anchors: every root of the bundled Mozilla store and of the Node system store passes the anchor-side rules; real chains verify under test roots of each key type and under a root with every legacy trait the real stores show.
import { describe, expect, it } from 'vitest'
import { pemDecode } from '../../src/crypto/pem.js'
import { parseCertificate, type Certificate } from '../../src/x509/certificate.js'
import { systemTrustStore } from '../../src/x509/node-store.js'
import { profileRules } from '../../src/x509/profile.js'
import { mozillaRoots } from '../../src/x509/roots/mozilla.js'
import { checkTrustAnchor } from '../../src/x509/verify.js'
import { type ChainCase, runChainCases } from './chain-cases.js'
import { authorityKeyIdLine, caExtensions, type Fixtures, leafExtensions, leafSubject } from './chains.js'
import type { KeyKind } from './pki.js'

const SAN = 'DNS:good.example.com'

function describeKey(cert: Certificate): string {
  const key = cert.publicKey
  return key.type === 'rsa' ? `RSA-${key.bits}` : key.type === 'ec' ? `EC ${key.curve}` : 'Ed25519'
}

/** Every root of a store must pass checkTrustAnchor for serverAuth under the strict profile; prints what it found. */
function checkStore(label: string, roots: readonly Certificate[]): void {
  const refused: string[] = []
  const keyTypes = new Map<string, number>()
  const expired: string[] = []
  for (const root of roots) {
    try {
      checkTrustAnchor(root, 'serverAuth', 'web-pki')
    } catch (e) {
      refused.push(`${root}: ${(e as Error).message}`)
    }
    keyTypes.set(describeKey(root), (keyTypes.get(describeKey(root)) ?? 0) + 1)
    if (root.notAfter.getTime() < Date.now()) expired.push(root.subject.text)
  }
  console.log(`${label}: ${roots.length} roots, all accepted as anchors: ${refused.length === 0}; key types ${[...keyTypes].map(([k, n]) => `${k} x${n}`).join(', ')}; expired by now (a matter of time, not of the anchor rules): ${expired.join('; ') || 'none'}`)
  expect(refused).toEqual([])
}

describe('the real root stores as trust anchors', () => {
  it('every root of the bundled Mozilla store passes the anchor-side rules', () => {
    const roots = mozillaRoots.flatMap((pem) => pemDecode(pem, 'CERTIFICATE')).map((block) => parseCertificate(block.der, { cache: null }))
    expect(roots.length).toBeGreaterThan(100)
    checkStore('Mozilla store', roots)
  })
  it('every root of the Node system store passes the anchor-side rules', () => {
    const store = systemTrustStore()
    const roots = store.certificates()
    // Nothing was dropped on the way in: every certificate the store holds parses.
    expect(roots.length).toBe(store.size)
    checkStore('Node system store', roots)
  })
  it('the rules that apply to anchors are only the BR rules on roots', () => {
    const anchorRules = profileRules.filter((rule) => rule.places.includes('anchor')).map((rule) => rule.source)
    console.log(`profile rules applied to trust anchors: ${anchorRules.join(', ')}`)
    expect(anchorRules).toEqual(['BR 6.1.5', 'BR 7.1.2.1.3'])
  })
})

/** root (key `kind`) → intermediate (same kind) → EC P-256 leaf. */
function chainUnder(f: Fixtures, kind: KeyKind): ReturnType<ChainCase['build']> {
  f.pki.key(`anchor-${kind}`, kind)
  f.pki.key(`anchor-inter-${kind}`, kind)
  const root = f.ca(`/O=pure-tls test/CN=${kind} Root`, `anchor-${kind}`)
  const inter = f.ca(`/O=pure-tls test/CN=${kind} Intermediate`, `anchor-inter-${kind}`, root)
  return { leaf: f.leaf(SAN, { issuer: inter }), intermediates: [inter], roots: [root], serverName: 'good.example.com' }
}

/** The traits found in real roots (serial 0, no SKI, non-critical basicConstraints, AKI with issuer and serial, no keyUsage), in one 2009 root. */
function legacyRoot(f: Fixtures): ReturnType<ChainCase['build']> {
  f.pki.key('legacy-root', 'rsa2048')
  const root = f.ca('/O=pure-tls test/CN=Legacy Root', 'legacy-root', undefined, ['basicConstraints=CA:TRUE', 'subjectKeyIdentifier=none', 'authorityKeyIdentifier=issuer:always'], {
    serial: '00',
    notBefore: '20090101000000Z',
  })
  const inter = f.ca('/O=pure-tls test/CN=Under Legacy Root', 'inter', root, [...caExtensions.filter((line) => !line.startsWith('authorityKeyIdentifier')), authorityKeyIdLine(root)])
  const leaf = f.leaf(undefined, { issuer: inter, subject: leafSubject(SAN), extensions: leafExtensions(SAN) })
  return { leaf, intermediates: [inter], roots: [root], serverName: 'good.example.com' }
}

const cases: ChainCase[] = [
  ...(['ec256', 'ec384', 'rsa2048', 'rsa4096', 'ed25519'] as const).map((kind): ChainCase => ({ name: `a chain under a ${kind} root`, expect: 'ok', build: (f) => chainUnder(f, kind) })),
  {
    name: 'a chain under a root with serial 0, no subjectKeyIdentifier, non-critical basicConstraints, an issuer-and-serial AKI and no keyUsage',
    expect: 'ok',
    build: legacyRoot,
    openssl: { ok: false, why: 'OpenSSL -x509_strict refuses the root itself (no subjectKeyIdentifier, non-critical basicConstraints); RFC 5280 6.1 takes an anchor as a name and a key, and real roots have these traits' },
  },
]

runChainCases('chains under trust anchors (with openssl verify -x509_strict for agreement)', cases)
