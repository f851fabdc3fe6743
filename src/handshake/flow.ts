// The shape of a handshake as code: a generator that yields whenever it needs the peer's next message.
import { TlsError } from '../errors.js'
import { handshakeTypeName } from './registry.js'

/** A complete handshake message as the record layer reassembled it; `raw` is header + body, for the transcript. */
export interface HandshakeMessageIn {
  readonly kind: 'handshake'
  readonly msgType: number
  readonly body: Uint8Array
  readonly raw: Uint8Array
}

/** TLS 1.2's ChangeCipherSpec, which the 1.2 state machines must see in order; TLS 1.3 never does. */
export interface ChangeCipherSpecIn {
  readonly kind: 'change_cipher_spec'
}

export type HandshakeInput = HandshakeMessageIn | ChangeCipherSpecIn

/**
 * A step of a handshake: `yield` suspends until the connection has the peer's next input.
 * A state machine reads top to bottom like the message flow of RFC 8446 section 2.
 */
export type Step<T = void> = Generator<void, T, HandshakeInput>

function describe(input: HandshakeInput): string {
  return input.kind === 'handshake' ? handshakeTypeName(input.msgType) : 'ChangeCipherSpec'
}

/** Waits for the next input and insists it is a handshake message of one of `types`. */
export function* expectMessage(...types: number[]): Step<HandshakeMessageIn> {
  const input = yield
  if (input.kind !== 'handshake' || !types.includes(input.msgType)) {
    throw new TlsError('unexpected_message', `expected ${types.map(handshakeTypeName).join(' or ')}, got ${describe(input)}`)
  }
  return input
}

/** Waits for the next input and insists it is a ChangeCipherSpec (TLS 1.2). */
export function* expectChangeCipherSpec(): Step<void> {
  const input = yield
  if (input.kind !== 'change_cipher_spec') throw new TlsError('unexpected_message', `expected ChangeCipherSpec, got ${describe(input)}`)
}
