// Resumption's pieces one by one: the client's offer (identity, obfuscated age, binder), the server's acceptance rules, the ServerHello's selection, our NewSessionTicket.
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../crypto/noble.js'
import type { HashName } from '../crypto/provider.js'
import { TlsError } from '../errors.js'
import { TLS12, TLS13 } from '../policy/defaults.js'
import { cipherSuiteByCode, type Tls13CipherSuite } from '../policy/suites.js'
import { buildClientHello, type ClientOffer } from './client-hello.js'
import { encodeExtension, readExtension } from './extensions/extension.js'
import { preSharedKeyClientHello, preSharedKeyServerHello } from './extensions/pre-shared-key.js'
import { pskKeyExchangeModes } from './extensions/psk-key-exchange-modes.js'
import { supportedVersionSelected } from './extensions/supported-versions.js'
import { KeySchedule13, resumptionPsk } from './key-schedule.js'
import { type ClientHello, decodeClientHello, encodeClientHello } from './messages/client-hello.js'
import { decodeHandshakeMessage } from './messages/handshake-message.js'
import { decodeNewSessionTicket } from './messages/new-session-ticket.js'
import { truncatedClientHello, withPskBinders } from './messages/psk-binders.js'
import type { ReceivedServerHello } from './messages/server-hello.js'
import {
  checkForResumption,
  clientAcceptsTickets,
  newSessionTicket,
  offerTicket,
  selectedTicket,
  takeTicketToOffer,
  ticketAfterRetry,
} from './psk.js'
import { ExtensionType } from './registry.js'
import { SessionCache } from './session-cache.js'
import type { CachedTicket } from './session.js'
import type { ConnectionInfo } from './session.js'
import { TICKET_AGE_TOLERANCE_MS, TICKET_LIFETIME_SECONDS, TicketSealer, type Tls13TicketState } from './tickets.js'
import { Transcript } from './transcript.js'
import { handshakeConfig, tls12TicketState } from '../../test/helpers/resumption.js'
import { now, runNow } from '../../test/helpers/sync.js'

const T0 = Date.UTC(2030, 0, 1)
const AES128 = cipherSuiteByCode(0x1301) as Tls13CipherSuite
const AES256 = cipherSuiteByCode(0x1302) as Tls13CipherSuite

const config = handshakeConfig

interface Issued {
  readonly sealer: TicketSealer
  readonly state: Tls13TicketState
  readonly cached: CachedTicket
}

/** A ticket our server issued at T0 for `suite`, as the client keeps it. */
function issue(suite = AES128, overrides: Partial<Tls13TicketState> = {}): Issued {
  const sealer = new TicketSealer(nobleProvider)
  const state: Tls13TicketState = {
    version: 'TLSv1.3',
    cipherSuite: suite.code,
    psk: nobleProvider.randomBytes(nobleProvider.hash(suite.hash).outputLength),
    issuedAt: T0,
    ticketIssuedAt: T0,
    lifetimeSeconds: TICKET_LIFETIME_SECONDS,
    ageAdd: 0xffff_ff00,
    alpnProtocol: undefined,
    serverName: 'localhost',
    peerCertificates: [],
    peerVerified: true,
    ...overrides,
  }
  const cached: CachedTicket = {
    version: 'TLSv1.3',
    ticket: now(sealer.seal(state))!,
    lifetimeSeconds: state.lifetimeSeconds,
    ageAdd: state.ageAdd,
    receivedAt: new Date(T0),
    cipherSuite: suite.code,
    secret: state.psk,
    peerCertificates: [],
    peerVerified: true,
    peerNotAfter: undefined,
  }
  return { sealer, state, cached }
}

/** The client's ClientHello offering `cached`, `ageMs` after it arrived. */
function offer(cached: CachedTicket, ageMs = 5_000): { offer: ClientOffer; hello: ClientHello } {
  const client = config('client', T0 + ageMs)
  const made = offerTicket(client, new Transcript(nobleProvider), runNow(buildClientHello(client)), cached)
  return { offer: made, hello: decodeClientHello(decodeHandshakeMessage(made.raw).body) }
}

