// A TLS 1.3 connection after its handshake: NewSessionTicket, KeyUpdate both ways, post-handshake authentication, and the exporter.
import { TlsError } from '../errors.js'
import type { Waiting } from '../pending.js'
import { LIMITS } from '../policy/defaults.js'
import type { HandshakeMessageIn } from './flow.js'
import { nextApplicationTrafficSecret, resumptionPsk, tls13ExportKeyingMaterial } from './key-schedule.js'
import { decodeKeyUpdate, encodeKeyUpdate } from './messages/key-update.js'
import { decodeNewSessionTicket } from './messages/new-session-ticket.js'
import { type PostHandshakeContext, PostHandshakeAuthClient, PostHandshakeAuthServer, withAuthenticatedPeer } from './post-handshake-auth.js'
import { HandshakeType, handshakeTypeName } from './registry.js'
import type { ConnectionInfo, Established, HandshakeSession, StoredTicket } from './session.js'
import type { Tls13CipherSuite } from '../policy/suites.js'
import { protectionFor } from './traffic13.js'
import type { Transcript } from './transcript.js'

export interface Tls13Secrets {
  readonly role: 'client' | 'server'
  readonly clientApplicationSecret: Uint8Array
  readonly serverApplicationSecret: Uint8Array
  readonly exporterMasterSecret: Uint8Array
  readonly resumptionMasterSecret: Uint8Array
  readonly info: ConnectionInfo
  /**
   * The transcript through the client's Finished, given only when the client offered post_handshake_auth: then the
   * server may ask for a certificate after the handshake and the client answers (RFC 8446 4.6.2).
   */
  readonly handshakeTranscript?: Transcript
}

/** The messages of a client's answer to a post-handshake CertificateRequest. */
const ANSWER_TYPES: ReadonlySet<number> = new Set([HandshakeType.certificate, HandshakeType.certificate_verify, HandshakeType.finished])

export class Established13 implements Established {
  /** Replaced (never changed) when a post-handshake authentication establishes another client certificate. */
  #currentInfo: ConnectionInfo
  readonly tickets: StoredTicket[] = []
  /** NewSessionTickets received, kept or not. */
  #ticketsReceived = 0
  #readSecret: Uint8Array
  #writeSecret: Uint8Array
  readonly #authClient: PostHandshakeAuthClient | undefined
  readonly #authServer: PostHandshakeAuthServer | undefined

  readonly #session: HandshakeSession
  readonly #suite: Tls13CipherSuite
  readonly #secrets: Tls13Secrets

  constructor(session: HandshakeSession, suite: Tls13CipherSuite, secrets: Tls13Secrets) {
    this.#session = session
    this.#suite = suite
    this.#secrets = secrets
    this.#currentInfo = Object.freeze({ ...secrets.info, peerCertificates: Object.freeze([...secrets.info.peerCertificates]) })
    const client = secrets.role === 'client'
    this.#readSecret = client ? secrets.serverApplicationSecret : secrets.clientApplicationSecret
    this.#writeSecret = client ? secrets.clientApplicationSecret : secrets.serverApplicationSecret
    const authentication = this.#postHandshakeContext()
    if (authentication && client) this.#authClient = new PostHandshakeAuthClient(authentication)
    if (authentication && !client) this.#authServer = new PostHandshakeAuthServer(authentication, (peer) => (this.#currentInfo = withAuthenticatedPeer(this.#currentInfo, peer)))
  }

  get info(): ConnectionInfo {
    return this.#currentInfo
  }

  /** What post-handshake authentication needs, when the client offered it. */
  #postHandshakeContext(): PostHandshakeContext | undefined {
    const { handshakeTranscript, role } = this.#secrets
    if (!handshakeTranscript) return undefined
    return {
      session: this.#session,
      suite: this.#suite,
      handshakeTranscript,
      clientApplicationSecret: () => (role === 'client' ? this.#writeSecret : this.#readSecret),
    }
  }

