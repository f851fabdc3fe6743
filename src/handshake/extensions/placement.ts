// Which extensions may appear in which message (RFC 8446 section 4.2's table, plus TLS 1.2's ServerHello), and the "did we offer it" check.
import { TlsError } from '../../errors.js'
import { ExtensionType, extensionTypeName } from '../registry.js'
import type { Extension } from './extension.js'

/** The messages that carry extensions; `server_hello` is TLS 1.3's, `server_hello_tls12` is TLS 1.2's. */
export type ExtensionContext =
  | 'client_hello'
  | 'server_hello'
  | 'hello_retry_request'
  | 'encrypted_extensions'
  | 'certificate'
  | 'certificate_request'
  | 'new_session_ticket'
  | 'server_hello_tls12'

type Where = readonly ExtensionContext[]

const CH = 'client_hello'
const SH = 'server_hello'
const HRR = 'hello_retry_request'
const EE = 'encrypted_extensions'
const CT = 'certificate'
const CR = 'certificate_request'
const NST = 'new_session_ticket'
const SH12 = 'server_hello_tls12'

/** RFC 8446 section 4.2 (TLS 1.3 columns) and RFC 5246/6066/7301/7627/5746/8422/8449 (TLS 1.2 ServerHello). */
const table: ReadonlyArray<readonly [number, Where]> = [
  [ExtensionType.server_name, [CH, EE, SH12]],
  [ExtensionType.max_fragment_length, [CH, EE, SH12]],
  [ExtensionType.status_request, [CH, CR, CT, SH12]],
  // Not defined for a TLS 1.2 ServerHello, but some servers echo it there; tolerated as OpenSSL does.
  [ExtensionType.supported_groups, [CH, EE, SH12]],
  [ExtensionType.ec_point_formats, [CH, SH12]],
  [ExtensionType.signature_algorithms, [CH, CR]],
  [ExtensionType.use_srtp, [CH, EE, SH12]],
  [ExtensionType.heartbeat, [CH, EE, SH12]],
  [ExtensionType.application_layer_protocol_negotiation, [CH, EE, SH12]],
  [ExtensionType.signed_certificate_timestamp, [CH, CR, CT, SH12]],
  [ExtensionType.client_certificate_type, [CH, EE, SH12]],
  [ExtensionType.server_certificate_type, [CH, EE, SH12]],
  [ExtensionType.padding, [CH]],
  [ExtensionType.encrypt_then_mac, [CH, SH12]],
  [ExtensionType.extended_master_secret, [CH, SH12]],
  [ExtensionType.record_size_limit, [CH, EE, SH12]],
  [ExtensionType.session_ticket, [CH, SH12]],
  [ExtensionType.pre_shared_key, [CH, SH]],
  [ExtensionType.early_data, [CH, EE, NST]],
  [ExtensionType.supported_versions, [CH, SH, HRR]],
  [ExtensionType.cookie, [CH, HRR]],
  [ExtensionType.psk_key_exchange_modes, [CH]],
  [ExtensionType.certificate_authorities, [CH, CR]],
  [ExtensionType.oid_filters, [CR]],
  [ExtensionType.post_handshake_auth, [CH]],
  [ExtensionType.signature_algorithms_cert, [CH, CR]],
  [ExtensionType.key_share, [CH, SH, HRR]],
  [ExtensionType.renegotiation_info, [CH, SH12]],
]

const allowed: ReadonlyMap<number, ReadonlySet<ExtensionContext>> = new Map(table.map(([type, where]) => [type, new Set(where)]))

/** Whether this library recognises the extension type at all (unrecognised ones are never placement errors). */
export function isRecognisedExtension(type: number): boolean {
  return allowed.has(type)
}

/**
 * RFC 8446 section 4.2: a recognised extension in a message it is not specified for is an illegal_parameter;
 * unrecognised ones pass (ignored in requests; in responses `checkOfferedExtensions` refuses them).
 * In a ClientHello, pre_shared_key must come last (section 4.2.11).
 */
export function checkExtensionPlacement(extensions: readonly Extension[], context: ExtensionContext): void {
  extensions.forEach(({ type }, index) => {
    const where = allowed.get(type)
    if (where !== undefined && !where.has(context)) {
      throw new TlsError('illegal_parameter', `the ${extensionTypeName(type)} extension is not allowed in ${context}`)
    }
    if (context === CH && type === ExtensionType.pre_shared_key && index !== extensions.length - 1) {
      throw new TlsError('illegal_parameter', 'pre_shared_key is not the last extension in the ClientHello')
    }
  })
}

/** The extension types a request carried: what the peer's response may contain. */
export function offeredExtensionTypes(extensions: readonly Extension[]): Set<number> {
  return new Set(extensions.map((ext) => ext.type))
}

/**
 * RFC 8446 section 4.2 / RFC 5246 section 7.4.1.4: a response extension (ServerHello, HelloRetryRequest,
 * EncryptedExtensions, Certificate) whose type was not in the request is an unsupported_extension. The one
 * exception is cookie in a HelloRetryRequest. A TLS 1.2 client that sent the renegotiation SCSV instead of
 * renegotiation_info must count renegotiation_info as offered (RFC 5746 section 3.4).
 */
export function checkOfferedExtensions(extensions: readonly Extension[], offered: ReadonlySet<number>, context: ExtensionContext): void {
  for (const { type } of extensions) {
    if (offered.has(type) || (context === HRR && type === ExtensionType.cookie)) continue
    throw new TlsError('unsupported_extension', `${context} carries the ${extensionTypeName(type)} extension, which was not offered`)
  }
}
