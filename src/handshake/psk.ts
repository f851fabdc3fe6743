// TLS 1.3 resumption with PSK-DHE (RFC 8446 2.2, 4.2.9, 4.2.11, 4.6.1): the client offers a cached ticket (a TLS 1.2 one goes to resumption12.ts), the server accepts its own and issues new ones.
import type { HashName } from '../crypto/provider.js'
import { TlsError } from '../errors.js'
import { type MaybePromise, settle, whenSettled, type Waiting } from '../pending.js'
import { TLS12, TLS13 } from '../policy/defaults.js'
import { Reader } from '../record/codec.js'
import { cipherSuiteByCode, isTls13Suite, type Tls13CipherSuite } from '../policy/suites.js'
import type { ClientOffer } from './client-hello.js'
import { encodeExtension, hasExtension, readExtension } from './extensions/extension.js'
import { preSharedKeyClientHello, preSharedKeyServerHello, type PskIdentity } from './extensions/pre-shared-key.js'
import { pskKeyExchangeModes } from './extensions/psk-key-exchange-modes.js'
import { checkFinished, KeySchedule13, resumptionPsk } from './key-schedule.js'
import { type ClientHello, encodeClientHello } from './messages/client-hello.js'
import { HandshakeLimits } from './messages/limits.js'
import { encodeNewSessionTicket } from './messages/new-session-ticket.js'
import { truncatedClientHello, withPskBinders } from './messages/psk-binders.js'
import type { ReceivedServerHello } from './messages/server-hello.js'
import { ExtensionType } from './registry.js'
import { offerTicket12, ticketFits12 } from './resumption12.js'
import { isUsable, ticketAgeMs } from './session-cache.js'
import type { CachedTicket, ConnectionInfo, HandshakeConfig } from './session.js'
import { TICKET_AGE_TOLERANCE_MS, TICKET_LIFETIME_SECONDS, type TicketSealer, type Tls13TicketState, withinLifetime } from './tickets.js'
import type { Transcript } from './transcript.js'

/** PskKeyExchangeMode psk_dhe_ke (RFC 8446 4.2.9): the only mode we offer or accept; psk_ke (no (EC)DHE) never. */
export const PSK_DHE_KE = 1

const TWO_32 = 2 ** 32

/** The hash of a TLS 1.3 suite, by code; undefined for anything else. */
function tls13SuiteHash(code: number): HashName | undefined {
  const suite = cipherSuiteByCode(code)
  return suite && isTls13Suite(suite) ? suite.hash : undefined
}

/** Transcript-Hash(messages so far, Truncate(ClientHello)): what a binder covers (RFC 8446 4.2.11.2; after a HelloRetryRequest, message_hash and the HRR come first). */
function binderTranscriptHash(transcript: Transcript, hash: HashName, clientHello: Uint8Array): Uint8Array {
  const fork = transcript.fork()
  fork.setHash(hash)
  return fork.update(truncatedClientHello(clientHello)).hash()
}

// ---- client ----

/**
 * The ticket to offer: the session the caller handed in (`context.client({ session })`) when it is for this server name
 * and still usable, else the newest cached ticket for our server name (taken out of the cache: a ticket is offered
 * once); either only if we still offer its version and it fits our suites: a TLS 1.3 ticket's hash is one of our
 * TLS 1.3 suites', a TLS 1.2 ticket's suite is one of ours (resumption12.ts).
 */
export function takeTicketToOffer(config: HandshakeConfig): CachedTicket | undefined {
  const { sessionCache, serverName, policy, offeredSession } = config
  if (serverName === undefined) return undefined
  const ourHashes = new Set<HashName | undefined>(policy.cipherSuites.map(tls13SuiteHash).filter((hash) => hash !== undefined))
  const fits = (ticket: CachedTicket) =>
    ticket.version === 'TLSv1.3'
      ? policy.maxVersion === TLS13 && ourHashes.has(tls13SuiteHash(ticket.cipherSuite))
      : policy.minVersion === TLS12 && ticketFits12(policy, ticket)
  if (offeredSession && offeredSession.serverName === serverName && isUsable(offeredSession, config.now()) && fits(offeredSession)) return offeredSession
  return sessionCache?.take(serverName, config.now(), fits)
}

