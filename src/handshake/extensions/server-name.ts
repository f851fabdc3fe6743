// server_name (RFC 6066 section 3): one host_name in ClientHello; an empty acknowledgement from the server.
import { TlsError, type AlertName } from '../../errors.js'
import type { Reader, Writer } from '../../record/codec.js'
import { HandshakeLimits } from '../messages/limits.js'
import { binaryStringToBytes, bytesToBinaryString, readList, writeList } from '../messages/wire.js'
import { ExtensionType } from '../registry.js'
import { type Extension, type ExtensionCodec, readExtension } from './extension.js'
import { emptyExtension } from './simple.js'

/** NameType: host_name is the only one defined. */
export const NameType = { host_name: 0 } as const

interface ServerName {
  readonly nameType: number
  readonly name: Uint8Array
}

/**
 * A HostName as RFC 6066 3 and RFC 5890 have it: an ASCII DNS name (A-labels for IDNs) without a trailing dot,
 * labels of 1 to 63 letters, digits and hyphens (no hyphen first or last; underscores, which deployed names
 * carry, are tolerated), at most 253 bytes; no wildcard, no IP literal. `alert` is illegal_parameter for a
 * peer's name and internal_error for one we are about to send.
 */
export function checkHostName(name: string, alert: AlertName): void {
  const fail = (why: string): never => {
    throw new TlsError(alert, `server_name host_name ${JSON.stringify(name.slice(0, 64))} ${why}`)
  }
  if (name.length === 0) fail('is empty')
  if (name.length > HandshakeLimits.maxHostNameLength) fail(`is ${name.length} bytes, longer than ${HandshakeLimits.maxHostNameLength}`)
  if (name.endsWith('.')) fail('ends with a dot')
  if (isIpLiteral(name)) fail('is an IP address, which SNI must not carry')
  for (const label of name.split('.')) {
    if (label.length === 0) fail('has an empty label')
    if (label.length > 63) fail(`has a label of ${label.length} bytes (63 at most)`)
    if (!/^[A-Za-z0-9_-]+$/.test(label)) fail(`has a label ${JSON.stringify(label.slice(0, 64))} with characters other than letters, digits, hyphens`)
    if (label.startsWith('-') || label.endsWith('-')) fail('has a label that begins or ends with a hyphen')
  }
}

/** An IPv4 dotted literal or an IPv6 literal (anything with a colon): RFC 6066 3 keeps these out of SNI. */
export function isIpLiteral(name: string): boolean {
  return /^[0-9.]+$/.test(name) || name.includes(':')
}

/** The form names are compared and reported in: DNS names are case-insensitive, and SNI carries no trailing dot. */
export function normalizeHostName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase()
}

/**
 * The server name a ClientHello asks for, normalised (lower case, no trailing dot), or undefined when it asks for
 * none. An IP literal, which RFC 6066 3 forbids, is ignored as if absent (as OpenSSL-based servers and Go treat
 * such hellos: the client still gets our default certificate); any other malformed name is illegal_parameter.
 */
export function requestedServerName(extensions: readonly Extension[]): string | undefined {
  const raw = readExtension(extensions, serverNameList)
  if (raw === undefined) return undefined
  const name = normalizeHostName(raw)
  if (isIpLiteral(name)) return undefined
  checkHostName(name, 'illegal_parameter')
  return name
}

function readServerName(r: Reader): ServerName {
  return { nameType: r.u8('server_name name_type'), name: r.vec16('server_name HostName', 1) }
}

/** ClientHello: `ServerName server_name_list<1..2^16-1>` holding exactly one host_name; the value is the name. */
export const serverNameList: ExtensionCodec<string> = {
  type: ExtensionType.server_name,
  read(r: Reader): string {
    const names = readList(r, 2, 'server_name_list', readServerName, { minBytes: 1 })
    if (names.length !== 1) throw new TlsError('illegal_parameter', `server_name_list holds ${names.length} names; we accept exactly one`)
    const { nameType, name } = names[0]!
    if (nameType !== NameType.host_name) throw new TlsError('illegal_parameter', `server_name name_type ${nameType} is not host_name`)
    const host = bytesToBinaryString(name)
    // The bytes must be printable ASCII here; what makes a host name is requestedServerName's to judge.
    if (!/^[\x21-\x7e]+$/.test(host)) throw new TlsError('illegal_parameter', 'server_name host_name has bytes that are not printable ASCII')
    if (host.length > HandshakeLimits.maxHostNameLength + 1) throw new TlsError('illegal_parameter', `server_name host_name is ${host.length} bytes long`)
    return host
  },
  write(w: Writer, host: string): void {
    checkHostName(host, 'internal_error')
    const name = binaryStringToBytes(host, 'server_name')
    writeList(w, 2, [name], (inner, n) => inner.u8(NameType.host_name).vec16(n))
  },
}

/** ServerHello (TLS 1.2) and EncryptedExtensions: an empty body saying the server used the name. */
export const serverNameAck = emptyExtension(ExtensionType.server_name)
