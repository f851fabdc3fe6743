// The TLS 1.2 client after ServerHello (RFC 5246 7.3, RFC 8422): ECDHE only, EMS by policy, no renegotiation; or the abbreviated handshake of a resumed ticket (RFC 5077 3.1).
import type { KeyShare, NamedGroupName } from '../crypto/provider.js'
import { TlsError } from '../errors.js'
import { checkExtendedMasterSecret, checkSelectedAlpn, checkSelectedGroup12 } from '../policy/decisions.js'
import { TLS12 } from '../policy/defaults.js'
import { settle } from '../pending.js'
import { checkPeerSignature, type ChosenCertificate, keyFitsSuite, signWith, verifyPeerCertificates } from './authentication.js'
import { chooseClientCertificate } from './client-certificate.js'
import type { ClientOffer } from './client-hello.js'
import { Established12 } from './established12.js'
import { HandshakeState } from './handshake-state.js'
import { logSecret } from './key-log.js'
import { alpnSelected } from './extensions/alpn.js'
import { ecPointFormats } from './extensions/ec-point-formats.js'
import { readExtension } from './extensions/extension.js'
import { checkOfferedExtensions } from './extensions/placement.js'
import { negotiateRecordSizeLimits } from './extensions/record-size-limit.js'
import { renegotiationInfo } from './extensions/renegotiation-info.js'
import { extendedMasterSecret, sessionTicketAck } from './extensions/simple.js'
import { expectChangeCipherSpec, expectMessage, type Step } from './flow.js'
import { decodeCertificateTls12, encodeCertificateTls12 } from './messages/certificate-tls12.js'
import { decodeCertificateRequestTls12 } from './messages/certificate-request-tls12.js'
import { encodeCertificateVerify } from './messages/certificate-verify.js'
import { encodeClientKeyExchangeEcdhe } from './messages/client-key-exchange.js'
import { decodeEmptyMessage } from './messages/empty-messages.js'
import { decodeNewSessionTicketTls12 } from './messages/new-session-ticket-tls12.js'
import { decodeServerKeyExchangeEcdhe, serverKeyExchangeSignedData } from './messages/server-key-exchange.js'
import type { ReceivedServerHello } from './messages/server-hello.js'
import { HandshakeType, namedGroupName, providerGroupName } from './registry.js'
import { resumedTicket12, storedTicket12 } from './resumption12.js'
import type { CachedTicket, HandshakeSession, StoredTicket } from './session.js'
import { cipherSuiteByCode, isTls12Suite, type Tls12CipherSuite } from '../policy/suites.js'
import { checkFinished12, deriveTls12Session, finished12, protection12, tls12SessionKeys, type Tls12Session } from './traffic12.js'
import type { Transcript } from './transcript.js'

class ClientHandshakeState12 extends HandshakeState {
  readonly #suite: Tls12CipherSuite
  readonly #extendedMasterSecret: boolean
  readonly #expectTicket: boolean
  #alpnProtocol: string | undefined
  #group: NamedGroupName = 'x25519'
  #serverPublic: Uint8Array = new Uint8Array(0)
  #certificateRequest: { schemes: readonly number[] } | undefined
  /** The ticket the server resumes (RFC 5077 3.1), or undefined in a full handshake. */
  #resumption: CachedTicket | undefined
  /** The ticket the server sent in this handshake, if any. */
  #ticket: StoredTicket | undefined

  readonly #offer: ClientOffer
  readonly #serverHello: ReceivedServerHello

  constructor(
    session: HandshakeSession,
    transcript: Transcript,
    offer: ClientOffer,
    serverHello: ReceivedServerHello,
  ) {
    super(session, transcript)
    this.#offer = offer
    this.#serverHello = serverHello
    const suite = cipherSuiteByCode(serverHello.cipherSuite)
    if (!suite || !isTls12Suite(suite)) throw new TlsError('illegal_parameter', 'the server selected a TLS 1.3 cipher suite for TLS 1.2')
    this.#suite = suite
    const extensions = serverHello.extensions
    this.#extendedMasterSecret = readExtension(extensions, extendedMasterSecret) ?? false
    // RFC 5077 3.2: an empty session_ticket in the ServerHello announces a NewSessionTicket.
    this.#expectTicket = readExtension(extensions, sessionTicketAck) ?? false
  }