/**
 * After a HelloRetryRequest, the ticket offered again: a TLS 1.3 one only if its hash is that of the suite the server
 * chose; a TLS 1.2 one always, since the second ClientHello may change no other extension (RFC 8446 4.1.2).
 */
export function ticketAfterRetry(offer: ClientOffer, retrySuiteHash: HashName): CachedTicket | undefined {
  const ticket = offer.offeredTicket
  if (ticket?.version === 'TLSv1.2') return ticket
  return ticket && tls13SuiteHash(ticket.cipherSuite) === retrySuiteHash ? ticket : undefined
}

/**
 * The ClientHello with `ticket` offered: a TLS 1.3 one in pre_shared_key, last, with the obfuscated ticket age and
 * the binder over the transcript so far and the truncated hello (RFC 8446 4.2.11); a TLS 1.2 one in session_ticket
 * (resumption12.ts). Without a ticket, the offer as it was.
 */
export function offerTicket(config: HandshakeConfig, transcript: Transcript, offer: ClientOffer, ticket: CachedTicket | undefined): ClientOffer {
  if (!ticket) return offer
  if (ticket.version === 'TLSv1.2') return offerTicket12(config, offer, ticket)
  const hash = tls13SuiteHash(ticket.cipherSuite)!
  const identity: PskIdentity = { identity: ticket.ticket, obfuscatedTicketAge: (ticketAgeMs(ticket, config.now()) + ticket.ageAdd) % TWO_32 }
  const withPsk = (binder: Uint8Array): ClientHello => ({
    ...offer.hello,
    extensions: [...offer.hello.extensions, encodeExtension(preSharedKeyClientHello, { identities: [identity], binders: [binder] })],
  })
  const placeholder = encodeClientHello(withPsk(new Uint8Array(config.provider.hash(hash).outputLength)))
  const binder = new KeySchedule13(config.provider, hash, ticket.secret).binder('resumption', binderTranscriptHash(transcript, hash, placeholder))
  return {
    ...offer,
    hello: withPsk(binder),
    raw: withPskBinders(placeholder, [binder]),
    extensionTypes: new Set([...offer.extensionTypes, ExtensionType.pre_shared_key]),
    offeredTicket: ticket,
  }
}

/** The ticket the ServerHello's pre_shared_key selects (RFC 8446 4.2.11), or undefined for a full handshake. */
export function selectedTicket(hello: ReceivedServerHello, offer: ClientOffer, suite: Tls13CipherSuite): CachedTicket | undefined {
  const selected = readExtension(hello.extensions, preSharedKeyServerHello)
  if (selected === undefined) return undefined
  const ticket = offer.offeredTicket?.version === 'TLSv1.3' ? offer.offeredTicket : undefined
  if (!ticket || selected !== 0) throw new TlsError('illegal_parameter', `the server selected PSK identity ${selected}, but we offered ${ticket ? 'one' : 'none'}`)
  if (tls13SuiteHash(ticket.cipherSuite) !== suite.hash) throw new TlsError('illegal_parameter', `the server resumes our ticket with ${suite.name}, whose hash is not the ticket's`)
  return ticket
}

// ---- server ----

/** The ticket a server resumes from, and its index among the client's identities. */
export interface Resumption {
  readonly identityIndex: number
  readonly state: Tls13TicketState
}

/** Whether the client can use a ticket of ours: it offered psk_dhe_ke (RFC 8446 4.2.9: no tickets for modes it did not list). */
export function clientAcceptsTickets(hello: ClientHello): boolean {
  return readExtension(hello.extensions, pskKeyExchangeModes)?.includes(PSK_DHE_KE) ?? false
}

/** Whether an opened ticket may resume this handshake: suite hash, lifetime, the client's idea of its age, and the server name. */
function ticketFits(config: HandshakeConfig, state: Tls13TicketState, offered: PskIdentity, suite: Tls13CipherSuite, serverName: string | undefined): boolean {
  const age = config.now().getTime() - state.ticketIssuedAt
  const clientAge = (offered.obfuscatedTicketAge - state.ageAdd + TWO_32) % TWO_32
  return (
    tls13SuiteHash(state.cipherSuite) === suite.hash &&
    withinLifetime(state, config.now().getTime()) &&
    Math.abs(clientAge - age) <= TICKET_AGE_TOLERANCE_MS &&
    state.serverName === serverName &&
    // A server that now requires client certificates does not resume a session that had none.
    (config.policy.verifyMode !== 'required' || state.peerCertificates.length > 0)
  )
}

