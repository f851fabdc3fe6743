// signature_algorithms and signature_algorithms_cert (RFC 8446 section 4.2.3): SignatureScheme codes as u16 numbers.
import { ExtensionType } from '../registry.js'
import { u16ListExtension } from './simple.js'

/** `SignatureScheme supported_signature_algorithms<2..2^16-2>`: schemes for CertificateVerify / ServerKeyExchange. */
export const signatureAlgorithms = u16ListExtension(ExtensionType.signature_algorithms, 'supported_signature_algorithms', 2, 2)

/** The same shape, for signatures inside certificates. */
export const signatureAlgorithmsCert = u16ListExtension(ExtensionType.signature_algorithms_cert, 'supported_signature_algorithms', 2, 2)
