// The synthetic message_hash message (RFC 8446 section 4.4.1) that replaces ClientHello1 in the transcript after a HelloRetryRequest.
import { HandshakeType } from '../registry.js'
import { encodeHandshakeMessage } from './handshake-message.js'

/** `message_hash || 00 00 Hash.length || Hash(ClientHello1)`. */
export function encodeMessageHash(clientHello1Hash: Uint8Array): Uint8Array {
  return encodeHandshakeMessage(HandshakeType.message_hash, (w) => w.bytes(clientHello1Hash))
}
