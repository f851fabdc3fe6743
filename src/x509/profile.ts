// The certificate profile: RFC 5280 section 4 MUSTs and the CA/Browser Forum Baseline Requirements, per place in the path.
import { bytesEqual } from '../bytes.js'
import type { PublicKey } from '../crypto/provider.js'
import { CertificateVerificationError, type CertificateFailureReason } from '../errors.js'
import type { Certificate } from './certificate.js'
import { isPreferredNameSyntax } from './hostname.js'
import { canonicalIpText } from './ip-address.js'
import { attributeCount, attributeValues } from './name.js'
import { oid } from './oids.js'

/**
 * Which rules apply. 'web-pki' (the default): RFC 5280 and, for server certificates, the Baseline Requirements that
 * govern publicly-trusted TLS server certificates. 'private-pki': RFC 5280 only, for a private CA that does not
 * follow the BR (a named loosening; the RFC 5280 rules still apply).
 */
export type CertificateProfile = 'web-pki' | 'private-pki'

export const certificateProfiles: readonly CertificateProfile[] = ['web-pki', 'private-pki']

/** Where a certificate sits: the end entity, a CA the peer sent, or a trust anchor (which also covers a directly trusted leaf). */
export type Place = 'leaf' | 'ca' | 'anchor'

export interface ProfileContext {
  readonly profile: CertificateProfile
  /** The BR are about server certificates: they apply to serverAuth paths only. */
  readonly purpose: 'serverAuth' | 'clientAuth'
}

/** One rule: what it requires, where it comes from, where it applies, and how a violation is reported. */
export interface ProfileRule {
  readonly source: string
  /** True for a rule of the Baseline Requirements alone (off under 'private-pki' and for clientAuth). */
  readonly baseline: boolean
  readonly places: readonly Place[]
  readonly reason: CertificateFailureReason
  /** The violation, in words, or undefined when the certificate complies. */
  readonly check: (cert: Certificate) => string | undefined
}

const MAX_SERIAL_OCTETS = 20
/** BR 7.1.2.1 (the root CA profile, BR 2.0.0) took effect on 2023-09-15; older roots predate the rule. */
const ROOT_PROFILE_EFFECTIVE = Date.UTC(2023, 8, 15)

const extension = (cert: Certificate, id: string) => cert.extensions.find((e) => e.oid === id)
const isCritical = (cert: Certificate, id: string) => extension(cert, id)?.critical === true
const isCa = (cert: Certificate) => cert.basicConstraints?.cA === true
const emptySubject = (cert: Certificate) => cert.subject.rdns.length === 0

function serialNumberProblem(cert: Certificate): string | undefined {
  const bytes = cert.serialNumber
  if ((bytes[0]! & 0x80) !== 0) return 'has a negative serial number'
  if (bytes.every((b) => b === 0)) return 'has serial number 0'
  const magnitude = bytes[0] === 0 ? bytes.length - 1 : bytes.length
  if (magnitude > MAX_SERIAL_OCTETS) return `has a serial number of ${magnitude} octets (at most ${MAX_SERIAL_OCTETS})`
  return undefined
}

function dnsNameSyntaxProblem(cert: Certificate): string | undefined {
  const bad = cert.subjectAltName?.dnsNames.find((name) => !isPreferredNameSyntax(name, true))
  return bad === undefined ? undefined : `has dNSName ${JSON.stringify(bad)}, which is not in the preferred name syntax (letters, digits, hyphens)`
}

/** BR 7.1.4.3: at most one CN, spelling one of the SAN values exactly (IP addresses in canonical text). */
function commonNameProblem(cert: Certificate): string | undefined {
  const count = attributeCount(cert.subject, oid.commonName)
  if (count === 0) return undefined
  if (count > 1) return `has ${count} subject commonName attributes (at most one)`
  const [cn] = attributeValues(cert.subject, oid.commonName)
  if (cn === undefined) return 'has a subject commonName that is not a string'
  const san = cert.subjectAltName
  if (san?.dnsNames.includes(cn) || san?.ipAddresses.some((address) => canonicalIpText(address) === cn)) return undefined
  return `has subject commonName ${JSON.stringify(cn)}, which is not character for character one of its subjectAltName values`
}

