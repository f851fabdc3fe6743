// The verifiers the handshake calls (Web PKI, pinned, none), path-search bounds, and timings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nobleProvider } from '../../src/crypto/noble.js'
import { type CertificateFailureReason, CertificateVerificationError, TlsConfigError } from '../../src/errors.js'
import { CertificateCache } from '../../src/x509/certificate-cache.js'
import { parseCertificate } from '../../src/x509/certificate.js'
import { TrustStore } from '../../src/x509/trust-store.js'
import { isPending } from '../../src/pending.js'
import type { ExpectedClientNames } from '../../src/x509/client-names.js'
import type { CertificateProfile } from '../../src/x509/profile.js'
import { insecureNoVerification, pinnedCertificateVerifier, webPkiVerifier, type WebPkiVerifierOptions } from '../../src/x509/verifier.js'
import { verifyCertificateChain } from '../../src/x509/verify.js'
import { asyncVerifyProvider } from './chain-cases.js'
import { Fixtures, NOW } from './chains.js'
import type { Cert } from './pki.js'

let f: Fixtures
let leaf: Cert
beforeAll(() => {
  f = new Fixtures()
  leaf = f.leaf('DNS:good.example.com')
})
afterAll(() => f.pki.cleanup())

function failure(run: () => unknown): { reason: CertificateFailureReason; depth: number; alert: string } {
  try {
    run()
  } catch (e) {
    if (e instanceof CertificateVerificationError) return { reason: e.reason, depth: e.depth, alert: e.alert }
    throw e
  }
  throw new Error('expected a CertificateVerificationError')
}

describe('webPkiVerifier', () => {
  const verifier = () => webPkiVerifier({ trustStore: new TrustStore([f.root.der]), provider: nobleProvider, now: () => NOW })

  it('returns the path and the leaf', () => {
    const peer = verifier().verify([leaf.der, f.intermediate.der], { purpose: 'serverAuth', serverName: 'good.example.com' })
    expect(peer.verified).toBe(true)
    expect(peer.path.map((c) => c.subject.text)).toEqual(['O=pure-tls test, CN=good.example.com', 'O=pure-tls test, CN=Test Intermediate', 'O=pure-tls test, CN=Test Root'])
    expect(peer.leaf).toBe(peer.path[0])
  })
  it('checks the host name for serverAuth, and requires one', () => {
    expect(failure(() => verifier().verify([leaf.der, f.intermediate.der], { purpose: 'serverAuth', serverName: 'evil.example.com' })).reason).toBe('hostname-mismatch')
    expect(failure(() => verifier().verify([leaf.der, f.intermediate.der], { purpose: 'serverAuth' })).reason).toBe('hostname-mismatch')
  })
  it('skips the host name when told to, and for clientAuth', () => {
    const lax = webPkiVerifier({ trustStore: new TrustStore([f.root.der]), provider: nobleProvider, checkHostname: false, now: () => NOW })
    expect(lax.verify([leaf.der, f.intermediate.der], { purpose: 'serverAuth' }).verified).toBe(true)
    expect(verifier().verify([leaf.der, f.intermediate.der], { purpose: 'clientAuth', serverName: 'ignored.example' }).verified).toBe(true)
  })
  it('prefers the context time to its clock', () => {
    expect(failure(() => verifier().verify([leaf.der, f.intermediate.der], { purpose: 'serverAuth', serverName: 'good.example.com', now: new Date('2045-01-01') })).reason).toBe('expired')
  })
  it('maps failures to alerts', () => {
    const unknown = failure(() => verifier().verify([leaf.der], { purpose: 'serverAuth', serverName: 'good.example.com' }))
    expect(unknown).toEqual({ reason: 'unknown-issuer', depth: 0, alert: 'unknown_ca' })
  })
  it('reports a malformed intermediate at its position', () => {
    const broken = f.intermediate.der.slice(0, -1)
    expect(failure(() => verifier().verify([leaf.der, broken], { purpose: 'serverAuth', serverName: 'good.example.com' }))).toEqual({
      reason: 'malformed',
      depth: 1,
      alert: 'bad_certificate',
    })
  })
  it('trusts a self-signed leaf that is itself in the store, even with cA set (as `openssl req -x509` makes them)', () => {
    f.pki.key('self', 'ec256')
    const extensions = ['basicConstraints=critical,CA:TRUE', 'subjectKeyIdentifier=hash', 'subjectAltName=DNS:self.example']
    const self = f.pki.cert('self-signed', { subject: '/CN=self.example', key: 'self', extensions })
    const store = new TrustStore([self.der])
    const peer = webPkiVerifier({ trustStore: store, provider: nobleProvider, now: () => NOW }).verify([self.der], { purpose: 'serverAuth', serverName: 'self.example' })
    expect(peer.path.length).toBe(1)
    expect(failure(() => webPkiVerifier({ trustStore: new TrustStore([f.root.der]), provider: nobleProvider, now: () => NOW }).verify([self.der], { purpose: 'serverAuth', serverName: 'self.example' })).reason).toBe('ca-as-leaf')
  })
})