/** The server's decision on `hello` at `at` (no HelloRetryRequest: the transcript is empty); `serverName` null: the client sent no SNI. */
function accept(issued: Issued, hello: ClientHello, raw: Uint8Array, at = T0 + 5_000, suite = AES128, serverName: string | null = 'localhost') {
  const server = config('server', at, { ticketSealer: issued.sealer })
  return runNow(checkForResumption(server, new Transcript(nobleProvider, suite.hash), hello, raw, suite, serverName ?? undefined))
}

function binderOver(hash: HashName, psk: Uint8Array, transcriptBytes: Uint8Array): Uint8Array {
  return new KeySchedule13(nobleProvider, hash, psk).binder('resumption', nobleProvider.hash(hash).digest(transcriptBytes))
}

/** The hello with psk_key_exchange_modes replaced by `modes` (undefined: removed). */
function withModes(hello: ClientHello, modes: number[] | undefined): ClientHello {
  const replace = (e: ClientHello['extensions'][number]) => (e.type !== ExtensionType.psk_key_exchange_modes ? [e] : modes ? [encodeExtension(pskKeyExchangeModes, modes)] : [])
  return { ...hello, extensions: hello.extensions.flatMap(replace) }
}

function tlsError(fn: () => unknown): TlsError {
  try {
    fn()
  } catch (error) {
    if (error instanceof TlsError) return error
    throw error
  }
  throw new Error('expected a TlsError')
}

