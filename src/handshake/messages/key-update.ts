// KeyUpdate (RFC 8446 section 4.6.3): whether the sender asks the receiver to update its sending keys too.
import { TlsError } from '../../errors.js'
import { Reader } from '../../record/codec.js'
import { HandshakeType, KeyUpdateRequest } from '../registry.js'
import { encodeHandshakeMessage } from './handshake-message.js'

export interface KeyUpdate {
  readonly requestUpdate: boolean
}

/** A request_update other than 0 or 1 is an illegal_parameter. */
export function decodeKeyUpdate(body: Uint8Array): KeyUpdate {
  const r = new Reader(body)
  const request = r.u8('request_update')
  r.expectEnd('KeyUpdate')
  if (request !== KeyUpdateRequest.update_not_requested && request !== KeyUpdateRequest.update_requested) {
    throw new TlsError('illegal_parameter', `KeyUpdate request_update ${request} is neither 0 nor 1`)
  }
  return { requestUpdate: request === KeyUpdateRequest.update_requested }
}

export function encodeKeyUpdate(message: KeyUpdate): Uint8Array {
  const request = message.requestUpdate ? KeyUpdateRequest.update_requested : KeyUpdateRequest.update_not_requested
  return encodeHandshakeMessage(HandshakeType.key_update, (w) => w.u8(request))
}
