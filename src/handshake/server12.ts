// The TLS 1.2 server (RFC 5246 7.3, RFC 8422): ECDHE + AEAD only, EMS by policy, the downgrade sentinel, no renegotiation.
import type { KeyShare, NamedGroupName } from '../crypto/provider.js'
import { TlsError } from '../errors.js'
import { checkExtendedMasterSecret, chooseAlpn, chooseCipherSuite, chooseGroup12 } from '../policy/decisions.js'
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
import { supportedGroups } from './extensions/supported-groups.js'
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
import { checkFinished12, deriveTls12Session, finished12, protection12, type Tls12Session } from './traffic12.js'
import type { Transcript } from './transcript.js'

/** ClientCertificateType (RFC 5246 7.4.4, RFC 8422 5.5). */
const CERTIFICATE_TYPES = [64 /* ecdsa_sign */, 1 /* rsa_sign */]

interface Parameters12 {
  readonly suite: Tls12CipherSuite
  readonly group: NamedGroupName
  readonly certificate: ChosenCertificate
  readonly extendedMasterSecret: boolean
  readonly alpnProtocol: string | undefined
  readonly serverName: string | undefined
  readonly serverRandom: Uint8Array
}

class ServerHandshakeState12 extends HandshakeState {
  private requestedClientCertificate = false

  constructor(
    session: HandshakeSession,
    transcript: Transcript,
    private readonly hello: ClientHello,
  ) {
    super(session, transcript)
  }

  *handshake(clientHelloRaw: Uint8Array): Step {
    this.checkClientHello12()
    const parameters = this.chooseParameters()
    this.transcript.setHash(parameters.suite.hash)
    this.transcript.update(clientHelloRaw)
    const share = yield* this.sendServerFlight(parameters)
    const secrets = yield* this.readClientFlight(parameters, share)
    yield* this.readClientFinished(secrets)
    this.sendServerFinished(parameters, secrets)
  }

  /** Fallback and renegotiation signals (RFC 7507, RFC 5746). */
  private checkClientHello12(): void {
    const { hello } = this
    if (hello.cipherSuites.includes(SignallingCipherSuite.TLS_FALLBACK_SCSV) && this.config.policy.maxVersion === TLS13)
      throw new TlsError('inappropriate_fallback', 'the client fell back to TLS 1.2 although we support TLS 1.3 (TLS_FALLBACK_SCSV)')
    const renegotiation = readExtension(hello.extensions, renegotiationInfo)
    if (renegotiation !== undefined && renegotiation.length !== 0) throw new TlsError('handshake_failure', 'renegotiation_info is not empty on an initial handshake')
    const formats = readExtension(hello.extensions, ecPointFormats)
    if (formats !== undefined && !formats.includes(0)) throw new TlsError('illegal_parameter', 'the client does not accept uncompressed points')
  }

  private chooseParameters(): Parameters12 {
    const { policy } = this.config
    const { hello } = this
    const schemes = readExtension(hello.extensions, signatureAlgorithms)
    // RFC 5246 7.4.1.4.1: without signature_algorithms only SHA-1 is implied, which we refuse.
    if (!schemes) throw new TlsError('handshake_failure', 'a TLS 1.2 ClientHello without signature_algorithms implies SHA-1 signatures, which are refused')
    const serverName = requestedServerName(hello.extensions)
    const certificateFor = (suite: Tls12CipherSuite) =>
      chooseCertificate(this.config, schemes, TLS12, (c) => keyFitsSuite(c.key.publicKey, suite), serverName)
    const usable = (code: number) => {
      try {
        certificateFor(cipherSuiteByCode(code) as Tls12CipherSuite)
        return true
      } catch {
        return false
      }
    }
    const suite = cipherSuiteByCode(chooseCipherSuite(policy, TLS12, hello.cipherSuites, usable)) as Tls12CipherSuite
    // RFC 8422 4: without supported_groups the client is taken to support what we do.
    const offeredGroups = readExtension(hello.extensions, supportedGroups)
    const groups = offeredGroups ? offeredGroups.map(providerGroupName).filter((g): g is NamedGroupName => g !== undefined) : [...policy.groups]
    const extendedMasterSecret = hasExtension(hello.extensions, ExtensionType.extended_master_secret)
    checkExtendedMasterSecret(policy, extendedMasterSecret)
    const random = this.config.provider.randomBytes(32)
    return {
      suite,
      group: chooseGroup12(policy, groups, offeredGroups?.map(namedGroupName)),
      certificate: certificateFor(suite),
      extendedMasterSecret,
      alpnProtocol: chooseAlpn(policy, readExtension(hello.extensions, alpnProtocols)),
      serverName,
      // RFC 8446 4.1.3: a server able to do TLS 1.3 marks a TLS 1.2 answer so a downgraded client notices.
      serverRandom: policy.maxVersion === TLS13 ? withDowngradeSentinel(random, 'tls12') : random,
    }
  }

