// A test PKI made with the openssl CLI in a per-process temp dir: keys, roots, intermediates, server and client leaves.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export type PkiKeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'ed25519' | 'rsa-2048' | 'rsa-pss-2048'
export type CertificatePurpose = 'serverAuth' | 'clientAuth' | 'both'

export interface ChainOptions {
  /** The leaf's key type (default ecdsa-p256). */
  leafKey?: PkiKeyType
  /** The root's and intermediate's key type (default ecdsa-p256). */
  caKey?: PkiKeyType
  /** The root's common name; roots with different names (or key types) are different CAs with different keys. */
  caName?: string
  withIntermediate?: boolean
  /** The leaf's subject CN (default: the first DNS name, else "pure-tls test leaf"). */
  commonName?: string
  /** SAN dNSNames (default ['localhost']); with no DNS names and no IP addresses the leaf has no SAN at all. */
  dnsNames?: string[]
  /** SAN iPAddresses, v4 or v6 (default ['127.0.0.1', '::1']). */
  ipAddresses?: string[]
  /** The extendedKeyUsage (default serverAuth). */
  purpose?: CertificatePurpose
  /** The leaf's validity; default from an hour ago for a year. */
  notBefore?: Date
  notAfter?: Date
  /** A leaf whose validity ended yesterday (it began 30 days ago). */
  expired?: boolean
  /** A leaf whose validity begins tomorrow. */
  notYetValid?: boolean
  /** A self-signed leaf with no CA: rootPem/rootPath are the leaf itself. */
  selfSigned?: boolean
  /** Extra openssl extension lines for the leaf, e.g. "1.2.3.4 = critical, ASN1:NULL". */
  leafExtensions?: string[]
}

export interface Chain {
  /** The trust anchor to load as CA. */
  rootPem: string
  rootPath: string
  intermediatePem?: string
  intermediatePath?: string
  leafPem: string
  leafPath: string
  /** The leaf followed by the intermediate (what a server sends). */
  chainPem: string
  chainPath: string
  /** The leaf's private key, PKCS#8 PEM. */
  keyPem: string
  keyPath: string
}

interface PemFile {
  readonly path: string
  readonly pem: string
}

interface KeyFile extends PemFile {
  readonly type: PkiKeyType
}

interface Authority {
  readonly certificate: PemFile
  readonly key: KeyFile
}

const keyAlgorithms: Record<PkiKeyType, string[]> = {
  'ecdsa-p256': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  'ecdsa-p384': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  ed25519: ['-algorithm', 'ED25519'],
  'rsa-2048': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  'rsa-pss-2048': ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'],
}

/** The digest an issuer of this key type signs with; Ed25519 takes none. */
const signingDigests: Record<PkiKeyType, string[]> = {
  'ecdsa-p256': ['-md', 'sha256'],
  'ecdsa-p384': ['-md', 'sha384'],
  ed25519: [],
  'rsa-2048': ['-md', 'sha256'],
  'rsa-pss-2048': ['-md', 'sha256'],
}

const DAY_MS = 86_400_000

let baseDirectory: string | null = null
const keys = new Map<string, Promise<KeyFile>>()
const authorities = new Map<string, Promise<Authority>>()
const chains = new Map<string, Promise<Chain>>()

function workspace(): string {
  if (baseDirectory === null) {
    baseDirectory = mkdtempSync(join(tmpdir(), 'pure-tls-pki-'))
    process.once('exit', cleanupPki)
  }
  return baseDirectory
}

/** Removes the temp dir and forgets the cache (for afterAll; it also happens when the process exits). */
export function cleanupPki(): void {
  if (baseDirectory !== null) rmSync(baseDirectory, { recursive: true, force: true })
  baseDirectory = null
  keys.clear()
  authorities.clear()
  chains.clear()
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd, timeout: 30_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`openssl ${args.join(' ')} failed: ${error.message}\n${stderr}`))
      else resolve()
    })
  })
}

async function readPem(path: string): Promise<PemFile> {
  return { path, pem: await readFile(path, 'utf8') }
}

