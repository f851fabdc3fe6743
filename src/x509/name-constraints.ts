// Name constraints (RFC 5280 4.2.1.10, 6.1.3 (b)(c)): each CA's subtrees applied to the names of every certificate below it, on a budget.
import { bytesEqual } from '../bytes.js'
import { CertificateVerificationError } from '../errors.js'
import type { Certificate } from './certificate.js'
import type { GeneralSubtree, NameConstraints } from './extensions.js'
import type { GeneralNameForm } from './general-name.js'
import { isDnsName, type ReferenceIdentity } from './hostname.js'
import { formatIpAddress } from './ip-address.js'
import { attributeValues, type Name, type NameAttribute, type RelativeDistinguishedName } from './name.js'
import { oid } from './oids.js'

/** Most name-against-subtree comparisons in one verification (rustls-webpki and Go bound this work too). */
export const MAX_NAME_CHECKS = 1 << 16

/**
 * The comparisons left for one verification. Each certificate is charged, before any comparison is made, for every
 * (name, subtree) pair of a form its names and the constraints share; running out refuses the chain
 * ('too-many-name-checks'), so the work is bounded by the budget whatever the peer sends.
 */
export class NameCheckBudget {
  #remaining: number
  constructor(readonly limit: number = MAX_NAME_CHECKS) {
    this.#remaining = limit
  }

  /** Takes `cost` comparisons, or throws when fewer are left. */
  spend(cost: number, depth: number): void {
    this.#remaining -= cost
    if (this.#remaining < 0) {
      throw new CertificateVerificationError('too-many-name-checks', `name constraints would need more than ${this.limit} comparisons`, depth)
    }
  }
}

/** The names of one certificate that name constraints govern. */
export interface PresentedNames {
  readonly dnsNames: readonly string[]
  readonly ipAddresses: readonly Uint8Array[]
  /** rfc822Name SANs and emailAddress attributes of the subject (RFC 5280 4.2.1.10 applies email constraints to both). */
  readonly emailAddresses: readonly string[]
  /** The subject (when not empty) and the directoryName SANs. */
  readonly directoryNames: readonly Name[]
  /** The forms of the remaining SANs (otherName, URI, …), which this module cannot evaluate. */
  readonly otherForms: ReadonlySet<GeneralNameForm>
}

/** A certificate of the path below a CA, with its place and its names. */
export interface ConstrainedCertificate {
  readonly cert: Certificate
  readonly depth: number
  readonly names: PresentedNames
}

/** The names of `cert`; for the leaf, `reference` (the name the caller verified it for) is one of them too. */
export function presentedNamesOf(cert: Certificate, reference?: ReferenceIdentity): PresentedNames {
  const san = cert.subjectAltName
  const dnsNames = [...(san?.dnsNames ?? [])]
  const ipAddresses = [...(san?.ipAddresses ?? [])]
  if (reference?.type === 'dns') dnsNames.push(reference.name)
  if (reference?.type === 'ip') ipAddresses.push(reference.address)
  const emailAddresses = attributeValues(cert.subject, oid.emailAddress)
  const directoryNames = cert.subject.rdns.length > 0 ? [cert.subject] : []
  const otherForms = new Set<GeneralNameForm>()
  for (const name of san?.others ?? []) {
    if (name.form === 'rfc822Name') emailAddresses.push(name.value)
    else if (name.form === 'directoryName') directoryNames.push(name.value)
    else otherForms.add(name.form)
  }
  return { dnsNames, ipAddresses, emailAddresses, directoryNames, otherForms }
}

/** An rfc822Name constraint: one mailbox, every mailbox at one host, or every mailbox in a domain (leading period). */
type EmailSubtree = { readonly kind: 'mailbox'; readonly local: string; readonly host: string } | { readonly kind: 'host' | 'domain'; readonly host: string }

/** One side (permitted or excluded) of a CA's constraints, by form. */
interface Subtrees {
  readonly dns: readonly string[]
  readonly ip: readonly Uint8Array[]
  readonly email: readonly EmailSubtree[]
  readonly directory: readonly Name[]
  readonly otherForms: ReadonlySet<GeneralNameForm>
}

