// Certificate, TLS 1.3 form (RFC 8446 section 4.4.2): a request context and a list of {cert_data, extensions}.
import { Reader } from '../../record/codec.js'
import { writeExtensions, type Extension } from '../extensions/extension.js'
import { readMessageExtensions } from '../extensions/validate.js'
import { HandshakeType } from '../registry.js'
import { encodeHandshakeMessage } from './handshake-message.js'
import { HandshakeLimits } from './limits.js'
import { readList, writeList } from './wire.js'

export interface CertificateEntry {
  /** DER X.509 (we negotiate no raw public keys). */
  readonly certData: Uint8Array
  /** status_request (OCSP) and signed_certificate_timestamp are the ones allowed here. */
  readonly extensions: readonly Extension[]
}

export interface Certificate {
  /** Empty in the server's Certificate; the CertificateRequest's context in the client's. */
  readonly certificateRequestContext: Uint8Array
  /** Leaf first. May be empty (a client without a certificate); the state machine decides if that is allowed. */
  readonly certificateList: readonly CertificateEntry[]
}

/** `opaque cert_data<1..2^24-1>`, shared by both versions' Certificate. */
export function readCertData(r: Reader): Uint8Array {
  return r.vec24('cert_data', 1)
}

/** `certificate_list<0..2^24-1>` of items, at most maxCertificateEntries of them. */
export function readCertificateList<T>(r: Reader, item: (r: Reader) => T): T[] {
  return readList(r, 3, 'certificate_list', item, { maxItems: HandshakeLimits.maxCertificateEntries })
}

function readEntry(r: Reader): CertificateEntry {
  return { certData: readCertData(r), extensions: readMessageExtensions(r, 'certificate') }
}

export function decodeCertificate(body: Uint8Array): Certificate {
  const r = new Reader(body)
  const certificateRequestContext = r.vec8('certificate_request_context')
  const certificateList = readCertificateList(r, readEntry)
  r.expectEnd('Certificate')
  return { certificateRequestContext, certificateList }
}

export function encodeCertificate(message: Certificate): Uint8Array {
  return encodeHandshakeMessage(HandshakeType.certificate, (w) => {
    w.vec8(message.certificateRequestContext)
    writeList(w, 3, message.certificateList, (inner, entry) => {
      inner.vec24(entry.certData)
      writeExtensions(inner, entry.extensions)
    })
  })
}
