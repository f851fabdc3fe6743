// TLS 1.2 resumption's pieces one by one: which tickets the client offers and how, its reading of the ServerHello, the server's acceptance rules, our NewSessionTicket.
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../crypto/noble.js'
import { TlsError } from '../errors.js'
import { TLS12 } from '../policy/defaults.js'
import type { PolicyOptions } from '../policy/policy.js'
import { buildClientHello, type ClientOffer } from './client-hello.js'
import { encodeExtension } from './extensions/extension.js'
import { extendedMasterSecret, sessionTicket } from './extensions/simple.js'
import { serverNameList } from './extensions/server-name.js'
import { type ClientHello, decodeClientHello } from './messages/client-hello.js'
import { decodeHandshakeMessage } from './messages/handshake-message.js'
import { decodeNewSessionTicketTls12 } from './messages/new-session-ticket-tls12.js'
import type { ReceivedServerHello } from './messages/server-hello.js'
import { offerTicket, takeTicketToOffer, ticketAfterRetry } from './psk.js'
import { ExtensionType } from './registry.js'
import { checkForResumption12, newSessionTicket12, resumedTicket12, storedTicket12, UNSPECIFIED_LIFETIME_SECONDS } from './resumption12.js'
import { SessionCache } from './session-cache.js'
import type { CachedTicket, ConnectionInfo, HandshakeConfig } from './session.js'
import { TICKET_LIFETIME_SECONDS, TicketSealer, type TicketState, type Tls12TicketState } from './tickets.js'
import { Transcript } from './transcript.js'
import { handshakeConfig, tls12TicketState } from '../../test/helpers/resumption.js'
import { now, runNow } from '../../test/helpers/sync.js'

const T0 = Date.UTC(2030, 0, 1)
const ECDSA_AES128 = 0xc02b
const ECDSA_AES256 = 0xc02c

const config = handshakeConfig
const session = tls12TicketState({ cipherSuite: ECDSA_AES128, issuedAt: T0 })

/** A TLS 1.2 ticket as the client keeps it. */
function cached(overrides: Partial<CachedTicket> = {}): CachedTicket {
  return {
    version: 'TLSv1.2',
    ticket: new Uint8Array(100).fill(9),
    lifetimeSeconds: 7200,
    ageAdd: 0,
    receivedAt: new Date(T0),
    cipherSuite: ECDSA_AES128,
    secret: session.masterSecret,
    serverName: 'localhost',
    peerCertificates: [],
    peerVerified: true,
    peerNotAfter: undefined,
    ...overrides,
  }
}

function sessionTicketOf(hello: ClientHello): Uint8Array | undefined {
  return hello.extensions.find((e) => e.type === ExtensionType.session_ticket)?.data
}

function decoded(offer: ClientOffer): ClientHello {
  return decodeClientHello(decodeHandshakeMessage(offer.raw).body)
}

function offered(client: HandshakeConfig, ticket: CachedTicket): ClientOffer {
  return offerTicket(client, new Transcript(nobleProvider), runNow(buildClientHello(client)), ticket)
}

