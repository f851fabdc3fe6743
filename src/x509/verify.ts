// Certificate chain verification (RFC 5280 section 6, webpki's rules): the checks on each link of a path and on the leaf.
import { rsaPssKeyParameters } from '../crypto/keys.js'
import type { CryptoProvider, PublicKey, SignatureAlgorithm, SyncCryptoProvider } from '../crypto/provider.js'
import { CertificateVerificationError, TlsConfigError, type CertificateFailureReason } from '../errors.js'
import { bytesEqual } from '../bytes.js'
import { detailOf } from '../crypto/der-reader.js'
import { drive, settle, type MaybePromise, type Waiting } from '../pending.js'
import { parseCertificate, type Certificate } from './certificate.js'
import type { CertificateCache } from './certificate-cache.js'
import { clientNameCheck, type ExpectedClientNames } from './client-names.js'
import { parseReferenceIdentity, verifyHostname, type ReferenceIdentity } from './hostname.js'
import { checkNameConstraints, NameCheckBudget, presentedNamesOf, type ConstrainedCertificate, type PresentedNames } from './name-constraints.js'
import { oid } from './oids.js'
import { buildPath, type Candidate } from './path-builder.js'
import { checkPolicies } from './policies.js'
import { certificateProfiles, checkIssuedBy, checkProfile, type CertificateProfile, type ProfileContext } from './profile.js'
import type { TrustStore } from './trust-store.js'

/** The extended key usage a peer's certificate must allow (RFC 5280 §4.2.1.12): id-kp-serverAuth or id-kp-clientAuth. */
export type Purpose = 'serverAuth' | 'clientAuth'

export interface ChainVerificationOptions {
  /** DER certificates as the peer sent them: the leaf first, the rest in any order. */
  readonly chain: readonly Uint8Array[]
  readonly trustStore: TrustStore
  /** The extended key usage the leaf (and any CA with an extKeyUsage) must allow. */
  readonly purpose: Purpose
  /** The time certificates must be valid at; default: now. */
  readonly now?: Date
  /** When given, the leaf must be valid for this host name or IP address, and name constraints apply to it too. */
  readonly serverName?: string
  /** For clientAuth: when given, the leaf must carry at least one of these names in its subjectAltName. */
  readonly expectedClientNames?: ExpectedClientNames
  readonly provider: CryptoProvider
  /** Deepest position the anchor may take, the leaf being depth 0 (default 8). */
  readonly maxDepth?: number
  /** Most candidate issuers whose signature is checked before giving up (default 100). */
  readonly maxSignatureChecks?: number
  /** The profile rules applied (profile.ts); default 'web-pki'. 'private-pki' drops the Baseline Requirements' rules. */
  readonly certificateProfile?: CertificateProfile
  /** Parsed-certificate cache; null to parse every time. Default: the shared cache. */
  readonly cache?: CertificateCache | null
}

/** The options of a verification whose provider never waits: the result is then never a promise. */
export interface SyncChainVerificationOptions extends ChainVerificationOptions {
  readonly provider: SyncCryptoProvider
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
  throw new CertificateVerificationError(error.reason, detailOf(error), depth)
}

function fail(reason: CertificateFailureReason, message: string, depth: number): never {
  throw new CertificateVerificationError(reason, message, depth)
}

/**
 * X.509 times have one-second granularity and both ends are inclusive (RFC 5280 4.1.2.5): the validation time is
 * taken to its second, so a time within the notAfter second is still valid.
 */
