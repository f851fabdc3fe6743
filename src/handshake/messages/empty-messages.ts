// The handshake messages with an empty body: EndOfEarlyData (TLS 1.3), ServerHelloDone and HelloRequest (TLS 1.2).
import { TlsError } from '../../errors.js'
import { HandshakeType, handshakeTypeName } from '../registry.js'
import { encodeHandshakeMessage } from './handshake-message.js'

type EmptyMessageType = typeof HandshakeType.end_of_early_data | typeof HandshakeType.server_hello_done | typeof HandshakeType.hello_request

/** Checks that the body of an empty message is empty (decode_error otherwise). */
export function decodeEmptyMessage(type: EmptyMessageType, body: Uint8Array): void {
  if (body.length !== 0) throw new TlsError('decode_error', `${handshakeTypeName(type)} has a ${body.length}-byte body; it must be empty`)
}

/** The 4-byte message: the type and a zero length. */
export function encodeEmptyMessage(type: EmptyMessageType): Uint8Array {
  return encodeHandshakeMessage(type, () => {})
}
