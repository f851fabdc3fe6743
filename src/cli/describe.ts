// Human-readable views for the CLI: what a handshake negotiated, and a certificate chain one certificate per block.
import { pemEncode } from '../crypto/pem.js'
import type { ConnectionInfo } from '../handshake/session.js'
import { parseCertificate, type Certificate } from '../x509/certificate.js'
import { formatIpAddress } from '../x509/ip-address.js'

/** Rows of `name  value`, the names padded to one width. */
export function formatRows(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([name]) => name.length))
  return rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join('\n')
}

/** The negotiated parameters of an established connection, one row each. */
export function formatSummary(info: ConnectionInfo): string {
  const leaf = info.peerCertificates[0]
  return formatRows([
    ['version', info.version],
    ['cipher suite', info.cipherSuite],
    ['key exchange', info.group ?? '- (resumed: no key exchange)'],
    ['signature scheme', info.signatureScheme ?? '-'],
    ['ALPN', info.alpnProtocol ?? '-'],
    ['server name', info.serverName ?? '-'],
    ['peer certificate', leaf === undefined ? 'none' : subjectOf(leaf)],
    ['peer verified', leaf === undefined ? '-' : info.peerVerified ? 'yes' : 'NO (verification was turned off)'],
    ['resumed', info.resumed ? 'yes' : 'no'],
    ['HelloRetryRequest', info.helloRetryRequest ? 'yes' : 'no'],
    ['extended master secret', info.extendedMasterSecret === undefined ? 'n/a (TLS 1.3)' : info.extendedMasterSecret ? 'yes' : 'no'],
  ])
}

function subjectOf(der: Uint8Array): string {
  try {
    return parseCertificate(der).subject.text || '(empty subject)'
  } catch {
    return '(undecodable certificate)'
  }
}

function alternativeNames(cert: Certificate): string {
  const san = cert.subjectAltName
  if (!san) return '-'
  const names = [...san.dnsNames.map((name) => `DNS:${name}`), ...san.ipAddresses.map((ip) => `IP:${formatIpAddress(ip)}`)]
  return names.length > 0 ? names.join(', ') : '-'
}

function certificateBlock(der: Uint8Array, depth: number, withPem: boolean): string {
  let cert: Certificate
  try {
    cert = parseCertificate(der)
  } catch (error) {
    return `depth ${depth}: undecodable certificate (${error instanceof Error ? error.message : String(error)})`
  }
  const rows = formatRows([
    ['subject', cert.subject.text || '(empty)'],
    ['issuer', cert.issuer.text || '(empty)'],
    ['valid', `${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}`],
    ['names', alternativeNames(cert)],
    ['serial', cert.serialNumberHex],
    ['signature', cert.signatureAlgorithmName],
  ])
  return `depth ${depth}:\n${rows}${withPem ? `\n${pemEncode('CERTIFICATE', der).trimEnd()}` : ''}`
}

/** Each certificate of a chain (leaf first, depth 0) with its names and validity, and its PEM when asked. */
export function formatChain(chain: readonly Uint8Array[], withPem = false): string {
  return chain.map((der, depth) => certificateBlock(der, depth, withPem)).join('\n')
}
