// TLS 1.3 post-handshake client authentication (RFC 8446 4.6.2): the client answering a CertificateRequest, the server asking and checking the answer.
import { bytesEqual } from '../bytes.js'
import { signatureSchemeName } from '../crypto/schemes.js'
import { TlsError } from '../errors.js'
import { LIMITS, TLS13 } from '../policy/defaults.js'
import { settle, type Waiting } from '../pending.js'
import { type Tls13CipherSuite } from '../policy/suites.js'
import type { VerifiedPeer } from '../x509/verifier.js'
import { checkPeerSignature, certificateVerifyContent, verifyPeerCertificates } from './authentication.js'
import { clientCertificateMessages13 } from './client-certificate.js'
import { encodeExtension, requireExtension } from './extensions/extension.js'
import { signatureAlgorithms } from './extensions/signature-algorithms.js'
import type { HandshakeMessageIn } from './flow.js'
import { decodeCertificate } from './messages/certificate.js'
import { decodeCertificateRequest, encodeCertificateRequest } from './messages/certificate-request.js'
import { decodeCertificateVerify } from './messages/certificate-verify.js'
import { HandshakeType, handshakeTypeName } from './registry.js'
import type { ConnectionInfo, HandshakeSession } from './session.js'
import { checkPeerFinished, finishedMessage } from './traffic13.js'
import type { Transcript } from './transcript.js'

/** What post-handshake authentication needs of an established TLS 1.3 connection. */
export interface PostHandshakeContext {
  readonly session: HandshakeSession
  readonly suite: Tls13CipherSuite
  /** The transcript through the client's Finished: every post-handshake authentication starts from it (RFC 8446 4.4). */
  readonly handshakeTranscript: Transcript
  /** client_application_traffic_secret_N as it is now, the Finished key of an answer (the client's write, the server's read secret). */
  clientApplicationSecret(): Uint8Array
}

/** The client side: answers each CertificateRequest with Certificate, [CertificateVerify,] Finished, sent together. */
export class PostHandshakeAuthClient {
  #requests = 0

  readonly #context: PostHandshakeContext

  constructor(context: PostHandshakeContext) {
    this.#context = context
  }