interface ParsedConstraints {
  readonly permitted: Subtrees
  readonly excluded: Subtrees
}

/** A mailbox split at its one `@`, with the host lower-cased; null when it is not a plain local@host address. */
function mailboxOf(address: string): { local: string; host: string } | null {
  const at = address.indexOf('@')
  if (at <= 0 || at !== address.lastIndexOf('@')) return null
  const host = address.slice(at + 1).toLowerCase()
  return isDnsName(host) ? { local: address.slice(0, at), host } : null
}

function emailSubtreeOf(value: string): EmailSubtree | null {
  if (value.includes('@')) {
    const mailbox = mailboxOf(value)
    return mailbox === null ? null : { kind: 'mailbox', ...mailbox }
  }
  const domain = value.startsWith('.')
  const host = (domain ? value.slice(1) : value).toLowerCase()
  return isDnsName(host) ? { kind: domain ? 'domain' : 'host', host } : null
}

function unusable(ca: Certificate, depth: number, what: string): CertificateVerificationError {
  return new CertificateVerificationError('bad-name-constraints', `nameConstraints of ${ca} has ${what}`, depth)
}

/** Sorts and checks the subtrees of one side; a DNS constraint with a leading period is malformed (only URI and email forms have one). */
function subtreesOf(ca: Certificate, depth: number, subtrees: readonly GeneralSubtree[]): Subtrees {
  const dns: string[] = []
  const ip: Uint8Array[] = []
  const email: EmailSubtree[] = []
  const directory: Name[] = []
  const otherForms = new Set<GeneralNameForm>()
  for (const subtree of subtrees) {
    if (subtree.form === 'dNSName') {
      const value = subtree.value.toLowerCase()
      if (value.startsWith('.')) throw unusable(ca, depth, `dNSName constraint "${subtree.value}" with a leading period (RFC 5280 4.2.1.10 allows it for URI and rfc822Name only)`)
      if (value !== '' && !isDnsName(value)) throw unusable(ca, depth, `dNSName constraint "${subtree.value}", which is not a DNS name`)
      dns.push(value)
    } else if (subtree.form === 'iPAddress') ip.push(subtree.value)
    else if (subtree.form === 'rfc822Name') {
      const parsed = emailSubtreeOf(subtree.value)
      if (parsed === null) throw unusable(ca, depth, `rfc822Name constraint "${subtree.value}", which is neither a mailbox, a host nor a .domain`)
      email.push(parsed)
    } else if (subtree.form === 'directoryName') directory.push(subtree.value)
    else otherForms.add(subtree.form)
  }
  return { dns, ip, email, directory, otherForms }
}

const parsedConstraints = new WeakMap<NameConstraints, ParsedConstraints>()

function constraintsOf(ca: Certificate, constraints: NameConstraints, depth: number): ParsedConstraints {
  let parsed = parsedConstraints.get(constraints)
  if (parsed === undefined) {
    parsed = { permitted: subtreesOf(ca, depth, constraints.permittedSubtrees), excluded: subtreesOf(ca, depth, constraints.excludedSubtrees) }
    parsedConstraints.set(constraints, parsed)
  }
  return parsed
}

/** Is `name` (perhaps `*.`-prefixed) inside the DNS subtree `constraint` ('' is every name)? */
function dnsWithin(name: string, constraint: string): boolean {
  return constraint === '' || name === constraint || name.endsWith(`.${constraint}`)
}

/** Could the wildcard `*.X` stand for a name in the excluded subtree `constraint` without lying in it literally? */
function wildcardReaches(name: string, constraint: string): boolean {
  if (!name.startsWith('*.')) return false
  const dot = constraint.indexOf('.')
  return dot > 0 && constraint.slice(dot + 1) === name.slice(2)
}

