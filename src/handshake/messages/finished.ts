// Finished (RFC 8446 section 4.4.4; RFC 5246 section 7.4.9): verify_data of the length the negotiated suite fixes.
import { TlsError } from '../../errors.js'
import { HandshakeType } from '../registry.js'
import { encodeHandshakeMessage } from './handshake-message.js'

export interface Finished {
  readonly verifyData: Uint8Array
}

/** `verifyDataLength` is the hash length in TLS 1.3 and 12 in TLS 1.2; any other length is a decode_error. */
export function decodeFinished(body: Uint8Array, verifyDataLength: number): Finished {
  if (body.length !== verifyDataLength) {
    throw new TlsError('decode_error', `Finished verify_data is ${body.length} bytes, not ${verifyDataLength}`)
  }
  return { verifyData: body.slice() }
}

export function encodeFinished(message: Finished): Uint8Array {
  return encodeHandshakeMessage(HandshakeType.finished, (w) => w.bytes(message.verifyData))
}