/** One cached value per key: concurrent callers share the promise, and a failure is not cached. */
function cached<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let value = cache.get(key)
  if (value === undefined) {
    value = make()
    cache.set(key, value)
    value.catch(() => cache.delete(key))
  }
  return value
}

/** A private key of `type`, one per (type, owner) per process: each CA and each distinct chain has its own. */
function privateKey(type: PkiKeyType, owner: string): Promise<KeyFile> {
  return cached(keys, `${type}|${owner}`, async () => {
    const path = join(await mkdtemp(join(workspace(), 'key-')), 'key.pem')
    await openssl(['genpkey', '-quiet', ...keyAlgorithms[type], '-out', path], workspace())
    return { type, ...(await readPem(path)) }
  })
}

/** openssl's date format for -startdate/-enddate; it picks UTCTime or GeneralizedTime per RFC 5280. */
function opensslDate(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`
}

function subjectArgument(commonName: string): string {
  return `/CN=${commonName.replace(/[/=+\\]/g, (c) => `\\${c}`)}`
}

/** The minimal `openssl ca` configuration: a fresh database in `dir` and one extension section. */
function caConfig(extensions: string[]): string {
  return [
    '[ ca ]',
    'default_ca = test_ca',
    '[ test_ca ]',
    'database = index.txt',
    'serial = serial',
    'new_certs_dir = .',
    'default_md = default',
    'policy = policy_any',
    'unique_subject = no',
    '[ policy_any ]',
    'commonName = supplied',
    '[ req ]',
    'distinguished_name = dn',
    '[ dn ]',
    '[ extensions ]',
    ...extensions,
    '',
  ].join('\n')
}

interface IssueRequest {
  commonName: string
  key: KeyFile
  /** The signing CA, or 'self' for a self-signed certificate. */
  issuer: Authority | 'self'
  extensions: string[]
  notBefore: Date
  notAfter: Date
}

/** Issues one certificate: a CSR, then `openssl ca` with explicit dates and a random serial. */
async function issue(request: IssueRequest): Promise<PemFile> {
  const dir = await mkdtemp(join(workspace(), 'cert-'))
  await writeFile(join(dir, 'ca.cnf'), caConfig(request.extensions))
  await writeFile(join(dir, 'index.txt'), '')
  await openssl(['req', '-new', '-config', 'ca.cnf', '-key', request.key.path, '-subj', subjectArgument(request.commonName), '-out', 'request.csr'], dir)
  const signer = request.issuer === 'self' ? request.key : request.issuer.key
  const issuerArgs = request.issuer === 'self' ? ['-selfsign'] : ['-cert', request.issuer.certificate.path]
  await openssl(
    [
      'ca', '-batch', '-notext', '-rand_serial', '-config', 'ca.cnf', '-extensions', 'extensions',
      '-startdate', opensslDate(request.notBefore), '-enddate', opensslDate(request.notAfter),
      ...issuerArgs, '-keyfile', signer.path, ...signingDigests[signer.type],
      '-in', 'request.csr', '-out', 'certificate.pem',
    ],
    dir,
  )
  return readPem(join(dir, 'certificate.pem'))
}

function authorityExtensions(pathLength?: number): string[] {
  return [
    `basicConstraints = critical, CA:TRUE${pathLength === undefined ? '' : `, pathlen:${pathLength}`}`,
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid:always',
  ]
}

const extendedKeyUsages: Record<CertificatePurpose, string> = {
  serverAuth: 'serverAuth',
  clientAuth: 'clientAuth',
  both: 'serverAuth, clientAuth',
}

function leafExtensions(purpose: CertificatePurpose, dnsNames: string[], ipAddresses: string[], extra: string[]): string[] {
  const altNames = [...dnsNames.map((name) => `DNS:${name}`), ...ipAddresses.map((address) => `IP:${address}`)]
  return [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    `extendedKeyUsage = ${extendedKeyUsages[purpose]}`,
    ...(altNames.length > 0 ? [`subjectAltName = ${altNames.join(', ')}`] : []),
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    ...extra,
  ]
}

/** A root valid from yesterday for ten years, one per (name, key type) per process. */
function root(caName: string, keyType: PkiKeyType): Promise<Authority> {
  return cached(authorities, `root|${caName}|${keyType}`, async () => {
    const key = await privateKey(keyType, `root ${caName}`)
    const now = Date.now()
    const certificate = await issue({
      commonName: caName,
      key,
      issuer: 'self',
      extensions: authorityExtensions(),
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 3650 * DAY_MS),
    })
    return { certificate, key }
  })
}

/** An intermediate (pathlen 0) under the root of the same name and key type. */
function intermediate(caName: string, keyType: PkiKeyType): Promise<Authority> {
  return cached(authorities, `intermediate|${caName}|${keyType}`, async () => {
    const [issuer, key] = await Promise.all([root(caName, keyType), privateKey(keyType, `intermediate ${caName}`)])
    const now = Date.now()
    const certificate = await issue({
      commonName: `${caName} intermediate`,
      key,
      issuer,
      extensions: authorityExtensions(0),
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 1825 * DAY_MS),
    })
    return { certificate, key }
  })
}

/** The leaf's validity from the options: explicit dates, expired, not yet valid, or the default year. */
function leafValidity(options: ChainOptions): { notBefore: Date; notAfter: Date } {
  const now = Date.now()
  if (options.expired) return { notBefore: new Date(now - 30 * DAY_MS), notAfter: new Date(now - DAY_MS) }
  if (options.notYetValid) return { notBefore: new Date(now + DAY_MS), notAfter: new Date(now + 30 * DAY_MS) }
  return {
    notBefore: options.notBefore ?? new Date(now - 3_600_000),
    notAfter: options.notAfter ?? new Date(now + 365 * DAY_MS),
  }
}

async function buildChain(options: ChainOptions, id: string): Promise<Chain> {
  const caName = options.caName ?? 'pure-tls test root'
  const caKey = options.caKey ?? 'ecdsa-p256'
  const dnsNames = options.dnsNames ?? ['localhost']
  const ipAddresses = options.ipAddresses ?? ['127.0.0.1', '::1']
  const [key, rootCa, intermediateCa] = await Promise.all([
    privateKey(options.leafKey ?? 'ecdsa-p256', `leaf ${id}`),
    options.selfSigned ? undefined : root(caName, caKey),
    options.selfSigned || !options.withIntermediate ? undefined : intermediate(caName, caKey),
  ])
  const leaf = await issue({
    commonName: options.commonName ?? dnsNames[0] ?? 'pure-tls test leaf',
    key,
    issuer: intermediateCa ?? rootCa ?? 'self',
    extensions: leafExtensions(options.purpose ?? 'serverAuth', dnsNames, ipAddresses, options.leafExtensions ?? []),
    ...leafValidity(options),
  })
  const chainPem = leaf.pem + (intermediateCa?.certificate.pem ?? '')
  const chainPath = leaf.path.replace(/certificate\.pem$/, 'chain.pem')
  await writeFile(chainPath, chainPem)
  const trustAnchor = rootCa?.certificate ?? leaf
  return {
    rootPem: trustAnchor.pem,
    rootPath: trustAnchor.path,
    ...(intermediateCa ? { intermediatePem: intermediateCa.certificate.pem, intermediatePath: intermediateCa.certificate.path } : {}),
    leafPem: leaf.pem,
    leafPath: leaf.path,
    chainPem,
    chainPath,
    keyPem: key.pem,
    keyPath: key.path,
  }
}

/**
 * A certificate chain for a test, cached per process by its options (identical requests share files and
 * key; different requests get different leaf keys, so no two chains' keys match by accident).
 * Chains from the same caName and caKey share their root and intermediate, so a server chain and a
 * client chain can be verified by one CA file.
 */
export function makeChain(options: ChainOptions = {}): Promise<Chain> {
  const id = JSON.stringify(options)
  return cached(chains, id, () => buildChain(options, id))
}

/** A client certificate (clientAuth EKU, CN "pure-tls test client", no SAN) under the given CA. */
export function makeClientChain(options: Omit<ChainOptions, 'purpose'> = {}): Promise<Chain> {
  return makeChain({ commonName: 'pure-tls test client', dnsNames: [], ipAddresses: [], ...options, purpose: 'clientAuth' })
}
