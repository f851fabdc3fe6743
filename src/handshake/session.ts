// What a handshake state machine sees of its connection: configuration, a way to send, key switches, completion.
import type { CryptoProvider, NamedGroupName, PrivateKey } from '../crypto/provider.js'
import type { CertificateVerificationError, TlsError } from '../errors.js'
import type { MaybePromise, Waiting } from '../pending.js'
import type { TlsVersion } from '../policy/defaults.js'
import type { TlsPolicy } from '../policy/policy.js'
import type { RecordProtection } from '../record/protection.js'
import type { PeerCertificateVerifier } from '../x509/verifier.js'
import type { RecordSizeLimits } from './extensions/record-size-limit.js'
import type { HandshakeMessageIn } from './flow.js'
import type { SessionCache } from './session-cache.js'
import type { TicketSealer } from './tickets.js'

/** A certificate chain (DER, leaf first) with the private key of its leaf. */
export interface CertifiedKey {
  readonly chain: readonly Uint8Array[]
  readonly key: PrivateKey
}

/** A session ticket received from a server, kept for a later resumption. */
export interface StoredTicket {
  /** The version of the session the ticket resumes. */
  readonly version: 'TLSv1.3' | 'TLSv1.2'
  /** The opaque ticket the server sent (RFC 8446 section 4.6.1), offered back as a PSK identity. */
  readonly ticket: Uint8Array
  /** ticket_lifetime: seconds the server allows it to be used (at most 7 days). */
  readonly lifetimeSeconds: number
  /** ticket_age_add: obfuscates the ticket age the client reports. */
  readonly ageAdd: number
  /** When the ticket arrived (its age is counted from here). */
  readonly receivedAt: Date
  /** The cipher suite code of the session; a resumption must use a suite with the same hash. */
  readonly cipherSuite: number
  /**
   * TLS 1.3: the PSK derived from the resumption master secret and the ticket nonce. TLS 1.2: the session's master
   * secret (only sessions with the extended master secret are kept, RFC 7627 5.3).
   */
  readonly secret: Uint8Array
  /** The server name the ticket was issued for; it is only offered to that name. */
  readonly serverName?: string
}

/** What `conn.tickets` shows of a ticket: everything but the secret it stands for. */
export type SessionTicketInfo = Omit<StoredTicket, 'secret'>

/** A ticket and what the client knew of the server when it arrived: a resumption reports the same peer. */
export interface CachedTicket extends StoredTicket {
  readonly peerCertificates: readonly Uint8Array[]
  readonly peerVerified: boolean
  /** The server leaf's notAfter: past it the ticket is not offered, so a resumption never outlives its certificate. */
  readonly peerNotAfter: Date | undefined
}

/** What a client is told when a server asks for its certificate. */
export interface ClientCertificateRequest {
  /** True for a request after the handshake (TLS 1.3 post-handshake authentication, RFC 8446 4.6.2). */
  readonly postHandshake: boolean
  /** The version of the connection asking: TLS 1.3 (CertificateRequest, RFC 8446 §4.3.2) or TLS 1.2 (RFC 5246 §7.4.4). */
  readonly version: 'TLSv1.3' | 'TLSv1.2'
  /** The signature schemes the server accepts, by their RFC names (e.g. `ecdsa_secp256r1_sha256`). */
  readonly signatureSchemes: readonly string[]
  /** The server name this client connected to. */
  readonly serverName: string | undefined
}

/** Which way a handshake message went, for `onHandshakeMessage`. */
export type MessageDirection = 'sent' | 'received'

/** Everything a handshake reads; assembled by the context from validated options. */
export interface HandshakeConfig {
  readonly policy: TlsPolicy
  readonly provider: CryptoProvider
  /** Server: the candidate certificates; client: the client certificate to present when asked (first usable). */
  readonly certificates: readonly CertifiedKey[]
  /** Verifies the peer's chain; a client always has one (the insecure one only when verifyMode is 'none'). */
  readonly verifier: PeerCertificateVerifier | undefined
  /** Client: the name sent in SNI and checked against the certificate. */
  readonly serverName?: string
  readonly now: () => Date
  /** NSS key log lines (SSLKEYLOGFILE format) for Wireshark and tests; never set by default. */
  readonly keyLog?: (line: string) => void
  /** Client with `sessionTickets`: keeps the servers' tickets (both versions) and hands one out to resume. */
  readonly sessionCache?: SessionCache
  /** Server with `sessionTickets`: seals the tickets we issue and opens those offered back. */
  readonly ticketSealer?: TicketSealer
  /** Client: a session exported earlier (`conn.session`) to offer before any cached ticket. */
  readonly offeredSession?: CachedTicket
  /** Server: the configuration to use for a client that asked for `serverName` (SNI), or undefined to keep this one. */
  readonly selectConfig?: (serverName: string) => HandshakeConfig | undefined
  /** Observes every handshake message sent or received: its type name and body length (for traces). */
  readonly onHandshakeMessage?: (direction: MessageDirection, type: string, length: number) => void
  /** The record_size_limit we announce (RFC 8449), 64..2^14 + 1; undefined announces the protocol's maximum. */
  readonly recordSizeLimit?: number
  /** Client: finds the certificate to present when a server asks (instead of `certificates`); undefined sends none. */
  readonly clientCertificate?: (request: ClientCertificateRequest) => MaybePromise<CertifiedKey | undefined>
  /**
   * Server: a TLS 1.3 client that offered post_handshake_auth is not asked for its certificate in the handshake;
   * `requestClientCertificate()` asks after it. Other clients are asked in the handshake as the policy says.
   */
  readonly postHandshakeAuth?: boolean
}

