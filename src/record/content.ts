// Record-layer constants: ContentType, ProtocolVersion and the record size limits of RFC 8446 5.1-5.2 and RFC 5246 6.2.

/** ContentType (RFC 8446 section 5.1); heartbeat (24) and anything else is refused. */
export const ContentType = {
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
} as const

export type ContentType = (typeof ContentType)[keyof typeof ContentType]

const contentTypeNames = new Map<number, string>(Object.entries(ContentType).map(([name, code]) => [code, name]))

export function isContentType(value: number): value is ContentType {
  return contentTypeNames.has(value)
}

/** The name of a content type byte, or `unknown(N)`. */
export function contentTypeName(value: number): string {
  return contentTypeNames.get(value) ?? `unknown(${value})`
}

/** ProtocolVersion values; the ones before TLS 1.2 exist only to be named in refusals. */
export const ProtocolVersion = {
  SSL30: 0x0300,
  TLS10: 0x0301,
  TLS11: 0x0302,
  TLS12: 0x0303,
  TLS13: 0x0304,
} as const

export type ProtocolVersion = (typeof ProtocolVersion)[keyof typeof ProtocolVersion]

export const TLS12 = ProtocolVersion.TLS12
export const TLS13 = ProtocolVersion.TLS13

const versionNames: Record<number, string> = {
  [ProtocolVersion.SSL30]: 'SSLv3',
  [ProtocolVersion.TLS10]: 'TLSv1',
  [ProtocolVersion.TLS11]: 'TLSv1.1',
  [ProtocolVersion.TLS12]: 'TLSv1.2',
  [ProtocolVersion.TLS13]: 'TLSv1.3',
}

/** `TLSv1.2`, `TLSv1.3`, ... or the hex value for anything else. */
export function versionName(version: number): string {
  return versionNames[version] ?? `0x${version.toString(16).padStart(4, '0')}`
}

/** type (1) + legacy_record_version (2) + length (2). */
export const RECORD_HEADER_LENGTH = 5

/** TLSPlaintext.length and the content of one record must not exceed 2^14 (RFC 8446 5.1, RFC 5246 6.2.1). */
export const MAX_PLAINTEXT = 2 ** 14

/** TLSInnerPlaintext: content + content type + padding must not exceed 2^14 + 1 (RFC 8446 5.4). */
export const MAX_TLS13_INNER_PLAINTEXT = MAX_PLAINTEXT + 1

/** The smallest record_size_limit an endpoint may announce (RFC 8449 4). */
export const MIN_RECORD_SIZE_LIMIT = 64

/** TLSCiphertext.length in TLS 1.3 (RFC 8446 5.2). */
export const MAX_TLS13_CIPHERTEXT = MAX_PLAINTEXT + 256

/** TLSCiphertext.length in TLS 1.2 (RFC 5246 6.2.3). */
export const MAX_TLS12_CIPHERTEXT = MAX_PLAINTEXT + 2048

/** Writes a record header for `type`, `version` and a fragment of `length` bytes into `out` at `offset`. */
export function writeRecordHeader(out: Uint8Array, offset: number, type: ContentType, version: number, length: number): void {
  out[offset] = type
  out[offset + 1] = version >>> 8
  out[offset + 2] = version & 0xff
  out[offset + 3] = length >>> 8
  out[offset + 4] = length & 0xff
}

