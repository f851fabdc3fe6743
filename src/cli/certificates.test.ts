// Certificates we issue, judged by others: openssl verify -x509_strict, openssl x509 -text, node:crypto and node:tls.
import { execFile } from 'node:child_process'
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { disposePeers, nodeTlsConnect, startNodeTlsServer } from '../../test/helpers/peers.js'
import { importPrivateKey } from '../crypto/keys.js'
import { TlsConfigError } from '../errors.js'
import { type IssuedCertificate, createCertificateAuthority, issueLeafCertificate } from './certificates.js'

const directory = mkdtempSync(join(tmpdir(), 'pure-tls-certificates-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))
afterEach(disposePeers)

let fileCount = 0
function pemFile(...certificates: IssuedCertificate[]): string {
  const path = join(directory, `${++fileCount}.pem`)
  writeFileSync(path, certificates.map((c) => c.certificatePem).join(''))
  return path
}

function openssl(args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => execFile('openssl', args, (error, stdout, stderr) => resolve({ ok: error === null, output: stdout + stderr })))
}

/** `openssl verify -x509_strict` of `leaf` against `root`, with intermediates as untrusted. */
function verify(root: IssuedCertificate, leaf: IssuedCertificate, intermediates: IssuedCertificate[], extra: string[] = []) {
  const untrusted = intermediates.length > 0 ? ['-untrusted', pemFile(...intermediates)] : []
  return openssl(['verify', '-x509_strict', '-CAfile', pemFile(root), ...untrusted, ...extra, pemFile(leaf)])
}

function text(certificate: IssuedCertificate): Promise<string> {
  return openssl(['x509', '-noout', '-text', '-in', pemFile(certificate)]).then((result) => result.output)
}

function rsaKeyPem(type: 'rsa' | 'rsa-pss'): string {
  return generateKeyPairSync(type as 'rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
}

/** root (P-256) -> intermediate (P-384, pathlen 0) -> leaf (Ed25519), made once for the tests that only read it. */
const root = createCertificateAuthority({ commonName: 'pure-tls test root', keyType: 'ecdsa-p256', validDays: 30 })
const intermediate = createCertificateAuthority({ commonName: 'pure-tls test intermediate', keyType: 'ecdsa-p384', validDays: 30, pathLength: 0, issuer: root })
const leaf = issueLeafCertificate({
  issuer: intermediate,
  commonName: 'localhost',
  dnsNames: ['localhost', '*.example.test'],
  ipAddresses: ['127.0.0.1', '::1'],
  purpose: 'serverAuth',
  keyType: 'ed25519',
  validDays: 7,
})

describe('certificates accepted by openssl verify -x509_strict', () => {
  it('verifies the chain as an SSL server for its DNS names and IP addresses', async () => {
    for (const check of [['-verify_hostname', 'localhost'], ['-verify_hostname', 'a.example.test'], ['-verify_ip', '127.0.0.1'], ['-verify_ip', '::1']]) {
      const result = await verify(root, leaf, [intermediate], ['-purpose', 'sslserver', ...check])
      expect(result.output).toContain(': OK')
      expect(result.ok).toBe(true)
    }
  })

  it('refuses names the certificate does not carry, and the client purpose for a server leaf', async () => {
    expect((await verify(root, leaf, [intermediate], ['-verify_hostname', 'other.test'])).output).toMatch(/hostname mismatch/)
    expect((await verify(root, leaf, [intermediate], ['-verify_ip', '10.0.0.1'])).output).toMatch(/IP address mismatch/)
    expect((await verify(root, leaf, [intermediate], ['-purpose', 'sslclient'])).output).toMatch(/unsuitable certificate purpose/)
  })

  it('issues client and dual-purpose leaves', async () => {
    const client = issueLeafCertificate({ issuer: root, commonName: 'a client', purpose: 'clientAuth', validDays: 1 })
    expect((await verify(root, client, [], ['-purpose', 'sslclient'])).ok).toBe(true)
    expect((await verify(root, client, [], ['-purpose', 'sslserver'])).ok).toBe(false)
    const both = issueLeafCertificate({ issuer: root, commonName: 'both', dnsNames: ['both.test'], purpose: 'both', keyType: 'ecdsa-p384', validDays: 1 })
    expect((await verify(root, both, [], ['-purpose', 'sslclient'])).ok).toBe(true)
    expect((await verify(root, both, [], ['-purpose', 'sslserver', '-verify_hostname', 'both.test'])).ok).toBe(true)
  })

  it('enforces the intermediate pathlen 0 it was given', async () => {
    const below = createCertificateAuthority({ commonName: 'too deep', validDays: 1, issuer: intermediate })
    const deepLeaf = issueLeafCertificate({ issuer: below, commonName: 'deep', dnsNames: ['deep.test'], purpose: 'serverAuth', validDays: 1 })
    expect((await verify(root, deepLeaf, [intermediate, below])).output).toMatch(/path length constraint exceeded/)
  })

  it('signs with RSA keys passed in: PKCS#1 v1.5 for rsaEncryption keys, PSS for RSASSA-PSS keys', async () => {
    const rsaRoot = createCertificateAuthority({ commonName: 'rsa root', key: importPrivateKey(rsaKeyPem('rsa')), validDays: 1 })
    const pssRoot = createCertificateAuthority({ commonName: 'pss root', key: importPrivateKey(rsaKeyPem('rsa-pss')), validDays: 1 })
    for (const [ca, algorithm] of [[rsaRoot, 'sha256WithRSAEncryption'], [pssRoot, 'rsassaPss']] as const) {
      const rsaLeaf = issueLeafCertificate({ issuer: ca, commonName: 'rsa', dnsNames: ['rsa.test'], purpose: 'serverAuth', key: ca.key, validDays: 1 })
      const result = await verify(ca, rsaLeaf, [], ['-purpose', 'sslserver', '-verify_hostname', 'rsa.test'])
      expect(result.output).toContain(': OK')
      expect(await text(rsaLeaf)).toContain(`Signature Algorithm: ${algorithm}`)
    }
  })
})

describe('certificate contents', () => {
  it('shows the extensions in openssl x509 -text', async () => {
    const caText = await text(intermediate)
    expect(caText).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/)
    expect(caText).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/)
    expect(caText).toMatch(/Signature Algorithm: ecdsa-with-SHA256/)
    expect(caText).toMatch(/Subject Key Identifier/)
    expect(caText).toMatch(/Authority Key Identifier/)
    const rootText = await text(root)
    expect(rootText).toMatch(/Basic Constraints: critical\s+CA:TRUE\n/)
    const leafText = await text(leaf)
    expect(leafText).toMatch(/Basic Constraints: critical\s+CA:FALSE/)
    expect(leafText).toMatch(/Key Usage: critical\s+Digital Signature\n/)
    expect(leafText).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication\n/)
    expect(leafText).toMatch(/DNS:localhost, DNS:\*\.example\.test, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/)
    expect(leafText).toMatch(/Signature Algorithm: ecdsa-with-SHA384/)
    expect(leafText).toMatch(/Public Key Algorithm: ED25519/)
  })

  it('parses in node:crypto, whose checkHost and checkIP agree with the SAN', () => {
    const x509 = new X509Certificate(leaf.certificate)
    expect(x509.subject).toBe('CN=localhost')
    expect(x509.issuer).toBe('CN=pure-tls test intermediate')
    expect(x509.ca).toBe(false)
    expect(new X509Certificate(intermediate.certificatePem).ca).toBe(true)
    expect(x509.checkHost('localhost')).toBe('localhost')
    expect(x509.checkHost('www.example.test')).toBe('*.example.test')
    expect(x509.checkHost('example.test')).toBeUndefined()
    expect(x509.checkHost('elsewhere.test')).toBeUndefined()
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(x509.checkIP('::1')).toBe('::1')
    expect(x509.checkIP('127.0.0.2')).toBeUndefined()
    expect(x509.checkIssued(new X509Certificate(intermediate.certificate))).toBe(true)
    expect(x509.verify(new X509Certificate(intermediate.certificate).publicKey)).toBe(true)
    expect(x509.checkPrivateKey(createPrivateKey(leaf.keyPem))).toBe(true)
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1'])
  })

  it('draws a positive 16-byte serial per certificate', () => {
    const serials = [root, intermediate, leaf].map((c) => new X509Certificate(c.certificate).serialNumber)
    for (const serial of serials) expect(serial).toMatch(/^[4-7][0-9A-F]{31}$/)
    expect(new Set(serials).size).toBe(3)
  })

  it('writes UTCTime through 2049 and GeneralizedTime from 2050, in whole seconds', () => {
    const ca = createCertificateAuthority({ commonName: 'long', validDays: 2, notBefore: new Date('2049-12-31T12:34:56.789Z') })
    const parsed = pkijs.Certificate.fromBER(new Uint8Array(ca.certificate))
    const [notBefore, notAfter] = [parsed.notBefore.toSchema(), parsed.notAfter.toSchema()]
    expect(notBefore).toBeInstanceOf(asn1js.UTCTime)
    expect(notAfter).toBeInstanceOf(asn1js.GeneralizedTime)
    const der = Buffer.from(ca.certificate).toString('latin1')
    expect(der).toContain('491231123456Z')
    expect(der).toContain('20500102123456Z')
  })

  it('copies the issuer name byte for byte and points the AKI at the issuer SKI', () => {
    const parsedLeaf = pkijs.Certificate.fromBER(new Uint8Array(leaf.certificate))
    const parsedCa = pkijs.Certificate.fromBER(new Uint8Array(intermediate.certificate))
    expect(Buffer.from(parsedLeaf.issuer.toSchema().toBER())).toEqual(Buffer.from(parsedCa.subject.toSchema().toBER()))
    const ski = parsedCa.extensions?.find((e) => e.extnID === '2.5.29.14')?.parsedValue as asn1js.OctetString
    const aki = parsedLeaf.extensions?.find((e) => e.extnID === '2.5.29.35')?.parsedValue as pkijs.AuthorityKeyIdentifier
    expect(Buffer.from(aki.keyIdentifier!.valueBlock.valueHexView)).toEqual(Buffer.from(ski.valueBlock.valueHexView))
    expect(ski.valueBlock.valueHexView.length).toBe(20)
  })

  it('returns the key as PKCS#8 PEM that imports back and that openssl reads', async () => {
    expect(importPrivateKey(leaf.keyPem)).toEqual(leaf.key)
    const keyPath = join(directory, 'leaf-key.pem')
    writeFileSync(keyPath, leaf.keyPem)
    expect((await openssl(['pkey', '-in', keyPath, '-noout'])).ok).toBe(true)
  })
})