describe('webPkiVerifier with an asynchronous provider', () => {
  const asyncVerifier = (extra: Partial<WebPkiVerifierOptions> = {}) =>
    webPkiVerifier({ trustStore: new TrustStore([f.root.der]), provider: asyncVerifyProvider, now: () => NOW, ...extra })

  it('answers with a promise of the same peer', async () => {
    const answer = asyncVerifier().verify([leaf.der, f.intermediate.der], { purpose: 'serverAuth', serverName: 'good.example.com' })
    expect(isPending(answer)).toBe(true)
    const peer = await answer
    expect(peer.verified).toBe(true)
    expect(peer.path.map((c) => c.subject.text)).toEqual(['O=pure-tls test, CN=good.example.com', 'O=pure-tls test, CN=Test Intermediate', 'O=pure-tls test, CN=Test Root'])
  })
  it('rejects with the CertificateVerificationError once it has waited, and throws what it can tell at once', async () => {
    const wrongName = asyncVerifier().verify([leaf.der, f.intermediate.der], { purpose: 'serverAuth', serverName: 'evil.example.com' })
    await expect(wrongName).rejects.toMatchObject({ reason: 'hostname-mismatch', alert: 'bad_certificate' })
    expect(failure(() => asyncVerifier().verify([leaf.der.slice(0, 10)], { purpose: 'serverAuth', serverName: 'good.example.com' })).reason).toBe('malformed')
  })
  it('counts a rejected or throwing verify as a bad signature, never as an unhandled rejection', async () => {
    const rejecting = { ...nobleProvider, verify: () => Promise.reject(new Error('device gone')) }
    const answer = webPkiVerifier({ trustStore: new TrustStore([f.root.der]), provider: rejecting, now: () => NOW }).verify([leaf.der, f.intermediate.der], {
      purpose: 'serverAuth',
      serverName: 'good.example.com',
    })
    await expect(answer).rejects.toMatchObject({ reason: 'bad-signature' })
  })
})

describe('what a caller can ask of webPkiVerifier', () => {
  it('expectedClientNames: a client leaf must carry one of the DNS, email or URI names', () => {
    const client = f.leaf('DNS:device.example.com, email:ops@Example.COM, URI:spiffe://example.com/worker')
    const verify = (expectedClientNames: ExpectedClientNames) =>
      webPkiVerifier({ trustStore: new TrustStore([f.root.der]), provider: nobleProvider, now: () => NOW, expectedClientNames }).verify([client.der, f.intermediate.der], { purpose: 'clientAuth' })
    expect(verify({ dnsNames: ['DEVICE.example.com'] }).verified).toBe(true)
    expect(verify({ emailAddresses: ['ops@example.com'] }).verified).toBe(true)
    expect(verify({ uris: ['spiffe://example.com/worker'] }).verified).toBe(true)
    expect(failure(() => verify({ emailAddresses: ['OPS@example.com'], uris: ['spiffe://example.com/other'] }))).toEqual({ reason: 'client-name-mismatch', depth: 0, alert: 'access_denied' })
  })
  it('refuses malformed options when the verifier is made', () => {
    const make = (extra: Partial<WebPkiVerifierOptions>) => () => webPkiVerifier({ trustStore: new TrustStore(), provider: nobleProvider, ...extra })
    expect(make({ expectedClientNames: {} })).toThrow(TlsConfigError)
    expect(make({ expectedClientNames: { dnsNames: [''] } })).toThrow(TlsConfigError)
    expect(make({ certificateProfile: 'lenient' as CertificateProfile })).toThrow(TlsConfigError)
  })
  it("certificateProfile 'private-pki' drops the Baseline Requirements' rules, and only those", () => {
    const cnElsewhere = f.leaf('DNS:good.example.com', { subject: '/CN=internal-name' })
    const verify = (certificateProfile?: CertificateProfile) =>
      webPkiVerifier({ trustStore: new TrustStore([f.root.der]), provider: nobleProvider, now: () => NOW, certificateProfile }).verify([cnElsewhere.der, f.intermediate.der], {
        purpose: 'serverAuth',
        serverName: 'good.example.com',
      })
    expect(failure(() => verify()).reason).toBe('bad-common-name')
    expect(verify('private-pki').verified).toBe(true)
  })
})

