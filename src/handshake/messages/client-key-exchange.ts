// ClientKeyExchange for ECDHE (RFC 8422 section 5.7): the client's ephemeral public value.
import { Reader } from '../../record/codec.js'
import { HandshakeType } from '../registry.js'
import { encodeHandshakeMessage } from './handshake-message.js'

export interface ClientKeyExchangeEcdhe {
  /** `opaque point <1..2^8-1>`: an uncompressed point, or the X25519 u-coordinate. */
  readonly publicKey: Uint8Array
}

export function decodeClientKeyExchangeEcdhe(body: Uint8Array): ClientKeyExchangeEcdhe {
  const r = new Reader(body)
  const publicKey = r.vec8('ECPoint', 1)
  r.expectEnd('ClientKeyExchange')
  return { publicKey }
}

export function encodeClientKeyExchangeEcdhe(message: ClientKeyExchangeEcdhe): Uint8Array {
  return encodeHandshakeMessage(HandshakeType.client_key_exchange, (w) => w.vec8(message.publicKey))
}
