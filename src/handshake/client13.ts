// The TLS 1.3 client after ServerHello (RFC 8446 section 2): keys, server parameters, certificate, Finished, our flight.
import type { NamedGroupName } from '../crypto/provider.js'
import { TlsError } from '../errors.js'
import { checkSelectedAlpn, checkSelectedGroup } from '../policy/decisions.js'
import { TLS13 } from '../policy/defaults.js'
import { constantTimeEqual } from '../bytes.js'
import { settle } from '../pending.js'
import { certificateVerifyContent, checkPeerSignature, verifyPeerCertificates } from './authentication.js'
import { type CertificateRequested13, clientCertificateMessages13 } from './client-certificate.js'
import type { ClientOffer } from './client-hello.js'
import { Established13 } from './established13.js'
import { HandshakeState } from './handshake-state.js'
import { alpnSelected } from './extensions/alpn.js'
import { readExtension, requireExtension } from './extensions/extension.js'
import { checkOfferedExtensions } from './extensions/placement.js'
import { keyShareServerHello } from './extensions/key-share.js'
import { negotiateRecordSizeLimits } from './extensions/record-size-limit.js'
import { signatureAlgorithms } from './extensions/signature-algorithms.js'
import { expectMessage, type Step } from './flow.js'
import { logSecret } from './key-log.js'
import { KeySchedule13 } from './key-schedule.js'
import { decodeCertificate } from './messages/certificate.js'
import { decodeCertificateRequest } from './messages/certificate-request.js'
import { decodeCertificateVerify } from './messages/certificate-verify.js'
import { decodeEncryptedExtensions } from './messages/encrypted-extensions.js'
import type { ReceivedServerHello } from './messages/server-hello.js'
import { selectedTicket } from './psk.js'
import { ExtensionType, HandshakeType, namedGroupName, providerGroupName } from './registry.js'
import type { CachedTicket } from './session.js'
import type { HandshakeSession } from './session.js'
import { cipherSuiteByCode, isTls13Suite, type Tls13CipherSuite } from '../policy/suites.js'
import { checkPeerFinished, finishedMessage, protectionFor } from './traffic13.js'
import type { Transcript } from './transcript.js'

class ClientHandshakeState13 extends HandshakeState {
  readonly #suite: Tls13CipherSuite
  #schedule!: KeySchedule13
  /** The ticket the server resumed from (RFC 8446 2.2), or undefined in a full handshake. */
  #resumption: CachedTicket | undefined
  #clientHandshakeSecret: Uint8Array = new Uint8Array(0)
  #serverHandshakeSecret: Uint8Array = new Uint8Array(0)
  #group: NamedGroupName = 'x25519'
  #alpnProtocol: string | undefined
  #certificateRequest: CertificateRequested13 | undefined

  readonly #offer: ClientOffer
  readonly #serverHello: ReceivedServerHello
  readonly #helloRetried: boolean

  constructor(
    session: HandshakeSession,
    transcript: Transcript,
    offer: ClientOffer,
    serverHello: ReceivedServerHello,
    helloRetried: boolean,
  ) {
    super(session, transcript)
    this.#offer = offer
    this.#serverHello = serverHello
    this.#helloRetried = helloRetried
    const suite = cipherSuiteByCode(serverHello.cipherSuite)
    if (!suite || !isTls13Suite(suite)) throw new TlsError('illegal_parameter', 'the server selected a TLS 1.2 cipher suite for TLS 1.3')
    this.#suite = suite
  }

  *handshake(serverHelloRaw: Uint8Array): Step {
    yield* this.#processServerHello(serverHelloRaw)
    yield* this.#readEncryptedExtensions()
    // A resumption authenticates with the PSK: no CertificateRequest, Certificate or CertificateVerify (RFC 8446 2.2).
    if (!this.#resumption) {
      yield* this.#readCertificateRequestAndCertificate()
      yield* this.#readServerCertificateVerify()
    }
    yield* this.#readServerFinished()
    yield* this.#sendClientFlight()
  }