function ipWithin(address: Uint8Array, subtree: Uint8Array): boolean {
  const half = subtree.length / 2
  if (address.length !== half) return false
  for (let i = 0; i < half; i++) if ((address[i]! & subtree[half + i]!) !== (subtree[i]! & subtree[half + i]!)) return false
  return true
}

/** The local part is compared exactly, the host without regard to case (RFC 5280 4.2.1.10, 7.5). */
function emailWithin(mailbox: { local: string; host: string }, subtree: EmailSubtree): boolean {
  if (subtree.kind === 'mailbox') return mailbox.local === subtree.local && mailbox.host === subtree.host
  if (subtree.kind === 'host') return mailbox.host === subtree.host
  return mailbox.host.endsWith(`.${subtree.host}`)
}

const preparedValues = new WeakMap<NameAttribute, string>()

/** A string value as RFC 4518 compares it, near enough: compatibility-normalized, case-folded, spaces collapsed. */
function prepared(attribute: NameAttribute): string {
  let value = preparedValues.get(attribute)
  if (value === undefined) {
    value = attribute.text!.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ')
    preparedValues.set(attribute, value)
  }
  return value
}

function attributesMatch(a: NameAttribute, b: NameAttribute): boolean {
  if (a.type !== b.type) return false
  if (a.text !== undefined && b.text !== undefined) return prepared(a) === prepared(b)
  return bytesEqual(a.value, b.value)
}

/** Two RDNs are equal when they hold the same attributes in any order. */
function rdnsMatch(a: RelativeDistinguishedName, b: RelativeDistinguishedName): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => attributesMatch(x, y)))
}

/** Is `name` in the subtree `base`: does `base`'s RDN sequence begin `name`'s? */
function directoryWithin(name: Name, base: Name): boolean {
  return base.rdns.length <= name.rdns.length && base.rdns.every((rdn, i) => rdnsMatch(name.rdns[i]!, rdn))
}

/** The most attribute comparisons one name can cost against `base`: each RDN compares its attributes pairwise. */
function directoryCost(base: Name): number {
  return base.rdns.reduce((sum, rdn) => sum + rdn.length * rdn.length, 1)
}

function describeIpSubtree(subtree: Uint8Array): string {
  const half = subtree.length / 2
  return `iPAddress ${formatIpAddress(subtree.subarray(0, half))}/${formatIpAddress(subtree.subarray(half))}`
}

function describeEmailSubtree(subtree: EmailSubtree): string {
  if (subtree.kind === 'mailbox') return `rfc822Name "${subtree.local}@${subtree.host}"`
  return `rfc822Name "${subtree.kind === 'domain' ? '.' : ''}${subtree.host}"`
}

/** How one form's names meet one form's subtrees. */
interface Form<N, S> {
  readonly within: (name: N, subtree: S) => boolean
  /** For excluded subtrees: `within`, or anything the name could stand for (a wildcard). */
  readonly reaches?: (name: N, subtree: S) => boolean
  readonly describeName: (name: N) => string
  readonly describeSubtree: (subtree: S) => string
}

/** The first of `names` that an excluded subtree reaches or no permitted subtree holds, in words; null when all pass. */
function checkForm<N, S>(form: Form<N, S>, names: readonly N[], permitted: readonly S[], excluded: readonly S[]): string | null {
  const reaches = form.reaches ?? form.within
  for (const name of names) {
    const hit = excluded.find((subtree) => reaches(name, subtree))
    if (hit !== undefined) return `${form.describeName(name)} is in excluded subtree ${form.describeSubtree(hit)}`
    if (permitted.length === 0) continue
    if (!permitted.some((subtree) => form.within(name, subtree))) return `${form.describeName(name)} is outside the permitted ${permitted.slice(0, 12).map(form.describeSubtree).join(', ')}${permitted.length > 12 ? ', …' : ''}`
  }
  return null
}

const dnsForm: Form<string, string> = {
  within: (name, subtree) => dnsWithin(name.toLowerCase(), subtree),
  reaches: (name, subtree) => dnsWithin(name.toLowerCase(), subtree) || wildcardReaches(name.toLowerCase(), subtree),
  describeName: (name) => `dNSName "${name}"`,
  describeSubtree: (subtree) => `dNSName "${subtree}"`,
}

