// CertificateVerify (RFC 8446 section 4.4.3; RFC 5246 section 7.4.8 has the same wire shape): a SignatureScheme and a signature.
import { Reader } from '../../record/codec.js'
import { HandshakeType } from '../registry.js'
import { encodeHandshakeMessage } from './handshake-message.js'

export interface CertificateVerify {
  /** SignatureScheme code. */
  readonly algorithm: number
  readonly signature: Uint8Array
}

export function decodeCertificateVerify(body: Uint8Array): CertificateVerify {
  const r = new Reader(body)
  const algorithm = r.u16('SignatureScheme')
  const signature = r.vec16('signature')
  r.expectEnd('CertificateVerify')
  return { algorithm, signature }
}

export function encodeCertificateVerify(message: CertificateVerify): Uint8Array {
  return encodeHandshakeMessage(HandshakeType.certificate_verify, (w) => w.u16(message.algorithm).vec16(message.signature))
}
