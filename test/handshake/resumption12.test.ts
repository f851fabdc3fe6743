// TLS 1.2 resumption with session tickets (RFC 5077) in memory, our client ↔ our server: what each side sent in the clear, resumed or not, and what falls back to a full handshake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { TlsAlertReceivedError, TlsError } from '../../src/errors.js'
import { Connection } from '../../src/handshake/connection.js'
import { type ContextOptions, createDefaultContext, type TlsContext } from '../../src/handshake/context.js'
import { decodeClientHello } from '../../src/handshake/messages/client-hello.js'
import { decodeServerHello } from '../../src/handshake/messages/server-hello.js'
import { decodeNewSessionTicketTls12 } from '../../src/handshake/messages/new-session-ticket-tls12.js'
import { ExtensionType, HandshakeType } from '../../src/handshake/registry.js'
import { decodeSession, encodeSession } from '../../src/handshake/session-export.js'
import { TicketSealer } from '../../src/handshake/tickets.js'
import { nobleProvider } from '../../src/crypto/noble.js'
import { ContentType } from '../../src/record/content.js'
import { asyncProvider } from '../helpers/async-provider.js'
import { type PairResult, runPair, runPairAsync, type Tamper } from '../helpers/pair.js'
import { type Chain, cleanupPki, makeChain, makeClientChain } from '../helpers/pki.js'
import { Clock, tls12TicketState } from '../helpers/resumption.js'
import { now } from '../helpers/sync.js'
import { onFirst, rewriteClientHello, rewriteServerHello, sendThrough, splitRecords, withoutExtensions } from '../interop/interop12-helpers.js'

const ECDSA_AES128 = 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' as const
const ECDSA_AES256 = 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384' as const
const ECDSA_CHACHA = 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256' as const
const LIFETIME_MS = 7200 * 1000

let chain: Chain
let clientCertificate: Chain
beforeAll(async () => {
  ;[chain, clientCertificate] = await Promise.all([makeChain({ withIntermediate: true }), makeClientChain({ withIntermediate: true })])
})
afterAll(cleanupPki)

function clientContext(options: ContextOptions = {}): TlsContext {
  return createDefaultContext('server-auth', { ca: chain.rootPem, maxVersion: 'TLSv1.2', sessionTickets: true, ...options })
}

function serverContext(options: ContextOptions = {}): TlsContext {
  return createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem, maxVersion: 'TLSv1.2', sessionTickets: true, ...options })
}

/** A handshake message sent before its sender's ChangeCipherSpec, as the wire carried it. */
interface ClearMessage {
  readonly type: number
  readonly body: Uint8Array
}

/** Reads what each side sends in the clear: its handshake messages up to its ChangeCipherSpec. */
class ClearObserver {
  readonly sent: Record<'client' | 'server', ClearMessage[]> = { client: [], server: [] }
  private readonly changedCipherSpec = { client: false, server: false }
  private readonly pending = { client: new Uint8Array(0), server: new Uint8Array(0) }

  readonly watch: Tamper = (bytes, direction) => {
    const sender = direction === 'client->server' ? 'client' : 'server'
    for (const record of splitRecords(bytes)) {
      if (this.changedCipherSpec[sender]) break
      if (record.type === ContentType.change_cipher_spec) this.changedCipherSpec[sender] = true
      else if (record.type === ContentType.handshake) this.take(sender, record.fragment)
    }
    return bytes
  }

  private take(sender: 'client' | 'server', fragment: Uint8Array): void {
    let data = Buffer.concat([this.pending[sender], fragment])
    while (data.length >= 4) {
      const length = data.readUIntBE(1, 3)
      if (data.length < 4 + length) break
      this.sent[sender].push({ type: data[0]!, body: new Uint8Array(data.subarray(4, 4 + length)) })
      data = data.subarray(4 + length)
    }
    this.pending[sender] = new Uint8Array(data)
  }

  types(sender: 'client' | 'server'): number[] {
    return this.sent[sender].map((m) => m.type)
  }

  message(sender: 'client' | 'server', type: number): ClearMessage | undefined {
    return this.sent[sender].find((m) => m.type === type)
  }
}

/** One handshake between the contexts, as the observer saw it. */
interface Handshake extends PairResult {
  readonly client: Connection
  readonly server: Connection
  readonly seen: ClearObserver
}

