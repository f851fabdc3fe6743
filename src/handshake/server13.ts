// The TLS 1.3 server (RFC 8446 section 2): parameters, optional HelloRetryRequest, our flight, the client's answer.
import { isHybridGroup } from '../crypto/hybrid.js'
import type { KemEncapsulation, NamedGroupName } from '../crypto/provider.js'
import { TlsError } from '../errors.js'
import { chooseAlpn, chooseCipherSuite, chooseGroup } from '../policy/decisions.js'
import { LIMITS, TLS12, TLS13 } from '../policy/defaults.js'
import { EarlyDataSkip, PlaintextProtection } from '../record/protection.js'
import { settle } from '../pending.js'
import { certificateVerifyContent, checkPeerSignature, chooseCertificate, type ChosenCertificate, signWith, verifyPeerCertificates } from './authentication.js'
import { Established13 } from './established13.js'
import { HandshakeState } from './handshake-state.js'
import { alpnProtocols, alpnSelected } from './extensions/alpn.js'
import { encodeExtension, type Extension, hasExtension, readExtension, requireExtension } from './extensions/extension.js'
import { keyShareClientHello, type KeyShareEntry, keyShareHelloRetryRequest, keyShareServerHello } from './extensions/key-share.js'
import { preSharedKeyServerHello } from './extensions/pre-shared-key.js'
import { negotiateRecordSizeLimits, recordSizeLimit } from './extensions/record-size-limit.js'
import { requestedServerName, serverNameAck } from './extensions/server-name.js'
import { signatureAlgorithms } from './extensions/signature-algorithms.js'
import { supportedGroups } from './extensions/supported-groups.js'
import { supportedVersionSelected } from './extensions/supported-versions.js'
import { expectMessage, type Step } from './flow.js'
import { logSecret } from './key-log.js'
import { KeySchedule13 } from './key-schedule.js'
import { decodeCertificate, encodeCertificate } from './messages/certificate.js'
import { encodeCertificateRequest } from './messages/certificate-request.js'
import { decodeCertificateVerify, encodeCertificateVerify } from './messages/certificate-verify.js'
import { type ClientHello, decodeClientHello } from './messages/client-hello.js'
import { encodeEncryptedExtensions } from './messages/encrypted-extensions.js'
import { encodeHelloRetryRequest, encodeServerHello } from './messages/server-hello.js'
import { checkForResumption, clientAcceptsTickets, newSessionTicket, type Resumption } from './psk.js'
import { ExtensionType, HandshakeType, namedGroupCode, namedGroupName, providerGroupName } from './registry.js'
import type { ConnectionInfo, HandshakeSession } from './session.js'
import { cipherSuiteByCode, type Tls13CipherSuite } from '../policy/suites.js'
import { checkSecondClientHello } from './second-client-hello.js'
import { checkPeerFinished, finishedMessage, protectionFor } from './traffic13.js'
import type { Transcript } from './transcript.js'

/** What the server settled on from the ClientHello. */
interface Parameters13 {
  readonly suite: Tls13CipherSuite
  readonly group: NamedGroupName
  readonly clientShare: KeyShareEntry | undefined
  readonly certificate: ChosenCertificate
  readonly alpnProtocol: string | undefined
  readonly serverName: string | undefined
}

function clientGroups(hello: ClientHello): NamedGroupName[] {
  const codes = requireExtension(hello.extensions, supportedGroups, 'ClientHello')
  return codes.map(providerGroupName).filter((g): g is NamedGroupName => g !== undefined)
}

function clientShares(hello: ClientHello): KeyShareEntry[] {
  return requireExtension(hello.extensions, keyShareClientHello, 'ClientHello')
}

class ServerHandshakeState13 extends HandshakeState {
  #hello: ClientHello
  #helloRetried = false
  #schedule: KeySchedule13 | undefined
  #clientHandshakeSecret: Uint8Array = new Uint8Array(0)
  #serverHandshakeSecret: Uint8Array = new Uint8Array(0)
  #sentChangeCipherSpec = false
  #requestedClientCertificate = false
  /** The ticket we resume from (RFC 8446 2.2), or undefined in a full handshake. */
  #resumption: Resumption | undefined
  /** The client sent 0-RTT data with its first ClientHello, which we never accept: what we may discard of it. */
  readonly #earlyData: EarlyDataSkip | undefined