/**
 * The first offered ticket of ours that fits, once its binder checks out (a bad binder is decrypt_error, RFC 8446
 * 4.2.11); undefined for a full handshake. `transcript` holds what precedes this ClientHello (after a
 * HelloRetryRequest: message_hash and the HRR); `clientHelloRaw` is the hello, header included.
 */
export function* checkForResumption(
  config: HandshakeConfig,
  transcript: Transcript,
  hello: ClientHello,
  clientHelloRaw: Uint8Array,
  suite: Tls13CipherSuite,
  serverName: string | undefined,
): Waiting<Resumption | undefined> {
  const offered = readExtension(hello.extensions, preSharedKeyClientHello)
  if (!config.ticketSealer || offered === undefined) return undefined
  if (!hasExtension(hello.extensions, ExtensionType.psk_key_exchange_modes))
    throw new TlsError('missing_extension', 'the ClientHello offers pre_shared_key without psk_key_exchange_modes')
  if (!clientAcceptsTickets(hello)) return undefined
  // Each identity costs a ticket decryption: only the first few are tried (a client offers its best first).
  for (const [identityIndex, identity] of offered.identities.slice(0, HandshakeLimits.maxPskIdentitiesTried).entries()) {
    const state = yield* settle(config.ticketSealer.open(identity.identity))
    // A TLS 1.2 ticket of ours offered as a TLS 1.3 identity is a stranger here.
    if (state?.version !== 'TLSv1.3' || !ticketFits(config, state, identity, suite, serverName)) continue
    const schedule = new KeySchedule13(config.provider, suite.hash, state.psk)
    const expected = binderTranscriptHash(transcript, suite.hash, clientHelloRaw)
    checkFinished(config.provider, suite.hash, schedule.binderKey('resumption'), expected, offered.binders[identityIndex]!, 'PSK binder')
    return { identityIndex, state }
  }
  return undefined
}

/**
 * Our NewSessionTicket for a completed handshake (RFC 8446 4.6.1), or undefined when the session does not fit in a
 * ticket. After a resumption, `resumed` is the ticket's state: the new ticket keeps its session start, so resuming
 * never extends a session past the lifetime of its full handshake.
 */
export function newSessionTicket(
  config: HandshakeConfig,
  sealer: TicketSealer,
  suite: Tls13CipherSuite,
  resumptionMasterSecret: Uint8Array,
  info: ConnectionInfo,
  resumed?: Tls13TicketState,
): MaybePromise<Uint8Array | undefined> {
  const { provider } = config
  const now = config.now().getTime()
  const issuedAt = resumed?.issuedAt ?? now
  const lifetimeLeft = Math.ceil((issuedAt + TICKET_LIFETIME_SECONDS * 1000 - now) / 1000)
  if (lifetimeLeft <= 0) return undefined
  // One ticket per connection: its nonce need only be unique on this connection.
  const ticketNonce = new Uint8Array([0])
  const ticketAgeAdd = new Reader(provider.randomBytes(4)).u32()
  const ticket = sealer.seal({
    version: 'TLSv1.3',
    cipherSuite: suite.code,
    psk: resumptionPsk(provider, suite.hash, resumptionMasterSecret, ticketNonce),
    issuedAt,
    ticketIssuedAt: now,
    lifetimeSeconds: TICKET_LIFETIME_SECONDS,
    ageAdd: ticketAgeAdd,
    alpnProtocol: info.alpnProtocol,
    serverName: info.serverName,
    peerCertificates: info.peerCertificates,
    peerVerified: info.peerVerified,
  })
  return whenSettled(ticket, (sealed) =>
    sealed && encodeNewSessionTicket({ ticketLifetime: lifetimeLeft, ticketAgeAdd, ticketNonce, ticket: sealed, extensions: [] }),
  )
}
