// CertificateRequest, TLS 1.2 form (RFC 5246 section 7.4.4): certificate types, signature schemes, acceptable CAs.
import { Reader } from '../../record/codec.js'
import { readDistinguishedNames, writeDistinguishedNames } from '../extensions/certificate-authorities.js'
import { HandshakeType } from '../registry.js'
import { encodeHandshakeMessage } from './handshake-message.js'
import { readU16List, readU8List, writeU16List, writeU8List } from './wire.js'

export interface CertificateRequestTls12 {
  /** ClientCertificateType codes (rsa_sign 1, ecdsa_sign 64). */
  readonly certificateTypes: readonly number[]
  /** SignatureScheme codes. */
  readonly supportedSignatureAlgorithms: readonly number[]
  /** DER distinguished names; may be empty. */
  readonly certificateAuthorities: readonly Uint8Array[]
}

export function decodeCertificateRequestTls12(body: Uint8Array): CertificateRequestTls12 {
  const r = new Reader(body)
  const certificateTypes = readU8List(r, 1, 'certificate_types', { minBytes: 1 })
  const supportedSignatureAlgorithms = readU16List(r, 2, 'supported_signature_algorithms', { minBytes: 2 })
  const certificateAuthorities = readDistinguishedNames(r, 0)
  r.expectEnd('CertificateRequest')
  return { certificateTypes, supportedSignatureAlgorithms, certificateAuthorities }
}

export function encodeCertificateRequestTls12(message: CertificateRequestTls12): Uint8Array {
  return encodeHandshakeMessage(HandshakeType.certificate_request, (w) => {
    writeU8List(w, 1, message.certificateTypes)
    writeU16List(w, 2, message.supportedSignatureAlgorithms)
    writeDistinguishedNames(w, message.certificateAuthorities)
  })
}
