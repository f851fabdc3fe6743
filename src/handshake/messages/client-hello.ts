// ClientHello (RFC 8446 section 4.1.2, RFC 5246 section 7.4.1.2): one wire form for both versions.
import { TlsError } from '../../errors.js'
import { Reader, type Writer } from '../../record/codec.js'
import { writeExtensions, type Extension } from '../extensions/extension.js'
import { offeredExtensionTypes } from '../extensions/placement.js'
import { readMessageExtensions } from '../extensions/validate.js'
import { ExtensionType, HandshakeType } from '../registry.js'
import { SignallingCipherSuite } from '../../policy/suites.js'
import { encodeHandshakeMessage } from './handshake-message.js'
import { readRandom, readSessionId, readU16List, readU8List, writeRandom, writeU16List, writeU8List } from './wire.js'

export interface ClientHello {
  readonly legacyVersion: number
  readonly random: Uint8Array
  readonly legacySessionId: Uint8Array
  readonly cipherSuites: readonly number[]
  /** Must contain null (0); TLS 1.3 requires exactly [0], which the state machine checks once the version is known. */
  readonly legacyCompressionMethods: readonly number[]
  /** In wire order; an absent block (a bare TLS 1.2 hello) decodes as []. */
  readonly extensions: readonly Extension[]
}

/** Decodes a ClientHello body; extensions are checked for duplicates, placement and the bodies we know. */
export function decodeClientHello(body: Uint8Array): ClientHello {
  const r = new Reader(body)
  const legacyVersion = r.u16('legacy_version')
  const random = readRandom(r)
  const legacySessionId = readSessionId(r, 'legacy_session_id')
  const cipherSuites = readU16List(r, 2, 'cipher_suites', { minBytes: 2 })
  const legacyCompressionMethods = readU8List(r, 1, 'legacy_compression_methods', { minBytes: 1 })
  if (!legacyCompressionMethods.includes(0)) throw new TlsError('illegal_parameter', 'legacy_compression_methods lacks null compression')
  const extensions = r.remaining === 0 ? [] : readMessageExtensions(r, 'client_hello')
  r.expectEnd('ClientHello')
  return { legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods, extensions }
}

/** Writes the body; an empty extension list is omitted, as a TLS 1.2 hello without extensions is sent. */
function writeClientHelloBody(w: Writer, hello: ClientHello): void {
  w.u16(hello.legacyVersion)
  writeRandom(w, hello.random)
  w.vec8(hello.legacySessionId)
  writeU16List(w, 2, hello.cipherSuites)
  writeU8List(w, 1, hello.legacyCompressionMethods)
  if (hello.extensions.length > 0) writeExtensions(w, hello.extensions)
}

export function encodeClientHello(hello: ClientHello): Uint8Array {
  return encodeHandshakeMessage(HandshakeType.client_hello, (w) => writeClientHelloBody(w, hello))
}

/**
 * The extension types a server may answer this hello with (for checkOfferedExtensions): the hello's own,
 * plus renegotiation_info when it signalled TLS_EMPTY_RENEGOTIATION_INFO_SCSV instead (RFC 5746 section 3.4).
 */
export function clientHelloOfferedTypes(hello: ClientHello): Set<number> {
  const offered = offeredExtensionTypes(hello.extensions)
  if (hello.cipherSuites.includes(SignallingCipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV)) offered.add(ExtensionType.renegotiation_info)
  return offered
}