  /**
   * RFC 8446 4.6.2: the three messages go out consecutively, once the signature (and the application's choice of
   * certificate) is ready; their Finished is keyed by the application secret current at that moment.
   */
  *answer(message: HandshakeMessageIn): Waiting<void> {
    if (++this.#requests > LIMITS.maxPostHandshakeCertificateRequests)
      throw new TlsError('unexpected_message', `more than ${LIMITS.maxPostHandshakeCertificateRequests} post-handshake CertificateRequests on one connection`)
    const request = decodeCertificateRequest(message.body)
    const schemes = requireExtension(request.extensions, signatureAlgorithms, 'CertificateRequest')
    const { session, suite } = this.#context
    const transcript = this.#context.handshakeTranscript.fork().update(message.raw)
    const answer = yield* clientCertificateMessages13(session.config, transcript, { context: request.certificateRequestContext, schemes, postHandshake: true })
    answer.push(finishedMessage(session.config.provider, suite, this.#context.clientApplicationSecret(), transcript.hash()))
    // Closed meanwhile: nothing more may be written, and the server learns nothing from a half answer.
    if (session.writeClosed) return
    for (const part of answer) session.sendHandshake(part)
  }
}

/** Where the server is in the client's answer to its outstanding request. */
type AwaitedMessage = typeof HandshakeType.certificate | typeof HandshakeType.certificate_verify | typeof HandshakeType.finished

interface OutstandingRequest {
  readonly context: Uint8Array
  readonly transcript: Transcript
  awaiting: AwaitedMessage
  chain: Uint8Array[]
  verified: VerifiedPeer | undefined
  /** The scheme of the answer's CertificateVerify, once it arrived. */
  scheme: number | undefined
  resolve(info: ConnectionInfo): void
  reject(error: TlsError): void
}

/** The server side: one outstanding CertificateRequest at a time, its answer verified like a handshake's. */
export class PostHandshakeAuthServer {
  #outstanding: OutstandingRequest | undefined
  #requestsSent = 0

  readonly #context: PostHandshakeContext
  readonly #authenticated: (peer: AuthenticatedPeer) => ConnectionInfo

  /** `authenticated` turns a verified answer into the connection's new info. */
  constructor(context: PostHandshakeContext, authenticated: (peer: AuthenticatedPeer) => ConnectionInfo) {
    this.#context = context
    this.#authenticated = authenticated
  }

  /** The client has sent its Certificate and not yet its Finished (RFC 8446 4.6.2: nothing may come between). */
  get responding(): boolean {
    return this.#outstanding !== undefined && this.#outstanding.awaiting !== HandshakeType.certificate
  }

  /** Sends a CertificateRequest; refuses (a misuse, nothing sent) while one is outstanding or without a verifier. */
  request(): Promise<ConnectionInfo> {
    const { session } = this.#context
    if (this.#outstanding) throw new TlsError('internal_error', 'a CertificateRequest is already outstanding', 'ERR_TLS_CERTIFICATE_REQUEST_PENDING')
    if (!session.config.verifier)
      throw new TlsError('internal_error', "requestClientCertificate() needs verifyMode 'optional' or 'required' and the client CAs in 'ca'", 'ERR_TLS_NO_CLIENT_VERIFIER')
    // Unique within the connection (RFC 8446 4.3.2), so no earlier answer can be replayed for this one.
    const context = new Uint8Array(8)
    new DataView(context.buffer).setBigUint64(0, BigInt(++this.#requestsSent))
    const message = encodeCertificateRequest({
      certificateRequestContext: context,
      extensions: [encodeExtension(signatureAlgorithms, [...session.config.policy.signatureSchemes])],
    })
    const transcript = this.#context.handshakeTranscript.fork().update(message)
    const answered = new Promise<ConnectionInfo>((resolve, reject) => {
      this.#outstanding = { context, transcript, awaiting: HandshakeType.certificate, chain: [], verified: undefined, scheme: undefined, resolve, reject }
    })
    // The caller may never look at the promise; a failed connection is reported by the connection anyway.
    answered.catch(() => {})
    session.sendHandshake(message)
    return answered
  }

  /** Takes the client's Certificate, CertificateVerify or Finished; anything out of order is unexpected_message. */
  *receive(message: HandshakeMessageIn): Waiting<void> {
    const request = this.#outstanding
    if (!request) throw new TlsError('unexpected_message', `${handshakeTypeName(message.msgType)} without an outstanding CertificateRequest`)
    if (message.msgType !== request.awaiting)
      throw new TlsError('unexpected_message', `expected ${handshakeTypeName(request.awaiting)} in the answer to our CertificateRequest, got ${handshakeTypeName(message.msgType)}`)
    if (request.awaiting === HandshakeType.certificate) yield* this.#receiveCertificate(request, message)
    else if (request.awaiting === HandshakeType.certificate_verify) yield* this.#receiveCertificateVerify(request, message)
    else this.#receiveFinished(request, message)
  }

  /** The connection ended or the client closed before answering: the outstanding request fails with `error`. */
  abandon(error: TlsError): void {
    this.#outstanding?.reject(error)
    this.#outstanding = undefined
  }

  *#receiveCertificate(request: OutstandingRequest, message: HandshakeMessageIn): Waiting<void> {
    const certificate = decodeCertificate(message.body)
    if (!bytesEqual(certificate.certificateRequestContext, request.context))
      throw new TlsError('illegal_parameter', 'the client Certificate does not echo our certificate_request_context')
    request.chain = certificate.certificateList.map((entry) => entry.certData)
    // 'required' refuses an empty Certificate (certificate_required), 'optional' accepts it unverified.
    request.verified = yield* settle(verifyPeerCertificates(this.#context.session.config, request.chain, 'clientAuth', TLS13))
    request.transcript.update(message.raw)
    request.awaiting = request.chain.length > 0 ? HandshakeType.certificate_verify : HandshakeType.finished
  }

  *#receiveCertificateVerify(request: OutstandingRequest, message: HandshakeMessageIn): Waiting<void> {
    const verify = decodeCertificateVerify(message.body)
    const publicKey = request.verified?.leaf.publicKey
    if (!publicKey) throw new TlsError('internal_error', 'client certificate was not parsed')
    const content = certificateVerifyContent('client', request.transcript.hash())
    yield* checkPeerSignature(this.#context.session.config, publicKey, verify.algorithm, TLS13, content, verify.signature, 'client CertificateVerify')
    request.transcript.update(message.raw)
    request.scheme = verify.algorithm
    request.awaiting = HandshakeType.finished
  }

  #receiveFinished(request: OutstandingRequest, message: HandshakeMessageIn): void {
    const { session, suite } = this.#context
    checkPeerFinished(session.config.provider, suite, this.#context.clientApplicationSecret(), request.transcript.hash(), message.body)
    this.#outstanding = undefined
    request.resolve(this.#authenticated({ chain: request.chain, verified: request.verified, scheme: request.scheme }))
  }
}

/** What a verified answer established about the client. */
export interface AuthenticatedPeer {
  readonly chain: readonly Uint8Array[]
  readonly verified: VerifiedPeer | undefined
  readonly scheme: number | undefined
}

/** `info` with the peer as the latest post-handshake authentication established it, frozen. */
export function withAuthenticatedPeer(info: ConnectionInfo, peer: AuthenticatedPeer): ConnectionInfo {
  const { peerVerificationError: _previous, ...rest } = info
  return Object.freeze({
    ...rest,
    peerCertificates: Object.freeze([...peer.chain]),
    peerVerified: peer.verified?.verified ?? false,
    signatureScheme: peer.scheme === undefined ? undefined : signatureSchemeName(peer.scheme),
    ...(peer.verified?.error && { peerVerificationError: peer.verified.error }),
  })
}