function handshake(client: TlsContext | Connection, server: TlsContext, tamper?: Tamper): Handshake {
  const seen = new ClearObserver()
  const connections = { client: client instanceof Connection ? client : client.client({ serverName: 'localhost' }), server: server.server() }
  const result = runPair(connections.client, connections.server, (bytes, direction) => seen.watch((tamper ?? ((b) => b))(bytes, direction), direction))
  return { ...result, ...connections, seen }
}

const { server_hello, certificate, server_key_exchange, server_hello_done, new_session_ticket, client_hello, client_key_exchange } = HandshakeType
const FULL_SERVER_CLEAR = [server_hello, certificate, server_key_exchange, server_hello_done, new_session_ticket]
const RESUMED_SERVER_CLEAR = [server_hello, new_session_ticket]

function expectCompleted(run: Handshake): void {
  expect(run.clientError ?? run.serverError, String(run.clientError ?? run.serverError)).toBeUndefined()
  expect(run.client.handshakeComplete && run.server.handshakeComplete).toBe(true)
}

function expectFull(run: Handshake): void {
  expectCompleted(run)
  expect(run.seen.types('server')).toEqual(FULL_SERVER_CLEAR)
  expect(run.seen.types('client')).toEqual([client_hello, client_key_exchange])
  expect(run.client.info!.resumed).toBe(false)
  expect(run.server.info!.resumed).toBe(false)
}

/** The abbreviated handshake: ServerHello echoing our session id, NewSessionTicket, no Certificate or key exchange either way. */
function expectResumed(run: Handshake): void {
  expectCompleted(run)
  expect(run.seen.types('server')).toEqual(RESUMED_SERVER_CLEAR)
  expect(run.seen.types('client')).toEqual([client_hello])
  const sessionId = offeredSessionId(run)
  expect(sessionId).toHaveLength(32)
  expect(decodeServerHello(run.seen.message('server', server_hello)!.body).legacySessionIdEcho).toEqual(sessionId)
  for (const side of [run.client, run.server]) {
    expect(side.info).toMatchObject({ version: 'TLSv1.2', resumed: true, extendedMasterSecret: true, group: undefined, signatureScheme: undefined })
  }
}

function clientHello(run: Handshake) {
  return decodeClientHello(run.seen.message('client', client_hello)!.body)
}

function offeredSessionId(run: Handshake): Uint8Array {
  return clientHello(run).legacySessionId
}

/** The session_ticket extension of our ClientHello: empty to ask for a ticket, the ticket to offer one. */
function offeredTicket(run: Handshake): Uint8Array | undefined {
  return clientHello(run).extensions.find((e) => e.type === ExtensionType.session_ticket)?.data
}

function issuedTicket(run: Handshake): Uint8Array {
  return decodeNewSessionTicketTls12(run.seen.message('server', new_session_ticket)!.body).ticket
}

function expectDataFlows(run: Handshake): void {
  const up = randomBytes(20_000)
  const down = randomBytes(20_000)
  expect(Buffer.from(sendThrough(run, 'client', up)).equals(up)).toBe(true)
  expect(Buffer.from(sendThrough(run, 'server', down)).equals(down)).toBe(true)
}

