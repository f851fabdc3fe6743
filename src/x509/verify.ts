// Certificate chain verification (RFC 5280 section 6, webpki's rules): the checks on each link of a path and on the leaf.
import { rsaPssKeyParameters } from '../crypto/keys.js'
import type { CryptoProvider, PublicKey, SignatureAlgorithm } from '../crypto/provider.js'
import { CertificateVerificationError, TlsConfigError, type CertificateFailureReason } from '../errors.js'
import { bytesEqual } from '../bytes.js'
import { parseCertificate, type Certificate } from './certificate.js'
import type { CertificateCache } from './certificate-cache.js'
import { parseReferenceIdentity, verifyHostname, type ReferenceIdentity } from './hostname.js'
import { checkNameConstraints, constrainedNamesOf, type ConstrainedNames } from './name-constraints.js'
import { oid } from './oids.js'
import { buildPath, type Candidate } from './path-builder.js'
import type { TrustStore } from './trust-store.js'

/** The extended key usage a chain is verified for (RFC 5280 section 4.2.1.12): a server's or a client's certificate. */
export type Purpose = 'serverAuth' | 'clientAuth'

export interface ChainVerificationOptions {
  /** DER certificates as the peer sent them: the leaf first, the rest in any order. */
  readonly chain: readonly Uint8Array[]
  readonly trustStore: TrustStore
  readonly purpose: Purpose
  /** The time certificates must be valid at; default: now. */
  readonly now?: Date
  /** When given, the leaf must be valid for this host name or IP address, and name constraints apply to it too. */
  readonly serverName?: string
  readonly provider: CryptoProvider
  /** Deepest position the anchor may take, the leaf being depth 0 (default 8). */
  readonly maxDepth?: number
  /** Most candidate issuers whose signature is checked before giving up (default 100). */
  readonly maxSignatureChecks?: number
  /** Parsed-certificate cache; null to parse every time. Default: the shared cache. */
  readonly cache?: CertificateCache | null
}

export interface VerifiedChain {
  /** Leaf first, trust anchor last (just the leaf when the leaf itself is a trust anchor). */
  readonly path: Certificate[]
}

const MIN_RSA_BITS = 2048
const MAX_RSA_BITS = 8192

/** The same failure reported at another depth (parsing and key decoding do not know where the certificate sits). */
function atDepth(error: unknown, depth: number): never {
  if (!(error instanceof CertificateVerificationError)) throw error
  if (error.depth === depth) throw error
  const detail = error.message.replace(/^certificate verify failed \([^)]*\) at depth \d+: /, '')
  throw new CertificateVerificationError(error.reason, detail, depth)
}

function fail(reason: CertificateFailureReason, message: string, depth: number): never {
  throw new CertificateVerificationError(reason, message, depth)
}

function checkValidity(cert: Certificate, now: Date, depth: number): void {
  if (now.getTime() < cert.notBefore.getTime()) fail('not-yet-valid', `${cert} is not valid before ${cert.notBefore.toISOString()}`, depth)
  if (now.getTime() > cert.notAfter.getTime()) fail('expired', `${cert} expired at ${cert.notAfter.toISOString()}`, depth)
}

function checkCriticalExtensions(cert: Certificate, depth: number): void {
  if (cert.unhandledCriticalExtensions.length > 0) {
    fail('unhandled-critical-extension', `${cert} has critical extension(s) ${cert.unhandledCriticalExtensions.join(', ')}`, depth)
  }
}

const purposeOid: Record<Purpose, string> = { serverAuth: oid.serverAuth, clientAuth: oid.clientAuth }

/** An extKeyUsage, when present, must list the purpose itself (webpki: anyExtendedKeyUsage is not enough). */
function checkExtendedKeyUsage(cert: Certificate, purpose: Purpose, depth: number): void {
  if (cert.extKeyUsage !== undefined && !cert.extKeyUsage.includes(purposeOid[purpose])) {
    fail('bad-eku', `${cert} has extKeyUsage ${cert.extKeyUsage.join(', ')}, without ${purpose}`, depth)
  }
}

/** A usable key: supported, and RSA between 2048 and 8192 bits. */
function keyOf(cert: Certificate, depth: number): PublicKey {
  let key: PublicKey
  try {
    key = cert.publicKey
  } catch (e) {
    atDepth(e, depth)
  }
  if (key.type === 'rsa' && (key.bits < MIN_RSA_BITS || key.bits > MAX_RSA_BITS)) {
    fail('unsupported-algorithm', `${cert} has a ${key.bits}-bit RSA key (${MIN_RSA_BITS} to ${MAX_RSA_BITS} accepted)`, depth)
  }
  return key
}

/** An id-RSASSA-PSS key may only make PSS signatures, and only with the hash its parameters name. */
function keyAllows(key: PublicKey, algorithm: SignatureAlgorithm): boolean {
  const pss = rsaPssKeyParameters(key)
  if (pss === undefined) return true
  return algorithm.type === 'rsa-pss' && (pss.hash === undefined || pss.hash === algorithm.hash)
}

