// The defaults of a client context and of a server context, in one place (Go's defaults.go is the model).
import type { NamedGroupName } from '../crypto/provider.js'
import { SUPPORTED_SIGNATURE_SCHEMES } from '../crypto/schemes.js'

export const TLS12 = 0x0303
export const TLS13 = 0x0304
/** A version as its wire code: 0x0303 is TLS 1.2, 0x0304 TLS 1.3 (RFC 8446 section 4.2.1). */
export type TlsVersion = 0x0303 | 0x0304

export const versionNames: Record<TlsVersion, string> = { [TLS12]: 'TLSv1.2', [TLS13]: 'TLSv1.3' }

/** TLS 1.3 suites, ChaCha20 first: the noble provider's AES is software-only, so ChaCha20 is the faster AEAD. */
export const TLS13_SUITES_CHACHA_FIRST = [0x1303, 0x1301, 0x1302] as const
/** TLS 1.3 suites, AES first: for providers with hardware AES. */
export const TLS13_SUITES_AES_FIRST = [0x1301, 0x1302, 0x1303] as const

/** TLS 1.2 ECDHE + AEAD suites only: no RSA key exchange, no CBC, no static DH. */
export const TLS12_SUITES_CHACHA_FIRST = [0xcca9, 0xcca8, 0xc02b, 0xc02f, 0xc02c, 0xc030] as const
export const TLS12_SUITES_AES_FIRST = [0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8] as const

/** Key-exchange groups, in preference order (the client's first key share is the first of these). */
export const DEFAULT_GROUPS: readonly NamedGroupName[] = ['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1']

/** The signature schemes we offer and accept, strongest and cheapest to verify first (the crypto layer's list). */
export const DEFAULT_SIGNATURE_SCHEMES: readonly number[] = SUPPORTED_SIGNATURE_SCHEMES

export const DEFAULT_MAX_CHAIN_DEPTH = 8

/** Certificates are held to RFC 5280 and, for servers, the CA/B Forum Baseline Requirements; 'private-pki' is the named loosening. */
export const DEFAULT_CERTIFICATE_PROFILE = 'web-pki' as const

/** Python's ssl.create_default_context(), row by row, for the two purposes. */
export const CONTEXT_DEFAULTS = {
  client: {
    minVersion: TLS12 as TlsVersion,
    maxVersion: TLS13 as TlsVersion,
    verifyMode: 'required' as const,
    checkHostname: true,
    extendedMasterSecret: 'required' as const,
  },
  server: {
    minVersion: TLS12 as TlsVersion,
    maxVersion: TLS13 as TlsVersion,
    verifyMode: 'none' as const,
    checkHostname: false,
    extendedMasterSecret: 'required' as const,
  },
}

/** Handshake-level bounds on what a peer controls. */
export const LIMITS = {
  /** NewSessionTickets kept per connection (the first ones; later ones are dropped unread). */
  maxStoredTickets: 8,
  /** NewSessionTickets a connection accepts at all; one more is unexpected_message. */
  maxTicketsPerConnection: 1024,
  /**
   * Bytes of records a server discards from a client whose 0-RTT data it does not accept (RFC 8446 4.2.10): the
   * encrypted records before its second ClientHello after a HelloRetryRequest, or those that fail to decrypt under
   * the handshake key before the first that does. Past it, such a record is refused as usual.
   */
  maxEarlyDataSkipped: 65_536,
  /** Post-handshake handshake messages completed by one record; one more is unexpected_message. */
  maxPostHandshakeMessagesPerRecord: 32,
  /**
   * Records that carry no application data, in a row, allowed before we call it a flood (the next one is
   * unexpected_message): warning alerts, empty records, ChangeCipherSpec, and records of post-handshake messages
   * (KeyUpdate, NewSessionTicket, HelloRequest). The count starts again with application data and when the
   * handshake completes.
   * Message sizes and counts inside messages are bounded in src/handshake/messages/limits.ts.
   */
  maxConsecutiveNonData: 32,
  /** Post-handshake CertificateRequests a client answers per connection (each costs a signature); one more is unexpected_message. */
  maxPostHandshakeCertificateRequests: 32,
}