describe('certificates in a real handshake', () => {
  it('node:tls serves the chain and a node:tls client verifies it and the host name', async () => {
    const server = await startNodeTlsServer({ cert: leaf.certificatePem + intermediate.certificatePem, key: leaf.keyPem })
    const client = await nodeTlsConnect({ port: server.port, ca: root.certificatePem, servername: 'localhost' })
    expect(client.socket.authorized).toBe(true)
    await expect(nodeTlsConnect({ port: server.port, ca: root.certificatePem, servername: 'other.test' })).rejects.toThrow(/other\.test/)
  })
})

describe('option checks', () => {
  it('refuses bad input with a TlsConfigError naming the option', () => {
    const bad = [
      () => issueLeafCertificate({ issuer: root, commonName: 'x', ipAddresses: ['300.1.1.1'], purpose: 'serverAuth', validDays: 1 }),
      () => createCertificateAuthority({ commonName: 'x', validDays: 0 }),
      () => createCertificateAuthority({ commonName: 'x', validDays: 1, pathLength: -1 }),
      () => issueLeafCertificate({ issuer: { certificate: new Uint8Array([1, 2, 3]), key: root.key }, commonName: 'x', purpose: 'serverAuth', validDays: 1 }),
    ]
    for (const attempt of bad) expect(attempt).toThrow(TlsConfigError)
  })
})
