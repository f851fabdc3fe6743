// Codec factories for the simple extension shapes (empty body, opaque body, a list of codes) and the extensions that are no more.
import { readU16List, writeU16List, type LengthBytes } from '../messages/wire.js'
import { ExtensionType } from '../registry.js'
import type { ExtensionCodec } from './extension.js'

/** An extension whose body is empty: its presence is the whole message. */
export function emptyExtension(type: number): ExtensionCodec<true> {
  return {
    type,
    read: () => true,
    write: () => {},
  }
}

/** An extension whose body we keep as opaque bytes. */
export function opaqueExtension(type: number): ExtensionCodec<Uint8Array> {
  return {
    type,
    read: (r) => r.take(r.remaining, 'extension body'),
    write: (w, value) => {
      w.bytes(value)
    },
  }
}

/** An extension whose body is one vector of uint16 codes (`minBytes` from the RFC's `<min..max>`). */
export function u16ListExtension(type: number, what: string, lengthBytes: LengthBytes, minBytes: number): ExtensionCodec<number[]> {
  return {
    type,
    read: (r) => readU16List(r, lengthBytes, what, { minBytes }),
    write: (w, values) => writeU16List(w, lengthBytes, values),
  }
}

/** extended_master_secret (RFC 7627 section 5.1): empty in ClientHello and ServerHello. */
export const extendedMasterSecret = emptyExtension(ExtensionType.extended_master_secret)

/** post_handshake_auth (RFC 8446 section 4.2.6): empty, ClientHello only. */
export const postHandshakeAuth = emptyExtension(ExtensionType.post_handshake_auth)

/** encrypt_then_mac (RFC 7366): empty; recognised, never answered (we have no CBC suites). */
export const encryptThenMac = emptyExtension(ExtensionType.encrypt_then_mac)

/** status_request (RFC 6066 section 8; RFC 8446 section 4.4.2.1): recognised, body kept opaque. */
export const statusRequest = opaqueExtension(ExtensionType.status_request)

/** session_ticket (RFC 5077 section 3.2): TLS 1.2 only, the ticket (or nothing) as opaque bytes. */
export const sessionTicket = opaqueExtension(ExtensionType.session_ticket)

/** session_ticket in a TLS 1.2 ServerHello: empty, meaning a NewSessionTicket will follow. */
export const sessionTicketAck = emptyExtension(ExtensionType.session_ticket)

/** padding (RFC 7685): ClientHello only, body ignored. */
export const padding = opaqueExtension(ExtensionType.padding)
