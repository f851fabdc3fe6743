// The TLS 1.2 server (RFC 5246 7.3, RFC 8422): ECDHE + AEAD only, EMS by policy, the downgrade sentinel, no renegotiation; session tickets and the abbreviated handshake (RFC 5077).
import type { CurveName, KeyShare, NamedGroupName, PublicKey } from '../crypto/provider.js'
import { TlsError, TlsPolicyError } from '../errors.js'
import { checkExtendedMasterSecret, chooseAlpn, chooseCipherSuite, chooseGroup12, suitesFor } from '../policy/decisions.js'
import { TLS12, TLS13 } from '../policy/defaults.js'
import { settle } from '../pending.js'
import { checkPeerSignature, chooseCertificate, type ChosenCertificate, keyFitsSuite, signWith, verifyPeerCertificates } from './authentication.js'
import { Established12 } from './established12.js'
import { HandshakeState } from './handshake-state.js'
import { logSecret } from './key-log.js'
import { alpnProtocols, alpnSelected } from './extensions/alpn.js'
import { ecPointFormats } from './extensions/ec-point-formats.js'
import { encodeExtension, type Extension, hasExtension, readExtension } from './extensions/extension.js'
import { negotiateRecordSizeLimits, recordSizeLimit } from './extensions/record-size-limit.js'
import { renegotiationInfo } from './extensions/renegotiation-info.js'
import { requestedServerName, serverNameAck } from './extensions/server-name.js'
import { signatureAlgorithms } from './extensions/signature-algorithms.js'
import { extendedMasterSecret } from './extensions/simple.js'
import { checkForResumption12, issuesTicket12, newSessionTicket12 } from './resumption12.js'
import { supportedGroups } from './extensions/supported-groups.js'
import { sessionTicketAck } from './extensions/simple.js'
import { expectChangeCipherSpec, expectMessage, type Step } from './flow.js'
import { decodeCertificateTls12, encodeCertificateTls12 } from './messages/certificate-tls12.js'
import { encodeCertificateRequestTls12 } from './messages/certificate-request-tls12.js'
import { decodeCertificateVerify } from './messages/certificate-verify.js'
import type { ClientHello } from './messages/client-hello.js'
import { decodeClientKeyExchangeEcdhe } from './messages/client-key-exchange.js'
import { encodeEmptyMessage } from './messages/empty-messages.js'
import { withDowngradeSentinel } from './messages/hello-random.js'
import { encodeServerHello } from './messages/server-hello.js'
import { encodeServerKeyExchangeEcdhe, serverKeyExchangeSignedData, encodeServerEcdhParams } from './messages/server-key-exchange.js'
import { ExtensionType, HandshakeType, namedGroupCode, namedGroupName, providerGroupName } from './registry.js'
import type { HandshakeSession } from './session.js'
import { cipherSuiteByCode, SignallingCipherSuite, type Tls12CipherSuite } from '../policy/suites.js'
import { TICKET_LIFETIME_SECONDS, type Tls12TicketState } from './tickets.js'
import { checkFinished12, deriveTls12Session, finished12, protection12, tls12SessionKeys, type Tls12Session } from './traffic12.js'
import type { Transcript } from './transcript.js'

/** ClientCertificateType (RFC 5246 7.4.4, RFC 8422 5.5). */
const CERTIFICATE_TYPES = [64 /* ecdsa_sign */, 1 /* rsa_sign */]

/** What the ServerHello settles, in a full handshake and in a resumption alike. */
interface HelloParameters12 {
  readonly suite: Tls12CipherSuite
  readonly extendedMasterSecret: boolean
  readonly alpnProtocol: string | undefined
  readonly serverName: string | undefined
  readonly serverRandom: Uint8Array
  /** A NewSessionTicket follows (RFC 5077 3.2): the ServerHello says so with an empty session_ticket. */
  readonly sendsTicket: boolean
}

/** A full handshake's parameters: the key exchange and our certificate besides. */
interface Parameters12 extends HelloParameters12 {
  readonly group: NamedGroupName
  readonly certificate: ChosenCertificate
}