  constructor(session: HandshakeSession, transcript: Transcript, hello: ClientHello) {
    super(session, transcript)
    this.#hello = hello
    // RFC 8446 4.2.10: we ignore the extension (our EncryptedExtensions never accept it) and skip the data.
    this.#earlyData = hasExtension(hello.extensions, ExtensionType.early_data) ? new EarlyDataSkip(LIMITS.maxEarlyDataSkipped) : undefined
  }

  *handshake(clientHelloRaw: Uint8Array): Step {
    this.#checkClientHello13(this.#hello)
    let parameters = this.#chooseParameters()
    this.transcript.setHash(parameters.suite.hash)
    if (!parameters.clientShare) {
      clientHelloRaw = yield* this.#helloRetry(parameters, clientHelloRaw)
      // Everything but the key share was settled by the HelloRetryRequest (RFC 8446 4.1.4).
      parameters = { ...parameters, clientShare: clientShares(this.#hello)[0] }
    }
    // The binder covers the transcript before this ClientHello: check it, then hash the hello.
    this.#resumption = yield* checkForResumption(this.config, this.transcript, this.#hello, clientHelloRaw, parameters.suite, parameters.serverName)
    this.transcript.update(clientHelloRaw)
    const { keyExchange, sharedSecret } = yield* this.#keyExchange(parameters)
    this.#sendServerHello(parameters, keyExchange)
    this.#establishHandshakeKeys(parameters, sharedSecret)
    this.#sendServerParameters(parameters)
    // A resumption authenticates with the PSK: no Certificate or CertificateVerify (RFC 8446 2.2).
    if (!this.#resumption) yield* this.#sendServerCertificate(parameters)
    const applicationSecrets = this.#sendServerFinished(parameters)
    yield* this.#readClientCertificate()
    yield* this.#readClientFinished(parameters)
    yield* this.#complete(parameters, applicationSecrets)
  }

  /** RFC 8446 4.1.2: TLS 1.3 ClientHellos carry null compression only. */
  #checkClientHello13(hello: ClientHello): void {
    if (hello.legacyCompressionMethods.length !== 1 || hello.legacyCompressionMethods[0] !== 0)
      throw new TlsError('illegal_parameter', 'a TLS 1.3 ClientHello must offer only null compression')
    if (hello.legacyVersion !== TLS12) throw new TlsError('protocol_version', 'TLS 1.3 ClientHello with a legacy_version other than 0x0303')
  }

  /** Suite, group, certificate and ALPN, each by the policy (server preference). */
  #chooseParameters(): Parameters13 {
    const { policy } = this.config
    const hello = this.#hello
    const suiteCode = chooseCipherSuite(policy, TLS13, hello.cipherSuites)
    const suite = cipherSuiteByCode(suiteCode) as Tls13CipherSuite
    const shares = clientShares(hello)
    const shareGroups = shares.map((s) => providerGroupName(s.group)).filter((g): g is NamedGroupName => g !== undefined)
    const offeredGroups = requireExtension(hello.extensions, supportedGroups, 'ClientHello').map(namedGroupName)
    const { group, needsRetry } = chooseGroup(policy, clientGroups(hello), shareGroups, offeredGroups)
    const clientShare = needsRetry ? undefined : shares.find((s) => s.group === namedGroupCode(group))
    const schemes = requireExtension(hello.extensions, signatureAlgorithms, 'ClientHello')
    const serverName = requestedServerName(hello.extensions)
    const certificate = chooseCertificate(this.config, schemes, TLS13, undefined, serverName)
    const alpnProtocol = chooseAlpn(policy, readExtension(hello.extensions, alpnProtocols))
    return { suite, group, clientShare, certificate, alpnProtocol, serverName }
  }

  /** RFC 8446 4.1.4: ask for a share of the chosen group, once, and read the second ClientHello (returned, not yet hashed). */
  *#helloRetry(parameters: Parameters13, clientHelloRaw: Uint8Array): Step<Uint8Array> {
    if (this.#helloRetried) throw new TlsError('illegal_parameter', 'the second ClientHello still has no usable key share')
    this.#helloRetried = true
    const first = this.#hello
    this.transcript.update(clientHelloRaw)
    this.transcript.replaceWithMessageHash()
    const retry = encodeHelloRetryRequest({
      legacyVersion: TLS12,
      legacySessionIdEcho: first.legacySessionId,
      cipherSuite: parameters.suite.code,
      extensions: [encodeExtension(supportedVersionSelected, TLS13), encodeExtension(keyShareHelloRetryRequest, namedGroupCode(parameters.group))],
    })
    this.sendAndHash(retry)
    this.#sendCompatibilityChangeCipherSpec()
    // Until the second ClientHello, the client's rejected 0-RTT records (encrypted, as application_data) are dropped.
    if (this.#earlyData) this.session.setReadProtection(new PlaintextProtection(TLS12, this.#earlyData))

    const message = yield* expectMessage(HandshakeType.client_hello)
    const second = decodeClientHello(message.body)
    this.#checkSecondClientHello(first, second, parameters)
    this.#hello = second
    return message.raw
  }

  /** The second ClientHello may change only what our HelloRetryRequest asked for (RFC 8446 4.1.2). */
  #checkSecondClientHello(first: ClientHello, second: ClientHello, parameters: Parameters13): void {
    this.#checkClientHello13(second)
    checkSecondClientHello(first, second, { group: namedGroupCode(parameters.group), cookie: undefined })
  }

  #sendCompatibilityChangeCipherSpec(): void {
    // RFC 8446 D.4: with a client in compatibility mode, one CCS right after our first flight message.
    if (this.#hello.legacySessionId.length > 0 && !this.#sentChangeCipherSpec) {
      this.#sentChangeCipherSpec = true
      this.session.sendChangeCipherSpec()
    }
  }

