// The PSK binder spans of a ClientHello (RFC 8446 section 4.2.11.2): the truncated hello binders sign, and patching binders in.
import { TlsError } from '../../errors.js'
import { Writer } from '../../record/codec.js'
import { readExtension } from '../extensions/extension.js'
import { bindersWireLength, preSharedKeyClientHello, writeBinders } from '../extensions/pre-shared-key.js'
import { decodeClientHello } from './client-hello.js'
import { decodeHandshakeMessage } from './handshake-message.js'

/** The binders carried by a full ClientHello message (header included); internal_error when it offers no PSK. */
function bindersOf(message: Uint8Array): readonly Uint8Array[] {
  const offered = readExtension(decodeClientHello(decodeHandshakeMessage(message).body).extensions, preSharedKeyClientHello)
  if (offered === undefined) throw new TlsError('internal_error', 'the ClientHello offers no pre_shared_key')
  return offered.binders
}

/**
 * The ClientHello message (header included) up to and including the identities, without the binders
 * vector: the "Truncate(ClientHello1)" the binder HMAC covers. pre_shared_key is last, so binders end the message.
 */
export function truncatedClientHello(message: Uint8Array): Uint8Array {
  return message.subarray(0, message.length - bindersWireLength(bindersOf(message)))
}

/** A copy of an encoded ClientHello with its placeholder binders replaced by `binders` of the same lengths. */
export function withPskBinders(message: Uint8Array, binders: readonly Uint8Array[]): Uint8Array {
  const placeholders = bindersOf(message)
  const sameShape = placeholders.length === binders.length && placeholders.every((p, i) => p.length === binders[i]!.length)
  if (!sameShape) throw new TlsError('internal_error', 'PSK binders differ in number or length from the placeholders')
  const w = new Writer()
  writeBinders(w, binders)
  const tail = w.finish()
  const out = message.slice()
  out.set(tail, out.length - tail.length)
  return out
}