  /** Checks the ServerHello against our offer (and the ticket it resumes, if any) and derives the handshake traffic keys. */
  *#processServerHello(serverHelloRaw: Uint8Array): Step {
    const hello = this.#serverHello
    checkOfferedExtensions(hello.extensions, this.#offer.extensionTypes, 'server_hello')
    if (!constantTimeEqual(hello.legacySessionIdEcho, this.#offer.legacySessionId))
      throw new TlsError('illegal_parameter', 'ServerHello does not echo our legacy_session_id')
    this.#resumption = selectedTicket(hello, this.#offer, this.#suite)
    this.#schedule = new KeySchedule13(this.config.provider, this.#suite.hash, this.#resumption?.secret)
    const share = requireExtension(hello.extensions, keyShareServerHello, 'ServerHello')
    const group = checkSelectedGroup(this.config.policy, providerGroupName(share.group), namedGroupName(share.group))
    const ours = this.#offer.keyShares.get(group)
    if (!ours) throw new TlsError('illegal_parameter', `ServerHello key share is for ${namedGroupName(share.group)}, for which we sent no share`)
    this.#group = group
    this.#schedule.addSharedSecret(yield* settle(ours.agree(share.keyExchange)))

    this.transcript.setHash(this.#suite.hash)
    this.transcript.update(serverHelloRaw)
    const helloHash = this.transcript.hash()
    this.#clientHandshakeSecret = this.#schedule.clientHandshakeTrafficSecret(helloHash)
    this.#serverHandshakeSecret = this.#schedule.serverHandshakeTrafficSecret(helloHash)
    logSecret(this.config, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', this.#offer.random, this.#clientHandshakeSecret)
    logSecret(this.config, 'SERVER_HANDSHAKE_TRAFFIC_SECRET', this.#offer.random, this.#serverHandshakeSecret)
    this.session.setReadProtection(protectionFor(this.config.provider, this.#suite, this.#serverHandshakeSecret))
    // Middlebox compatibility: a dummy ChangeCipherSpec before our first protected record (RFC 8446 D.4).
    if (this.#offer.legacySessionId.length > 0) this.session.sendChangeCipherSpec()
    // From here on our records, alerts included, are protected with the client handshake keys.
    this.session.setWriteProtection(protectionFor(this.config.provider, this.#suite, this.#clientHandshakeSecret))
  }

  *#readEncryptedExtensions(): Step {
    const message = yield* expectMessage(HandshakeType.encrypted_extensions)
    const { extensions } = decodeEncryptedExtensions(message.body)
    checkOfferedExtensions(extensions, this.#offer.extensionTypes, 'encrypted_extensions')
    this.#alpnProtocol = readExtension(extensions, alpnSelected)
    checkSelectedAlpn(this.#offer.alpn, this.#alpnProtocol)
    // RFC 8449 4: the server's limit binds our first protected record (our Finished flight); ours, its records after this one.
    const limits = negotiateRecordSizeLimits(extensions, this.config.recordSizeLimit, TLS13)
    if (limits) this.session.setRecordSizeLimits(limits)
    this.transcript.update(message.raw)
  }

  *#readCertificateRequestAndCertificate(): Step {
    let message = yield* expectMessage(HandshakeType.certificate_request, HandshakeType.certificate)
    if (message.msgType === HandshakeType.certificate_request) {
      const request = decodeCertificateRequest(message.body)
      if (request.certificateRequestContext.length !== 0) throw new TlsError('illegal_parameter', 'CertificateRequest in the handshake has a non-empty context')
      const schemes = requireExtension(request.extensions, signatureAlgorithms, 'CertificateRequest')
      this.#certificateRequest = { context: request.certificateRequestContext, schemes, postHandshake: false }
      this.transcript.update(message.raw)
      message = yield* expectMessage(HandshakeType.certificate)
    }
    const certificate = decodeCertificate(message.body)
    if (certificate.certificateRequestContext.length !== 0) throw new TlsError('illegal_parameter', 'server Certificate has a non-empty context')
    this.peerChain = certificate.certificateList.map((entry) => entry.certData)
    // RFC 8446 4.4.2.4: a server's Certificate is never empty.
    if (this.peerChain.length === 0) throw new TlsError('decode_error', 'the server sent an empty Certificate')
    this.verified = yield* settle(verifyPeerCertificates(this.config, this.peerChain, 'serverAuth', TLS13))
    this.transcript.update(message.raw)
  }

  *#readServerCertificateVerify(): Step {
    const message = yield* expectMessage(HandshakeType.certificate_verify)
    const verify = decodeCertificateVerify(message.body)
    const content = certificateVerifyContent('server', this.transcript.hash())
    yield* checkPeerSignature(this.config, this.verified!.leaf.publicKey, verify.algorithm, TLS13, content, verify.signature, 'server CertificateVerify')
    this.peerScheme = verify.algorithm
    this.transcript.update(message.raw)
  }

  *#readServerFinished(): Step {
    const message = yield* expectMessage(HandshakeType.finished)
    checkPeerFinished(this.config.provider, this.#suite, this.#serverHandshakeSecret, this.transcript.hash(), message.body)
    this.acceptPeerFinished(message)
  }

  /** Derives the application secrets, sends our certificate (if asked) and Finished, and completes. */
  *#sendClientFlight(): Step {
    const { provider } = this.config
    const handshakeHash = this.transcript.hash()
    const clientApplicationSecret = this.#schedule.clientApplicationTrafficSecret(handshakeHash)
    const serverApplicationSecret = this.#schedule.serverApplicationTrafficSecret(handshakeHash)
    const exporterMasterSecret = this.#schedule.exporterMasterSecret(handshakeHash)
    logSecret(this.config, 'CLIENT_TRAFFIC_SECRET_0', this.#offer.random, clientApplicationSecret)
    logSecret(this.config, 'SERVER_TRAFFIC_SECRET_0', this.#offer.random, serverApplicationSecret)
    logSecret(this.config, 'EXPORTER_SECRET', this.#offer.random, exporterMasterSecret)
    this.session.setReadProtection(protectionFor(provider, this.#suite, serverApplicationSecret))

    if (this.#certificateRequest) yield* this.#sendClientCertificate(this.#certificateRequest)
    this.sendFinished(finishedMessage(provider, this.#suite, this.#clientHandshakeSecret, this.transcript.hash()))
    this.session.setWriteProtection(protectionFor(provider, this.#suite, clientApplicationSecret))

    const resumptionMasterSecret = this.#schedule.resumptionMasterSecret(this.transcript.hash())
    this.session.complete(
      new Established13(this.session, this.#suite, {
        role: 'client',
        clientApplicationSecret,
        serverApplicationSecret,
        exporterMasterSecret,
        resumptionMasterSecret,
        handshakeTranscript: this.#offer.extensionTypes.has(ExtensionType.post_handshake_auth) ? this.transcript : undefined,
        info: this.connectionInfo({
          version: 'TLSv1.3',
          cipherSuite: this.#suite.name,
          group: this.#group,
          alpnProtocol: this.#alpnProtocol,
          serverName: this.config.serverName,
          helloRetryRequest: this.#helloRetried,
          resumedFrom: this.#resumption,
        }),
      }),
    )
  }

  /** Our Certificate (empty when we have none that fits) and, with a certificate, CertificateVerify. */
  *#sendClientCertificate(request: CertificateRequested13): Step {
    // Not `for (… of yield* …)`: QuickJS (2024-01) miscompiles a yield* inside a for-of head (stack underflow).
    const messages = yield* clientCertificateMessages13(this.config, this.transcript, request)
    for (const message of messages) this.session.sendHandshake(message)
  }
}

/** Runs the TLS 1.3 client from a ServerHello that selected TLS 1.3. */
export function* clientHandshake13(
  session: HandshakeSession,
  transcript: Transcript,
  offer: ClientOffer,
  serverHello: ReceivedServerHello,
  serverHelloRaw: Uint8Array,
  helloRetried: boolean,
): Step {
  yield* new ClientHandshakeState13(session, transcript, offer, serverHello, helloRetried).handshake(serverHelloRaw)
}
