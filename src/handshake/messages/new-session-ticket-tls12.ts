// NewSessionTicket, TLS 1.2 form (RFC 5077 section 3.3): a lifetime hint and an opaque ticket.
import { Reader } from '../../record/codec.js'
import { HandshakeType } from '../registry.js'
import { encodeHandshakeMessage } from './handshake-message.js'

export interface NewSessionTicketTls12 {
  /** Seconds; 0 means unspecified. */
  readonly ticketLifetimeHint: number
  /** May be empty: the server will not issue a ticket after all. */
  readonly ticket: Uint8Array
}

export function decodeNewSessionTicketTls12(body: Uint8Array): NewSessionTicketTls12 {
  const r = new Reader(body)
  const ticketLifetimeHint = r.u32('ticket_lifetime_hint')
  const ticket = r.vec16('ticket')
  r.expectEnd('NewSessionTicket')
  return { ticketLifetimeHint, ticket }
}

export function encodeNewSessionTicketTls12(message: NewSessionTicketTls12): Uint8Array {
  return encodeHandshakeMessage(HandshakeType.new_session_ticket, (w) => w.u32(message.ticketLifetimeHint).vec16(message.ticket))
}