describe('the client offers a TLS 1.2 ticket (RFC 5077 3.2, 3.4)', () => {
  it('TLS 1.2 only: the ticket in session_ticket, where the empty one was, and a random 32-byte session id; no pre_shared_key', () => {
    const client = config('client', T0, {}, { maxVersion: 'TLSv1.2' })
    const plain = runNow(buildClientHello(client))
    expect(plain.legacySessionId).toHaveLength(0)
    const offer = offerTicket(client, new Transcript(nobleProvider), plain, cached())
    const hello = decoded(offer)
    expect(sessionTicketOf(hello)).toEqual(cached().ticket)
    expect(hello.extensions.map((e) => e.type)).toEqual(plain.hello.extensions.map((e) => e.type))
    expect(hello.legacySessionId).toHaveLength(32)
    expect(offer.legacySessionId).toEqual(hello.legacySessionId)
    expect(offer.offeredTicket).toEqual(cached())
    expect(offered(client, cached()).legacySessionId).not.toEqual(offer.legacySessionId)
  })

  it('TLS 1.3 offered too: the compatibility session id serves (RFC 5077 3.4), the ticket still in session_ticket', () => {
    const client = config('client', T0)
    const plain = runNow(buildClientHello(client))
    const offer = offerTicket(client, new Transcript(nobleProvider), plain, cached())
    expect(offer.legacySessionId).toEqual(plain.legacySessionId)
    expect(sessionTicketOf(decoded(offer))).toEqual(cached().ticket)
    expect(decoded(offer).extensions.some((e) => e.type === ExtensionType.pre_shared_key)).toBe(false)
  })

  it('kept for the second ClientHello after a HelloRetryRequest, whatever suite it chose', () => {
    const offer = offered(config('client', T0), cached())
    expect(ticketAfterRetry(offer, 'SHA-256')).toEqual(cached())
    expect(ticketAfterRetry(offer, 'SHA-384')).toEqual(cached())
  })

  it('taken from the cache only when we offer TLS 1.2 and its suite is still ours', () => {
    const take = (policy: PolicyOptions) => {
      const sessionCache = new SessionCache()
      sessionCache.store(cached(), { serverName: 'localhost', peerCertificates: [], peerVerified: true } as unknown as ConnectionInfo)
      return takeTicketToOffer(config('client', T0, { sessionCache }, policy))
    }
    expect(take({})?.version).toBe('TLSv1.2')
    expect(take({ maxVersion: 'TLSv1.2' })?.version).toBe('TLSv1.2')
    expect(take({ minVersion: 'TLSv1.3' })).toBeUndefined()
    expect(take({ cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'] })).toBeUndefined()
    expect(take({ cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] })?.version).toBe('TLSv1.2')
  })

  it('keeps a ticket with its lifetime hint, or our own lifetime when the hint is 0 ("unspecified", RFC 5077 3.3)', () => {
    const client = config('client', T0)
    expect(storedTicket12(client, new Uint8Array([1]), 300, ECDSA_AES128, session.masterSecret)).toMatchObject({ version: 'TLSv1.2', lifetimeSeconds: 300, ageAdd: 0 })
    expect(storedTicket12(client, new Uint8Array([1]), 0, ECDSA_AES128, session.masterSecret).lifetimeSeconds).toBe(UNSPECIFIED_LIFETIME_SECONDS)
  })
})

describe('the client reads a TLS 1.2 ServerHello after offering a ticket', () => {
  const offer = offered(config('client', T0, {}, { maxVersion: 'TLSv1.2' }), cached())
  const serverHello = (overrides: Partial<ReceivedServerHello> = {}): ReceivedServerHello => ({
    kind: 'server_hello_tls12',
    version: TLS12,
    legacyVersion: TLS12,
    random: new Uint8Array(32),
    legacySessionIdEcho: offer.legacySessionId,
    cipherSuite: ECDSA_AES128,
    extensions: [encodeExtension(extendedMasterSecret, true)],
    ...overrides,
  })

  it('our session id echoed: resumed; another or an empty one: a full handshake', () => {
    expect(resumedTicket12(offer, serverHello())).toEqual(cached())
    expect(resumedTicket12(offer, serverHello({ legacySessionIdEcho: new Uint8Array(0) }))).toBeUndefined()
    expect(resumedTicket12(offer, serverHello({ legacySessionIdEcho: new Uint8Array(32).fill(1) }))).toBeUndefined()
  })

  it('resumed with another suite: illegal_parameter; without extended_master_secret: handshake_failure (RFC 7627 5.3); our id echoed with no session offered: illegal_parameter', () => {
    const refusal = (hello: ReceivedServerHello, by = offer) => {
      try {
        resumedTicket12(by, hello)
      } catch (error) {
        if (error instanceof TlsError) return error
        throw error
      }
      throw new Error('expected a refusal')
    }
    expect(refusal(serverHello({ cipherSuite: ECDSA_AES256 })).alert).toBe('illegal_parameter')
    expect(refusal(serverHello({ extensions: [] })).alert).toBe('handshake_failure')
    const withoutTicket = runNow(buildClientHello(config('client', T0)))
    const echoed = refusal(serverHello({ legacySessionIdEcho: withoutTicket.legacySessionId }), withoutTicket)
    expect(echoed.alert).toBe('illegal_parameter')
    expect(echoed.message).toMatch(/offered no TLS 1.2 session/)
  })
})

describe('the server resumes from its own TLS 1.2 ticket (RFC 5077 3.1)', () => {
  const sealer = new TicketSealer(nobleProvider)
  const server = (at = T0 + 1000, policy: PolicyOptions = {}) => config('server', at, { ticketSealer: sealer }, policy)
  /** A ClientHello offering `state` sealed in its session_ticket, with EMS and SNI "localhost" unless told otherwise. */
  const helloOffering = (state: TicketState | Uint8Array, options: { ems?: boolean; serverName?: string; suites?: number[] } = {}): ClientHello => ({
    legacyVersion: TLS12,
    random: new Uint8Array(32),
    legacySessionId: new Uint8Array(32).fill(3),
    cipherSuites: options.suites ?? [ECDSA_AES128, ECDSA_AES256],
    legacyCompressionMethods: [0],
    extensions: [
      encodeExtension(serverNameList, options.serverName ?? 'localhost'),
      ...(options.ems === false ? [] : [encodeExtension(extendedMasterSecret, true)]),
      encodeExtension(sessionTicket, state instanceof Uint8Array ? state : now(sealer.seal(state))!),
    ],
  })
  const accept = (hello: ClientHello, config = server()) => runNow(checkForResumption12(config, hello))

  it('its own ticket, within its lifetime, suite allowed and offered, same SNI: the session', () => {
    expect(accept(helloOffering(session))).toEqual(session)
  })

  it('anything else is a full handshake, never an error: no ticket, an empty one, bytes of no ticket of ours, a TLS 1.3 ticket', () => {
    expect(accept({ ...helloOffering(session), extensions: [] })).toBeUndefined()
    expect(accept(helloOffering(new Uint8Array(0)))).toBeUndefined()
    expect(accept(helloOffering(new Uint8Array(120).fill(7)))).toBeUndefined()
    const tls13: TicketState = { ...session, version: 'TLSv1.3', cipherSuite: 0x1301, psk: new Uint8Array(32), ageAdd: 0, ticketIssuedAt: session.issuedAt }
    expect(accept(helloOffering(tls13))).toBeUndefined()
    expect(accept(helloOffering(session), config('server', T0))).toBeUndefined()
  })

  it('expired by our clock, a suite we no longer allow or the client no longer offers, another SNI, or no EMS in the session: full handshake', () => {
    expect(accept(helloOffering(session), server(T0 + TICKET_LIFETIME_SECONDS * 1000))).toBeUndefined()
    expect(accept(helloOffering(session), server(T0 + 1000, { cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'] }))).toBeUndefined()
    expect(accept(helloOffering(session, { suites: [ECDSA_AES256] }))).toBeUndefined()
    expect(accept(helloOffering(session, { serverName: 'other.example' }))).toBeUndefined()
    expect(accept(helloOffering({ ...session, extendedMasterSecret: false }))).toBeUndefined()
  })

  it("a policy requiring client certificates resumes only a session that has the client's chain", () => {
    const required = { verifyMode: 'required' as const }
    expect(accept(helloOffering(session), server(T0 + 1000, required))).toBeUndefined()
    const withChain = { ...session, peerCertificates: [new Uint8Array([1])], peerVerified: true }
    expect(accept(helloOffering(withChain), server(T0 + 1000, required))).toEqual(withChain)
  })

  it('a session that fits, offered without extended_master_secret: handshake_failure (RFC 7627 5.3)', () => {
    expect(() => accept(helloOffering(session, { ems: false }))).toThrow(/RFC 7627 5\.3/)
  })
})

describe('our TLS 1.2 NewSessionTicket (RFC 5077 3.3)', () => {
  const sealer = new TicketSealer(nobleProvider)
  const issue = (at: number, state: Tls12TicketState = session) => decodeNewSessionTicketTls12(decodeHandshakeMessage(now(newSessionTicket12(config('server', at), sealer, state))).body)

  it(`a fresh session: hint ${TICKET_LIFETIME_SECONDS} s, a ticket that opens to the session`, () => {
    const ticket = issue(T0)
    expect(ticket.ticketLifetimeHint).toBe(TICKET_LIFETIME_SECONDS)
    expect(now(sealer.open(ticket.ticket))).toEqual(session)
  })

  it(`a fresh session sealed a few milliseconds after its handshake stamped it: still ${TICKET_LIFETIME_SECONDS} s`, () => {
    for (const late of [1, 17, 999]) expect(issue(T0 + late).ticketLifetimeHint, `${late} ms late`).toBe(TICKET_LIFETIME_SECONDS)
  })

  it('a renewed session: the hint is what is left of its lifetime, at least 1 s', () => {
    expect(issue(T0 + 1800_000).ticketLifetimeHint).toBe(TICKET_LIFETIME_SECONDS - 1800)
    expect(issue(T0 + TICKET_LIFETIME_SECONDS * 1000 - 10).ticketLifetimeHint).toBe(1)
  })

  it('a session too big for a ticket (a huge client chain): an empty ticket, as the ServerHello already promised one', () => {
    expect(issue(T0, { ...session, peerCertificates: [new Uint8Array(70_000)] }).ticket).toEqual(new Uint8Array(0))
  })
})