describe('pinned and insecure verifiers', () => {
  it('pinnedCertificateVerifier accepts exactly the pinned leaf', () => {
    const pinned = pinnedCertificateVerifier([leaf.der])
    expect(pinned.verify([leaf.der], { purpose: 'serverAuth', serverName: 'anything' }).verified).toBe(true)
    expect(failure(() => pinned.verify([f.intermediate.der, leaf.der], { purpose: 'serverAuth' })).reason).toBe('pinned-mismatch')
  })
  it('insecureNoVerification parses the leaf and says it is unverified', () => {
    const peer = insecureNoVerification().verify([leaf.der], { purpose: 'serverAuth' })
    expect(peer.verified).toBe(false)
    expect(peer.leaf.subject.text).toBe('O=pure-tls test, CN=good.example.com')
    expect(failure(() => insecureNoVerification().verify([Uint8Array.from([0x30, 0x00])], { purpose: 'serverAuth' })).reason).toBe('malformed')
  })
  it('every verifier refuses an empty chain with no-certificate', () => {
    for (const v of [webPkiVerifier({ trustStore: new TrustStore(), provider: nobleProvider }), pinnedCertificateVerifier([]), insecureNoVerification()]) {
      expect(failure(() => v.verify([], { purpose: 'clientAuth' }))).toEqual({ reason: 'no-certificate', depth: 0, alert: 'certificate_required' })
    }
  })
})

describe('path search bounds', () => {
  const verify = (chain: readonly Cert[], roots: readonly Cert[], extra: { maxSignatureChecks?: number; maxDepth?: number } = {}) =>
    verifyCertificateChain({ chain: chain.map((c) => c.der), trustStore: new TrustStore(roots.map((r) => r.der)), purpose: 'serverAuth', now: NOW, provider: nobleProvider, ...extra })

  it('stops with too-many-paths when the signature budget runs out', () => {
    expect(failure(() => verify([leaf, f.intermediate], [f.root], { maxSignatureChecks: 1 })).reason).toBe('too-many-paths')
  })
  it('honours maxDepth', () => {
    expect(failure(() => verify([leaf, f.intermediate], [f.root], { maxDepth: 1 })).reason).toBe('too-deep')
    expect(verify([leaf, f.intermediate], [f.root], { maxDepth: 2 }).path.length).toBe(3)
  })
  it('a mesh of mutually cross-signed CAs with no anchor fails fast', () => {
    const names = ['Mesh A', 'Mesh B', 'Mesh C', 'Mesh D']
    for (const n of names) f.pki.key(n.replace(' ', '-'), 'ec256')
    const selfSigned = names.map((n) => f.ca(`/CN=${n}`, n.replace(' ', '-')))
    const mesh: Cert[] = []
    for (const [i, n] of names.entries()) for (const [j, issuer] of selfSigned.entries()) if (i !== j) mesh.push(f.ca(`/CN=${n}`, n.replace(' ', '-'), issuer))
    const meshLeaf = f.leaf('DNS:good.example.com', { issuer: mesh[0] })
    const started = performance.now()
    const result = failure(() => verify([meshLeaf, ...mesh], [f.root]))
    const elapsed = performance.now() - started
    expect(['unknown-issuer', 'too-many-paths']).toContain(result.reason)
    console.log(`mesh of ${mesh.length} cross-signed CAs: ${result.reason} in ${elapsed.toFixed(0)} ms`)
  })
})

describe('timings', () => {
  it('parse and verify costs (printed)', () => {
    f.pki.key('t-rsa-root', 'rsa2048')
    f.pki.key('t-rsa-leaf', 'rsa2048')
    const rsaRoot = f.ca('/CN=Timing RSA Root', 't-rsa-root')
    const rsaInter = f.ca('/CN=Timing RSA Intermediate', 't-rsa-root', rsaRoot)
    const rsaLeaf = f.leaf('DNS:good.example.com', { issuer: rsaInter, key: 't-rsa-leaf' })
    const chains = {
      ecdsa: { chain: [leaf.der, f.intermediate.der], root: f.root.der },
      rsa: { chain: [rsaLeaf.der, rsaInter.der], root: rsaRoot.der },
    }
    const time = (n: number, run: () => void) => {
      for (let i = 0; i < Math.min(n, 20); i++) run()
      const started = performance.now()
      for (let i = 0; i < n; i++) run()
      return ((performance.now() - started) / n) * 1000
    }
    const lines: string[] = []
    lines.push(`parse (no cache, leaf ${leaf.der.length} B): ${time(300, () => parseCertificate(leaf.der, { cache: null })).toFixed(0)} µs`)
    const cache = new CertificateCache()
    parseCertificate(leaf.der, { cache })
    lines.push(`parse (cache hit): ${time(3000, () => parseCertificate(leaf.der, { cache })).toFixed(1)} µs`)
    for (const [label, c] of Object.entries(chains)) {
      const store = new TrustStore([c.root])
      const run = (useCache: CertificateCache | null) => () =>
        verifyCertificateChain({ chain: c.chain, trustStore: store, purpose: 'serverAuth', serverName: 'good.example.com', now: NOW, provider: nobleProvider, cache: useCache })
      lines.push(`verify ${label} chain cold (no cache): ${time(30, run(null)).toFixed(0)} µs; warm (cached parse): ${time(30, run(cache)).toFixed(0)} µs`)
    }
    console.log(lines.join('\n'))
  })
})
