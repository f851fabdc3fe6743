// ServerHello and HelloRetryRequest (RFC 8446 sections 4.1.3-4), and TLS 1.2's ServerHello (RFC 5246 section 7.4.1.3): one wire form.
import { TlsError } from '../../errors.js'
import { Reader, type Writer } from '../../record/codec.js'
import { hasExtension, readExtension, readExtensions, writeExtensions, type Extension } from '../extensions/extension.js'
import { supportedVersionSelected } from '../extensions/supported-versions.js'
import { validateExtensions } from '../extensions/validate.js'
import { ExtensionType, HandshakeType } from '../registry.js'
import { encodeHandshakeMessage } from './handshake-message.js'
import { HELLO_RETRY_REQUEST_RANDOM, isHelloRetryRequestRandom } from './hello-random.js'
import { readRandom, readSessionId, writeRandom } from './wire.js'

export interface ServerHello {
  readonly legacyVersion: number
  readonly random: Uint8Array
  /** TLS 1.3: must echo the client's legacy_session_id; TLS 1.2: the session id (empty, or the resumed one). */
  readonly legacySessionIdEcho: Uint8Array
  readonly cipherSuite: number
  /** In wire order; an absent block (a bare TLS 1.2 hello) decodes as []. The compression method is always null. */
  readonly extensions: readonly Extension[]
}

/** What a received ServerHello is: TLS 1.3 (supported_versions present), a HelloRetryRequest, or TLS 1.2. */
export type ServerHelloKind = 'server_hello' | 'hello_retry_request' | 'server_hello_tls12'

export interface ReceivedServerHello extends ServerHello {
  readonly kind: ServerHelloKind
  /** supported_versions' selected_version when present, else legacy_version. */
  readonly version: number
}

function kindOf(random: Uint8Array, extensions: readonly Extension[]): ServerHelloKind {
  if (isHelloRetryRequestRandom(random)) return 'hello_retry_request'
  return hasExtension(extensions, ExtensionType.supported_versions) ? 'server_hello' : 'server_hello_tls12'
}

/**
 * Decodes a ServerHello body. The extensions are validated for the kind of hello this is; a compression
 * method other than null, or a selected_version before TLS 1.3, is an illegal_parameter.
 */
export function decodeServerHello(body: Uint8Array): ReceivedServerHello {
  const r = new Reader(body)
  const legacyVersion = r.u16('legacy_version')
  const random = readRandom(r)
  const legacySessionIdEcho = readSessionId(r, 'legacy_session_id_echo')
  const cipherSuite = r.u16('cipher_suite')
  const compression = r.u8('legacy_compression_method')
  if (compression !== 0) throw new TlsError('illegal_parameter', `ServerHello selected compression method ${compression}`)
  const extensions = r.remaining === 0 ? [] : readExtensions(r)
  r.expectEnd('ServerHello')
  const kind = kindOf(random, extensions)
  validateExtensions(extensions, kind)
  const version = readExtension(extensions, supportedVersionSelected) ?? legacyVersion
  return { legacyVersion, random, legacySessionIdEcho, cipherSuite, extensions, kind, version }
}

function writeServerHelloBody(w: Writer, hello: ServerHello): void {
  w.u16(hello.legacyVersion)
  writeRandom(w, hello.random)
  w.vec8(hello.legacySessionIdEcho)
  w.u16(hello.cipherSuite)
  w.u8(0)
  if (hello.extensions.length > 0) writeExtensions(w, hello.extensions)
}

export function encodeServerHello(hello: ServerHello): Uint8Array {
  return encodeHandshakeMessage(HandshakeType.server_hello, (w) => writeServerHelloBody(w, hello))
}

/** A HelloRetryRequest: a ServerHello whose random is HELLO_RETRY_REQUEST_RANDOM. */
export function encodeHelloRetryRequest(hello: Omit<ServerHello, 'random'>): Uint8Array {
  return encodeServerHello({ ...hello, random: HELLO_RETRY_REQUEST_RANDOM })
}
