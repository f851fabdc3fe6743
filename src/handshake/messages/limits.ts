// Limits on everything a peer controls in handshake messages, and the one check that enforces a count limit.
import { TlsError } from '../../errors.js'
import { HandshakeType } from '../registry.js'

/**
 * Wire lengths already bound most things (a u16 vector cannot exceed 64 KiB); these limits are tighter
 * than the wire allows, chosen to admit every real peer while bounding the work a hostile one can cause.
 * A well-formed message that goes over one is refused with illegal_parameter.
 */
export const HandshakeLimits = {
  /** Any handshake message body except the ones below. */
  maxMessageSize: 65_536,
  /** Certificate bodies (a chain of large RSA certificates with SCTs can exceed 64 KiB). */
  maxCertificateMessageSize: 262_144,
  /** Entries in a Certificate message's certificate_list. */
  maxCertificateEntries: 32,
  /** Extensions in one extensions block. */
  maxExtensions: 64,
  /** Offered cipher suites (scanners offer a few hundred). */
  maxCipherSuites: 1024,
  /** KeyShareEntry values in a ClientHello. */
  maxKeyShares: 16,
  /** PSK identities offered in a ClientHello. */
  maxPskIdentities: 16,
  /** Entries in a list of DistinguishedNames (certificate_authorities). */
  maxDistinguishedNames: 512,
  /** Host names: the DNS limit. */
  maxHostNameLength: 253,
} as const

/** The largest body we accept for a handshake message of this type. */
export function maxHandshakeBodySize(type: number): number {
  return type === HandshakeType.certificate ? HandshakeLimits.maxCertificateMessageSize : HandshakeLimits.maxMessageSize
}

/** Throws illegal_parameter when a peer sent more of something than we accept. */
export function checkLimit(count: number, max: number, what: string): void {
  if (count > max) throw new TlsError('illegal_parameter', `${what}: ${count} exceeds the limit of ${max}`)
}
