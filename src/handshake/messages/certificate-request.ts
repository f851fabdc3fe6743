// CertificateRequest, TLS 1.3 form (RFC 8446 section 4.3.2): a context and extensions, signature_algorithms required.
import { Reader } from '../../record/codec.js'
import { requireExtension, writeExtensions, type Extension } from '../extensions/extension.js'
import { signatureAlgorithms } from '../extensions/signature-algorithms.js'
import { readMessageExtensions } from '../extensions/validate.js'
import { HandshakeType } from '../registry.js'
import { encodeHandshakeMessage } from './handshake-message.js'

export interface CertificateRequest {
  readonly certificateRequestContext: Uint8Array
  /** Unrecognised extensions are kept and ignored (section 4.3.2). */
  readonly extensions: readonly Extension[]
}

/** Decodes a CertificateRequest; without signature_algorithms it is a missing_extension. */
export function decodeCertificateRequest(body: Uint8Array): CertificateRequest {
  const r = new Reader(body)
  const certificateRequestContext = r.vec8('certificate_request_context')
  const extensions = readMessageExtensions(r, 'certificate_request')
  r.expectEnd('CertificateRequest')
  requireExtension(extensions, signatureAlgorithms, 'CertificateRequest')
  return { certificateRequestContext, extensions }
}

export function encodeCertificateRequest(message: CertificateRequest): Uint8Array {
  return encodeHandshakeMessage(HandshakeType.certificate_request, (w) => {
    w.vec8(message.certificateRequestContext)
    writeExtensions(w, message.extensions)
  })
}
