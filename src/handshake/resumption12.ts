// TLS 1.2 resumption with session tickets (RFC 5077), extended master secret only (RFC 7627 5.3): the client's offer and its reading of the ServerHello, the server's acceptance rules and its NewSessionTicket.
import { TlsError } from '../errors.js'
import { type MaybePromise, settle, whenSettled, type Waiting } from '../pending.js'
import { cipherSuiteByCode, isTls12Suite } from '../policy/suites.js'
import type { TlsPolicy } from '../policy/policy.js'
import { constantTimeEqual } from '../bytes.js'
import type { ClientOffer } from './client-hello.js'
import { encodeExtension, hasExtension, readExtension } from './extensions/extension.js'
import { requestedServerName } from './extensions/server-name.js'
import { sessionTicket } from './extensions/simple.js'
import { type ClientHello, encodeClientHello } from './messages/client-hello.js'
import { encodeNewSessionTicketTls12 } from './messages/new-session-ticket-tls12.js'
import type { ReceivedServerHello } from './messages/server-hello.js'
import { ExtensionType } from './registry.js'
import type { CachedTicket, HandshakeConfig, StoredTicket } from './session.js'
import { TICKET_LIFETIME_SECONDS, type TicketSealer, type Tls12TicketState, withinLifetime } from './tickets.js'

/** The length of the session id a client makes up to learn whether its ticket was accepted (RFC 5077 3.4). */
const SESSION_ID_LENGTH = 32
/** What a client assumes of a ticket whose lifetime hint is 0, "unspecified" (RFC 5077 3.3): our own servers' lifetime. */
export const UNSPECIFIED_LIFETIME_SECONDS = TICKET_LIFETIME_SECONDS

// ---- client ----

/** Whether the client may offer a TLS 1.2 ticket: its suite is still one of ours, for a TLS 1.2 we still offer. */
export function ticketFits12(policy: TlsPolicy, ticket: CachedTicket): boolean {
  const suite = cipherSuiteByCode(ticket.cipherSuite)
  return suite !== undefined && isTls12Suite(suite) && policy.cipherSuites.includes(ticket.cipherSuite)
}

/**
 * The ClientHello with `ticket` in session_ticket (RFC 5077 3.2) and a session id of our own, random, unless the
 * hello already has one (TLS 1.3 offered: middlebox compatibility), which serves the same purpose (RFC 5077 3.4).
 */
export function offerTicket12(config: HandshakeConfig, offer: ClientOffer, ticket: CachedTicket): ClientOffer {
  if (!offer.offersTls12) return offer
  const legacySessionId = offer.legacySessionId.length > 0 ? offer.legacySessionId : config.provider.randomBytes(SESSION_ID_LENGTH)
  const extensions = offer.hello.extensions.map((e) => (e.type === ExtensionType.session_ticket ? encodeExtension(sessionTicket, ticket.ticket) : e))
  const hello: ClientHello = { ...offer.hello, legacySessionId, extensions }
  return { ...offer, legacySessionId, hello, raw: encodeClientHello(hello), offeredTicket: ticket }
}

/**
 * The ticket a TLS 1.2 ServerHello resumes, or undefined for a full handshake. The server accepts our ticket by
 * echoing our session id (RFC 5077 3.4); it must then keep the ticket's suite, and use the extended master
 * secret as the session did (RFC 7627 5.3: otherwise the client aborts).
 */
export function resumedTicket12(offer: ClientOffer, hello: ReceivedServerHello): CachedTicket | undefined {
  const echoed = offer.legacySessionId.length > 0 && constantTimeEqual(hello.legacySessionIdEcho, offer.legacySessionId)
  if (!echoed) return undefined
  const ticket = offer.offeredTicket
  if (ticket?.version !== 'TLSv1.2') throw new TlsError('illegal_parameter', 'the ServerHello echoes our session id, but we offered no TLS 1.2 session to resume')
  if (hello.cipherSuite !== ticket.cipherSuite) throw new TlsError('illegal_parameter', "the server resumes our session with another cipher suite than the session's")
  if (!hasExtension(hello.extensions, ExtensionType.extended_master_secret))
    throw new TlsError('handshake_failure', 'the server resumes a session that used the extended master secret without extended_master_secret (RFC 7627 5.3)')
  return ticket
}