describe('TLS 1.2 resumption in memory: full handshake, then abbreviated ones from the tickets', () => {
  for (const suite of [ECDSA_AES128, ECDSA_AES256, ECDSA_CHACHA]) {
    it(`${suite} × ECDSA P-256: full (a ticket issued), resumed (no Certificate, no key exchange), resumed again from the fresh ticket`, () => {
      const client = clientContext({ cipherSuites: [suite] })
      const server = serverContext()
      const first = handshake(client, server)
      expectFull(first)
      expect(offeredTicket(first)).toEqual(new Uint8Array(0))
      expect(first.client.tickets).toHaveLength(1)
      expect(first.client.tickets[0]).toMatchObject({ version: 'TLSv1.2', lifetimeSeconds: 7200, serverName: 'localhost' })
      const firstExporter = first.client.exportKeyingMaterial('EXPERIMENTAL resumption', undefined, 32)

      const second = handshake(client, server)
      expectResumed(second)
      expect(offeredTicket(second)).toEqual(issuedTicket(first))
      for (const side of [second.client, second.server]) expect(side.info).toMatchObject({ cipherSuite: suite, serverName: 'localhost' })
      expect(second.client.info!.peerCertificates).toEqual(first.client.info!.peerCertificates)
      expect(second.client.info!.peerCertificates).toHaveLength(2)
      expect(second.client.info!.peerVerified).toBe(true)
      expect(second.server.info!.peerCertificates).toEqual([])
      expectDataFlows(second)
      const exporter = second.client.exportKeyingMaterial('EXPERIMENTAL resumption', undefined, 32)
      expect(second.server.exportKeyingMaterial('EXPERIMENTAL resumption', undefined, 32)).toEqual(exporter)
      expect(exporter).not.toEqual(firstExporter)

      // The resumed connection got a fresh ticket: the third handshake offers that one, and resumes.
      const third = handshake(client, server)
      expectResumed(third)
      expect(offeredTicket(third)).toEqual(issuedTicket(second))
      expect(issuedTicket(second)).not.toEqual(issuedTicket(first))
    })
  }

  it('an RSA certificate (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256): resumed the same way', async () => {
    const rsa = await makeChain({ leafKey: 'rsa-2048', withIntermediate: true })
    const suite = 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'
    const client = createDefaultContext('server-auth', { ca: rsa.rootPem, maxVersion: 'TLSv1.2', cipherSuites: [suite], sessionTickets: true })
    const server = createDefaultContext('client-auth', { cert: rsa.chainPem, key: rsa.keyPem, sessionTickets: true, maxVersion: 'TLSv1.2' })
    expectFull(handshake(client, server))
    const second = handshake(client, server)
    expectResumed(second)
    expect(second.client.info!.cipherSuite).toBe(suite)
  })

  it('a client offering TLS 1.3 too: the TLS 1.2 ticket goes in session_ticket, with its compatibility session id, no pre_shared_key; resumed', () => {
    const client = clientContext({ maxVersion: 'TLSv1.3' })
    const server = serverContext()
    expectFull(handshake(client, server))
    const second = handshake(client, server)
    expectResumed(second)
    expect(clientHello(second).extensions.some((e) => e.type === ExtensionType.pre_shared_key)).toBe(false)
    expect(clientHello(second).extensions.some((e) => e.type === ExtensionType.supported_versions)).toBe(true)
  })

  it('a TLS 1.2 ticket offered to a server that now answers TLS 1.3 (same ticket keys): irrelevant, a full TLS 1.3 handshake', () => {
    const client = clientContext({ maxVersion: 'TLSv1.3' })
    const server12 = serverContext()
    expectFull(handshake(client, server12))
    const server13 = serverContext({ maxVersion: 'TLSv1.3' })
    server13.setTicketKeys(server12.ticketKeys)
    const run = handshake(client, server13)
    expectCompleted(run)
    expect(offeredTicket(run)!.length).toBeGreaterThan(0)
    expect(run.client.info).toMatchObject({ version: 'TLSv1.3', resumed: false, peerVerified: true })
    expect(run.server.info!.resumed).toBe(false)
  })

  it('after a HelloRetryRequest from a TLS 1.3 server, the second ClientHello still carries the TLS 1.2 ticket (RFC 8446 4.1.2): no error', () => {
    const client = clientContext({ maxVersion: 'TLSv1.3', groups: ['X25519', 'P-256'] })
    const server12 = serverContext()
    expectFull(handshake(client, server12))
    const server13 = serverContext({ maxVersion: 'TLSv1.3', groups: ['P-256'] })
    const run = handshake(client, server13)
    expectCompleted(run)
    expect(run.client.info).toMatchObject({ version: 'TLSv1.3', helloRetryRequest: true, resumed: false })
  })

  it('client certificates (server verifyMode required): resumed without CertificateRequest, the server reports the first chain, verified', () => {
    const client = clientContext({ cert: clientCertificate.chainPem, key: clientCertificate.keyPem })
    const server = serverContext({ verifyMode: 'required', ca: clientCertificate.rootPem })
    const first = handshake(client, server)
    expectCompleted(first)
    expect(first.seen.types('server')).toEqual([server_hello, certificate, server_key_exchange, HandshakeType.certificate_request, server_hello_done, new_session_ticket])
    expect(first.server.info!.peerVerified).toBe(true)
    const second = handshake(client, server)
    expectResumed(second)
    expect(second.server.info!.peerCertificates).toEqual(first.server.info!.peerCertificates)
    expect(second.server.info!.peerCertificates).toHaveLength(2)
    expect(second.server.info!.peerVerified).toBe(true)
  })

  it('with an asynchronous provider on both sides (the ticket sealed and opened through promises): full, then resumed', async () => {
    // Certificate verification stays synchronous until the x509 conversion lands (as in connection-async.test.ts).
    const provider = () => asyncProvider(nobleProvider, { asynchronous: ['generateKeyShare', 'agree', 'sign', 'seal', 'open'] })
    const client = clientContext({ provider: provider() })
    const server = serverContext({ provider: provider() })
    for (const expected of [false, true]) {
      const pair = { client: client.client({ serverName: 'localhost' }), server: server.server() }
      const result = await runPairAsync(pair.client, pair.server, { chunk: 7 })
      expect(result).toEqual({})
      expect(pair.client.info!.resumed).toBe(expected)
      expect(pair.server.info!.resumed).toBe(expected)
    }
  })
})