/** What is known about an established connection (`conn.info`). */
export interface ConnectionInfo {
  /** The negotiated version. */
  readonly version: 'TLSv1.3' | 'TLSv1.2'
  /** The negotiated suite by IANA name, e.g. `TLS_AES_128_GCM_SHA256`. */
  readonly cipherSuite: string
  /** The key exchange's group; undefined for a TLS 1.2 resumption, which exchanges no key (RFC 5077 3.1). */
  readonly group: NamedGroupName | undefined
  /** The scheme of the peer's CertificateVerify / ServerKeyExchange signature; undefined when none was made (resumption). */
  readonly signatureScheme: string | undefined
  /** The ALPN protocol selected (RFC 7301), or undefined. */
  readonly alpnProtocol: string | undefined
  /** Client: the name sent in SNI; server: the name the client asked for (RFC 6066 section 3). */
  readonly serverName: string | undefined
  /** The peer's certificates as it sent them (DER, leaf first); empty when it sent none. */
  readonly peerCertificates: readonly Uint8Array[]
  /** True only when the peer's chain (and, for a client, the host name) was verified. */
  readonly peerVerified: boolean
  /** True when the session was resumed from a ticket (TLS 1.3 PSK with ECDHE). */
  readonly resumed: boolean
  /** True when the server asked for another key share (HelloRetryRequest, RFC 8446 section 4.1.4). */
  readonly helloRetryRequest: boolean
  /** TLS 1.2 only: whether the extended master secret (RFC 7627) was used. */
  readonly extendedMasterSecret: boolean | undefined
  /** The verify_data of the last Finished message we sent and of the one we received (RFC 8446 4.4.4, RFC 5246 7.4.9). */
  readonly finished: {
    /** Our Finished's verify_data: the hash's length in TLS 1.3 (32 or 48 bytes), 12 bytes in TLS 1.2. */
    readonly local: Uint8Array
    /** The peer's Finished's verify_data, of the same length. */
    readonly peer: Uint8Array
  }
  /** Why the peer's chain did not verify, when the verifier reported instead of refusing (`peerVerified` is then false). */
  readonly peerVerificationError?: CertificateVerificationError
}

/** Version-specific behaviour after the handshake: post-handshake messages, key updates, exporters. */
export interface Established {
  readonly info: ConnectionInfo
  /**
   * A handshake message after completion (NewSessionTicket, KeyUpdate, HelloRequest, post-handshake authentication…);
   * a step when handling it may wait on the provider.
   */
  handlePostHandshake(message: HandshakeMessageIn): Waiting<void> | void
  /**
   * TLS 1.3 server: sends a CertificateRequest (RFC 8446 4.6.2). Resolves with the new `info` once the client's
   * answer is verified; a misuse throws before anything is sent.
   */
  requestClientCertificate?(): Promise<ConnectionInfo>
  /** The peer is between the messages of one post-handshake answer: records of other types are refused meanwhile. */
  readonly peerMidFlight?: boolean
  /** The connection ended (or the peer closed): whatever waits on the peer is rejected with `error`. */
  abandon?(error: TlsError): void
  /** Sends a KeyUpdate (TLS 1.3); TLS 1.2 throws. */
  updateKeys(requestPeerUpdate: boolean): void
  /** RFC 8446 7.5 / RFC 5705 keying material exporter. */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array
  /**
   * The tickets this client can resume with (bounded): those the server sent; after a TLS 1.2 resumption without a
   * new one, the ticket it resumed (RFC 5077 tickets may be used again).
   */
  readonly tickets: StoredTicket[]
}

/** The connection as a state machine sees it. */
export interface HandshakeSession {
  readonly config: HandshakeConfig
  /** Server: switches to the configuration chosen for the client's SNI, right after the ClientHello is read. */
  useConfig(config: HandshakeConfig): void
  /** Queues a handshake message (header included) under the current write protection. */
  sendHandshake(raw: Uint8Array): void
  sendChangeCipherSpec(): void
  /** Sends a warning alert (e.g. no_renegotiation) without ending the connection. */
  sendWarningAlert(description: number): void
  /** Records the negotiated version (the connection's alert and ChangeCipherSpec rules depend on it). */
  setVersion(version: TlsVersion): void
  /** Switches read keys; refused (unexpected_message) if a partial handshake message is buffered. */
  setReadProtection(protection: RecordProtection): void
  setWriteProtection(protection: RecordProtection): void
  /** Both sides sent record_size_limit: the limits apply to protected records, from the current keys' next record on. */
  setRecordSizeLimits(limits: RecordSizeLimits): void
  /** We sent close_notify: nothing more may be written (not even an answer to a KeyUpdate). */
  readonly writeClosed: boolean
  /** The handshake is done: application data may flow. */
  complete(established: Established): void
}
