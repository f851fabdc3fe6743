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
  /**
   * ClientHello bodies: the largest the wire format allows (cipher_suites and extensions are u16 vectors: about
   * 128 KiB), so hellos full of GREASE, unknown extensions, suites, schemes or shares are all read, in linear time.
   */
  maxClientHelloSize: 2 + 32 + 33 + (2 + 65_534) + (1 + 255) + (2 + 65_535),
  /** Certificate bodies (a chain of large RSA certificates with SCTs can exceed 64 KiB). */
  maxCertificateMessageSize: 262_144,
  /** Entries in a Certificate message's certificate_list. */
  maxCertificateEntries: 32,
  /** PSK identities a server tries (each costs a ticket decryption); later ones are ignored. */
  maxPskIdentitiesTried: 16,
  /** Host names: the DNS limit. */
  maxHostNameLength: 253,
} as const

/** The largest body we accept for a handshake message of this type. */
export function maxHandshakeBodySize(type: number): number {
  if (type === HandshakeType.certificate) return HandshakeLimits.maxCertificateMessageSize
  if (type === HandshakeType.client_hello) return HandshakeLimits.maxClientHelloSize
  return HandshakeLimits.maxMessageSize
}

/** Throws illegal_parameter when a peer sent more of something than we accept. */
export function checkLimit(count: number, max: number, what: string): void {
  if (count > max) throw new TlsError('illegal_parameter', `${what}: ${count} exceeds the limit of ${max}`)
}