function checkValidity(cert: Certificate, now: Date, depth: number): void {
  const second = Math.floor(now.getTime() / 1000) * 1000
  if (second < cert.notBefore.getTime()) fail('not-yet-valid', `${cert} is not valid before ${cert.notBefore.toISOString()}`, depth)
  if (second > cert.notAfter.getTime()) fail('expired', `${cert} expired at ${cert.notAfter.toISOString()}`, depth)
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

/** The provider's verdict on one signature; a throw or a rejection counts as a bad signature. */
function* signatureVerifies(provider: CryptoProvider, algorithm: SignatureAlgorithm, key: PublicKey, child: Certificate): Waiting<boolean> {
  try {
    return (yield* settle(provider.verify(algorithm, key, child.tbs, child.signature))) === true
  } catch {
    return false
  }
}

/** Is `child` signed by `issuer`'s key? */
function* checkSignature(child: Certificate, issuer: Certificate, childDepth: number, provider: CryptoProvider): Waiting<void> {
  const algorithm = child.signatureAlgorithm
  if (algorithm === undefined) fail('unsupported-algorithm', `${child} is signed with unsupported algorithm ${child.signatureAlgorithmName}`, childDepth)
  const key = keyOf(issuer, childDepth + 1)
  if (keyAllows(key, algorithm) && (yield* signatureVerifies(provider, algorithm, key, child))) return
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

/** What one verification carries from link to link: its settings, its name-check budget, and the names met so far. */
class LinkContext {
  readonly budget = new NameCheckBudget()
  readonly #names = new Map<Certificate, PresentedNames>()

  readonly #reference: ReferenceIdentity | undefined

  constructor(
    readonly purpose: Purpose,
    readonly now: Date,
    readonly provider: CryptoProvider,
    readonly profile: ProfileContext,
    reference: ReferenceIdentity | undefined,
  ) {
    this.#reference = reference
  }

  /** The certificates of `path` that a new CA's name constraints govern: all but self-issued intermediates (RFC 5280 6.1.3 (b)). */
  constrained(path: readonly Certificate[]): ConstrainedCertificate[] {
    const out: ConstrainedCertificate[] = []
    path.forEach((cert, depth) => {
      if (depth > 0 && cert.selfIssued) return
      let names = this.#names.get(cert)
      if (names === undefined) {
        names = presentedNamesOf(cert, depth === 0 ? this.#reference : undefined)
        this.#names.set(cert, names)
      }
      out.push({ cert, depth, names })
    })
    return out
  }
}

/**
 * What a certificate must be to issue others, whatever lies below it (RFC 5280 6.1.4 (k), (n), webpki): a CA (or a
 * v1 trust anchor, which predates basicConstraints), allowed to sign certificates and to serve the purpose, with no
 * critical extension we do not process, a usable key, and the profile rules of its place.
 */
function checkIssuerCertificate(issuer: Certificate, isAnchor: boolean, depth: number, purpose: Purpose, profile: ProfileContext): void {
  const legacyAnchor = isAnchor && issuer.basicConstraints === undefined && issuer.version === 1
  if (!legacyAnchor && issuer.basicConstraints?.cA !== true) fail('not-a-ca', `${issuer} is not a CA (basicConstraints cA is not true)`, depth)
  if (issuer.keyUsage !== undefined && !issuer.keyUsage.includes('keyCertSign')) fail('bad-key-usage', `${issuer} keyUsage lacks keyCertSign`, depth)
  checkExtendedKeyUsage(issuer, purpose, depth)
  checkCriticalExtensions(issuer, depth)
  keyOf(issuer, depth)
  checkProfile(issuer, isAnchor ? 'anchor' : 'ca', depth, profile)
}

/**
 * The checks a trust anchor must pass in every path, its validity period aside (that is a matter of the time):
 * the anchor-side rules, for callers (and tests) that want to know whether a root can serve as an anchor at all.
 */
export function checkTrustAnchor(anchor: Certificate, purpose: Purpose, certificateProfile: CertificateProfile = 'web-pki'): void {
  checkIssuerCertificate(anchor, true, 0, purpose, { profile: certificateProfile, purpose })
}

/** Everything `issuer` must satisfy to sit above `path` (its depth is path.length). */
function* checkIssuer(path: readonly Certificate[], { cert: issuer, isAnchor }: Candidate, context: LinkContext): Waiting<void> {
  const depth = path.length
  const child = path[depth - 1]!
  yield* checkSignature(child, issuer, depth - 1, context.provider)
  checkValidity(issuer, context.now, depth)
  checkIssuerCertificate(issuer, isAnchor, depth, context.purpose, context.profile)
  const pathLength = issuer.basicConstraints?.pathLenConstraint
  if (pathLength !== undefined && intermediatesBelow(path) > pathLength) {
    fail('path-length', `${issuer} allows ${pathLength} intermediate(s) below it, the path has ${intermediatesBelow(path)}`, depth)
  }
  checkNameConstraints(issuer, depth, context.constrained(path), context.budget)
  // Last, so that a certificate without key identifiers under a wrong issuer is reported for the issuer's fault.
  checkIssuedBy(child, depth - 1)
}

/** The checks on the leaf that do not depend on the path; a leaf that is itself an anchor gets the anchor's profile. */
function checkLeaf(leaf: Certificate, context: LinkContext, directlyTrusted: boolean): void {
  checkValidity(leaf, context.now, 0)
  checkCriticalExtensions(leaf, 0)
  // A trust anchor chosen byte for byte (e.g. a self-signed server certificate in `ca`) may carry cA.
  if (!directlyTrusted && leaf.basicConstraints?.cA === true) fail('ca-as-leaf', `${leaf} is a CA certificate presented as an end entity`, 0)
  if (leaf.keyUsage !== undefined && !leaf.keyUsage.includes('digitalSignature')) fail('bad-key-usage', `${leaf} keyUsage lacks digitalSignature`, 0)
  checkExtendedKeyUsage(leaf, context.purpose, 0)
  keyOf(leaf, 0)
  checkProfile(leaf, directlyTrusted ? 'anchor' : 'leaf', 0, context.profile)
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

function validationTime(now: Date | undefined): Date {
  const time = now ?? new Date()
  if (!(time instanceof Date) || !Number.isFinite(time.getTime())) throw new TlsConfigError('now', 'must be a valid Date')
  return time
}

function profileOf(options: ChainVerificationOptions): ProfileContext {
  const profile = options.certificateProfile ?? 'web-pki'
  if (!certificateProfiles.includes(profile)) throw new TlsConfigError('certificateProfile', `must be 'web-pki' or 'private-pki', got ${JSON.stringify(profile)}`)
  return { profile, purpose: options.purpose }
}

/** The check of the leaf's identity once the path stands: its host name, or the names a server expects of its clients. */
function identityCheck(options: ChainVerificationOptions): (leaf: Certificate) => void {
  const { serverName, expectedClientNames } = options
  const clientNames = expectedClientNames === undefined ? undefined : clientNameCheck(expectedClientNames)
  return (leaf) => {
    try {
      if (serverName !== undefined) verifyHostname(leaf, serverName)
      clientNames?.(leaf)
    } catch (e) {
      atDepth(e, 0)
    }
  }
}

/** The verification as a step: it waits only where the provider's signature checks do. */
function* verifyChain(options: ChainVerificationOptions): Waiting<VerifiedChain> {
  const { chain, trustStore, provider } = options
  if (chain.length === 0) fail('no-certificate', 'the peer sent no certificate', 0)
  const now = validationTime(options.now)
  const profile = profileOf(options)
  const reference = options.serverName === undefined ? undefined : parseReferenceIdentity(options.serverName)
  const checkIdentity = identityCheck(options)
  const [leaf, ...intermediates] = parseChain(chain, options.cache)
  const context = new LinkContext(options.purpose, now, provider, profile, reference)
  const directlyTrusted = trustStore.contains(leaf!.der)
  checkLeaf(leaf!, context, directlyTrusted)
  const path = directlyTrusted
    ? [leaf!]
    : yield* buildPath({
        leaf: leaf!,
        intermediates,
        trustStore,
        maxDepth: options.maxDepth ?? 8,
        maxSignatureChecks: options.maxSignatureChecks ?? 100,
        checkIssuer: (partial, candidate) => checkIssuer(partial, candidate, context),
        checkPath: checkPolicies,
      })
  checkIdentity(leaf!)
  return { path }
}

/**
 * Verifies `chain` for `purpose`: builds a path from the leaf to an anchor of `trustStore`, checks every link and
 * the profile rules, and, with `serverName`, the leaf's names. Fails with CertificateVerificationError (reason,
 * depth). With a provider that never waits (noble) the result comes back at once; with one whose `verify` returns
 * promises it is a promise from the first signature on (a failure found before that is thrown at once).
 */
export function verifyCertificateChain(options: SyncChainVerificationOptions): VerifiedChain
export function verifyCertificateChain(options: ChainVerificationOptions): MaybePromise<VerifiedChain>
export function verifyCertificateChain(options: ChainVerificationOptions): MaybePromise<VerifiedChain> {
  return drive(verifyChain(options))
}
