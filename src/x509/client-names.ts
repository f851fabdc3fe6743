// Client identity for mutual TLS: the names a server expects of its clients, matched against the leaf's subjectAltName.
import { CertificateVerificationError, TlsConfigError } from '../errors.js'
import type { Certificate } from './certificate.js'

/** Names a server accepts from its clients; a client certificate must carry at least one of them as a SAN. */
export interface ExpectedClientNames {
  /** dNSName SANs, compared without regard to case (no wildcards on either side). */
  readonly dnsNames?: readonly string[]
  /** rfc822Name SANs: the local part exactly, the domain without regard to case. */
  readonly emailAddresses?: readonly string[]
  /** uniformResourceIdentifier SANs (SPIFFE IDs and the like), compared exactly. */
  readonly uris?: readonly string[]
}

function strings(option: string, value: readonly string[] | undefined): readonly string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw new TlsConfigError(`expectedClientNames.${option}`, 'must be an array of non-empty strings')
  }
  return value
}

/** `local@Domain` with the domain lower-cased, so that equal addresses compare equal as strings. */
function normalizedEmail(address: string): string {
  const at = address.lastIndexOf('@')
  return at < 0 ? address : `${address.slice(0, at)}@${address.slice(at + 1).toLowerCase()}`
}

/**
 * Checks `expected` now (a TlsConfigError for a malformed set) and returns the check of a leaf: it throws
 * 'client-name-mismatch' unless the leaf's subjectAltName holds one of the names (the subject is never used).
 */
export function clientNameCheck(expected: ExpectedClientNames): (leaf: Certificate) => void {
  if (typeof expected !== 'object' || expected === null) throw new TlsConfigError('expectedClientNames', 'must be an object')
  const dns = new Set(strings('dnsNames', expected.dnsNames).map((n) => n.toLowerCase()))
  const email = new Set(strings('emailAddresses', expected.emailAddresses).map(normalizedEmail))
  const uri = new Set(strings('uris', expected.uris))
  if (dns.size + email.size + uri.size === 0) throw new TlsConfigError('expectedClientNames', 'names no DNS name, email address or URI')
  const wanted = [...dns, ...email, ...uri].slice(0, 12).join(', ')
  return (leaf) => {
    const san = leaf.subjectAltName
    const matched =
      (san?.dnsNames ?? []).some((n) => dns.has(n.toLowerCase())) ||
      (san?.others ?? []).some(
        (n) => (n.form === 'rfc822Name' && email.has(normalizedEmail(n.value))) || (n.form === 'uniformResourceIdentifier' && uri.has(n.value)),
      )
    if (!matched) throw new CertificateVerificationError('client-name-mismatch', `${leaf} names none of the expected client identities (${wanted})`)
  }
}
