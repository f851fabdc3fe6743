// EncryptedExtensions (RFC 8446 section 4.3.1): the server's extension responses that need no ServerHello.
import { Reader } from '../../record/codec.js'
import { writeExtensions, type Extension } from '../extensions/extension.js'
import { readMessageExtensions } from '../extensions/validate.js'
import { HandshakeType } from '../registry.js'
import { encodeHandshakeMessage } from './handshake-message.js'

export interface EncryptedExtensions {
  readonly extensions: readonly Extension[]
}

export function decodeEncryptedExtensions(body: Uint8Array): EncryptedExtensions {
  const r = new Reader(body)
  const extensions = readMessageExtensions(r, 'encrypted_extensions')
  r.expectEnd('EncryptedExtensions')
  return { extensions }
}

export function encodeEncryptedExtensions(message: EncryptedExtensions): Uint8Array {
  return encodeHandshakeMessage(HandshakeType.encrypted_extensions, (w) => writeExtensions(w, message.extensions))
}
