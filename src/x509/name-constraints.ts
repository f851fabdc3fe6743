// Name constraints (RFC 5280 section 4.2.1.10) for dNSName and iPAddress, applied per CA to the leaf's names.
import { CertificateVerificationError } from '../errors.js'
import type { Certificate } from './certificate.js'
import type { GeneralSubtree, NameConstraints } from './extensions.js'
import { isDnsName, type ReferenceIdentity } from './hostname.js'
import { formatIpAddress } from './ip-address.js'
import { oid } from './oids.js'

/** The names a leaf claims, as name constraints see them. */
export interface ConstrainedNames {
  readonly dnsNames: readonly string[]
  readonly ipAddresses: readonly Uint8Array[]
  /** The forms of the leaf's other subjectAltNames (rfc822Name, uniformResourceIdentifier, …), which we cannot check. */
  readonly otherForms: readonly string[]
}

/** Is `name` (lower case, perhaps `*.`-prefixed) inside the subtree `constraint`? Leading-dot constraints mean subdomains only. */
function dnsWithin(name: string, constraint: string): boolean {
  if (constraint === '') return true
  if (constraint.startsWith('.')) return name.length > constraint.length && name.endsWith(constraint)
  return name === constraint || name.endsWith(`.${constraint}`)
}

/** Could the wildcard `*.X` stand for a name in the excluded subtree `constraint` without lying inside it literally? */
function wildcardReaches(name: string, constraint: string): boolean {
  if (!name.startsWith('*.') || constraint.startsWith('.')) return false
  const base = name.slice(2)
  const dot = constraint.indexOf('.')
  return dot > 0 && constraint.slice(dot + 1) === base
}

function ipWithin(address: Uint8Array, subtree: Uint8Array): boolean {
  const half = subtree.length / 2
  if (address.length !== half) return false
  for (let i = 0; i < half; i++) if ((address[i]! & subtree[half + i]!) !== (subtree[i]! & subtree[half + i]!)) return false
  return true
}

function describeSubtree(subtree: GeneralSubtree): string {
  if (subtree.form === 'dNSName') return `dNSName "${subtree.value}"`
  if (subtree.form === 'iPAddress') {
    const half = subtree.value.length / 2
    return `iPAddress ${formatIpAddress(subtree.value.subarray(0, half))}/${formatIpAddress(subtree.value.subarray(half))}`
  }
  return subtree.form
}

/** Forms of subtree this module cannot enforce, present in `constraints`. */
export function unsupportedConstraintForms(constraints: NameConstraints): string[] {
  const forms = new Set<string>()
  for (const s of [...constraints.permittedSubtrees, ...constraints.excludedSubtrees]) if (s.form !== 'dNSName' && s.form !== 'iPAddress') forms.add(s.form)
  return [...forms]
}

function checkDnsName(name: string, constraints: NameConstraints): string | null {
  const lower = name.toLowerCase()
  const permitted = constraints.permittedSubtrees.filter((s) => s.form === 'dNSName')
  const excluded = constraints.excludedSubtrees.filter((s) => s.form === 'dNSName')
  if (permitted.length === 0 && excluded.length === 0) return null
  if (!isDnsName(lower, true)) return `dNSName "${name}" cannot be checked against dNSName constraints`
  for (const subtree of [...permitted, ...excluded]) {
    const c = (subtree as { value: string }).value.toLowerCase()
    if (c !== '' && !isDnsName(c.startsWith('.') ? c.slice(1) : c)) return `unusable constraint ${describeSubtree(subtree)}`
  }
  for (const subtree of excluded) {
    const c = (subtree as { value: string }).value.toLowerCase()
    if (dnsWithin(lower, c) || wildcardReaches(lower, c)) return `"${name}" is in excluded subtree ${describeSubtree(subtree)}`
  }
  if (permitted.length > 0 && !permitted.some((s) => dnsWithin(lower, (s as { value: string }).value.toLowerCase()))) {
    return `"${name}" is outside the permitted ${permitted.map(describeSubtree).join(', ')}`
  }
  return null
}

function checkIpAddress(address: Uint8Array, constraints: NameConstraints): string | null {
  const ofFamily = (subtrees: readonly GeneralSubtree[]) =>
    subtrees.filter((s): s is Extract<GeneralSubtree, { form: 'iPAddress' }> => s.form === 'iPAddress')
  const permitted = ofFamily(constraints.permittedSubtrees)
  const excluded = ofFamily(constraints.excludedSubtrees)
  const text = formatIpAddress(address)
  const hit = excluded.find((s) => ipWithin(address, s.value))
  if (hit) return `${text} is in excluded subtree ${describeSubtree(hit)}`
  // Permitted subtrees of either family restrict all addresses: an IPv4-only permit admits no IPv6 address.
  if (permitted.length > 0 && !permitted.some((s) => ipWithin(address, s.value))) {
    return `${text} is outside the permitted ${permitted.map(describeSubtree).join(', ')}`
  }
  return null
}

/** The leaf's SAN names plus the reference identity the caller verified it for. */
export function constrainedNamesOf(leaf: Certificate, reference: ReferenceIdentity | undefined): ConstrainedNames {
  const dnsNames = [...(leaf.subjectAltName?.dnsNames ?? [])]
  const ipAddresses = [...(leaf.subjectAltName?.ipAddresses ?? [])]
  if (reference?.type === 'dns') dnsNames.push(reference.name)
  if (reference?.type === 'ip') ipAddresses.push(reference.address)
  return { dnsNames, ipAddresses, otherForms: [...new Set((leaf.subjectAltName?.others ?? []).map((n) => n.form))] }
}

/**
 * Throws unless every name satisfies `ca`'s constraints (each CA's are applied on their own, so constraints from
 * several levels intersect). A constraint of a form we cannot enforce (directoryName, rfc822Name, URI, ...) is
 * refused as 'unhandled-critical-extension' when critical, and as 'name-constraints' whenever the leaf presents a
 * name of that form (as webpki does): such a constraint is never silently ignored for a name it governs.
 */
export function checkNameConstraints(ca: Certificate, names: ConstrainedNames, depth: number): void {
  const constraints = ca.nameConstraints
  if (constraints === undefined) return
  const unsupported = unsupportedConstraintForms(constraints)
  const critical = ca.extensions.find((e) => e.oid === oid.nameConstraints)?.critical ?? false
  if (unsupported.length > 0 && critical) {
    throw new CertificateVerificationError(
      'unhandled-critical-extension',
      `critical nameConstraints of ${ca.subject.text} has ${unsupported.join(', ')} subtrees, which this verifier cannot enforce`,
      depth,
    )
  }
  const ungoverned = unsupported.filter((form) => names.otherForms.includes(form))
  if (ungoverned.length > 0) {
    throw new CertificateVerificationError(
      'name-constraints',
      `the leaf has ${ungoverned.join(', ')} names, which the nameConstraints of ${ca.subject.text} govern and this verifier cannot check`,
      0,
    )
  }
  const problem =
    names.dnsNames.map((n) => checkDnsName(n, constraints)).find((p) => p !== null) ??
    names.ipAddresses.map((a) => checkIpAddress(a, constraints)).find((p) => p !== null)
  if (problem) throw new CertificateVerificationError('name-constraints', `${problem} (constraints of ${ca.subject.text})`, depth)
}
