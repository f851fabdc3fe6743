// Test chain fixtures: one shared PKI (roots, intermediates, leaves) built with openssl, and helpers to issue more.
import { createHash } from 'node:crypto'
import { bitStringOf, decodeDer, sequenceOf } from '../../src/crypto/der-reader.js'
import { parseCertificate } from '../../src/x509/certificate.js'
import { type Cert, type CertOptions, Pki } from './pki.js'

/** The instant every case is verified at, unless it says otherwise (inside the default 2020–2040 validity). */
export const NOW = new Date('2030-06-01T00:00:00Z')

export const caExtensions = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid']

/** A profile-conforming end entity: basicConstraints, keyUsage, EKU, key identifiers, and the SAN when given. */
export function leafExtensions(san: string | undefined, ...extra: string[]): string[] {
  const base = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth,clientAuth',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
  ]
  return [...base, ...(san ? [`subjectAltName=${san}`] : []), ...extra]
}

/**
 * The subject a leaf gets by default: CN = its first SAN value (the BR want the CN among the SANs), or no CN at all
 * when it has no SAN or the first one is neither a DNS name nor an IP address.
 */
export function leafSubject(san: string | undefined): string {
  const first = san?.split(',')[0]!.trim()
  const value = first && /^(DNS|IP):/.test(first) ? first.slice(first.indexOf(':') + 1) : undefined
  return value === undefined ? '/O=pure-tls test/OU=leaf' : `/O=pure-tls test/CN=${value}`
}

/** Replaces the extension lines whose name starts like one of `overrides`' names. */
export function withExtensions(base: readonly string[], ...overrides: string[]): string[] {
  const names = overrides.map((o) => o.split('=')[0]!)
  return [...base.filter((line) => !names.includes(line.split('=')[0]!)), ...overrides]
}

/**
 * An authorityKeyIdentifier extension line naming `issuer`'s key by RFC 5280 4.2.1.2 method (1), SHA-1 of its
 * subjectPublicKey: for issuers without a subjectKeyIdentifier (v1), where `authorityKeyIdentifier=keyid` fails.
 */
export function authorityKeyIdLine(issuer: Cert): string {
  const spki = sequenceOf(decodeDer(parseCertificate(issuer.der, { cache: null }).subjectPublicKeyInfo, 'spki'), 'spki')
  const keyId = createHash('sha1').update(bitStringOf(spki[1], 'subjectPublicKey').bytes).digest()
  const der = Buffer.concat([Buffer.from([0x30, keyId.length + 2, 0x80, keyId.length]), keyId])
  return `2.5.29.35=DER:${[...der].map((b) => b.toString(16).padStart(2, '0')).join(':')}`
}

export class Fixtures {
  readonly pki = new Pki()
  readonly root: Cert
  readonly intermediate: Cert
  private counter = 0

  constructor() {
    const pki = this.pki
    pki.key('root', 'ec256')
    pki.key('inter', 'ec256')
    pki.key('leaf', 'ec256')
    this.root = pki.cert('root', { subject: '/O=pure-tls test/CN=Test Root', key: 'root', extensions: caExtensions })
    this.intermediate = pki.cert('inter', { subject: '/O=pure-tls test/CN=Test Intermediate', key: 'inter', issuer: this.root, extensions: caExtensions })
  }

  /** A unique file name for a new certificate. */
  name(prefix: string): string {
    return `${prefix}-${++this.counter}`
  }

  /** A leaf under the standard intermediate with the given SAN (and extra or replaced extension lines). */
  leaf(
    san: string | undefined,
    options: { extensions?: string[]; issuer?: Cert; key?: string; subject?: string; notBefore?: string; notAfter?: string; serial?: string } = {},
  ): Cert {
    return this.pki.cert(this.name('leaf'), {
      subject: options.subject ?? leafSubject(san),
      key: options.key ?? 'leaf',
      issuer: options.issuer ?? this.intermediate,
      extensions: options.extensions ?? leafExtensions(san),
      notBefore: options.notBefore,
      notAfter: options.notAfter,
      serial: options.serial,
    })
  }

  /** A CA certificate (self-signed without an issuer); `more` sets its dates or serial. */
  ca(subject: string, key: string, issuer?: Cert, extensions: readonly string[] = caExtensions, more: Pick<CertOptions, 'notBefore' | 'notAfter' | 'serial'> = {}): Cert {
    return this.pki.cert(this.name('ca'), { subject, key, issuer, extensions, ...more })
  }
}