class ServerHandshakeState12 extends HandshakeState {
  #requestedClientCertificate = false
  readonly #hello: ClientHello

  constructor(session: HandshakeSession, transcript: Transcript, hello: ClientHello) {
    super(session, transcript)
    this.#hello = hello
  }

  *handshake(clientHelloRaw: Uint8Array): Step {
    this.#checkClientHello12()
    const resumption = yield* checkForResumption12(this.config, this.#hello)
    if (resumption) return yield* this.#resumeHandshake(clientHelloRaw, resumption)
    const parameters = this.#chooseParameters()
    this.transcript.setHash(parameters.suite.hash)
    this.transcript.update(clientHelloRaw)
    const share = yield* this.#sendServerFlight(parameters)
    const secrets = yield* this.#readClientFlight(parameters, share)
    yield* this.#readClientFinished(secrets)
    yield* this.#sendNewSessionTicket(parameters, secrets)
    this.#sendServerFinished(secrets)
    this.#complete(parameters, secrets)
  }

  /**
   * RFC 5077 3.1, RFC 5246 7.3: the abbreviated handshake from a session in our ticket. ServerHello echoing the
   * client's session id, [NewSessionTicket], our CCS and Finished first, then the client's; no Certificate, no key exchange.
   */
  *#resumeHandshake(clientHelloRaw: Uint8Array, resumption: Tls12TicketState): Step {
    const parameters = this.#resumedParameters(resumption)
    this.transcript.setHash(parameters.suite.hash)
    this.transcript.update(clientHelloRaw)
    const secrets = tls12SessionKeys(this.config.provider, parameters.suite, resumption.masterSecret, this.#hello.random, parameters.serverRandom, true)
    logSecret(this.config, 'CLIENT_RANDOM', this.#hello.random, secrets.masterSecret)
    this.#sendServerHello(parameters, resumption)
    yield* this.#sendNewSessionTicket(parameters, secrets, resumption)
    this.#sendServerFinished(secrets)
    yield* this.#readClientFinished(secrets)
    this.#complete(parameters, secrets, resumption)
  }

  /** Fallback and renegotiation signals (RFC 7507, RFC 5746). */
  #checkClientHello12(): void {
    const hello = this.#hello
    if (hello.cipherSuites.includes(SignallingCipherSuite.TLS_FALLBACK_SCSV) && this.config.policy.maxVersion === TLS13)
      throw new TlsError('inappropriate_fallback', 'the client fell back to TLS 1.2 although we support TLS 1.3 (TLS_FALLBACK_SCSV)')
    const renegotiation = readExtension(hello.extensions, renegotiationInfo)
    if (renegotiation !== undefined && renegotiation.length !== 0) throw new TlsError('handshake_failure', 'renegotiation_info is not empty on an initial handshake')
    const formats = readExtension(hello.extensions, ecPointFormats)
    if (formats !== undefined && !formats.includes(0)) throw new TlsError('illegal_parameter', 'the client does not accept uncompressed points')
  }

  #chooseParameters(): Parameters12 {
    const { policy } = this.config
    const hello = this.#hello
    const schemes = readExtension(hello.extensions, signatureAlgorithms)
    // RFC 5246 7.4.1.4.1: without signature_algorithms only SHA-1 is implied, which we refuse.
    if (!schemes) throw new TlsError('handshake_failure', 'a TLS 1.2 ClientHello without signature_algorithms implies SHA-1 signatures, which are refused')
    const serverName = requestedServerName(hello.extensions)
    // RFC 8422 4: without supported_groups the client is taken to support what we do.
    const offeredGroups = readExtension(hello.extensions, supportedGroups)
    const clientCurves = offeredGroups && new Set(offeredGroups)
    const certificateFor = (suite: Tls12CipherSuite) =>
      chooseCertificate(this.config, schemes, TLS12, (c) => keyFitsSuite(c.key.publicKey, suite) && curveAccepted(c.key.publicKey, clientCurves), serverName)
    // The key exchange first: with no group in common, no certificate question matters.
    const groups = offeredGroups ? offeredGroups.map(providerGroupName).filter((g): g is NamedGroupName => g !== undefined) : [...policy.groups]
    const group = chooseGroup12(policy, groups, offeredGroups?.map(namedGroupName))
    const suite = this.#chooseSuite(certificateFor, clientCurves)
    const extendedMasterSecret = hasExtension(hello.extensions, ExtensionType.extended_master_secret)
    checkExtendedMasterSecret(policy, extendedMasterSecret)
    return {
      ...this.#helloParameters(suite, extendedMasterSecret, serverName),
      group,
      certificate: certificateFor(suite),
    }
  }

