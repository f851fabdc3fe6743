// TLS 1.3 resumption (PSK-DHE) in memory, our client ↔ our server, every handshake decoded by a man in the middle: what each side sent, resumed or not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { utf8 } from '../../src/bytes.js'
import { TlsAlertReceivedError, TlsError } from '../../src/errors.js'
import type { Connection } from '../../src/handshake/connection.js'
import { type ContextOptions, createDefaultContext, type TlsContext } from '../../src/handshake/context.js'
import { type FlightEditor, type HandshakeMessage, HS, handshakeMessage, isHelloRetryRequest, splitHello, Tls13Mitm } from '../helpers/mitm.js'
import { type PairResult, runPair } from '../helpers/pair.js'
import { type Chain, cleanupPki, makeChain, makeClientChain } from '../helpers/pki.js'
import { Clock } from '../helpers/resumption.js'

const PRE_SHARED_KEY = 41
const TICKET_LIFETIME_MS = 7200 * 1000

let chain: Chain
let clientCertificate: Chain
beforeAll(async () => {
  ;[chain, clientCertificate] = await Promise.all([makeChain({ withIntermediate: true }), makeClientChain({ withIntermediate: true })])
})
afterAll(cleanupPki)

/** Every server context logs its secrets here: the middle of the handshake under way decodes it. */
let middle = new Tls13Mitm()
const keyLog = (line: string): void => middle.keyLog(line)

function clientContext(options: ContextOptions = {}): TlsContext {
  return createDefaultContext('server-auth', { ca: chain.rootPem, minVersion: 'TLSv1.3', sessionTickets: true, ...options })
}

function serverContext(options: ContextOptions = {}): TlsContext {
  return createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem, minVersion: 'TLSv1.3', sessionTickets: true, keyLog, ...options })
}

/** One handshake between the contexts, as the middle saw it. */
interface Handshake extends PairResult {
  readonly client: Connection
  readonly server: Connection
  /** The plaintext ClientHellos, in order (two after a HelloRetryRequest). */
  readonly clientHellos: HandshakeMessage[]
  /** The real ServerHello (not a HelloRetryRequest). */
  readonly serverHello: HandshakeMessage | undefined
  readonly helloRetryRequests: number
  /** The types of the messages each side sent under its handshake keys. */
  readonly serverEncrypted: number[]
  readonly clientEncrypted: number[]
}

function handshake(client: TlsContext, server: TlsContext, editor?: FlightEditor): Handshake {
  middle = new Tls13Mitm(editor)
  const seen = middle
  const connections = { client: client.client({ serverName: 'localhost' }), server: server.server() }
  const result = runPair(connections.client, connections.server, seen.tamper)
  const plaintext = (direction: 'client->server' | 'server->client') =>
    seen.flights.filter((f) => f.direction === direction && f.protection === 'plaintext').flatMap((f) => f.messages)
  const encrypted = (direction: 'client->server' | 'server->client') =>
    seen.flights.filter((f) => f.direction === direction && f.protection === 'handshake').flatMap((f) => f.messages.map((m) => m.type))
  const fromServer = plaintext('server->client').filter((m) => m.type === HS.server_hello)
  return {
    ...result,
    ...connections,
    clientHellos: plaintext('client->server').filter((m) => m.type === HS.client_hello),
    serverHello: fromServer.find((m) => !isHelloRetryRequest(m)),
    helloRetryRequests: fromServer.filter(isHelloRetryRequest).length,
    serverEncrypted: encrypted('server->client'),
    clientEncrypted: encrypted('client->server'),
  }
}

/** The extension of `type` in a hello, or undefined. */
function helloExtension(message: HandshakeMessage | undefined, type: number): Uint8Array | undefined {
  return message && splitHello(message.type, message.body).extensions.find((e) => e.type === type)?.data
}

/** The single PSK identity and binder a ClientHello offers (RFC 8446 4.2.11), or undefined. */
function offeredPsk(hello: HandshakeMessage): { identity: string; binder: string } | undefined {
  const data = helloExtension(hello, PRE_SHARED_KEY)
  if (!data) return undefined
  const u16 = (at: number) => (data[at]! << 8) | data[at + 1]!
  const identity = data.subarray(4, 4 + u16(2))
  const binders = 2 + u16(0) // after the identities vector: binders<33..2^16-1>, then one binder<32..255>
  const binder = data.subarray(binders + 3, binders + 3 + data[binders + 2]!)
  return { identity: Buffer.from(identity).toString('hex'), binder: Buffer.from(binder).toString('hex') }
}

function expectCompleted(run: Handshake): void {
  expect(run.clientError ?? run.serverError, String(run.clientError ?? run.serverError)).toBeUndefined()
  expect(run.client.handshakeComplete && run.server.handshakeComplete).toBe(true)
}

const FULL_SERVER_FLIGHT = [HS.encrypted_extensions, HS.certificate, HS.certificate_verify, HS.finished]
const RESUMED_SERVER_FLIGHT = [HS.encrypted_extensions, HS.finished]

