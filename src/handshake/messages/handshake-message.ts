// The handshake message frame (RFC 8446 section 4): msg_type, a uint24 length, and the body.
import { TlsError } from '../../errors.js'
import { Reader, Writer } from '../../record/codec.js'
import { handshakeTypeName } from '../registry.js'
import { maxHandshakeBodySize } from './limits.js'

/** One framed handshake message: `bytes` is header + body, exactly what enters the transcript. */
export interface HandshakeMessage {
  readonly type: number
  readonly body: Uint8Array
  readonly bytes: Uint8Array
}

/** Frames a body written by `writeBody` as a complete handshake message (header included). */
export function encodeHandshakeMessage(type: number, writeBody: (w: Writer) => void): Uint8Array {
  const w = new Writer()
  w.u8(type)
  w.block(3, writeBody)
  return w.finish()
}

/** The length announced by a header, checked against the limit for its type before any body is buffered. */
export function readHandshakeHeader(r: Reader): { type: number; length: number } {
  const type = r.u8('handshake type')
  const length = r.u24('handshake length')
  const max = maxHandshakeBodySize(type)
  if (length > max) throw new TlsError('illegal_parameter', `${handshakeTypeName(type)} of ${length} bytes exceeds the limit of ${max}`)
  return { type, length }
}

/** Splits bytes holding exactly one complete handshake message into its parts. */
export function decodeHandshakeMessage(bytes: Uint8Array): HandshakeMessage {
  const r = new Reader(bytes)
  const { type, length } = readHandshakeHeader(r)
  const body = r.take(length, handshakeTypeName(type))
  r.expectEnd(handshakeTypeName(type))
  return { type, body, bytes: bytes.slice() }
}
