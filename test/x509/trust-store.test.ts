// Trust stores: PEM bundles with junk between blocks, DER, Certificates, lazy parsing, Node's stores and the bundled roots.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { rootCertificates } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TlsConfigError } from '../../src/errors.js'
import { parseCertificate } from '../../src/x509/certificate.js'
import { systemBundlePath, systemTrustStore, trustStoreFromFile } from '../../src/x509/node-store.js'
import { mozillaRoots, mozillaTrustStore } from '../../src/x509/roots/mozilla.js'
import { TrustStore } from '../../src/x509/trust-store.js'
import { Fixtures } from './chains.js'

let f: Fixtures
beforeAll(() => {
  f = new Fixtures()
})
afterAll(() => f.pki.cleanup())

describe('TrustStore', () => {
  it('loads every CERTIFICATE block of a bundle and skips text, keys and comments between them', () => {
    const bundle = [
      '# A comment line, as in ca-certificates.crt',
      'Bag Attributes',
      '    friendlyName: test',
      f.root.pem,
      'subject=/CN=whatever\nissuer=/CN=whatever',
      '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBb0BJd0wmLmVPFcKBMvzBlkPfrkyh6hnWLAEW9ORyAr\n-----END PRIVATE KEY-----',
      f.intermediate.pem,
      'trailing junk',
    ].join('\n')
    const store = TrustStore.fromPem(bundle)
    expect(store.size).toBe(2)
    expect(store.contains(f.root.der)).toBe(true)
    expect(store.contains(f.intermediate.der)).toBe(true)
  })

  it('takes DER and Certificate objects, and ignores duplicates', () => {
    const store = new TrustStore()
    expect(store.add(f.root.der)).toBe(1)
    expect(store.add(parseCertificate(f.root.der))).toBe(0)
    expect(store.add(f.root.pem)).toBe(0)
    expect(store.addCertificate(f.intermediate.der)).toBe(true)
    expect(store.size).toBe(2)
  })

  it('indexes anchors by the exact subject Name', () => {
    const store = new TrustStore([f.root.der, f.intermediate.der])
    const rootSubject = parseCertificate(f.root.der).subject.der
    expect(store.anchorsWithSubject(rootSubject).map((c) => c.subject.text)).toEqual(['O=pure-tls test, CN=Test Root'])
    expect(store.anchorsWithSubject(Uint8Array.from([0x30, 0x00]))).toEqual([])
  })

  it('refuses bytes that are not shaped like a certificate', () => {
    expect(() => new TrustStore().addCertificate(Uint8Array.from([1, 2, 3]))).toThrow(TlsConfigError)
    expect(() => new TrustStore().add(Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x00]))).toThrow(TlsConfigError)
  })

  it('parses lazily: a certificate broken past its subject loads, and is skipped when used', () => {
    const broken = f.root.der.slice()
    // Break the outer signatureAlgorithm copy only (the last OID occurrence of ecdsa-with-SHA256).
    const at = Buffer.from(broken).lastIndexOf(Buffer.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]))
    broken[at + 7] = 0x03
    const store = new TrustStore([broken])
    expect(store.size).toBe(1)
    expect(store.anchorsWithSubject(parseCertificate(f.root.der).subject.der)).toEqual([])
    expect(store.certificates()).toEqual([])
  })
})

describe('bundled and system roots', () => {
  it('the generated Mozilla set matches Node and every root parses, keys included', () => {
    expect(mozillaRoots.length).toBe(rootCertificates.length)
    const store = mozillaTrustStore()
    expect(store.size).toBe(mozillaRoots.length)
    const all = store.certificates()
    expect(all.length).toBe(mozillaRoots.length)
    for (const cert of all) expect(() => cert.publicKey).not.toThrow()
  })

  it('systemTrustStore holds Node roots and the OS bundle when there is one', () => {
    const store = systemTrustStore()
    expect(store.size).toBeGreaterThanOrEqual(rootCertificates.length)
    if (existsSync(systemBundlePath)) expect(store.size).toBeGreaterThanOrEqual(trustStoreFromFile(systemBundlePath).size)
  })

  it('trustStoreFromFile reads a PEM file', () => {
    const path = join(f.pki.dir, 'bundle.pem')
    writeFileSync(path, f.root.pem + f.intermediate.pem)
    expect(trustStoreFromFile(path).size).toBe(2)
  })
})
