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
 * A step of a handshake. A bare `yield` suspends until the connection has the peer's next input;
 * `yield* settle(op)` (src/pending.ts) waits on a provider operation only when it is still pending, and the
 * connection resumes the step with its result. A state machine reads top to bottom like the message flow of
 * RFC 8446 section 2.
 */
export type Step<T = void> = Generator<PromiseLike<unknown> | undefined, T, unknown>

/** What a handshake step hands its connection each time it stops. */
export type StepResult = IteratorResult<PromiseLike<unknown> | undefined, void>

function describe(input: HandshakeInput): string {
  return input.kind === 'handshake' ? handshakeTypeName(input.msgType) : 'ChangeCipherSpec'
}

/** Waits for the next input and insists it is a handshake message of one of `types`. */
export function* expectMessage(...types: number[]): Step<HandshakeMessageIn> {
  const input = (yield) as HandshakeInput
  if (input.kind !== 'handshake' || !types.includes(input.msgType)) {
    throw new TlsError('unexpected_message', `expected ${types.map(handshakeTypeName).join(' or ')}, got ${describe(input)}`)
  }
  return input
}

/** Waits for the next input and insists it is a ChangeCipherSpec (TLS 1.2). */
export function* expectChangeCipherSpec(): Step<void> {
  const input = (yield) as HandshakeInput
  if (input.kind !== 'change_cipher_spec') throw new TlsError('unexpected_message', `expected ChangeCipherSpec, got ${describe(input)}`)
}