/** A full handshake: no PSK selected, the server authenticated with its certificate, info.resumed false both ends. */
function expectFull(run: Handshake): void {
  expectCompleted(run)
  expect(helloExtension(run.serverHello, PRE_SHARED_KEY)).toBeUndefined()
  expect(run.serverEncrypted).toEqual(FULL_SERVER_FLIGHT)
  expect(run.client.info!.resumed).toBe(false)
  expect(run.server.info!.resumed).toBe(false)
}

/** A resumption: the ServerHello selects identity 0, no Certificate or CertificateVerify either way, info.resumed true both ends. */
function expectResumed(run: Handshake): void {
  expectCompleted(run)
  expect(helloExtension(run.serverHello, PRE_SHARED_KEY)).toEqual(new Uint8Array([0, 0]))
  expect(run.serverEncrypted).toEqual(RESUMED_SERVER_FLIGHT)
  expect(run.clientEncrypted).toEqual([HS.finished])
  expect(run.client.info!.resumed).toBe(true)
  expect(run.server.info!.resumed).toBe(true)
}

function exchange(run: Handshake, from: 'client' | 'server', text: string): string {
  run[from].write(utf8.encode(text))
  runPair(run.client, run.server)
  return utf8.decode(run[from === 'client' ? 'server' : 'client'].read())
}

describe('TLS 1.3 resumption in memory: first handshake full, the next ones resumed from the ticket', () => {
  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const) {
    it(`our client ↔ our server: ${suite} × X25519MLKEM768 × ECDSA P-256: full, resumed (no Certificate), resumed again from the new ticket`, () => {
      const client = clientContext({ cipherSuites: [suite] })
      const server = serverContext()
      const first = handshake(client, server)
      expectFull(first)
      expect(offeredPsk(first.clientHellos[0]!)).toBeUndefined()
      expect(first.client.tickets).toHaveLength(1)
      const firstExporter = first.client.exportKeyingMaterial('EXPERIMENTAL resumption', undefined, 32)

      const second = handshake(client, server)
      expectResumed(second)
      expect(offeredPsk(second.clientHellos[0]!)?.identity).toBe(Buffer.from(first.client.tickets[0]!.ticket).toString('hex'))
      for (const side of [second.client, second.server]) {
        expect(side.info!.cipherSuite).toBe(suite)
        // PSK with (EC)DHE: a fresh exchange in the default group, the ML-KEM hybrid.
        expect(side.info!.group).toBe('X25519MLKEM768')
        expect(side.info!.serverName).toBe('localhost')
      }
      expect(second.client.info!.peerCertificates).toEqual(first.client.info!.peerCertificates)
      expect(second.client.info!.peerCertificates).toHaveLength(2)
      expect(second.client.info!.peerVerified).toBe(true)
      expect(second.client.info!.signatureScheme).toBeUndefined()
      expect(second.server.info!.peerCertificates).toEqual([])
      expect(exchange(second, 'client', 'ping from the client')).toBe('ping from the client')
      expect(exchange(second, 'server', 'pong from the server')).toBe('pong from the server')
      const exporter = second.client.exportKeyingMaterial('EXPERIMENTAL resumption', undefined, 32)
      expect(second.server.exportKeyingMaterial('EXPERIMENTAL resumption', undefined, 32)).toEqual(exporter)
      expect(exporter).not.toEqual(firstExporter)

      // The resumed connection got a new ticket of its own: the third handshake resumes with it.
      expect(second.client.tickets).toHaveLength(1)
      const third = handshake(client, server)
      expectResumed(third)
      expect(offeredPsk(third.clientHellos[0]!)?.identity).toBe(Buffer.from(second.client.tickets[0]!.ticket).toString('hex'))
    })
  }

  it('after a HelloRetryRequest (client shares X25519, server wants P-256): both ClientHellos offer the ticket, the binder is recomputed, resumed', () => {
    const client = clientContext({ groups: ['X25519', 'P-256'] })
    const server = serverContext({ groups: ['P-256'] })
    expectFull(handshake(client, server))
    const second = handshake(client, server)
    expectResumed(second)
    expect(second.helloRetryRequests).toBe(1)
    expect(second.clientHellos).toHaveLength(2)
    const [before, after] = second.clientHellos.map((hello) => offeredPsk(hello)!)
    expect(after!.identity).toBe(before!.identity)
    expect(after!.binder).not.toBe(before!.binder)
    for (const side of [second.client, second.server]) {
      expect(side.info!.helloRetryRequest).toBe(true)
      expect(side.info!.group).toBe('secp256r1')
    }
    expect(exchange(second, 'client', 'after the retry')).toBe('after the retry')
  })

  it('a HelloRetryRequest choosing a suite of another hash (SHA-384 ticket, HRR picks TLS_AES_128_GCM_SHA256): the second ClientHello drops the ticket, full handshake', () => {
    const client = clientContext({ cipherSuites: ['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'], groups: ['X25519', 'P-256'] })
    expectFull(handshake(client, serverContext({ cipherSuites: ['TLS_AES_256_GCM_SHA384'] })))
    const second = handshake(client, serverContext({ cipherSuites: ['TLS_AES_128_GCM_SHA256'], groups: ['P-256'] }))
    expectFull(second)
    expect(second.helloRetryRequests).toBe(1)
    expect(offeredPsk(second.clientHellos[0]!)).toBeDefined()
    expect(offeredPsk(second.clientHellos[1]!)).toBeUndefined()
  })

  it('client certificates (server verifyMode required): resumed without CertificateRequest, the server reports the chain of the first handshake, verified', () => {
    const client = clientContext({ cert: clientCertificate.chainPem, key: clientCertificate.keyPem })
    const server = serverContext({ verifyMode: 'required', ca: clientCertificate.rootPem })
    const first = handshake(client, server)
    expectCompleted(first)
    expect(first.serverEncrypted).toEqual([HS.encrypted_extensions, HS.certificate_request, ...FULL_SERVER_FLIGHT.slice(1)])
    expect(first.server.info!.peerVerified).toBe(true)
    const second = handshake(client, server)
    expectResumed(second)
    expect(second.server.info!.peerCertificates).toEqual(first.server.info!.peerCertificates)
    expect(second.server.info!.peerCertificates).toHaveLength(2)
    expect(second.server.info!.peerVerified).toBe(true)
  })

  it('a ticket is used once: two connections opened after one ticket arrived → only the first offers it', () => {
    const client = clientContext()
    const server = serverContext()
    expectFull(handshake(client, server))
    const withTicket = client.client({ serverName: 'localhost' })
    const withoutTicket = handshake(client, server)
    expectFull(withoutTicket)
    expect(offeredPsk(withoutTicket.clientHellos[0]!)).toBeUndefined()
    middle = new Tls13Mitm()
    const result = runPair(withTicket, server.server())
    expect(result.clientError ?? result.serverError).toBeUndefined()
    expect(withTicket.info!.resumed).toBe(true)
  })
})

