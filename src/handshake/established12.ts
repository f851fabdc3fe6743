// A TLS 1.2 connection after its handshake: renegotiation refused (no_renegotiation), the RFC 5705 exporter.
import { AlertDescription, TlsError } from '../errors.js'
import type { HandshakeMessageIn } from './flow.js'
import { decodeEmptyMessage } from './messages/empty-messages.js'
import { tls12ExportKeyingMaterial } from './prf.js'
import { HandshakeType, handshakeTypeName } from './registry.js'
import type { ConnectionInfo, Established, HandshakeSession, StoredTicket } from './session.js'
import type { Tls12Session } from './traffic12.js'

/** A TLS 1.2 connection after its handshake, for either role. */
export class Established12 implements Established {
  readonly info: ConnectionInfo
  /** Client: the ticket to resume this session with (the new one, else the one resumed), if any. */
  readonly tickets: StoredTicket[]

  readonly #session: HandshakeSession
  readonly #role: 'client' | 'server'
  readonly #secrets: Tls12Session

  constructor(
    session: HandshakeSession,
    role: 'client' | 'server',
    secrets: Tls12Session,
    info: ConnectionInfo,
    tickets: StoredTicket[] = [],
  ) {
    this.#session = session
    this.#role = role
    this.#secrets = secrets
    this.info = Object.freeze({ ...info, peerCertificates: Object.freeze([...info.peerCertificates]) })
    this.tickets = tickets
  }

  /**
   * Renegotiation is refused (RFC 5746 4.2, 4.4): a HelloRequest to a client or a ClientHello to a server
   * gets a warning no_renegotiation and the connection carries on; anything else is unexpected.
   */
  handlePostHandshake(message: HandshakeMessageIn): void {
    if (this.#role === 'client' && message.msgType === HandshakeType.hello_request) {
      decodeEmptyMessage(HandshakeType.hello_request, message.body)
      this.#session.sendWarningAlert(AlertDescription.no_renegotiation)
      return
    }
    if (this.#role === 'server' && message.msgType === HandshakeType.client_hello) {
      this.#session.sendWarningAlert(AlertDescription.no_renegotiation)
      return
    }
    throw new TlsError('unexpected_message', `${handshakeTypeName(message.msgType)} after the TLS 1.2 handshake`)
  }

  updateKeys(): void {
    throw new TlsError('internal_error', 'KeyUpdate exists only in TLS 1.3', 'ERR_TLS_KEY_UPDATE_TLS12')
  }

  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 0 || length > 16384) throw new TlsError('internal_error', 'exporter length must be 0..16384')
    // RFC 7627 5.4: without the extended master secret, keying material is not bound to this session.
    if (!this.#secrets.extendedMasterSecret)
      throw new TlsError('internal_error', 'no exporter on a TLS 1.2 connection without the extended master secret (RFC 7627 5.4)', 'ERR_TLS_EXPORTER_WITHOUT_EMS')
    const { suite, masterSecret, clientRandom, serverRandom } = this.#secrets
    return tls12ExportKeyingMaterial(this.#session.config.provider, suite.hash, masterSecret, clientRandom, serverRandom, label, context, length)
  }
}