  handlePostHandshake(message: HandshakeMessageIn): Waiting<void> | void {
    const server = this.#secrets.role === 'server'
    // RFC 8446 4.6.2: an answer to our CertificateRequest has nothing between its messages.
    if (server && (this.#authServer?.responding || ANSWER_TYPES.has(message.msgType))) return this.#receiveAuthentication(message)
    switch (message.msgType) {
      case HandshakeType.key_update:
        return this.#receiveKeyUpdate(message.body)
      case HandshakeType.new_session_ticket:
        if (!server) return this.#receiveNewSessionTicket(message.body)
        break
      case HandshakeType.certificate_request:
        // RFC 8446 4.6.2: without post_handshake_auth offered, a CertificateRequest is unexpected_message.
        if (this.#authClient) return this.#authClient.answer(message)
        break
    }
    throw new TlsError('unexpected_message', `${handshakeTypeName(message.msgType)} after the TLS 1.3 handshake`)
  }

  #receiveAuthentication(message: HandshakeMessageIn): Waiting<void> {
    if (!this.#authServer) throw new TlsError('unexpected_message', `${handshakeTypeName(message.msgType)} after the TLS 1.3 handshake`)
    return this.#authServer.receive(message)
  }

  /** RFC 8446 4.6.2: asks the client for a certificate; only a client that offered post_handshake_auth can be asked. */
  requestClientCertificate(): Promise<ConnectionInfo> {
    if (!this.#authServer)
      throw new TlsError('internal_error', 'the client did not offer post_handshake_auth: it cannot be asked for a certificate after the handshake', 'ERR_TLS_NO_POST_HANDSHAKE_AUTH')
    return this.#authServer.request()
  }

  get peerMidFlight(): boolean {
    return this.#authServer?.responding ?? false
  }

  abandon(error: TlsError): void {
    this.#authServer?.abandon(error)
  }

  /** RFC 8446 4.6.3: new read keys; answer update_requested with our own KeyUpdate. */
  #receiveKeyUpdate(body: Uint8Array): void {
    const { requestUpdate } = decodeKeyUpdate(body)
    const { provider } = this.#session.config
    this.#readSecret = nextApplicationTrafficSecret(provider, this.#suite.hash, this.#readSecret)
    this.#session.setReadProtection(protectionFor(provider, this.#suite, this.#readSecret))
    // One answer per request, and none once our side is closed (RFC 8446 4.6.3).
    if (requestUpdate && !this.#session.writeClosed) this.updateKeys(false)
  }

  /**
   * RFC 8446 4.6.1: keep the ticket with the PSK it stands for. The first tickets are kept; later ones cost
   * nothing (neither parsed nor derived), and a server that sends an unreasonable number is refused.
   */
  #receiveNewSessionTicket(body: Uint8Array): void {
    if (++this.#ticketsReceived > LIMITS.maxTicketsPerConnection)
      throw new TlsError('unexpected_message', `more than ${LIMITS.maxTicketsPerConnection} NewSessionTickets on one connection`)
    if (this.tickets.length >= LIMITS.maxStoredTickets) return
    const ticket = decodeNewSessionTicket(body)
    const { provider, now } = this.#session.config
    if (ticket.ticketLifetime === 0) return
    const stored: StoredTicket = {
      version: 'TLSv1.3',
      ticket: ticket.ticket,
      lifetimeSeconds: ticket.ticketLifetime,
      ageAdd: ticket.ticketAgeAdd,
      receivedAt: now(),
      cipherSuite: this.#suite.code,
      secret: resumptionPsk(provider, this.#suite.hash, this.#secrets.resumptionMasterSecret, ticket.ticketNonce),
      serverName: this.info.serverName,
    }
    this.tickets.push(stored)
    this.#session.config.sessionCache?.store(stored, this.info)
  }

  updateKeys(requestPeerUpdate: boolean): void {
    const { provider } = this.#session.config
    this.#session.sendHandshake(encodeKeyUpdate({ requestUpdate: requestPeerUpdate }))
    this.#writeSecret = nextApplicationTrafficSecret(provider, this.#suite.hash, this.#writeSecret)
    this.#session.setWriteProtection(protectionFor(provider, this.#suite, this.#writeSecret))
  }

  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    const maxLength = 255 * this.#session.config.provider.hash(this.#suite.hash).outputLength
    if (!Number.isInteger(length) || length < 0 || length > maxLength) throw new TlsError('internal_error', `exporter length must be 0..${maxLength}`)
    return tls13ExportKeyingMaterial(this.#session.config.provider, this.#suite.hash, this.#secrets.exporterMasterSecret, label, context, length)
  }
}