describe('TLS 1.3 resumption in memory: what falls back to a full handshake, and what fails', () => {
  it('a tampered binder → decrypt_error at the server, which the client receives', () => {
    const client = clientContext()
    const server = serverContext()
    expectFull(handshake(client, server))
    const flipLastBinderByte: FlightEditor = (flight) => {
      const hello = flight.messages.find((m) => m.type === HS.client_hello)
      if (flight.direction !== 'client->server' || !hello) return undefined
      const body = hello.body.slice()
      body[body.length - 1]! ^= 0x01
      return [handshakeMessage(HS.client_hello, body)]
    }
    const run = handshake(client, server, flipLastBinderByte)
    expect(run.serverError).toBeInstanceOf(TlsError)
    expect((run.serverError as TlsError).alert).toBe('decrypt_error')
    expect((run.serverError as TlsError).message).toMatch(/PSK binder/)
    expect(run.clientError).toBeInstanceOf(TlsAlertReceivedError)
    expect((run.clientError as TlsAlertReceivedError).received).toBe('decrypt_error')
  })

  it('a ticket from another server context (another ticket key) → offered, not accepted: full handshake, no error', () => {
    const client = clientContext()
    expectFull(handshake(client, serverContext()))
    const other = handshake(client, serverContext())
    expect(offeredPsk(other.clientHellos[0]!)).toBeDefined()
    expectFull(other)
    expect(other.client.info!.peerVerified).toBe(true)
  })

  it("an expired ticket by the client's clock (2 h later, ticket_lifetime 7200 s) → not offered, full handshake", () => {
    const clock = new Clock()
    const client = clientContext({ now: clock.now })
    const server = serverContext()
    expectFull(handshake(client, server))
    clock.advance(TICKET_LIFETIME_MS)
    const later = handshake(client, server)
    expect(offeredPsk(later.clientHellos[0]!)).toBeUndefined()
    expectFull(later)
  })

  it("a ticket expired only by the server's clock → offered, refused: full handshake, no error", () => {
    const clock = new Clock()
    const client = clientContext()
    const server = serverContext({ now: clock.now })
    expectFull(handshake(client, server))
    clock.advance(TICKET_LIFETIME_MS)
    const later = handshake(client, server)
    expect(offeredPsk(later.clientHellos[0]!)).toBeDefined()
    expectFull(later)
  })

  it('sessionTickets off on the client: the ticket is kept in conn.tickets, never offered, never resumed', () => {
    const client = clientContext({ sessionTickets: false })
    const server = serverContext()
    const first = handshake(client, server)
    expectFull(first)
    expect(first.client.tickets).toHaveLength(1)
    const second = handshake(client, server)
    expect(offeredPsk(second.clientHellos[0]!)).toBeUndefined()
    expectFull(second)
  })

  it('sessionTickets off on the server (the default): no NewSessionTicket, nothing to offer, never resumed', () => {
    const client = clientContext()
    const server = serverContext({ sessionTickets: undefined })
    const first = handshake(client, server)
    expectFull(first)
    expect(first.client.tickets).toHaveLength(0)
    const second = handshake(client, server)
    expect(offeredPsk(second.clientHellos[0]!)).toBeUndefined()
    expectFull(second)
  })
})
