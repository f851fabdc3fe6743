// The handshake trace of `pure-tls connect --trace`: one line per handshake message sent or received, with its size.
import type { HandshakeMessageObserver } from '../handshake/context.js'
import type { MessageDirection } from '../handshake/session.js'

const arrows: Record<MessageDirection, string> = { sent: '->', received: '<-' }

/** `ClientHello` for `client_hello`: the names RFC 8446 uses in prose. */
export function handshakeMessageName(type: string): string {
  return type.replace(/(^|_)([a-z])/g, (_match, _separator, letter: string) => letter.toUpperCase())
}

/** One trace line. */
export function traceLine(direction: MessageDirection, what: string, length: number): string {
  return `${arrows[direction]} ${what} (${length} bytes)`
}

/** The observer that prints each handshake message the connection reports (the context option onHandshakeMessage). */
export function messagePrinter(print: (line: string) => void): HandshakeMessageObserver {
  return (direction, type, length) => print(traceLine(direction, handshakeMessageName(type), length))
}
