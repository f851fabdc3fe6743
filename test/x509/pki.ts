// Test PKI builder: keys and certificates made with the openssl CLI (`openssl ca`, so any dates and extensions) in a temp dir.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importPrivateKey } from '../../src/crypto/keys.js'
import { nobleProvider } from '../../src/crypto/noble.js'
import { pemDecode, pemEncode } from '../../src/crypto/pem.js'
import { childrenOf, decodeDer, encodingOf, sequenceOf } from '../../src/crypto/der-reader.js'
import { parseCertificate } from '../../src/x509/certificate.js'
import { bits, seq } from './der-builder.js'

export type KeyKind = 'ec256' | 'ec384' | 'rsa2048' | 'rsa1024' | 'rsa2052' | 'rsa3072' | 'rsa4096' | 'ed25519'

export interface Cert {
  readonly name: string
  readonly path: string
  readonly pem: string
  readonly der: Uint8Array
  readonly keyName: string
  readonly subject: string
}

export interface CertOptions {
  /** OpenSSL -subj form, e.g. `/O=Test/CN=Root`. */
  readonly subject: string
  readonly key: string
  /** The issuing certificate; self-signed when absent. */
  readonly issuer?: Cert
  /** Lines of the extension section (`basicConstraints=critical,CA:TRUE`, ...); none at all makes a v1 certificate. */
  readonly extensions?: readonly string[]
  /** YYYYMMDDHHMMSSZ; default 2020-01-01 to 2040-01-01. */
  readonly notBefore?: string
  readonly notAfter?: string
  /** Digest for `openssl ca -md` (`default` for Ed25519 issuers, chosen automatically). */
  readonly md?: 'sha256' | 'sha384' | 'sha512' | 'sha1'
  /** Extra `-sigopt` values, e.g. RSA-PSS padding. */
  readonly sigopts?: readonly string[]
  /** The serial number in hex (default: a counter from 0x1000); `openssl ca` writes any non-negative value. */
  readonly serial?: string
}

const keyArgs: Record<KeyKind, string[]> = {
  ec256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  ec384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  rsa1024: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'],
  rsa2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  rsa2052: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2052'],
  rsa3072: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
  rsa4096: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096'],
  ed25519: ['-algorithm', 'ED25519'],
}

const caConfig = (dir: string) => `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = ${dir}
database = ${dir}/index.txt
new_certs_dir = ${dir}/newcerts
serial = ${dir}/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = yes
[ policy_any ]
`