describe('TLS 1.2 sessions exported and offered again (conn.session, context.client({ session }))', () => {
  it('a TLS 1.2 session exported from one client context resumes from another context without a cache', () => {
    const server = serverContext()
    const first = handshake(clientContext({ sessionTickets: false }), server)
    expectFull(first)
    const session = first.client.session!
    expect(decodeSession(session)).toMatchObject({ version: 'TLSv1.2', serverName: 'localhost', peerVerified: true })
    const fresh = createDefaultContext('server-auth', { ca: chain.rootPem, maxVersion: 'TLSv1.2' })
    const second = handshake(fresh.client({ serverName: 'localhost', session }), server)
    expectResumed(second)
    // The resumed connection exports the fresh ticket the server sent.
    expect(decodeSession(second.client.session!).ticket).toEqual(issuedTicket(second))
  })

  it('a session for another server name is not offered', () => {
    const server = serverContext()
    const first = handshake(clientContext(), server)
    const other = createDefaultContext('server-auth', { ca: chain.rootPem, maxVersion: 'TLSv1.2', checkHostname: false })
    const run = handshake(other.client({ serverName: 'other.example', session: first.client.session! }), server)
    expectFull(run)
    expect(offeredTicket(run)).toEqual(new Uint8Array(0))
  })
})

/** The client's exported session with its ticket (or its server name) changed: what a client offers, we control. */
function alteredSession(session: Uint8Array, edit: (ticket: ReturnType<typeof decodeSession>) => Partial<ReturnType<typeof decodeSession>>): Uint8Array {
  const decoded = decodeSession(session)
  return encodeSession({ ...decoded, ...edit(decoded) })
}

