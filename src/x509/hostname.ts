// Server identity checks (RFC 6125 as webpki applies it): SAN dNSName / iPAddress only, one whole-label wildcard, no CN.
import { CertificateVerificationError } from '../errors.js'
import { bytesEqual } from '../bytes.js'
import type { Certificate } from './certificate.js'
import { formatIpAddress, parseIpAddress } from './ip-address.js'

/** What the client meant to reach: a DNS name (lower case, no trailing dot) or an IP address's octets. */
export type ReferenceIdentity = { readonly type: 'dns'; readonly name: string } | { readonly type: 'ip'; readonly address: Uint8Array }

const MAX_DNS_NAME = 253
const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i

function mismatch(message: string): CertificateVerificationError {
  return new CertificateVerificationError('hostname-mismatch', message)
}

/**
 * Is `name` a syntactically valid DNS name: labels of 1–63 letters, digits, hyphens (not at either end) or
 * underscores, 253 characters in all; with `allowWildcard`, the first label may be a lone `*`.
 */
export function isDnsName(name: string, allowWildcard = false): boolean {
  const labels = name.split('.')
  if (allowWildcard && labels.length > 1 && labels[0] === '*') labels.shift()
  return name.length > 0 && name.length <= MAX_DNS_NAME && labels.every((label) => LABEL.test(label))
}

const PREFERRED_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i

/**
 * Is `name` in the preferred name syntax that RFC 5280 4.2.1.6 requires of a dNSName (RFC 1034 3.5, with RFC 1123's
 * leading digits): labels of letters, digits and inner hyphens, no underscore, no empty label, no trailing dot.
 * With `allowWildcard`, the first label may be a lone `*` (RFC 6125 6.4.3; the form webpki and the BR accept).
 */
export function isPreferredNameSyntax(name: string, allowWildcard = false): boolean {
  const labels = name.split('.')
  if (allowWildcard && labels.length > 1 && labels[0] === '*') labels.shift()
  return name.length > 0 && name.length <= MAX_DNS_NAME && labels.every((label) => PREFERRED_LABEL.test(label))
}

/**
 * Reads the name the caller wants to reach. IP literals (IPv4, IPv6, `[IPv6]`) become 'ip'; anything else must be
 * an ASCII DNS name (IDNs as A-labels, `xn--...`). One trailing dot is ignored. Invalid input is refused.
 */
export function parseReferenceIdentity(serverName: string): ReferenceIdentity {
  const bracketed = /^\[(.*)\]$/.exec(serverName)
  const address = parseIpAddress(bracketed ? bracketed[1]! : serverName)
  if (address !== null) return { type: 'ip', address }
  if (bracketed) throw mismatch(`reference name ${JSON.stringify(serverName)} is not an IP address`)
  if (/[^\x00-\x7f]/.test(serverName)) {
    throw mismatch(`reference name ${JSON.stringify(serverName)} is not ASCII: convert an internationalized name to its A-label (xn--) form`)
  }
  const name = (serverName.endsWith('.') ? serverName.slice(0, -1) : serverName).toLowerCase()
  if (!isDnsName(name)) throw mismatch(`reference name ${JSON.stringify(serverName)} is not a valid DNS name`)
  // An all-numeric last label means a mistyped IP address, never a host name (webpki refuses it the same way).
  if (/(^|\.)[0-9]+$/.test(name)) throw mismatch(`reference name ${JSON.stringify(serverName)} is neither an IP address nor a DNS name`)
  return { type: 'dns', name }
}

/**
 * Does the presented dNSName match the reference name (already lower case, no trailing dot)? A wildcard must be the
 * whole left-most label, stands for exactly one label, and needs at least two labels after it (`*.com` never matches).
 */
export function dnsNameMatches(presented: string, reference: string): boolean {
  const lower = presented.toLowerCase()
  if (!isDnsName(lower, true)) return false
  if (!lower.startsWith('*.')) return lower === reference
  const suffix = lower.slice(1)
  if (suffix.split('.').length < 3) return false
  const firstDot = reference.indexOf('.')
  return firstDot > 0 && reference.slice(firstDot) === suffix
}

function describeNames(cert: Certificate): string {
  const san = cert.subjectAltName
  const names = [...(san?.dnsNames ?? []), ...(san?.ipAddresses ?? []).map(formatIpAddress)]
  return names.length === 0 ? 'none' : names.join(', ')
}

/** Throws 'hostname-mismatch' unless the leaf's subjectAltName covers `serverName`; the subject CN is never consulted. */
export function verifyHostname(cert: Certificate, serverName: string): void {
  const reference = parseReferenceIdentity(serverName)
  const san = cert.subjectAltName
  if (san === undefined) throw mismatch(`certificate has no subjectAltName, so it names no host (the subject CN is never used for ${serverName})`)
  const matched =
    reference.type === 'ip'
      ? san.ipAddresses.some((address) => bytesEqual(address, reference.address))
      : san.dnsNames.some((presented) => dnsNameMatches(presented, reference.name))
  if (!matched) throw mismatch(`certificate is not valid for ${serverName}; its subjectAltName names ${describeNames(cert)}`)
}
