// A resumable session as bytes (node's getSession()), TLS 1.3 or 1.2: the ticket, its secret and what the client knew of the server, to offer again later.
import { TlsError } from '../errors.js'
import { utf8 } from '../bytes.js'
import { Reader, Writer } from '../record/codec.js'
import type { CachedTicket } from './session.js'

const FORMAT = 0x7401
/** The version byte: the minor version of the protocol the session is for. */
const TLS13_SESSION = 4
const TLS12_SESSION = 3
/** A TLS 1.2 session's secret is its master secret (RFC 5246 8.1). */
const MASTER_SECRET_LENGTH = 48

/** The session as bytes. They contain the resumption secret: keep them as secret as the connection's keys. */
export function encodeSession(ticket: CachedTicket): Uint8Array {
  const w = new Writer(256)
  w.u16(FORMAT).u8(ticket.version === 'TLSv1.3' ? TLS13_SESSION : TLS12_SESSION).u16(ticket.cipherSuite)
  w.vec16(ticket.ticket).vec8(ticket.secret)
  w.u32(ticket.lifetimeSeconds).u32(ticket.ageAdd)
  writeTime(w, ticket.receivedAt)
  writeTime(w, ticket.peerNotAfter)
  w.vec16(utf8.encode(ticket.serverName ?? ''))
  w.u8(ticket.peerVerified ? 1 : 0)
  w.block(3, (list) => ticket.peerCertificates.forEach((der) => list.vec24(der)))
  return w.finish()
}

/** A session from `encodeSession`; a TlsError (code ERR_TLS_INVALID_SESSION) for anything else. */
export function decodeSession(bytes: Uint8Array): CachedTicket {
  try {
    const r = new Reader(bytes)
    if (r.u16('session format') !== FORMAT) throw new Error('not a pure-tls session')
    const version = sessionVersion(r.u8('session version'))
    const cipherSuite = r.u16()
    const ticket = r.vec16('ticket', 1)
    const secret = r.vec8('secret', 1)
    if (version === 'TLSv1.2' && secret.length !== MASTER_SECRET_LENGTH) throw new Error('a TLS 1.2 session whose master secret is not 48 bytes')
    const lifetimeSeconds = r.u32()
    const ageAdd = r.u32()
    const receivedAt = readTime(r) ?? new Date(0)
    const peerNotAfter = readTime(r)
    const serverName = utf8.decode(r.vec16()) || undefined
    const peerVerified = r.u8() === 1
    const list = new Reader(r.vec24())
    const peerCertificates: Uint8Array[] = []
    while (list.remaining > 0) peerCertificates.push(list.vec24('certificate', 1))
    r.expectEnd('session')
    return { version, cipherSuite, ticket, secret, lifetimeSeconds, ageAdd, receivedAt, peerNotAfter, serverName, peerVerified, peerCertificates }
  } catch (cause) {
    const error = new TlsError('internal_error', `session: not a session this library exported (${cause instanceof Error ? cause.message : String(cause)})`, 'ERR_TLS_INVALID_SESSION')
    error.cause = cause
    throw error
  }
}

function sessionVersion(byte: number): CachedTicket['version'] {
  if (byte === TLS13_SESSION) return 'TLSv1.3'
  if (byte === TLS12_SESSION) return 'TLSv1.2'
  throw new Error(`unknown session version ${byte}`)
}

/** Milliseconds since the epoch in two u32 halves; all ones for "none". */
function writeTime(w: Writer, time: Date | undefined): void {
  if (time === undefined) w.u32(0xffffffff).u32(0xffffffff)
  else w.u32(Math.floor(time.getTime() / 2 ** 32)).u32(time.getTime() % 2 ** 32)
}

function readTime(r: Reader): Date | undefined {
  const high = r.u32()
  const low = r.u32()
  return high === 0xffffffff && low === 0xffffffff ? undefined : new Date(high * 2 ** 32 + low)
}