function rsaModulusProblem(cert: Certificate): string | undefined {
  let key: PublicKey
  try {
    key = cert.publicKey
  } catch {
    return undefined // an unusable key is refused on its own terms where the key is used
  }
  return key.type === 'rsa' && key.bits % 8 !== 0 ? `has a ${key.bits}-bit RSA modulus, not a whole number of octets` : undefined
}

/** BR 7.1.2.1.3: a root's authorityKeyIdentifier, when present, is its own keyIdentifier and nothing else. */
function rootAuthorityKeyProblem(cert: Certificate): string | undefined {
  const aki = cert.authorityKey
  if (aki === undefined || cert.notBefore.getTime() < ROOT_PROFILE_EFFECTIVE) return undefined
  if (aki.hasIssuerAndSerial) return 'is a root whose authorityKeyIdentifier carries authorityCertIssuer and authorityCertSerialNumber'
  if (aki.keyIdentifier === undefined) return 'is a root whose authorityKeyIdentifier has no keyIdentifier'
  if (cert.subjectKeyIdentifier === undefined || !bytesEqual(aki.keyIdentifier, cert.subjectKeyIdentifier)) {
    return 'is a root whose authorityKeyIdentifier keyIdentifier differs from its subjectKeyIdentifier'
  }
  return undefined
}

const issued: readonly Place[] = ['leaf', 'ca']

/**
 * Every rule, in the order they are checked. No RFC 5280 rule applies to a trust anchor: RFC 5280 6.1 takes an
 * anchor as a name and a key, and the bundled Mozilla roots break several of these rules (serial 0, no SKI,
 * non-critical basicConstraints, AKI with issuer and serial); the BR rules on roots apply to anchors.
 */
export const profileRules: readonly ProfileRule[] = [
  { source: 'RFC 5280 4.1.2.2', baseline: false, places: issued, reason: 'bad-serial-number', check: serialNumberProblem },
  {
    source: 'RFC 5280 4.2.1.1',
    baseline: false,
    places: issued,
    reason: 'bad-key-identifier',
    check: (c) => (isCritical(c, oid.authorityKeyIdentifier) ? 'marks authorityKeyIdentifier critical' : undefined),
  },
  {
    source: 'RFC 5280 4.2.1.2',
    baseline: false,
    places: issued,
    reason: 'bad-key-identifier',
    check: (c) => (isCritical(c, oid.subjectKeyIdentifier) ? 'marks subjectKeyIdentifier critical' : undefined),
  },
  {
    source: 'RFC 5280 4.2.1.2',
    baseline: false,
    places: ['ca'],
    reason: 'bad-key-identifier',
    check: (c) => (c.subjectKeyIdentifier === undefined ? 'is a CA certificate without subjectKeyIdentifier' : undefined),
  },
  {
    source: 'RFC 5280 4.2.1.9',
    baseline: false,
    places: ['ca'],
    reason: 'bad-basic-constraints',
    check: (c) => (isCritical(c, oid.basicConstraints) ? undefined : 'is a CA certificate whose basicConstraints is not critical'),
  },
  {
    source: 'RFC 5280 4.2.1.9',
    baseline: false,
    places: ['leaf'],
    reason: 'bad-basic-constraints',
    check: (c) => (!isCa(c) && c.basicConstraints?.pathLenConstraint !== undefined ? 'has a pathLenConstraint without cA' : undefined),
  },
  {
    source: 'RFC 5280 4.2.1.9, 4.2.1.3',
    baseline: false,
    places: ['leaf'],
    reason: 'bad-key-usage',
    check: (c) => (!isCa(c) && c.keyUsage?.includes('keyCertSign') ? 'asserts keyCertSign without basicConstraints cA' : undefined),
  },
  {
    source: 'RFC 5280 4.2.1.10',
    baseline: false,
    places: ['leaf'],
    reason: 'bad-name-constraints',
    check: (c) => (extension(c, oid.nameConstraints) !== undefined ? 'is an end-entity certificate with nameConstraints (only CAs may carry them)' : undefined),
  },
  {
    source: 'RFC 5280 4.1.2.6',
    baseline: false,
    places: ['ca'],
    reason: 'bad-subject',
    check: (c) => (emptySubject(c) ? 'is a CA certificate with an empty subject' : undefined),
  },
  {
    source: 'RFC 5280 4.2.1.11, 4.2.1.14',
    baseline: false,
    places: issued,
    reason: 'bad-policy-extension',
    check: (c) =>
      [oid.policyConstraints, oid.inhibitAnyPolicy]
        .filter((id) => extension(c, id) !== undefined && !isCritical(c, id))
        .map((id) => `marks ${id === oid.policyConstraints ? 'policyConstraints' : 'inhibitAnyPolicy'} non-critical`)[0],
  },
  {
    source: 'RFC 5280 4.2.1.6',
    baseline: false,
    places: issued,
    reason: 'bad-subject-alt-name',
    check: (c) => {
      if (!emptySubject(c)) return undefined
      if (c.subjectAltName === undefined) return 'has an empty subject and no subjectAltName'
      return isCritical(c, oid.subjectAltName) ? undefined : 'has an empty subject and a non-critical subjectAltName'
    },
  },
  { source: 'RFC 5280 4.2.1.6', baseline: false, places: issued, reason: 'bad-subject-alt-name', check: dnsNameSyntaxProblem },
  {
    source: 'BR 7.1.2.7.12',
    baseline: true,
    places: ['leaf'],
    reason: 'bad-subject-alt-name',
    check: (c) => (!emptySubject(c) && isCritical(c, oid.subjectAltName) ? 'marks subjectAltName critical beside a non-empty subject' : undefined),
  },
  { source: 'BR 7.1.4.3', baseline: true, places: ['leaf'], reason: 'bad-common-name', check: commonNameProblem },
  { source: 'BR 6.1.5', baseline: true, places: ['leaf', 'ca', 'anchor'], reason: 'bad-rsa-modulus', check: rsaModulusProblem },
  { source: 'BR 7.1.2.1.3', baseline: true, places: ['anchor'], reason: 'bad-key-identifier', check: rootAuthorityKeyProblem },
]