describe('the client offers a ticket (RFC 8446 4.2.11)', () => {
  it('as the last extension: the ticket as identity, age + ticket_age_add mod 2^32, a binder over Hash(Truncate(ClientHello)); psk_dhe_ke only', () => {
    const { cached, state } = issue()
    const { offer: made, hello } = offer(cached, 5_000)
    expect(hello.extensions[hello.extensions.length - 1]!.type).toBe(ExtensionType.pre_shared_key)
    expect(readExtension(hello.extensions, pskKeyExchangeModes)).toEqual([1])
    const psk = readExtension(hello.extensions, preSharedKeyClientHello)!
    expect(psk.identities).toHaveLength(1)
    expect(Buffer.from(psk.identities[0]!.identity).equals(Buffer.from(cached.ticket))).toBe(true)
    expect(psk.identities[0]!.obfuscatedTicketAge).toBe((5_000 + 0xffff_ff00) % 2 ** 32)
    expect(psk.binders[0]).toEqual(binderOver(AES128.hash, state.psk, truncatedClientHello(made.raw)))
    expect(made.offeredTicket).toBe(cached)
    expect(made.extensionTypes.has(ExtensionType.pre_shared_key)).toBe(true)
  })

  it('without a ticket, the ClientHello is left as it was', () => {
    const client = config('client', T0)
    const plain = runNow(buildClientHello(client))
    expect(offerTicket(client, new Transcript(nobleProvider), plain, undefined)).toBe(plain)
  })

  it('after a HelloRetryRequest the binder covers message_hash and the HRR before the truncated hello', () => {
    const { cached, state } = issue()
    const client = config('client', T0 + 1_000)
    const transcript = new Transcript(nobleProvider, AES128.hash)
    const prefix = new Uint8Array([254, 0, 0, 32, ...new Uint8Array(32).fill(1), 2, 0, 0, 2, 3, 3])
    transcript.update(prefix)
    const made = offerTicket(client, transcript, runNow(buildClientHello(client)), cached)
    const binder = readExtension(made.hello.extensions, preSharedKeyClientHello)!.binders[0]
    expect(binder).toEqual(binderOver(AES128.hash, state.psk, new Uint8Array([...prefix, ...truncatedClientHello(made.raw)])))
  })

  it('only a ticket whose suite has the hash of a suite we offer: a SHA-384 ticket stays in the cache of a SHA-256-only client', () => {
    const { cached } = issue(AES256)
    const sessionCache = new SessionCache()
    sessionCache.store(cached, { serverName: 'localhost', peerCertificates: [], peerVerified: true } as unknown as ConnectionInfo)
    const sha256Only = config('client', T0, { sessionCache }, { cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'] })
    expect(takeTicketToOffer(sha256Only)).toBeUndefined()
    expect(sessionCache.count('localhost')).toBe(1)
    const both = config('client', T0, { sessionCache }, { cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'] })
    expect(takeTicketToOffer(both)?.ticket).toEqual(cached.ticket)
    expect(sessionCache.count('localhost')).toBe(0)
  })

  it('nothing without a cache, without a server name, or when TLS 1.3 is not offered', () => {
    const sessionCache = new SessionCache()
    const store = () => sessionCache.store(issue().cached, { serverName: 'localhost', peerCertificates: [], peerVerified: true } as unknown as ConnectionInfo)
    store()
    expect(takeTicketToOffer(config('client', T0))).toBeUndefined()
    expect(takeTicketToOffer(config('client', T0, { sessionCache, serverName: undefined }))).toBeUndefined()
    expect(takeTicketToOffer(config('client', T0, { sessionCache }, { maxVersion: 'TLSv1.2' }))).toBeUndefined()
    expect(takeTicketToOffer(config('client', T0, { sessionCache }))).toBeDefined()
  })

  it('after a HelloRetryRequest, offered again only if the chosen suite has the same hash', () => {
    const { cached } = issue(AES128)
    const { offer: made } = offer(cached)
    expect(ticketAfterRetry(made, AES128.hash)).toBe(cached)
    expect(ticketAfterRetry(made, AES256.hash)).toBeUndefined()
  })
})

describe('the server accepts its own ticket (RFC 8446 4.2.11, 4.6.1)', () => {
  it('opens it, checks the binder, and selects identity 0', () => {
    const issued = issue()
    const { offer: made, hello } = offer(issued.cached)
    expect(accept(issued, hello, made.raw)).toEqual({ identityIndex: 0, state: issued.state })
  })

  it('a binder that does not verify is decrypt_error', () => {
    const issued = issue()
    const { offer: made } = offer(issued.cached)
    const raw = made.raw.slice()
    raw[raw.length - 1]! ^= 0x80
    const hello = decodeClientHello(decodeHandshakeMessage(raw).body)
    const error = tlsError(() => accept(issued, hello, raw))
    expect(error.alert).toBe('decrypt_error')
    expect(error.message).toMatch(/PSK binder/)
  })

  it('a ticket of another sealer (another server context) is skipped without looking at the binder: full handshake', () => {
    const issued = issue()
    const { offer: made } = offer(issued.cached)
    const raw = made.raw.slice()
    raw[raw.length - 1]! ^= 0x80
    const stranger = { ...issued, sealer: new TicketSealer(nobleProvider) }
    expect(accept(stranger, decodeClientHello(decodeHandshakeMessage(raw).body), raw)).toBeUndefined()
  })

  it('the first identity that opens and fits wins: an unknown first identity, ours second → index 1', () => {
    const issued = issue()
    const client = config('client', T0 + 5_000)
    const base = runNow(buildClientHello(client))
    const identities = [
      { identity: new Uint8Array(80).fill(0xaa), obfuscatedTicketAge: 1 },
      { identity: issued.cached.ticket, obfuscatedTicketAge: (5_000 + issued.state.ageAdd) % 2 ** 32 },
    ]
    const zeros = new Uint8Array(32)
    const placeholder = encodeClientHello({
      ...base.hello,
      extensions: [...base.hello.extensions, encodeExtension(preSharedKeyClientHello, { identities, binders: [zeros, zeros] })],
    })
    const raw = withPskBinders(placeholder, [zeros, binderOver(AES128.hash, issued.state.psk, truncatedClientHello(placeholder))])
    expect(accept(issued, decodeClientHello(decodeHandshakeMessage(raw).body), raw)?.identityIndex).toBe(1)
  })

  it(`a ticket past its lifetime (${TICKET_LIFETIME_SECONDS} s, by the server's clock) → full handshake`, () => {
    const issued = issue()
    const lifetimeMs = TICKET_LIFETIME_SECONDS * 1000
    const { offer: made, hello } = offer(issued.cached, lifetimeMs)
    expect(accept(issued, hello, made.raw, T0 + lifetimeMs)).toBeUndefined()
    const fresh = offer(issued.cached, lifetimeMs - 1)
    expect(accept(issued, fresh.hello, fresh.offer.raw, T0 + lifetimeMs - 1)).toBeDefined()
  })

  it(`a client ticket age more than ${TICKET_AGE_TOLERANCE_MS / 1000} s away from ours → full handshake; within it → resumed`, () => {
    const issued = issue()
    const { offer: made, hello } = offer(issued.cached, 5_000)
    expect(accept(issued, hello, made.raw, T0 + 5_000 + TICKET_AGE_TOLERANCE_MS + 1)).toBeUndefined()
    expect(accept(issued, hello, made.raw, T0 + 5_000 + TICKET_AGE_TOLERANCE_MS)).toBeDefined()
    expect(accept(issued, hello, made.raw, T0 + 5_000 - TICKET_AGE_TOLERANCE_MS - 1)).toBeUndefined()
  })

  it('a TLS 1.2 ticket of ours offered as a TLS 1.3 identity (its state even naming a TLS 1.3 suite) → full handshake, no binder checked', () => {
    const issued = issue()
    const ticket12 = now(issued.sealer.seal(tls12TicketState({ cipherSuite: AES128.code, issuedAt: T0 })))!
    const { offer: made, hello } = offer({ ...issued.cached, ticket: ticket12 })
    expect(accept(issued, hello, made.raw)).toBeUndefined()
  })

  it('a ticket of a suite with another hash than the chosen suite → full handshake', () => {
    const issued = issue(AES256)
    const { offer: made, hello } = offer(issued.cached)
    expect(accept(issued, hello, made.raw, T0 + 5_000, AES128)).toBeUndefined()
  })

  it('a ticket issued for another server name (SNI) → full handshake', () => {
    const issued = issue()
    const { offer: made, hello } = offer(issued.cached)
    expect(accept(issued, hello, made.raw, T0 + 5_000, AES128, 'other.example')).toBeUndefined()
    expect(accept(issued, hello, made.raw, T0 + 5_000, AES128, null)).toBeUndefined()
  })

  it('psk_key_exchange_modes without psk_dhe_ke → full handshake; pre_shared_key without psk_key_exchange_modes → missing_extension', () => {
    const issued = issue()
    const { offer: made, hello } = offer(issued.cached)
    expect(accept(issued, withModes(hello, [0]), made.raw)).toBeUndefined()
    expect(accept(issued, withModes(hello, [0, 1]), made.raw)).toBeDefined()
    expect(tlsError(() => accept(issued, withModes(hello, undefined), made.raw)).alert).toBe('missing_extension')
  })

  it('a server without session tickets ignores pre_shared_key', () => {
    const issued = issue()
    const { offer: made, hello } = offer(issued.cached)
    const server = config('server', T0 + 5_000)
    expect(runNow(checkForResumption(server, new Transcript(nobleProvider, AES128.hash), hello, made.raw, AES128, 'localhost'))).toBeUndefined()
  })
})

describe("the client reads the ServerHello's selected_identity (RFC 8446 4.2.11)", () => {
  function serverHello(selected: number | undefined, suite = AES128): ReceivedServerHello {
    const extensions = [encodeExtension(supportedVersionSelected, TLS13)]
    if (selected !== undefined) extensions.push(encodeExtension(preSharedKeyServerHello, selected))
    return { kind: 'server_hello', version: TLS13, legacyVersion: TLS12, random: new Uint8Array(32), legacySessionIdEcho: new Uint8Array(0), cipherSuite: suite.code, extensions }
  }

  it('no pre_shared_key: a full handshake; identity 0 of the suite hash: our ticket', () => {
    const { cached } = issue()
    const { offer: made } = offer(cached)
    expect(selectedTicket(serverHello(undefined), made, AES128)).toBeUndefined()
    expect(selectedTicket(serverHello(0), made, AES128)).toBe(cached)
  })

  it('an identity out of range, an identity when we offered none, or a suite of another hash: illegal_parameter', () => {
    const { cached } = issue()
    const { offer: made } = offer(cached)
    const client = config('client', T0)
    expect(tlsError(() => selectedTicket(serverHello(1), made, AES128)).alert).toBe('illegal_parameter')
    expect(tlsError(() => selectedTicket(serverHello(0), runNow(buildClientHello(client)), AES128)).alert).toBe('illegal_parameter')
    expect(tlsError(() => selectedTicket(serverHello(0, AES256), made, AES256)).alert).toBe('illegal_parameter')
  })
})

describe('our NewSessionTicket (RFC 8446 4.6.1)', () => {
  it('goes only to a client that listed psk_dhe_ke in psk_key_exchange_modes (RFC 8446 4.2.9)', () => {
    const hello = runNow(buildClientHello(config('client', T0))).hello
    expect(clientAcceptsTickets(hello)).toBe(true)
    expect(clientAcceptsTickets(withModes(hello, [0, 1]))).toBe(true)
    expect(clientAcceptsTickets(withModes(hello, [0]))).toBe(false)
    expect(clientAcceptsTickets(withModes(hello, undefined))).toBe(false)
  })

  it(`lifetime ${TICKET_LIFETIME_SECONDS} s, a random age_add, and a ticket that opens to the PSK for its nonce with the session's facts`, () => {
    const sealer = new TicketSealer(nobleProvider)
    const server = config('server', T0, { ticketSealer: sealer })
    const resumptionMasterSecret = new Uint8Array(32).fill(3)
    const info = { alpnProtocol: 'h2', serverName: 'localhost', peerCertificates: [new Uint8Array([1])], peerVerified: true } as unknown as ConnectionInfo
    const message = decodeHandshakeMessage(now(newSessionTicket(server, sealer, AES128, resumptionMasterSecret, info))!)
    const ticket = decodeNewSessionTicket(message.body)
    expect(ticket.ticketLifetime).toBe(TICKET_LIFETIME_SECONDS)
    expect(ticket.extensions).toEqual([])
    const state = sealer.open(ticket.ticket)!
    expect(state).toEqual({
      version: 'TLSv1.3',
      cipherSuite: AES128.code,
      psk: resumptionPsk(nobleProvider, AES128.hash, resumptionMasterSecret, ticket.ticketNonce),
      issuedAt: T0,
      ticketIssuedAt: T0,
      lifetimeSeconds: TICKET_LIFETIME_SECONDS,
      ageAdd: ticket.ticketAgeAdd,
      alpnProtocol: 'h2',
      serverName: 'localhost',
      peerCertificates: [new Uint8Array([1])],
      peerVerified: true,
    })
    const again = decodeNewSessionTicket(decodeHandshakeMessage(now(newSessionTicket(server, sealer, AES128, resumptionMasterSecret, info))!).body)
    expect(again.ticketAgeAdd).not.toBe(ticket.ticketAgeAdd)
  })

  it('a ticket renewed on resumption keeps the session start: its lifetime is what is left, and none past it', () => {
    const sealer = new TicketSealer(nobleProvider)
    const server = config('server', T0, { ticketSealer: sealer })
    const resumptionMasterSecret = new Uint8Array(32).fill(3)
    const info = { alpnProtocol: 'h2', serverName: 'localhost', peerCertificates: [new Uint8Array([1])], peerVerified: true } as unknown as ConnectionInfo
    const issuedOneHourAgo = { ...issue().state, issuedAt: T0 - 3_600_000, ticketIssuedAt: T0 - 3_600_000 }
    const renewed = decodeNewSessionTicket(decodeHandshakeMessage(now(newSessionTicket(server, sealer, AES128, resumptionMasterSecret, info, issuedOneHourAgo))!).body)
    expect(renewed.ticketLifetime).toBe(TICKET_LIFETIME_SECONDS - 3600)
    const state = sealer.open(renewed.ticket) as Tls13TicketState
    expect([state.issuedAt, state.ticketIssuedAt]).toEqual([T0 - 3_600_000, T0])
    const expired = { ...issuedOneHourAgo, issuedAt: T0 - TICKET_LIFETIME_SECONDS * 1000 }
    expect(now(newSessionTicket(server, sealer, AES128, resumptionMasterSecret, info, expired))).toBeUndefined()
  })
})