/** Is `child` signed by `issuer`'s key? */
function checkSignature(child: Certificate, issuer: Certificate, childDepth: number, provider: CryptoProvider): void {
  const algorithm = child.signatureAlgorithm
  if (algorithm === undefined) fail('unsupported-algorithm', `${child} is signed with unsupported algorithm ${child.signatureAlgorithmName}`, childDepth)
  const key = keyOf(issuer, childDepth + 1)
  let valid = false
  try {
    // Fails closed on an answer that is not `true` (a pending one included, until path building awaits it).
    valid = keyAllows(key, algorithm) && provider.verify(algorithm, key, child.tbs, child.signature) === true
  } catch {
    valid = false
  }
  if (valid) return
  const aki = child.authorityKeyIdentifier
  const ski = issuer.subjectKeyIdentifier
  // A name match with a different key identifier is simply another CA of the same name, not a forgery.
  if (aki !== undefined && ski !== undefined && !bytesEqual(aki, ski)) {
    fail('unknown-issuer', `${issuer} has the issuer's name but not its key (key identifiers differ)`, childDepth)
  }
  fail('bad-signature', `the ${child.signatureAlgorithmName} signature of ${child} does not verify with the key of ${issuer}`, childDepth)
}

/** Non-self-issued intermediates in `path` below its leaf (RFC 5280 6.1.4 (l): self-issued ones do not count). */
function intermediatesBelow(path: readonly Certificate[]): number {
  return path.slice(1).filter((c) => !c.selfIssued).length
}

interface LinkContext {
  readonly purpose: Purpose
  readonly now: Date
  readonly provider: CryptoProvider
  readonly names: ConstrainedNames
}

/** Everything `issuer` must satisfy to sit above `path` (its depth is path.length). */
function checkIssuer(path: readonly Certificate[], { cert: issuer, isAnchor }: Candidate, context: LinkContext): void {
  const depth = path.length
  const child = path[depth - 1]!
  checkSignature(child, issuer, depth - 1, context.provider)
  checkValidity(issuer, context.now, depth)
  const basic = issuer.basicConstraints
  // A v1 trust anchor predates basicConstraints; everything else must assert cA (RFC 5280 4.2.1.9).
  const legacyAnchor = isAnchor && basic === undefined && issuer.version === 1
  if (!legacyAnchor && basic?.cA !== true) fail('not-a-ca', `${issuer} is not a CA (basicConstraints cA is not true)`, depth)
  if (basic?.pathLenConstraint !== undefined && intermediatesBelow(path) > basic.pathLenConstraint) {
    fail('path-length', `${issuer} allows ${basic.pathLenConstraint} intermediate(s) below it, the path has ${intermediatesBelow(path)}`, depth)
  }
  if (issuer.keyUsage !== undefined && !issuer.keyUsage.includes('keyCertSign')) fail('bad-key-usage', `${issuer} keyUsage lacks keyCertSign`, depth)
  checkExtendedKeyUsage(issuer, context.purpose, depth)
  checkCriticalExtensions(issuer, depth)
  checkNameConstraints(issuer, context.names, depth)
}

/** The checks on the leaf that do not depend on the path. */
function checkLeaf(leaf: Certificate, purpose: Purpose, now: Date, directlyTrusted: boolean): void {
  checkValidity(leaf, now, 0)
  checkCriticalExtensions(leaf, 0)
  // A trust anchor chosen byte for byte (e.g. a self-signed server certificate in `ca`) may carry cA.
  if (!directlyTrusted && leaf.basicConstraints?.cA === true) fail('ca-as-leaf', `${leaf} is a CA certificate presented as an end entity`, 0)
  if (leaf.keyUsage !== undefined && !leaf.keyUsage.includes('digitalSignature')) fail('bad-key-usage', `${leaf} keyUsage lacks digitalSignature`, 0)
  checkExtendedKeyUsage(leaf, purpose, 0)
  keyOf(leaf, 0)
}

function parseChain(chain: readonly Uint8Array[], cache: CertificateCache | null | undefined): Certificate[] {
  return chain.map((der, depth) => {
    if (!(der instanceof Uint8Array)) fail('malformed', 'certificate is not a byte array', depth)
    try {
      return parseCertificate(der, { cache })
    } catch (e) {
      atDepth(e, depth)
    }
  })
}

/**
 * Verifies `chain` for `purpose`: builds a path from the leaf to an anchor of `trustStore`, checks every link,
 * and, with `serverName`, the leaf's names. Throws CertificateVerificationError (reason, depth) on failure.
 */
export function verifyCertificateChain(options: ChainVerificationOptions): VerifiedChain {
  const { chain, trustStore, purpose, provider } = options
  if (chain.length === 0) fail('no-certificate', 'the peer sent no certificate', 0)
  const now = options.now ?? new Date()
  if (!(now instanceof Date) || !Number.isFinite(now.getTime())) throw new TlsConfigError('now', 'must be a valid Date')
  const reference: ReferenceIdentity | undefined = options.serverName === undefined ? undefined : parseReferenceIdentity(options.serverName)
  const [leaf, ...intermediates] = parseChain(chain, options.cache)
  const directlyTrusted = trustStore.contains(leaf!.der)
  checkLeaf(leaf!, purpose, now, directlyTrusted)
  const context: LinkContext = { purpose, now, provider, names: constrainedNamesOf(leaf!, reference) }
  const path = directlyTrusted
    ? [leaf!]
    : buildPath({
        leaf: leaf!,
        intermediates,
        trustStore,
        maxDepth: options.maxDepth ?? 8,
        maxSignatureChecks: options.maxSignatureChecks ?? 100,
        checkIssuer: (partial, candidate) => checkIssuer(partial, candidate, context),
      })
  if (options.serverName !== undefined) {
    try {
      verifyHostname(leaf!, options.serverName)
    } catch (e) {
      atDepth(e, 0)
    }
  }
  return { path }
}