  *handshake(serverHelloRaw: Uint8Array): Step {
    this.#processServerHello(serverHelloRaw)
    if (this.#resumption) return yield* this.#resumeHandshake(this.#resumption)
    yield* this.#readServerCertificate()
    yield* this.#readServerKeyExchange()
    yield* this.#readCertificateRequestAndDone()
    const secrets = yield* this.#sendClientFlight()
    this.#sendClientFinished(secrets)
    yield* this.#readServerFinished(secrets)
    this.#complete(secrets)
  }

  /** RFC 5077 3.1, RFC 5246 7.3: the abbreviated handshake. The server's [NewSessionTicket], CCS and Finished come first, then ours. */
  *#resumeHandshake(ticket: CachedTicket): Step {
    const secrets = tls12SessionKeys(this.config.provider, this.#suite, ticket.secret, this.#offer.random, this.#serverHello.random, true)
    logSecret(this.config, 'CLIENT_RANDOM', this.#offer.random, secrets.masterSecret)
    yield* this.#readServerFinished(secrets)
    this.#sendClientFinished(secrets)
    this.#complete(secrets)
  }

  #processServerHello(serverHelloRaw: Uint8Array): void {
    const { extensions } = this.#serverHello
    checkOfferedExtensions(extensions, this.#offer.extensionTypes, 'server_hello_tls12')
    this.#resumption = resumedTicket12(this.#offer, this.#serverHello)
    checkExtendedMasterSecret(this.config.policy, this.#extendedMasterSecret)
    // RFC 5746 3.4: on an initial handshake the server's renegotiation_info must be empty.
    const renegotiation = readExtension(extensions, renegotiationInfo)
    if (renegotiation !== undefined && renegotiation.length !== 0) throw new TlsError('handshake_failure', 'renegotiation_info is not empty on an initial handshake')
    const formats = readExtension(extensions, ecPointFormats)
    if (formats !== undefined && !formats.includes(0)) throw new TlsError('illegal_parameter', 'the server does not accept uncompressed points')
    this.#alpnProtocol = readExtension(extensions, alpnSelected)
    checkSelectedAlpn(this.#offer.alpn, this.#alpnProtocol)
    // RFC 8449 4: both limits bind the records protected after the ChangeCipherSpecs.
    const limits = negotiateRecordSizeLimits(extensions, this.config.recordSizeLimit, TLS12)
    if (limits) this.session.setRecordSizeLimits(limits)
    this.transcript.setHash(this.#suite.hash)
    this.transcript.update(serverHelloRaw)
  }

  *#readServerCertificate(): Step {
    const message = yield* expectMessage(HandshakeType.certificate)
    this.peerChain = [...decodeCertificateTls12(message.body).certificateList]
    // RFC 5246 7.4.2: the server's Certificate carries its chain; an empty one is malformed for a server.
    if (this.peerChain.length === 0) throw new TlsError('decode_error', 'the server sent an empty Certificate')
    this.verified = yield* settle(verifyPeerCertificates(this.config, this.peerChain, 'serverAuth', TLS12))
    if (!keyFitsSuite(this.verified!.leaf.publicKey, this.#suite))
      throw new TlsError('illegal_parameter', `the server's ${this.verified!.leaf.publicKey.type} key cannot authenticate ${this.#suite.name}`)
    this.transcript.update(message.raw)
  }

  /** RFC 8422 5.4: named-curve ECDHE parameters signed over both randoms. */
  *#readServerKeyExchange(): Step {
    const message = yield* expectMessage(HandshakeType.server_key_exchange)
    const exchange = decodeServerKeyExchangeEcdhe(message.body)
    this.#group = checkSelectedGroup12(this.config.policy, providerGroupName(exchange.params.namedCurve), namedGroupName(exchange.params.namedCurve))
    const signed = serverKeyExchangeSignedData(this.#offer.random, this.#serverHello.random, exchange.paramsBytes)
    yield* checkPeerSignature(this.config, this.verified!.leaf.publicKey, exchange.algorithm, TLS12, signed, exchange.signature, 'ServerKeyExchange')
    this.peerScheme = exchange.algorithm
    this.#serverPublic = exchange.params.publicKey
    this.transcript.update(message.raw)
  }

  *#readCertificateRequestAndDone(): Step {
    let message = yield* expectMessage(HandshakeType.certificate_request, HandshakeType.server_hello_done)
    if (message.msgType === HandshakeType.certificate_request) {
      const request = decodeCertificateRequestTls12(message.body)
      this.#certificateRequest = { schemes: request.supportedSignatureAlgorithms }
      this.transcript.update(message.raw)
      message = yield* expectMessage(HandshakeType.server_hello_done)
    }
    decodeEmptyMessage(HandshakeType.server_hello_done, message.body)
    this.transcript.update(message.raw)
  }

  /** [Certificate], ClientKeyExchange, [CertificateVerify]. */
  *#sendClientFlight(): Step<Tls12Session> {
    const { provider } = this.config
    let chosen: ChosenCertificate | undefined
    if (this.#certificateRequest) {
      // RFC 5246 7.4.6: no suitable certificate → an empty Certificate.
      chosen = yield* chooseClientCertificate(this.config, this.#certificateRequest.schemes, TLS12, false)
      this.sendAndHash(encodeCertificateTls12({ certificateList: chosen ? [...chosen.certified.chain] : [] }))
    }
    const share: KeyShare = yield* settle(provider.generateKeyShare(this.#group))
    const preMasterSecret = yield* settle(share.agree(this.#serverPublic))
    this.sendAndHash(encodeClientKeyExchangeEcdhe({ publicKey: share.publicKey }))
    const secrets = deriveTls12Session(provider, this.#suite, preMasterSecret, this.#offer.random, this.#serverHello.random, this.#extendedMasterSecret, this.transcript)
    logSecret(this.config, 'CLIENT_RANDOM', this.#offer.random, secrets.masterSecret)
    if (chosen) {
      // RFC 5246 7.4.8: the signature covers every handshake message so far.
      const signature = yield* settle(signWith(this.config, chosen, this.transcript.bytes()))
      this.sendAndHash(encodeCertificateVerify({ algorithm: chosen.scheme, signature }))
    }
    return secrets
  }

  #sendClientFinished(secrets: Tls12Session): void {
    const { provider } = this.config
    this.session.sendChangeCipherSpec()
    this.session.setWriteProtection(protection12(provider, secrets, 'client'))
    this.sendFinished(finished12(provider, secrets, 'client', this.transcript))
  }

  /** [NewSessionTicket], ChangeCipherSpec, Finished. */
  *#readServerFinished(secrets: Tls12Session): Step {
    const { provider } = this.config
    if (this.#expectTicket) {
      const message = yield* expectMessage(HandshakeType.new_session_ticket)
      const { ticket, ticketLifetimeHint } = decodeNewSessionTicketTls12(message.body)
      // RFC 5077 3.3: an empty ticket means the server will not resume after all; a session without EMS is never resumed.
      if (ticket.length > 0 && secrets.extendedMasterSecret) this.#ticket = storedTicket12(this.config, ticket, ticketLifetimeHint, this.#suite.code, secrets.masterSecret)
      this.transcript.update(message.raw)
    }
    yield* expectChangeCipherSpec()
    this.session.setReadProtection(protection12(provider, secrets, 'server'))
    const message = yield* expectMessage(HandshakeType.finished)
    checkFinished12(provider, secrets, 'server', this.transcript, message.body)
    this.acceptPeerFinished(message)
  }

  /** Done, the server authenticated by its Finished: the session to resume later is the new ticket, else the one resumed. */
  #complete(secrets: Tls12Session): void {
    const info = this.connectionInfo({
      version: 'TLSv1.2',
      cipherSuite: this.#suite.name,
      group: this.#resumption ? undefined : this.#group,
      alpnProtocol: this.#alpnProtocol,
      serverName: this.config.serverName,
      extendedMasterSecret: secrets.extendedMasterSecret,
      resumedFrom: this.#resumption,
    })
    const resumable = this.#ticket ?? this.#resumption
    if (resumable) this.config.sessionCache?.store(resumable, info)
    this.session.complete(new Established12(this.session, 'client', secrets, info, resumable ? [resumable] : []))
  }
}

/** Runs the TLS 1.2 client from a ServerHello that selected TLS 1.2. */
export function* clientHandshake12(session: HandshakeSession, transcript: Transcript, offer: ClientOffer, serverHello: ReceivedServerHello, serverHelloRaw: Uint8Array): Step {
  yield* new ClientHandshakeState12(session, transcript, offer, serverHello).handshake(serverHelloRaw)
}