export function openssl(args: readonly string[], cwd?: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

export function derOf(pem: string): Uint8Array {
  return pemDecode(pem, 'CERTIFICATE')[0]!.der
}

/** YYYYMMDDHHMMSSZ for a Date (what `openssl ca -startdate` takes). */
export function asn1Time(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`
}

export class Pki {
  readonly dir: string
  private readonly keyKinds = new Map<string, KeyKind>()
  private serial = 0x1000

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'pure-tls-pki-'))
    mkdirSync(join(this.dir, 'newcerts'))
    writeFileSync(join(this.dir, 'index.txt'), '')
    writeFileSync(join(this.dir, 'index.txt.attr'), 'unique_subject = no\n')
    writeFileSync(join(this.dir, 'ca.cnf'), caConfig(this.dir))
  }

  /** Generates (once) a key called `name`. */
  key(name: string, kind: KeyKind): string {
    if (!this.keyKinds.has(name)) {
      openssl(['genpkey', ...keyArgs[kind], '-out', join(this.dir, `${name}.key`)])
      this.keyKinds.set(name, kind)
    }
    return name
  }

  keyPath(name: string): string {
    return join(this.dir, `${name}.key`)
  }

  /** Issues a certificate called `name` with `openssl ca` (self-signed without an issuer). */
  cert(name: string, options: CertOptions): Cert {
    const csr = join(this.dir, `${name}.csr`)
    const out = join(this.dir, `${name}.pem`)
    openssl(['req', '-new', '-key', this.keyPath(options.key), '-subj', options.subject, '-utf8', '-multivalue-rdn', '-out', csr])
    writeFileSync(join(this.dir, 'serial'), `${options.serial ?? (this.serial++).toString(16).padStart(4, '0')}\n`)
    // A fresh database each time: `openssl ca` refuses a serial it issued before, and cases may reuse one on purpose.
    writeFileSync(join(this.dir, 'index.txt'), '')
    const issuerKey = options.issuer ? options.issuer.keyName : options.key
    const md = this.keyKinds.get(issuerKey) === 'ed25519' ? 'default' : (options.md ?? 'sha256')
    const args = ['ca', '-config', join(this.dir, 'ca.cnf'), '-batch', '-notext', '-preserveDN', '-in', csr, '-out', out, '-md', md]
    args.push('-keyfile', this.keyPath(issuerKey))
    if (options.issuer) args.push('-cert', options.issuer.path)
    else args.push('-selfsign')
    args.push('-startdate', options.notBefore ?? '20200101000000Z', '-enddate', options.notAfter ?? '20400101000000Z')
    for (const opt of options.sigopts ?? []) args.push('-sigopt', opt)
    if (options.extensions && options.extensions.length > 0) {
      const extfile = join(this.dir, `${name}.ext`)
      writeFileSync(extfile, `[ ext ]\n${options.extensions.join('\n')}\n`)
      args.push('-extfile', extfile, '-extensions', 'ext')
    }
    openssl(args)
    const pem = readFileSync(out, 'utf8')
    return { name, path: out, pem, der: derOf(pem), keyName: options.key, subject: options.subject }
  }

  /** Writes `certs` into one PEM file and returns its path. */
  bundle(name: string, certs: readonly Cert[]): string {
    const path = join(this.dir, `${name}.bundle.pem`)
    writeFileSync(path, certs.map((c) => c.pem).join(''))
    return path
  }

  /** A certificate made from raw (perhaps tampered) DER, written as PEM so that openssl can read it too. */
  certFromDer(name: string, der: Uint8Array, like: Cert): Cert {
    const path = join(this.dir, `${name}.pem`)
    const pem = pemEncode('CERTIFICATE', der)
    writeFileSync(path, pem)
    return { ...like, name, path, pem, der }
  }

  /**
   * `cert` with its tbsCertificate fields (the DER of each, in order) changed by `edit` and signed again with the
   * key `issuerKey`, for what `openssl ca` will not write (a negative serial number, say).
   */
  resign(name: string, cert: Cert, issuerKey: string, edit: (fields: Uint8Array[]) => Uint8Array[]): Cert {
    const [tbs, algorithm] = sequenceOf(decodeDer(cert.der, 'Certificate'), 'Certificate')
    const fields = childrenOf(tbs!, 'tbsCertificate').map((field) => encodingOf(field))
    const newTbs = seq(...edit(fields))
    const signatureAlgorithm = parseCertificate(cert.der, { cache: null }).signatureAlgorithm!
    const key = importPrivateKey(readFileSync(this.keyPath(issuerKey), 'utf8'))
    const signature = nobleProvider.sign(signatureAlgorithm, key, newTbs)
    return this.certFromDer(name, seq(newTbs, encodingOf(algorithm!), bits(signature)), cert)
  }

  /** Writes raw bytes as a DER file and returns its path. */
  writeDer(name: string, der: Uint8Array): string {
    const path = join(this.dir, `${name}.der`)
    writeFileSync(path, der)
    return path
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }
}

export interface OpensslVerdict {
  readonly ok: boolean
  /** OpenSSL's own error line (`error 10 at 1 depth lookup: certificate has expired`), when it failed. */
  readonly error: string
}

/** `openssl verify -x509_strict -purpose ssl{server,client}` with the given anchors, untrusted certificates, name and time. */
export function opensslVerify(
  pki: Pki,
  label: string,
  options: { leaf: Cert; intermediates: readonly Cert[]; roots: readonly Cert[]; serverName?: string; at?: Date; purpose?: 'serverAuth' | 'clientAuth' },
): OpensslVerdict {
  const args = ['verify', '-x509_strict', '-purpose', options.purpose === 'clientAuth' ? 'sslclient' : 'sslserver']
  args.push('-CAfile', pki.bundle(`${label}-roots`, options.roots))
  if (options.intermediates.length > 0) args.push('-untrusted', pki.bundle(`${label}-untrusted`, options.intermediates))
  if (options.serverName !== undefined) args.push(options.serverName.includes(':') || /^[0-9.]+$/.test(options.serverName) ? '-verify_ip' : '-verify_hostname', options.serverName)
  if (options.at) args.push('-attime', String(Math.floor(options.at.getTime() / 1000)))
  args.push(options.leaf.path)
  const result = spawnSync('openssl', args, { encoding: 'utf8' })
  const output = `${result.stdout}${result.stderr}`
  const error = output.split('\n').find((line) => /^error \d+ at/.test(line)) ?? output.trim().split('\n').pop() ?? ''
  return { ok: result.status === 0, error: result.status === 0 ? '' : error }
}
