// Certificate, TLS 1.2 form (RFC 5246 section 7.4.2): a plain list of DER certificates, leaf first.
import { Reader } from '../../record/codec.js'
import { HandshakeType } from '../registry.js'
import { readCertData, readCertificateList } from './certificate.js'
import { encodeHandshakeMessage } from './handshake-message.js'
import { writeList } from './wire.js'

export interface CertificateTls12 {
  /** May be empty (a client without a certificate). */
  readonly certificateList: readonly Uint8Array[]
}

export function decodeCertificateTls12(body: Uint8Array): CertificateTls12 {
  const r = new Reader(body)
  const certificateList = readCertificateList(r, readCertData)
  r.expectEnd('Certificate')
  return { certificateList }
}

export function encodeCertificateTls12(message: CertificateTls12): Uint8Array {
  return encodeHandshakeMessage(HandshakeType.certificate, (w) => writeList(w, 3, message.certificateList, (inner, cert) => inner.vec24(cert)))
}
