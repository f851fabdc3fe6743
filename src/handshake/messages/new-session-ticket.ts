// NewSessionTicket, TLS 1.3 form (RFC 8446 section 4.6.1): lifetime, age_add, nonce, ticket and extensions.
import { Reader } from '../../record/codec.js'
import { earlyDataMaxSize } from '../extensions/early-data.js'
import { readExtension, writeExtensions, type Extension } from '../extensions/extension.js'
import { readMessageExtensions } from '../extensions/validate.js'
import { HandshakeType } from '../registry.js'
import { encodeHandshakeMessage } from './handshake-message.js'

/** Seven days: servers must not send a longer ticket_lifetime, and clients must not keep a ticket longer. */
export const MAX_TICKET_LIFETIME_SECONDS = 604_800

export interface NewSessionTicket {
  /** Seconds; received as sent (the state machine caps it at MAX_TICKET_LIFETIME_SECONDS). */
  readonly ticketLifetime: number
  readonly ticketAgeAdd: number
  readonly ticketNonce: Uint8Array
  readonly ticket: Uint8Array
  /** early_data (max_early_data_size) is the one defined; unrecognised ones are ignored. */
  readonly extensions: readonly Extension[]
}

export function decodeNewSessionTicket(body: Uint8Array): NewSessionTicket {
  const r = new Reader(body)
  const ticketLifetime = r.u32('ticket_lifetime')
  const ticketAgeAdd = r.u32('ticket_age_add')
  const ticketNonce = r.vec8('ticket_nonce')
  const ticket = r.vec16('ticket', 1)
  const extensions = readMessageExtensions(r, 'new_session_ticket')
  r.expectEnd('NewSessionTicket')
  return { ticketLifetime, ticketAgeAdd, ticketNonce, ticket, extensions }
}

export function encodeNewSessionTicket(message: NewSessionTicket): Uint8Array {
  return encodeHandshakeMessage(HandshakeType.new_session_ticket, (w) => {
    w.u32(message.ticketLifetime).u32(message.ticketAgeAdd).vec8(message.ticketNonce).vec16(message.ticket)
    writeExtensions(w, message.extensions)
  })
}

/** The ticket's max_early_data_size, or 0 when it allows no early data. */
export function maxEarlyDataSize(message: NewSessionTicket): number {
  return readExtension(message.extensions, earlyDataMaxSize) ?? 0
}
