// The per-connection hooks of the core the Node adapter relies on (key log, sessions, SNI, Finished, verification reports, ticket keys), typed in one place.
//
// These are the names the lead is adding on main (context.client/server options, conn.session, info.finished,
// info.peerVerificationError, context.ticketKeys/setTicketKeys). Until they land the accessors read nothing and the
// options are ignored by the core; once they do, each function here is a plain call and can be inlined.
import type { CertificateVerificationError } from '../../errors.js'
import type { Connection } from '../../handshake/connection.js'
import type { TlsContext } from '../../handshake/context.js'
import type { ConnectionInfo } from '../../handshake/session.js'

/** What a client connection is started with. */
export interface ClientStart {
  /** SNI and the name checked against the certificate. */
  readonly serverName?: string
  /** Receives this connection's NSS key log lines (without the newline). */
  readonly keyLog?: (line: string) => void
  /** A session to resume: bytes taken from an earlier connection's `session`. */
  readonly session?: Uint8Array
}

/** What a server connection is started with. */
export interface ServerStart {
  readonly keyLog?: (line: string) => void
  /** Picks the context (certificates, policy) for the name the client asked for, right after its ClientHello. */
  readonly sni?: (serverName: string) => TlsContext | undefined
}

interface HookedConnection {
  readonly session?: Uint8Array
}

interface HookedInfo {
  readonly finished?: { readonly local: Uint8Array; readonly peer: Uint8Array }
  readonly peerVerificationError?: CertificateVerificationError
}

interface HookedContext {
  readonly ticketKeys?: Uint8Array
  setTicketKeys?(keys: Uint8Array): void
}

/** A client Connection of `context`, with this connection's key log and session. */
export function startClient(context: TlsContext, start: ClientStart): Connection {
  return context.client(start)
}

/** A server Connection of `context`, with this connection's key log and SNI selection. */
export function startServer(context: TlsContext, start: ServerStart): Connection {
  return (context.server as (start: ServerStart) => Connection).call(context, start)
}

/** The newest resumable session, serialised with its secret (node's getSession()). */
export function sessionOf(connection: Connection): Uint8Array | undefined {
  // Until the hook lands, `session` is a private method of Connection: only bytes count.
  const session = (connection as unknown as HookedConnection).session
  return session instanceof Uint8Array ? session : undefined
}

/** The verify_data of the last Finished we sent (`local`) and received (`peer`). */
export function finishedOf(info: ConnectionInfo | undefined): HookedInfo['finished'] {
  return (info as (ConnectionInfo & HookedInfo) | undefined)?.finished
}

/** Why the peer's chain did not verify, when the verifier reported instead of refusing. */
export function peerVerificationErrorOf(info: ConnectionInfo | undefined): CertificateVerificationError | undefined {
  return (info as (ConnectionInfo & HookedInfo) | undefined)?.peerVerificationError
}

/** The 48 bytes of ticket keys of a server context, when it has them. */
export function ticketKeysOf(context: TlsContext): Uint8Array | undefined {
  return (context as TlsContext & HookedContext).ticketKeys
}

/** Replaces a server context's ticket keys; false when the core cannot. */
export function setTicketKeysOf(context: TlsContext, keys: Uint8Array): boolean {
  const hooked = context as TlsContext & HookedContext
  if (typeof hooked.setTicketKeys !== 'function') return false
  hooked.setTicketKeys(keys)
  return true
}