/** A TLS 1.2 ticket as the client keeps it: the session's master secret, the hint's lifetime (or ours when it is unspecified). */
export function storedTicket12(config: HandshakeConfig, ticket: Uint8Array, lifetimeHint: number, cipherSuite: number, masterSecret: Uint8Array): StoredTicket {
  return {
    version: 'TLSv1.2',
    ticket,
    lifetimeSeconds: lifetimeHint === 0 ? UNSPECIFIED_LIFETIME_SECONDS : lifetimeHint,
    ageAdd: 0,
    receivedAt: config.now(),
    cipherSuite,
    secret: masterSecret,
    serverName: config.serverName,
  }
}

// ---- server ----

/** Whether the server sends a ticket: tickets on, the client asked (RFC 5077 3.2), and the session has the extended master secret. */
export function issuesTicket12(config: HandshakeConfig, hello: ClientHello, extendedMasterSecret: boolean): boolean {
  return config.ticketSealer !== undefined && extendedMasterSecret && hasExtension(hello.extensions, ExtensionType.session_ticket)
}

/**
 * Whether an opened TLS 1.2 session may resume this handshake: made with the extended master secret, within its
 * lifetime, its suite still allowed and offered (RFC 5246 7.4.1.2), the same server name, and a client
 * certificate in it when the policy requires one.
 */
function sessionFits(config: HandshakeConfig, state: Tls12TicketState, hello: ClientHello): boolean {
  const { policy } = config
  return (
    state.extendedMasterSecret &&
    withinLifetime(state, config.now().getTime()) &&
    policy.cipherSuites.includes(state.cipherSuite) &&
    hello.cipherSuites.includes(state.cipherSuite) &&
    state.serverName === requestedServerName(hello.extensions) &&
    (policy.verifyMode !== 'required' || state.peerCertificates.length > 0)
  )
}

/**
 * The session a ClientHello's ticket resumes (RFC 5077 3.1), or undefined for a full handshake: anything but one
 * of our own TLS 1.2 tickets that fits is simply not resumed. A session that fits, offered by a ClientHello without
 * extended_master_secret, is refused (RFC 7627 5.3).
 */
export function* checkForResumption12(config: HandshakeConfig, hello: ClientHello): Waiting<Tls12TicketState | undefined> {
  const sealer = config.ticketSealer
  const ticket = readExtension(hello.extensions, sessionTicket)
  if (!sealer || ticket === undefined || ticket.length === 0) return undefined
  const state = yield* settle(sealer.open(ticket))
  if (state?.version !== 'TLSv1.2' || !sessionFits(config, state, hello)) return undefined
  if (!hasExtension(hello.extensions, ExtensionType.extended_master_secret))
    throw new TlsError('handshake_failure', 'the ClientHello resumes a session that used the extended master secret without extended_master_secret (RFC 7627 5.3)')
  return state
}

/**
 * Our NewSessionTicket (RFC 5077 3.3) for the session `state` describes. A renewed session keeps the time of its
 * full handshake, so a resumption never extends it: the hint is what is left of its lifetime, counted in whole seconds
 * begun (a fresh session sealed a millisecond after it was stamped still gets the full lifetime). A session too big
 * for a ticket (a huge client chain) gets an empty ticket, as RFC 5077 3.3 says once the ServerHello promised one.
 */
export function newSessionTicket12(config: HandshakeConfig, sealer: TicketSealer, state: Tls12TicketState): MaybePromise<Uint8Array> {
  const remainingMs = state.issuedAt + state.lifetimeSeconds * 1000 - config.now().getTime()
  const ticketLifetimeHint = Math.max(1, Math.min(state.lifetimeSeconds, Math.ceil(remainingMs / 1000)))
  return whenSettled(sealer.seal(state), (sealed) => encodeNewSessionTicketTls12({ ticketLifetimeHint, ticket: sealed ?? new Uint8Array(0) }))
}