/** Whether the BR rules apply to a path verified with `context`. */
export function baselineApplies(context: ProfileContext): boolean {
  return context.profile === 'web-pki' && context.purpose === 'serverAuth'
}

/** The rules that apply at `place` under `context`. */
export function rulesFor(place: Place, context: ProfileContext): ProfileRule[] {
  const baseline = baselineApplies(context)
  return profileRules.filter((rule) => rule.places.includes(place) && (baseline || !rule.baseline))
}

function violation(cert: Certificate, rule: ProfileRule, problem: string, depth: number): CertificateVerificationError {
  const loosening = rule.baseline ? "; certificateProfile 'private-pki' does not apply the BR rules" : ''
  return new CertificateVerificationError(rule.reason, `${cert} ${problem} (${rule.source}${loosening})`, depth)
}

/** Throws CertificateVerificationError for the first rule of `place` that `cert` breaks. */
export function checkProfile(cert: Certificate, place: Place, depth: number, context: ProfileContext): void {
  for (const rule of rulesFor(place, context)) {
    const problem = rule.check(cert)
    if (problem !== undefined) throw violation(cert, rule, problem, depth)
  }
}

/**
 * RFC 5280 4.2.1.1: a certificate that is not self-signed names its issuer's key. Checked on each link, for the
 * certificate below it: in any path we accept, only the anchor can be self-signed (a self-signed certificate
 * that is not an anchor has no other issuer, and a path never repeats a name with its key).
 */
export function checkIssuedBy(child: Certificate, depth: number): void {
  if (child.authorityKeyIdentifier !== undefined) return
  const problem = child.authorityKey === undefined ? 'has no authorityKeyIdentifier' : 'has an authorityKeyIdentifier without keyIdentifier'
  throw new CertificateVerificationError('bad-key-identifier', `${child} ${problem}, which every certificate but a self-signed one must carry (RFC 5280 4.2.1.1)`, depth)
}
