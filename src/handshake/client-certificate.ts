// A client's answer to a certificate request (RFC 8446 4.4.2 and 4.6.2, RFC 5246 7.4.6): which certificate (a configured one, or the application's choice), and TLS 1.3's Certificate and CertificateVerify.
import { signatureSchemeName } from '../crypto/schemes.js'
import { TLS13, type TlsVersion, versionNames } from '../policy/defaults.js'
import { settle, type Waiting } from '../pending.js'
import { certificateVerifyContent, chooseCertificate, type ChosenCertificate, signWith } from './authentication.js'
import { encodeCertificate } from './messages/certificate.js'
import { encodeCertificateVerify } from './messages/certificate-verify.js'
import type { CertifiedKey, HandshakeConfig } from './session.js'
import type { Transcript } from './transcript.js'

/** Whether this client can ever answer a certificate request: it has certificates, or a callback to find one. */
export function canPresentCertificate(config: HandshakeConfig): boolean {
  return config.certificates.length > 0 || config.clientCertificate !== undefined
}

/**
 * Our certificate for a CertificateRequest accepting `schemes`, or undefined when we have none that fits: then the
 * client sends an empty Certificate (both versions). With a `clientCertificate` callback, its answer is the only
 * candidate; without one, the configured certificates are.
 */
export function* chooseClientCertificate(
  config: HandshakeConfig,
  schemes: readonly number[],
  version: TlsVersion,
  postHandshake: boolean,
): Waiting<ChosenCertificate | undefined> {
  let candidates: readonly CertifiedKey[] = config.certificates
  if (config.clientCertificate) {
    const request = { postHandshake, version: versionNames[version] as 'TLSv1.3' | 'TLSv1.2', signatureSchemes: schemes.map(signatureSchemeName), serverName: config.serverName }
    const found = yield* settle(config.clientCertificate(request))
    candidates = found ? [found] : []
  }
  if (candidates.length === 0) return undefined
  try {
    return chooseCertificate({ ...config, certificates: candidates }, schemes, version)
  } catch {
    return undefined // no key of ours signs with a scheme the server accepts
  }
}

/** A TLS 1.3 CertificateRequest as the client answers it. */
export interface CertificateRequested13 {
  readonly context: Uint8Array
  readonly schemes: readonly number[]
  readonly postHandshake: boolean
}

/**
 * Our Certificate (echoing the request's context; empty when we have no certificate that fits) and, with a
 * certificate, our CertificateVerify over the transcript through it (RFC 8446 4.4.2, 4.4.3). Each message is added
 * to `transcript` and returned, header included, for the caller to send.
 */
export function* clientCertificateMessages13(config: HandshakeConfig, transcript: Transcript, request: CertificateRequested13): Waiting<Uint8Array[]> {
  const chosen = yield* chooseClientCertificate(config, request.schemes, TLS13, request.postHandshake)
  const certificate = encodeCertificate({
    certificateRequestContext: request.context,
    certificateList: (chosen?.certified.chain ?? []).map((certData) => ({ certData, extensions: [] })),
  })
  transcript.update(certificate)
  if (!chosen) return [certificate]
  const signature = yield* settle(signWith(config, chosen, certificateVerifyContent('client', transcript.hash())))
  const certificateVerify = encodeCertificateVerify({ algorithm: chosen.scheme, signature })
  transcript.update(certificateVerify)
  return [certificate, certificateVerify]
}
