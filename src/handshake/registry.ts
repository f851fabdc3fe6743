// The TLS numeric registries the handshake uses: handshake types, extension types, named groups, versions and small code points.
import type { NamedGroupName } from '../crypto/provider.js'

/** HandshakeType (RFC 8446 section 4, RFC 5246 section 7.4). */
export const HandshakeType = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
  certificate_url: 21,
  certificate_status: 22,
  key_update: 24,
  message_hash: 254,
} as const

export type HandshakeTypeName = keyof typeof HandshakeType

/** ExtensionType (RFC 8446 section 4.2 and the RFCs that define each one). */
export const ExtensionType = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  use_srtp: 14,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16,
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  record_size_limit: 28,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  renegotiation_info: 0xff01,
} as const

export type ExtensionTypeName = keyof typeof ExtensionType

/** NamedGroup (RFC 8446 section 4.2.7, RFC 7919, draft-ietf-tls-ecdhe-mlkem). */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  ffdhe6144: 0x0103,
  ffdhe8192: 0x0104,
  SecP256r1MLKEM768: 0x11eb,
  X25519MLKEM768: 0x11ec,
  SecP384r1MLKEM1024: 0x11ed,
} as const

export type NamedGroupCodeName = keyof typeof NamedGroup

/** ProtocolVersion values as they appear on the wire. */
export const ProtocolVersion = {
  tls10: 0x0301,
  tls11: 0x0302,
  tls12: 0x0303,
  tls13: 0x0304,
} as const

/** PskKeyExchangeMode (RFC 8446 section 4.2.9). */
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const

/** ECPointFormat (RFC 8422 section 5.1.2). */
export const ECPointFormat = { uncompressed: 0, ansiX962_compressed_prime: 1, ansiX962_compressed_char2: 2 } as const

/** ECCurveType (RFC 8422 section 5.4): only named_curve is allowed. */
export const ECCurveType = { named_curve: 3 } as const

/** ClientCertificateType (RFC 5246 section 7.4.4, RFC 8422 section 5.5). */
export const ClientCertificateType = { rsa_sign: 1, dss_sign: 2, ecdsa_sign: 64 } as const

/** KeyUpdateRequest (RFC 8446 section 4.6.3). */
export const KeyUpdateRequest = { update_not_requested: 0, update_requested: 1 } as const

/** The inverse of a code table: number → name. */
function namesOf(table: Record<string, number>): Map<number, string> {
  return new Map(Object.entries(table).map(([name, code]) => [code, name]))
}

const handshakeTypeNames = namesOf(HandshakeType)
const extensionTypeNames = namesOf(ExtensionType)
const namedGroupNames = namesOf(NamedGroup)

function hex16(code: number): string {
  return `0x${code.toString(16).padStart(4, '0')}`
}

/** `client_hello`, or `unknown(N)` for a type we do not know. */
export function handshakeTypeName(code: number): string {
  return handshakeTypeNames.get(code) ?? `unknown(${code})`
}

/** `key_share`, or `unknown(0xNNNN)`. */
export function extensionTypeName(code: number): string {
  return extensionTypeNames.get(code) ?? `unknown(${hex16(code)})`
}

/** `x25519`, or `unknown(0xNNNN)`. */
export function namedGroupName(code: number): string {
  return namedGroupNames.get(code) ?? `unknown(${hex16(code)})`
}

/** Whether an extension type is one this library knows by name. */
export function isKnownExtensionType(code: number): boolean {
  return extensionTypeNames.has(code)
}

const providerGroups: ReadonlyMap<number, NamedGroupName> = new Map<number, NamedGroupName>([
  [NamedGroup.x25519, 'x25519'],
  [NamedGroup.secp256r1, 'secp256r1'],
  [NamedGroup.secp384r1, 'secp384r1'],
  [NamedGroup.X25519MLKEM768, 'X25519MLKEM768'],
  [NamedGroup.SecP256r1MLKEM768, 'SecP256r1MLKEM768'],
])

/** The provider's name for a group code, or undefined when the provider cannot do that group. */
export function providerGroupName(code: number): NamedGroupName | undefined {
  return providerGroups.get(code)
}

/** The wire code of a provider group. */
export function namedGroupCode(name: NamedGroupName): number {
  return NamedGroup[name]
}