  /**
   * Our key_exchange and the shared secret, before anything goes out: a client share that is not a valid point (or
   * gives the all-zero X25519 secret, or fails a hybrid's length and ML-KEM key checks) gets illegal_parameter alone,
   * never after our ServerHello (RFC 8446 4.2.8.2, 7.4.2; draft-ietf-tls-ecdhe-mlkem). A hybrid group is a KEM: we
   * encapsulate to the client's share; an (EC)DH group gets a fresh share of ours and the agreement.
   */
  *#keyExchange(parameters: Parameters13): Step<KemEncapsulation> {
    const { provider } = this.config
    const clientShare = parameters.clientShare!.keyExchange
    if (isHybridGroup(parameters.group)) return yield* settle(provider.encapsulate(parameters.group, clientShare))
    const share = yield* settle(provider.generateKeyShare(parameters.group))
    const sharedSecret = yield* settle(share.agree(clientShare))
    return { keyExchange: share.publicKey, sharedSecret }
  }

  #sendServerHello(parameters: Parameters13, keyExchange: Uint8Array): void {
    const extensions = [
      encodeExtension(supportedVersionSelected, TLS13),
      encodeExtension(keyShareServerHello, { group: namedGroupCode(parameters.group), keyExchange }),
    ]
    if (this.#resumption) extensions.push(encodeExtension(preSharedKeyServerHello, this.#resumption.identityIndex))
    const serverHello = encodeServerHello({
      legacyVersion: TLS12,
      random: this.config.provider.randomBytes(32),
      legacySessionIdEcho: this.#hello.legacySessionId,
      cipherSuite: parameters.suite.code,
      extensions,
    })
    this.sendAndHash(serverHello)
    this.#sendCompatibilityChangeCipherSpec()
  }

  #establishHandshakeKeys(parameters: Parameters13, sharedSecret: Uint8Array): void {
    const { provider } = this.config
    const schedule = new KeySchedule13(provider, parameters.suite.hash, this.#resumption?.state.psk)
    schedule.addSharedSecret(sharedSecret)
    this.#schedule = schedule
    const helloHash = this.transcript.hash()
    this.#clientHandshakeSecret = schedule.clientHandshakeTrafficSecret(helloHash)
    this.#serverHandshakeSecret = schedule.serverHandshakeTrafficSecret(helloHash)
    logSecret(this.config, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', this.#hello.random, this.#clientHandshakeSecret)
    logSecret(this.config, 'SERVER_HANDSHAKE_TRAFFIC_SECRET', this.#hello.random, this.#serverHandshakeSecret)
    this.session.setWriteProtection(protectionFor(provider, parameters.suite, this.#serverHandshakeSecret))
    // A client that refuses our ServerHello has no keys yet: its alert arrives unprotected.
    // After a HelloRetryRequest no 0-RTT data may follow (the second ClientHello cannot offer it): nothing is skipped.
    const earlyData = this.#helloRetried ? undefined : this.#earlyData
    this.session.setReadProtection(protectionFor(provider, parameters.suite, this.#clientHandshakeSecret, { acceptPlaintextAlerts: true, earlyData }))
  }

  /** EncryptedExtensions and, when the policy asks for client certificates and we do not resume, CertificateRequest. */
  #sendServerParameters(parameters: Parameters13): void {
    const extensions: Extension[] = []
    if (parameters.serverName !== undefined) extensions.push(encodeExtension(serverNameAck, true))
    if (parameters.alpnProtocol !== undefined) extensions.push(encodeExtension(alpnSelected, parameters.alpnProtocol))
    // RFC 8449 4: the client's limit binds every record from this EncryptedExtensions on, ours its first protected record.
    const limits = negotiateRecordSizeLimits(this.#hello.extensions, this.config.recordSizeLimit, TLS13)
    if (limits) {
      extensions.push(encodeExtension(recordSizeLimit, limits.receive))
      this.session.setRecordSizeLimits(limits)
    }
    this.sendAndHash(encodeEncryptedExtensions({ extensions }))
    if (this.config.policy.verifyMode !== 'none' && !this.#resumption && !this.#defersClientAuthentication()) {
      this.#requestedClientCertificate = true
      this.sendAndHash(
        encodeCertificateRequest({
          certificateRequestContext: new Uint8Array(0),
          extensions: [encodeExtension(signatureAlgorithms, [...this.config.policy.signatureSchemes])],
        }),
      )
    }
  }

  /** RFC 8446 4.6.2: with postHandshakeAuth, a client that offered post_handshake_auth is asked after the handshake instead. */
  #defersClientAuthentication(): boolean {
    return this.config.postHandshakeAuth === true && hasExtension(this.#hello.extensions, ExtensionType.post_handshake_auth)
  }

  *#sendServerCertificate(parameters: Parameters13): Step {
    const { certified } = parameters.certificate
    this.sendAndHash(
      encodeCertificate({ certificateRequestContext: new Uint8Array(0), certificateList: certified.chain.map((certData) => ({ certData, extensions: [] })) }),
    )
    const content = certificateVerifyContent('server', this.transcript.hash())
    const signature = yield* settle(signWith(this.config, parameters.certificate, content))
    this.sendAndHash(encodeCertificateVerify({ algorithm: parameters.certificate.scheme, signature }))
  }

  /** Our Finished, then the application secrets (over the transcript through it) and our application write keys. */
  #sendServerFinished(parameters: Parameters13): { client: Uint8Array; server: Uint8Array; exporter: Uint8Array } {
    const { provider } = this.config
    this.sendFinished(finishedMessage(provider, parameters.suite, this.#serverHandshakeSecret, this.transcript.hash()))
    const schedule = this.#schedule!
    const hash = this.transcript.hash()
    const secrets = {
      client: schedule.clientApplicationTrafficSecret(hash),
      server: schedule.serverApplicationTrafficSecret(hash),
      exporter: schedule.exporterMasterSecret(hash),
    }
    logSecret(this.config, 'CLIENT_TRAFFIC_SECRET_0', this.#hello.random, secrets.client)
    logSecret(this.config, 'SERVER_TRAFFIC_SECRET_0', this.#hello.random, secrets.server)
    logSecret(this.config, 'EXPORTER_SECRET', this.#hello.random, secrets.exporter)
    this.session.setWriteProtection(protectionFor(provider, parameters.suite, secrets.server))
    return secrets
  }

  *#readClientCertificate(): Step {
    if (!this.#requestedClientCertificate) return
    const message = yield* expectMessage(HandshakeType.certificate)
    const certificate = decodeCertificate(message.body)
    if (certificate.certificateRequestContext.length !== 0) throw new TlsError('illegal_parameter', 'client Certificate has a non-empty context')
    this.peerChain = certificate.certificateList.map((entry) => entry.certData)
    this.verified = yield* settle(verifyPeerCertificates(this.config, this.peerChain, 'clientAuth', TLS13))
    this.transcript.update(message.raw)
    if (this.peerChain.length === 0) return

    const verifyMessage = yield* expectMessage(HandshakeType.certificate_verify)
    const verify = decodeCertificateVerify(verifyMessage.body)
    const content = certificateVerifyContent('client', this.transcript.hash())
    const publicKey = this.verified?.leaf.publicKey
    if (!publicKey) throw new TlsError('internal_error', 'client certificate was not parsed')
    yield* checkPeerSignature(this.config, publicKey, verify.algorithm, TLS13, content, verify.signature, 'client CertificateVerify')
    this.peerScheme = verify.algorithm
    this.transcript.update(verifyMessage.raw)
  }

  *#readClientFinished(parameters: Parameters13): Step {
    const message = yield* expectMessage(HandshakeType.finished)
    checkPeerFinished(this.config.provider, parameters.suite, this.#clientHandshakeSecret, this.transcript.hash(), message.body)
    this.acceptPeerFinished(message)
  }

  *#complete(parameters: Parameters13, secrets: { client: Uint8Array; server: Uint8Array; exporter: Uint8Array }): Step {
    const { provider } = this.config
    this.session.setReadProtection(protectionFor(provider, parameters.suite, secrets.client))
    const resumptionMasterSecret = this.#schedule!.resumptionMasterSecret(this.transcript.hash())
    const info = this.connectionInfo({
      version: 'TLSv1.3',
      cipherSuite: parameters.suite.name,
      group: parameters.group,
      alpnProtocol: parameters.alpnProtocol,
      serverName: parameters.serverName,
      helloRetryRequest: this.#helloRetried,
      resumedFrom: this.#resumption?.state,
    })
    yield* this.#sendNewSessionTicket(parameters, resumptionMasterSecret, info)
    this.session.complete(
      new Established13(this.session, parameters.suite, {
        role: 'server',
        clientApplicationSecret: secrets.client,
        serverApplicationSecret: secrets.server,
        exporterMasterSecret: secrets.exporter,
        resumptionMasterSecret,
        handshakeTranscript: hasExtension(this.#hello.extensions, ExtensionType.post_handshake_auth) ? this.transcript : undefined,
        info,
      }),
    )
  }

  /** RFC 8446 4.6.1: with session tickets on, one NewSessionTicket as soon as the handshake is done (if the client can use it). */
  *#sendNewSessionTicket(parameters: Parameters13, resumptionMasterSecret: Uint8Array, info: ConnectionInfo): Step {
    const sealer = this.config.ticketSealer
    if (!sealer || !clientAcceptsTickets(this.#hello)) return
    const ticket = yield* settle(newSessionTicket(this.config, sealer, parameters.suite, resumptionMasterSecret, info, this.#resumption?.state))
    if (ticket) this.session.sendHandshake(ticket)
  }
}

/** Runs the TLS 1.3 server from a ClientHello that offered TLS 1.3. */
export function* serverHandshake13(session: HandshakeSession, transcript: Transcript, hello: ClientHello, clientHelloRaw: Uint8Array): Step {
  yield* new ServerHandshakeState13(session, transcript, hello).handshake(clientHelloRaw)
}