describe('TLS 1.2 resumption in memory: what falls back to a full handshake, and what is refused', () => {
  it('a tampered ticket (any of 4 bytes: key name, nonce, ciphertext, tag) → offered, not accepted: full handshake, no error', () => {
    const server = serverContext()
    const first = handshake(clientContext(), server)
    const session = first.client.session!
    const length = decodeSession(session).ticket.length
    for (const at of [0, 20, 40, length - 1]) {
      const tampered = alteredSession(session, ({ ticket }) => ({ ticket: ticket.map((b, i) => (i === at ? b ^ 0x01 : b)) }))
      const run = handshake(clientContext().client({ serverName: 'localhost', session: tampered }), server)
      expectFull(run)
      expect(offeredTicket(run)!.length).toBe(length)
      expect(run.client.info!.peerVerified).toBe(true)
    }
  })

  it('a ticket from another server context (another ticket key) → full handshake; with the keys shared → resumed', () => {
    const client = clientContext()
    const first = serverContext()
    expectFull(handshake(client, first))
    expectFull(handshake(client, serverContext()))
    expectFull(handshake(client, first))
    const sharing = serverContext()
    sharing.setTicketKeys(first.ticketKeys)
    expectResumed(handshake(client, sharing))
  })

  it("an expired ticket by the client's clock (2 h later, lifetime hint 7200 s) → not offered, full handshake", () => {
    const clock = new Clock()
    const client = clientContext({ now: clock.now })
    const server = serverContext()
    expectFull(handshake(client, server))
    clock.advance(LIFETIME_MS)
    const run = handshake(client, server)
    expectFull(run)
    expect(offeredTicket(run)).toEqual(new Uint8Array(0))
  })

  it("an expired ticket by the server's clock only → offered, not accepted: full handshake; a second before → resumed", () => {
    const clock = new Clock()
    const server = serverContext({ now: clock.now })
    const client = clientContext()
    expectFull(handshake(client, server))
    clock.advance(LIFETIME_MS - 1000)
    expectResumed(handshake(client, server))
    clock.advance(1000)
    const run = handshake(client, server)
    expectFull(run)
    expect(offeredTicket(run)!.length).toBeGreaterThan(0)
  })

  it('a renewed ticket keeps the session\'s age: its lifetime hint is what is left, and resuming never extends the session', () => {
    const clock = new Clock()
    const server = serverContext({ now: clock.now })
    const client = clientContext({ now: clock.now })
    expectFull(handshake(client, server))
    clock.advance(LIFETIME_MS / 2)
    const second = handshake(client, server)
    expectResumed(second)
    expect(decodeNewSessionTicketTls12(second.seen.message('server', new_session_ticket)!.body).ticketLifetimeHint).toBe(3600)
    clock.advance(LIFETIME_MS / 2)
    const third = handshake(client, server)
    expectFull(third)
  })

  it('the suite no longer allowed by the server (same ticket keys) → full handshake with another suite', () => {
    const client = clientContext({ cipherSuites: [ECDSA_AES128, ECDSA_AES256] })
    const before = serverContext({ cipherSuites: [ECDSA_AES128, ECDSA_AES256] })
    expectFull(handshake(client, before))
    const after = serverContext({ cipherSuites: [ECDSA_AES256] })
    after.setTicketKeys(before.ticketKeys)
    const run = handshake(client, after)
    expectFull(run)
    expect(offeredTicket(run)!.length).toBeGreaterThan(0)
    expect(run.client.info!.cipherSuite).toBe(ECDSA_AES256)
  })

  it('the suite no longer offered by the client → the session is not offered', () => {
    const server = serverContext()
    const first = handshake(clientContext({ cipherSuites: [ECDSA_AES128] }), server)
    const run = handshake(clientContext({ cipherSuites: [ECDSA_AES256] }).client({ serverName: 'localhost', session: first.client.session! }), server)
    expectFull(run)
    expect(offeredTicket(run)).toEqual(new Uint8Array(0))
  })

  it('a ticket for another server name (SNI) → full handshake', () => {
    const server = serverContext()
    const first = handshake(clientContext(), server)
    const renamed = alteredSession(first.client.session!, () => ({ serverName: 'other.example' }))
    const client = createDefaultContext('server-auth', { ca: chain.rootPem, maxVersion: 'TLSv1.2', checkHostname: false })
    const run = handshake(client.client({ serverName: 'other.example', session: renamed }), server)
    expectFull(run)
    expect(offeredTicket(run)!.length).toBeGreaterThan(0)
  })

  it('a server that now requires client certificates (same ticket keys) does not resume a session without one: full handshake, certificate requested', () => {
    const client = clientContext({ cert: clientCertificate.chainPem, key: clientCertificate.keyPem })
    const open = serverContext()
    expectFull(handshake(client, open))
    const strict = serverContext({ verifyMode: 'required', ca: clientCertificate.rootPem })
    strict.setTicketKeys(open.ticketKeys)
    const run = handshake(client, strict)
    expectCompleted(run)
    expect(run.server.info).toMatchObject({ resumed: false, peerVerified: true })
  })

  it('a session without the extended master secret is never resumed, even sealed under our own key (RFC 7627 5.3)', () => {
    const server = serverContext()
    const first = handshake(clientContext(), server)
    const sealer = new TicketSealer(nobleProvider)
    sealer.setKeys(server.ticketKeys)
    const { cipherSuite, secret } = decodeSession(first.client.session!)
    const sealed = (extendedMasterSecret: boolean) => now(sealer.seal(tls12TicketState({ cipherSuite, masterSecret: secret, extendedMasterSecret })))!
    const offering = (extendedMasterSecret: boolean) =>
      clientContext().client({ serverName: 'localhost', session: alteredSession(first.client.session!, () => ({ ticket: sealed(extendedMasterSecret) })) })
    expectFull(handshake(offering(false), server))
    expectResumed(handshake(offering(true), server))
  })

  it('a ClientHello resuming an EMS session without extended_master_secret is refused: handshake_failure (RFC 7627 5.3)', () => {
    const client = clientContext({ requireExtendedMasterSecret: false })
    const server = serverContext({ requireExtendedMasterSecret: false })
    expectFull(handshake(client, server))
    const dropEms = onFirst('client->server', (bytes) => rewriteClientHello(bytes, (hello) => withoutExtensions(hello, ExtensionType.extended_master_secret)))
    const run = handshake(client, server, dropEms)
    expect(run.serverError).toBeInstanceOf(TlsError)
    expect((run.serverError as TlsError).alert).toBe('handshake_failure')
    expect((run.serverError as TlsError).message).toMatch(/RFC 7627 5\.3/)
    expect((run.clientError as TlsAlertReceivedError).received).toBe('handshake_failure')
  })

  it('a server resuming without extended_master_secret in its ServerHello is refused by the client: handshake_failure (RFC 7627 5.3)', () => {
    const client = clientContext()
    const server = serverContext()
    expectFull(handshake(client, server))
    const dropEms = onFirst('server->client', (bytes) =>
      rewriteServerHello(bytes, (hello) => ({ ...hello, extensions: hello.extensions.filter((e) => e.type !== ExtensionType.extended_master_secret) })),
    )
    const run = handshake(client, server, dropEms)
    expect(run.clientError).toBeInstanceOf(TlsError)
    expect((run.clientError as TlsError).alert).toBe('handshake_failure')
    expect((run.clientError as TlsError).message).toMatch(/RFC 7627 5\.3/)
  })

  it('a server resuming with another cipher suite than the session\'s is refused by the client: illegal_parameter', () => {
    const client = clientContext({ cipherSuites: [ECDSA_AES128, ECDSA_AES256] })
    const server = serverContext()
    expectFull(handshake(client, server))
    const otherSuite = onFirst('server->client', (bytes) => rewriteServerHello(bytes, (hello) => ({ ...hello, cipherSuite: 0xc02c })))
    const run = handshake(client, server, otherSuite)
    expect((run.clientError as TlsError).alert).toBe('illegal_parameter')
    expect((run.clientError as TlsError).message).toMatch(/another cipher suite/)
  })

  it('a ServerHello echoing our session id when we offered no TLS 1.2 session is refused: illegal_parameter', () => {
    const client = clientContext({ maxVersion: 'TLSv1.3' })
    const server = serverContext()
    const echo: Tamper = (() => {
      let sessionId: Uint8Array | undefined
      return (bytes, direction) => {
        if (direction === 'client->server' && !sessionId) sessionId = decodeClientHello(splitRecords(bytes)[0]!.fragment.subarray(4)).legacySessionId
        else if (direction === 'server->client' && sessionId) {
          const echoed = rewriteServerHello(bytes, (hello) => ({ ...hello, legacySessionIdEcho: sessionId! }))
          sessionId = undefined
          return echoed
        }
        return bytes
      }
    })()
    const run = handshake(client, server, echo)
    expect((run.clientError as TlsError).alert).toBe('illegal_parameter')
    expect((run.clientError as TlsError).message).toMatch(/echoes our session id/)
  })

  it('sessionTickets off on the server: no session_ticket in its ServerHello, no NewSessionTicket, never resumed', () => {
    const client = clientContext()
    const server = serverContext({ sessionTickets: false })
    for (let i = 0; i < 2; i++) {
      const run = handshake(client, server)
      expectCompleted(run)
      expect(run.seen.types('server')).toEqual([server_hello, certificate, server_key_exchange, server_hello_done])
      expect(run.client.info!.resumed).toBe(false)
      expect(run.client.tickets).toHaveLength(0)
    }
  })

  it('sessionTickets off on the client: the ticket is kept in conn.tickets, never offered from a cache', () => {
    const client = clientContext({ sessionTickets: false })
    const server = serverContext()
    expect(handshake(client, server).client.tickets).toHaveLength(1)
    const run = handshake(client, server)
    expectFull(run)
    expect(offeredTicket(run)).toEqual(new Uint8Array(0))
  })
})
