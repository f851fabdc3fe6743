// Test chain fixtures: one shared PKI (roots, intermediates, leaves) built with openssl, and helpers to issue more.
import { type Cert, Pki } from './pki.js'

/** The instant every case is verified at, unless it says otherwise (inside the default 2020–2040 validity). */
export const NOW = new Date('2030-06-01T00:00:00Z')

export const caExtensions = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid']

export function leafExtensions(san: string | undefined, ...extra: string[]): string[] {
  const base = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth,clientAuth']
  return [...base, ...(san ? [`subjectAltName=${san}`] : []), ...extra]
}

/** Replaces the extension lines whose name starts like one of `overrides`' names. */
export function withExtensions(base: readonly string[], ...overrides: string[]): string[] {
  const names = overrides.map((o) => o.split('=')[0]!)
  return [...base.filter((line) => !names.includes(line.split('=')[0]!)), ...overrides]
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
  leaf(san: string | undefined, options: { extensions?: string[]; issuer?: Cert; key?: string; subject?: string; notBefore?: string; notAfter?: string } = {}): Cert {
    return this.pki.cert(this.name('leaf'), {
      subject: options.subject ?? '/CN=leaf',
      key: options.key ?? 'leaf',
      issuer: options.issuer ?? this.intermediate,
      extensions: options.extensions ?? leafExtensions(san),
      notBefore: options.notBefore,
      notAfter: options.notAfter,
    })
  }

  /** A CA certificate (self-signed without an issuer). */
  ca(subject: string, key: string, issuer?: Cert, extensions: readonly string[] = caExtensions, dates: { notBefore?: string; notAfter?: string } = {}): Cert {
    return this.pki.cert(this.name('ca'), { subject, key, issuer, extensions, ...dates })
  }
}
