// A TLS 1.3 connection after its handshake: NewSessionTicket, KeyUpdate both ways, and the exporter.
import { TlsError } from '../errors.js'
import { LIMITS } from '../policy/defaults.js'
import type { HandshakeMessageIn } from './flow.js'
import { nextApplicationTrafficSecret, resumptionPsk, tls13ExportKeyingMaterial } from './key-schedule.js'
import { decodeKeyUpdate, encodeKeyUpdate } from './messages/key-update.js'
import { decodeNewSessionTicket } from './messages/new-session-ticket.js'
import { HandshakeType, handshakeTypeName } from './registry.js'
import type { ConnectionInfo, Established, HandshakeSession, StoredTicket } from './session.js'
import type { Tls13CipherSuite } from '../policy/suites.js'
import { protectionFor } from './traffic13.js'

export interface Tls13Secrets {
  readonly role: 'client' | 'server'
  readonly clientApplicationSecret: Uint8Array
  readonly serverApplicationSecret: Uint8Array
  readonly exporterMasterSecret: Uint8Array
  readonly resumptionMasterSecret: Uint8Array
  readonly info: ConnectionInfo
}

export class Established13 implements Established {
  readonly info: ConnectionInfo
  readonly tickets: StoredTicket[] = []
  /** NewSessionTickets received, kept or not. */
  private ticketsReceived = 0
  private readSecret: Uint8Array
  private writeSecret: Uint8Array

  constructor(
    private readonly session: HandshakeSession,
    private readonly suite: Tls13CipherSuite,
    private readonly secrets: Tls13Secrets,
  ) {
    this.info = Object.freeze({ ...secrets.info, peerCertificates: Object.freeze([...secrets.info.peerCertificates]) })
    const client = secrets.role === 'client'
    this.readSecret = client ? secrets.serverApplicationSecret : secrets.clientApplicationSecret
    this.writeSecret = client ? secrets.clientApplicationSecret : secrets.serverApplicationSecret
  }

  handlePostHandshake(message: HandshakeMessageIn): void {
    switch (message.msgType) {
      case HandshakeType.key_update:
        return this.receiveKeyUpdate(message.body)
      case HandshakeType.new_session_ticket:
        if (this.secrets.role === 'client') return this.receiveNewSessionTicket(message.body)
        break
    }
    // CertificateRequest after the handshake needs post_handshake_auth, which we never offer.
    throw new TlsError('unexpected_message', `${handshakeTypeName(message.msgType)} after the TLS 1.3 handshake`)
  }

  /** RFC 8446 4.6.3: new read keys; answer update_requested with our own KeyUpdate. */
  private receiveKeyUpdate(body: Uint8Array): void {
    const { requestUpdate } = decodeKeyUpdate(body)
    const { provider } = this.session.config
    this.readSecret = nextApplicationTrafficSecret(provider, this.suite.hash, this.readSecret)
    this.session.setReadProtection(protectionFor(provider, this.suite, this.readSecret))
    // One answer per request, and none once our side is closed (RFC 8446 4.6.3).
    if (requestUpdate && !this.session.writeClosed) this.updateKeys(false)
  }

  /**
   * RFC 8446 4.6.1: keep the ticket with the PSK it stands for. The first tickets are kept; later ones cost
   * nothing (neither parsed nor derived), and a server that sends an unreasonable number is refused.
   */
  private receiveNewSessionTicket(body: Uint8Array): void {
    if (++this.ticketsReceived > LIMITS.maxTicketsPerConnection)
      throw new TlsError('unexpected_message', `more than ${LIMITS.maxTicketsPerConnection} NewSessionTickets on one connection`)
    if (this.tickets.length >= LIMITS.maxStoredTickets) return
    const ticket = decodeNewSessionTicket(body)
    const { provider, now } = this.session.config
    if (ticket.ticketLifetime === 0) return
    const stored: StoredTicket = {
      version: 'TLSv1.3',
      ticket: ticket.ticket,
      lifetimeSeconds: ticket.ticketLifetime,
      ageAdd: ticket.ticketAgeAdd,
      receivedAt: now(),
      cipherSuite: this.suite.code,
      secret: resumptionPsk(provider, this.suite.hash, this.secrets.resumptionMasterSecret, ticket.ticketNonce),
      serverName: this.info.serverName,
    }
    this.tickets.push(stored)
    this.session.config.sessionCache?.store(stored, this.info)
  }

  updateKeys(requestPeerUpdate: boolean): void {
    const { provider } = this.session.config
    this.session.sendHandshake(encodeKeyUpdate({ requestUpdate: requestPeerUpdate }))
    this.writeSecret = nextApplicationTrafficSecret(provider, this.suite.hash, this.writeSecret)
    this.session.setWriteProtection(protectionFor(provider, this.suite, this.writeSecret))
  }

  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    const maxLength = 255 * this.session.config.provider.hash(this.suite.hash).outputLength
    if (!Number.isInteger(length) || length < 0 || length > maxLength) throw new TlsError('internal_error', `exporter length must be 0..${maxLength}`)
    return tls13ExportKeyingMaterial(this.session.config.provider, this.suite.hash, this.secrets.exporterMasterSecret, label, context, length)
  }
}