  /**
   * Our most preferred suite the client offered that one of our certificates can authenticate for this client.
   * When suites are in common but no certificate will do, the refusal names the reason: no certificate of the
   * suites' kind ('cipher suites'), an ECDSA curve the client did not list ('groups'), or no signature scheme the
   * client accepts fits our key ('signature schemes').
   */
  #chooseSuite(certificateFor: (suite: Tls12CipherSuite) => ChosenCertificate, clientCurves: ReadonlySet<number> | undefined): Tls12CipherSuite {
    const { policy, certificates } = this.config
    const offered = this.#hello.cipherSuites
    const inCommon = suitesFor(policy, TLS12).filter((code) => offered.includes(code)).map((code) => cipherSuiteByCode(code) as Tls12CipherSuite)
    let schemeRefusal: unknown
    for (const suite of inCommon) {
      try {
        certificateFor(suite)
        return suite
      } catch (refusal) {
        if (refusal instanceof TlsPolicyError) schemeRefusal ??= refusal
      }
    }
    const ofKind = certificates.filter((c) => inCommon.some((suite) => keyFitsSuite(c.key.publicKey, suite)))
    if (ofKind.length === 0) return cipherSuiteByCode(chooseCipherSuite(policy, TLS12, offered, () => false)) as Tls12CipherSuite
    if (!ofKind.some((c) => curveAccepted(c.key.publicKey, clientCurves))) {
      const ours = [...new Set(ofKind.map((c) => (c.key.publicKey.type === 'ec' ? c.key.publicKey.curve : '')))].join(', ')
      throw new TlsPolicyError('groups', 'handshake_failure', [...(clientCurves ?? [])].map(namedGroupName).join(', '), `the curve of our ECDSA certificate (${ours})`)
    }
    throw schemeRefusal ?? new TlsError('handshake_failure', 'no certificate of ours suits this handshake')
  }

  /** A resumption keeps the session's suite and its extended master secret (checkForResumption12 made sure the client still offers both). */
  #resumedParameters(resumption: Tls12TicketState): HelloParameters12 {
    return this.#helloParameters(cipherSuiteByCode(resumption.cipherSuite) as Tls12CipherSuite, true, resumption.serverName)
  }

  #helloParameters(suite: Tls12CipherSuite, extendedMasterSecret: boolean, serverName: string | undefined): HelloParameters12 {
    const { policy } = this.config
    const random = this.config.provider.randomBytes(32)
    return {
      suite,
      extendedMasterSecret,
      alpnProtocol: chooseAlpn(policy, readExtension(this.#hello.extensions, alpnProtocols)),
      serverName,
      // RFC 8446 4.1.3: a server able to do TLS 1.3 marks a TLS 1.2 answer so a downgraded client notices.
      serverRandom: policy.maxVersion === TLS13 ? withDowngradeSentinel(random, 'tls12') : random,
      sendsTicket: issuesTicket12(this.config, this.#hello, extendedMasterSecret),
    }
  }

  /**
   * Our ServerHello. A resumption echoes the client's session id (RFC 5077 3.4) and never acknowledges SNI (RFC 6066
   * 3); a full handshake sends an empty session id, since we keep no session cache.
   */
  #sendServerHello(parameters: HelloParameters12, resumption: Tls12TicketState | undefined): void {
    const hello = this.#hello
    const extensions: Extension[] = []
    const signalledRenegotiation =
      hasExtension(hello.extensions, ExtensionType.renegotiation_info) || hello.cipherSuites.includes(SignallingCipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
    if (signalledRenegotiation) extensions.push(encodeExtension(renegotiationInfo, new Uint8Array(0)))
    if (parameters.extendedMasterSecret) extensions.push(encodeExtension(extendedMasterSecret, true))
    if (hasExtension(hello.extensions, ExtensionType.ec_point_formats)) extensions.push(encodeExtension(ecPointFormats, [0]))
    if (parameters.serverName !== undefined && !resumption) extensions.push(encodeExtension(serverNameAck, true))
    if (parameters.alpnProtocol !== undefined) extensions.push(encodeExtension(alpnSelected, parameters.alpnProtocol))
    // RFC 8449 4: both limits bind the records protected after the ChangeCipherSpecs.
    const limits = negotiateRecordSizeLimits(hello.extensions, this.config.recordSizeLimit, TLS12)
    if (limits) {
      extensions.push(encodeExtension(recordSizeLimit, limits.receive))
      this.session.setRecordSizeLimits(limits)
    }
    if (parameters.sendsTicket) extensions.push(encodeExtension(sessionTicketAck, true))
    const legacySessionIdEcho = resumption ? hello.legacySessionId : new Uint8Array(0)
    this.sendAndHash(encodeServerHello({ legacyVersion: TLS12, random: parameters.serverRandom, legacySessionIdEcho, cipherSuite: parameters.suite.code, extensions }))
  }

  /** ServerHello, Certificate, ServerKeyExchange, [CertificateRequest], ServerHelloDone. */
  *#sendServerFlight(parameters: Parameters12): Step<KeyShare> {
    const { provider, policy } = this.config
    const hello = this.#hello
    this.#sendServerHello(parameters, undefined)
    this.sendAndHash(encodeCertificateTls12({ certificateList: [...parameters.certificate.certified.chain] }))

    const share = yield* settle(provider.generateKeyShare(parameters.group))
    const params = { namedCurve: namedGroupCode(parameters.group), publicKey: share.publicKey }
    const signed = serverKeyExchangeSignedData(hello.random, parameters.serverRandom, encodeServerEcdhParams(params))
    const signature = yield* settle(signWith(this.config, parameters.certificate, signed))
    this.sendAndHash(encodeServerKeyExchangeEcdhe({ params, algorithm: parameters.certificate.scheme, signature }))

    if (policy.verifyMode !== 'none') {
      this.#requestedClientCertificate = true
      this.sendAndHash(encodeCertificateRequestTls12({ certificateTypes: CERTIFICATE_TYPES, supportedSignatureAlgorithms: [...policy.signatureSchemes], certificateAuthorities: [] }))
    }
    this.sendAndHash(encodeEmptyMessage(HandshakeType.server_hello_done))
    return share
  }

  /** [Certificate], ClientKeyExchange, [CertificateVerify]. */
  *#readClientFlight(parameters: Parameters12, share: KeyShare): Step<Tls12Session> {
    const { provider } = this.config
    if (this.#requestedClientCertificate) {
      const message = yield* expectMessage(HandshakeType.certificate)
      this.peerChain = [...decodeCertificateTls12(message.body).certificateList]
      this.verified = yield* settle(verifyPeerCertificates(this.config, this.peerChain, 'clientAuth', TLS12))
      this.transcript.update(message.raw)
    }
    const message = yield* expectMessage(HandshakeType.client_key_exchange)
    const { publicKey } = decodeClientKeyExchangeEcdhe(message.body)
    const preMasterSecret = yield* settle(share.agree(publicKey))
    this.transcript.update(message.raw)
    const secrets = deriveTls12Session(provider, parameters.suite, preMasterSecret, this.#hello.random, parameters.serverRandom, parameters.extendedMasterSecret, this.transcript)
    logSecret(this.config, 'CLIENT_RANDOM', this.#hello.random, secrets.masterSecret)

    if (this.verified) {
      const verifyMessage = yield* expectMessage(HandshakeType.certificate_verify)
      const verify = decodeCertificateVerify(verifyMessage.body)
      yield* checkPeerSignature(this.config, this.verified.leaf.publicKey, verify.algorithm, TLS12, this.transcript.bytes(), verify.signature, 'client CertificateVerify')
      this.peerScheme = verify.algorithm
      this.transcript.update(verifyMessage.raw)
    }
    return secrets
  }

  *#readClientFinished(secrets: Tls12Session): Step {
    yield* expectChangeCipherSpec()
    this.session.setReadProtection(protection12(this.config.provider, secrets, 'client'))
    const message = yield* expectMessage(HandshakeType.finished)
    checkFinished12(this.config.provider, secrets, 'client', this.transcript, message.body)
    this.acceptPeerFinished(message)
  }

  /**
   * RFC 5077 3.3: the session sealed in a ticket, before our ChangeCipherSpec. A resumed session is sealed again
   * with its own issue time and peer: a fresh ticket, never a longer life.
   */
  *#sendNewSessionTicket(parameters: HelloParameters12, secrets: Tls12Session, resumption?: Tls12TicketState): Step {
    const sealer = this.config.ticketSealer
    if (!parameters.sendsTicket || !sealer) return
    const state = resumption ? { ...resumption, alpnProtocol: parameters.alpnProtocol } : this.#newSession(parameters, secrets)
    this.sendAndHash(yield* settle(newSessionTicket12(this.config, sealer, state)))
  }

  /** The session a full handshake made, as a ticket keeps it: issued now, with the client's chain as we verified it. */
  #newSession(parameters: HelloParameters12, secrets: Tls12Session): Tls12TicketState {
    return {
      version: 'TLSv1.2',
      cipherSuite: parameters.suite.code,
      masterSecret: secrets.masterSecret,
      extendedMasterSecret: secrets.extendedMasterSecret,
      issuedAt: this.config.now().getTime(),
      lifetimeSeconds: TICKET_LIFETIME_SECONDS,
      alpnProtocol: parameters.alpnProtocol,
      serverName: parameters.serverName,
      peerCertificates: this.peerChain,
      peerVerified: this.verified?.verified ?? false,
    }
  }

  #sendServerFinished(secrets: Tls12Session): void {
    const { provider } = this.config
    this.session.sendChangeCipherSpec()
    this.session.setWriteProtection(protection12(provider, secrets, 'server'))
    this.sendFinished(finished12(provider, secrets, 'server', this.transcript))
  }

  /** Done; a resumption has no group (no key exchange) and reports the client's chain from the ticket. */
  #complete(parameters: HelloParameters12 & Partial<Pick<Parameters12, 'group'>>, secrets: Tls12Session, resumption?: Tls12TicketState): void {
    const info = this.connectionInfo({
      version: 'TLSv1.2',
      cipherSuite: parameters.suite.name,
      group: parameters.group,
      alpnProtocol: parameters.alpnProtocol,
      serverName: parameters.serverName,
      extendedMasterSecret: secrets.extendedMasterSecret,
      resumedFrom: resumption,
    })
    this.session.complete(new Established12(this.session, 'server', secrets, info))
  }
}

/** Runs the TLS 1.2 server from a ClientHello it settled on TLS 1.2 for. */
export function* serverHandshake12(session: HandshakeSession, transcript: Transcript, hello: ClientHello, clientHelloRaw: Uint8Array): Step {
  yield* new ServerHandshakeState12(session, transcript, hello).handshake(clientHelloRaw)
}

/** The named group of each ECDSA curve we sign with (RFC 8422 5.1.1). */
const CURVE_GROUP: Record<CurveName, number> = { 'P-256': namedGroupCode('secp256r1'), 'P-384': namedGroupCode('secp384r1') }

/** RFC 8422 5.1, 5.3: an ECDSA certificate's curve must be one the client listed (any, when it listed none). */
function curveAccepted(key: PublicKey, clientCurves: ReadonlySet<number> | undefined): boolean {
  return key.type !== 'ec' || clientCurves === undefined || clientCurves.has(CURVE_GROUP[key.curve])
}
