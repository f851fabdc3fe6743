// ServerKeyExchange for ECDHE (RFC 8422 section 5.4, RFC 5246 section 7.4.3): named-curve params and their signature.
import { TlsError } from '../../errors.js'
import { Reader, Writer } from '../../record/codec.js'
import { concat } from '../../bytes.js'
import { checkKeyExchangeShape } from '../extensions/key-share.js'
import { ECCurveType, HandshakeType } from '../registry.js'
import { encodeHandshakeMessage } from './handshake-message.js'

/** ServerECDHParams with curve_type named_curve (the only type RFC 8422 allows). */
export interface ServerEcdhParams {
  /** NamedGroup code. */
  readonly namedCurve: number
  /** The server's ephemeral public value (uncompressed point, or the X25519 u-coordinate). */
  readonly publicKey: Uint8Array
}

export interface ServerKeyExchangeEcdhe {
  readonly params: ServerEcdhParams
  /** The params exactly as they were on the wire; the signature covers client_random + server_random + these. */
  readonly paramsBytes: Uint8Array
  /** SignatureScheme code. */
  readonly algorithm: number
  readonly signature: Uint8Array
}

function readParams(r: Reader): ServerEcdhParams {
  const curveType = r.u8('ECCurveType')
  if (curveType !== ECCurveType.named_curve) throw new TlsError('illegal_parameter', `ServerKeyExchange curve_type ${curveType} is not named_curve`)
  const namedCurve = r.u16('NamedCurve')
  const publicKey = r.vec8('ECPoint', 1)
  checkKeyExchangeShape(namedCurve, publicKey)
  return { namedCurve, publicKey }
}

/** The wire bytes of ServerECDHParams: what the server signs (after the two randoms). */
export function encodeServerEcdhParams(params: ServerEcdhParams): Uint8Array {
  return new Writer(8 + params.publicKey.length).u8(ECCurveType.named_curve).u16(params.namedCurve).vec8(params.publicKey).finish()
}

/** `client_random + server_random + params`: the bytes the ServerKeyExchange signature covers. */
export function serverKeyExchangeSignedData(clientRandom: Uint8Array, serverRandom: Uint8Array, paramsBytes: Uint8Array): Uint8Array {
  return concat(clientRandom, serverRandom, paramsBytes)
}

export function decodeServerKeyExchangeEcdhe(body: Uint8Array): ServerKeyExchangeEcdhe {
  const r = new Reader(body)
  const start = r.position
  const params = readParams(r)
  const paramsBytes = body.slice(start, r.position)
  const algorithm = r.u16('SignatureScheme')
  const signature = r.vec16('signature')
  r.expectEnd('ServerKeyExchange')
  return { params, paramsBytes, algorithm, signature }
}

/** Encodes the message; the params are written as encodeServerEcdhParams writes them (the bytes the server signed). */
export function encodeServerKeyExchangeEcdhe(message: Omit<ServerKeyExchangeEcdhe, 'paramsBytes'>): Uint8Array {
  return encodeHandshakeMessage(HandshakeType.server_key_exchange, (w) =>
    w.bytes(encodeServerEcdhParams(message.params)).u16(message.algorithm).vec16(message.signature),
  )
}