// Permitted subtrees of either family restrict all addresses: an IPv4-only permit admits no IPv6 address.
const ipForm: Form<Uint8Array, Uint8Array> = { within: ipWithin, describeName: formatIpAddress, describeSubtree: describeIpSubtree }

const emailForm: Form<{ local: string; host: string; text: string }, EmailSubtree> = {
  within: emailWithin,
  describeName: (mailbox) => `email address "${mailbox.text}"`,
  describeSubtree: describeEmailSubtree,
}

const directoryForm: Form<Name, Name> = {
  within: directoryWithin,
  describeName: (name) => `directory name "${name.text.slice(0, 200)}"`,
  describeSubtree: (base) => `directoryName "${base.text.slice(0, 200)}"`,
}

/** What checking `names` against `constraints` can cost at most: every name against every subtree of its form. */
function costOf(names: PresentedNames, constraints: ParsedConstraints): number {
  const { permitted, excluded } = constraints
  const directory = [...permitted.directory, ...excluded.directory].reduce((sum, base) => sum + directoryCost(base), 0)
  return (
    names.dnsNames.length * (permitted.dns.length + excluded.dns.length) +
    names.ipAddresses.length * (permitted.ip.length + excluded.ip.length) +
    names.emailAddresses.length * (permitted.email.length + excluded.email.length) +
    names.directoryNames.length * directory
  )
}

/** The problem with `names` under `constraints`, in words, or null. */
function namesProblem(names: PresentedNames, constraints: ParsedConstraints): string | null {
  const { permitted, excluded } = constraints
  const ungoverned = [...names.otherForms].filter((form) => permitted.otherForms.has(form) || excluded.otherForms.has(form))
  if (ungoverned.length > 0) return `has ${ungoverned.join(', ')} names, which the constraints govern and this verifier cannot check`
  const mailboxes: { local: string; host: string; text: string }[] = []
  if (permitted.email.length + excluded.email.length > 0) {
    for (const text of names.emailAddresses) {
      const mailbox = mailboxOf(text)
      if (mailbox === null) return `has email address "${text}", which cannot be checked against rfc822Name constraints`
      mailboxes.push({ ...mailbox, text })
    }
  }
  if (permitted.dns.length + excluded.dns.length > 0) {
    const bad = names.dnsNames.find((name) => !isDnsName(name.toLowerCase(), true))
    if (bad !== undefined) return `has dNSName "${bad}", which cannot be checked against dNSName constraints`
  }
  return (
    checkForm(dnsForm, names.dnsNames, permitted.dns, excluded.dns) ??
    checkForm(ipForm, names.ipAddresses, permitted.ip, excluded.ip) ??
    checkForm(emailForm, mailboxes, permitted.email, excluded.email) ??
    checkForm(directoryForm, names.directoryNames, permitted.directory, excluded.directory)
  )
}

/**
 * Throws unless every certificate in `below` (the part of the path under `ca`, self-issued intermediates already
 * left out as RFC 5280 6.1.3 (b) says) has names that `ca`'s constraints allow. Each CA's constraints are applied
 * on their own, so those of several CAs intersect. A form this module cannot evaluate (otherName, URI, x400Address,
 * ediPartyName, registeredID) refuses a certificate only when it presents a name of that form.
 */
export function checkNameConstraints(ca: Certificate, caDepth: number, below: readonly ConstrainedCertificate[], budget: NameCheckBudget): void {
  if (ca.nameConstraints === undefined) return
  const constraints = constraintsOf(ca, ca.nameConstraints, caDepth)
  for (const { cert, depth, names } of below) {
    budget.spend(costOf(names, constraints), depth)
    const problem = namesProblem(names, constraints)
    if (problem !== null) throw new CertificateVerificationError('name-constraints', `${cert} ${problem} (nameConstraints of ${ca})`, depth)
  }
}