  /** ServerHello, Certificate, ServerKeyExchange, [CertificateRequest], ServerHelloDone. */
  private *sendServerFlight(parameters: Parameters12): Step<KeyShare> {
    const { provider, policy } = this.config
    const { hello } = this
    const extensions: Extension[] = []
    const signalledRenegotiation =
      hasExtension(hello.extensions, ExtensionType.renegotiation_info) || hello.cipherSuites.includes(SignallingCipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
    if (signalledRenegotiation) extensions.push(encodeExtension(renegotiationInfo, new Uint8Array(0)))
    if (parameters.extendedMasterSecret) extensions.push(encodeExtension(extendedMasterSecret, true))
    if (hasExtension(hello.extensions, ExtensionType.ec_point_formats)) extensions.push(encodeExtension(ecPointFormats, [0]))
    if (parameters.serverName !== undefined) extensions.push(encodeExtension(serverNameAck, true))
    if (parameters.alpnProtocol !== undefined) extensions.push(encodeExtension(alpnSelected, parameters.alpnProtocol))
    // RFC 8449 4: both limits bind the records protected after the ChangeCipherSpecs.
    const limits = negotiateRecordSizeLimits(hello.extensions, this.config.recordSizeLimit, TLS12)
    if (limits) {
      extensions.push(encodeExtension(recordSizeLimit, limits.receive))
      this.session.setRecordSizeLimits(limits)
    }
    this.sendAndHash(
      encodeServerHello({ legacyVersion: TLS12, random: parameters.serverRandom, legacySessionIdEcho: new Uint8Array(0), cipherSuite: parameters.suite.code, extensions }),
    )
    this.sendAndHash(encodeCertificateTls12({ certificateList: [...parameters.certificate.certified.chain] }))

    const share = yield* settle(provider.generateKeyShare(parameters.group))
    const params = { namedCurve: namedGroupCode(parameters.group), publicKey: share.publicKey }
    const signed = serverKeyExchangeSignedData(hello.random, parameters.serverRandom, encodeServerEcdhParams(params))
    const signature = yield* settle(signWith(this.config, parameters.certificate, signed))
    this.sendAndHash(encodeServerKeyExchangeEcdhe({ params, algorithm: parameters.certificate.scheme, signature }))

    if (policy.verifyMode !== 'none') {
      this.requestedClientCertificate = true
      this.sendAndHash(encodeCertificateRequestTls12({ certificateTypes: CERTIFICATE_TYPES, supportedSignatureAlgorithms: [...policy.signatureSchemes], certificateAuthorities: [] }))
    }
    this.sendAndHash(encodeEmptyMessage(HandshakeType.server_hello_done))
    return share
  }

  /** [Certificate], ClientKeyExchange, [CertificateVerify]. */
  private *readClientFlight(parameters: Parameters12, share: KeyShare): Step<Tls12Session> {
    const { provider } = this.config
    if (this.requestedClientCertificate) {
      const message = yield* expectMessage(HandshakeType.certificate)
      this.peerChain = [...decodeCertificateTls12(message.body).certificateList]
      this.verified = yield* settle(verifyPeerCertificates(this.config, this.peerChain, 'clientAuth', TLS12))
      this.transcript.update(message.raw)
    }
    const message = yield* expectMessage(HandshakeType.client_key_exchange)
    const { publicKey } = decodeClientKeyExchangeEcdhe(message.body)
    const preMasterSecret = yield* settle(share.agree(publicKey))
    this.transcript.update(message.raw)
    const secrets = deriveTls12Session(provider, parameters.suite, preMasterSecret, this.hello.random, parameters.serverRandom, parameters.extendedMasterSecret, this.transcript)
    logSecret(this.config, 'CLIENT_RANDOM', this.hello.random, secrets.masterSecret)

    if (this.verified) {
      const verifyMessage = yield* expectMessage(HandshakeType.certificate_verify)
      const verify = decodeCertificateVerify(verifyMessage.body)
      yield* checkPeerSignature(this.config, this.verified.leaf.publicKey, verify.algorithm, TLS12, this.transcript.bytes(), verify.signature, 'client CertificateVerify')
      this.peerScheme = verify.algorithm
      this.transcript.update(verifyMessage.raw)
    }
    return secrets
  }

  private *readClientFinished(secrets: Tls12Session): Step {
    yield* expectChangeCipherSpec()
    this.session.setReadProtection(protection12(this.config.provider, secrets, 'client'))
    const message = yield* expectMessage(HandshakeType.finished)
    checkFinished12(this.config.provider, secrets, 'client', this.transcript, message.body)
    this.acceptPeerFinished(message)
  }

  private sendServerFinished(parameters: Parameters12, secrets: Tls12Session): void {
    const { provider } = this.config
    this.session.sendChangeCipherSpec()
    this.session.setWriteProtection(protection12(provider, secrets, 'server'))
    this.sendFinished(finished12(provider, secrets, 'server', this.transcript))
    this.session.complete(
      new Established12(
        this.session,
        'server',
        secrets,
        this.connectionInfo({
          version: 'TLSv1.2',
          cipherSuite: parameters.suite.name,
          group: parameters.group,
          alpnProtocol: parameters.alpnProtocol,
          serverName: parameters.serverName,
          extendedMasterSecret: secrets.extendedMasterSecret,
        }),
      ),
    )
  }
}

/** Runs the TLS 1.2 server from a ClientHello it settled on TLS 1.2 for. */
export function* serverHandshake12(session: HandshakeSession, transcript: Transcript, hello: ClientHello, clientHelloRaw: Uint8Array): Step {
  yield* new ServerHandshakeState12(session, transcript, hello).handshake(clientHelloRaw)
}
