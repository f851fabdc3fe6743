// The security review's RFC MUSTs, each with the bytes it found accepted: interleaved records, early CCS, ServerHello legacy_version, the second ClientHello, ticket floods, SNI values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nobleProvider } from '../../src/crypto/noble.js'
import { type AlertName, TlsAlertReceivedError, TlsError } from '../../src/errors.js'
import type { Connection } from '../../src/handshake/connection.js'
import { type ContextOptions, createDefaultContext } from '../../src/handshake/context.js'
import { requestedServerName, serverNameList } from '../../src/handshake/extensions/server-name.js'
import { encodeExtension } from '../../src/handshake/extensions/extension.js'
import { trafficKeys } from '../../src/handshake/key-schedule.js'
import { encodeNewSessionTicket } from '../../src/handshake/messages/new-session-ticket.js'
import { cipherSuiteByCode, type Tls13CipherSuite } from '../../src/policy/suites.js'
import { ContentType } from '../../src/record/content.js'
import { Tls13RecordProtection } from '../../src/record/tls13-protection.js'
import { concatBytes, editHelloExtensions, encodeRecord, type FlightEditor, type HandshakeMessage, HS, isHelloRetryRequest, parseRecords, type Replacement, Tls13Mitm } from '../helpers/mitm.js'
import { type PairResult, runPair, type Tamper } from '../helpers/pair.js'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { now } from '../helpers/sync.js'

const EXT = { server_name: 0, alpn: 16, early_data: 42, cookie: 44 } as const
const WARNING = 1
const USER_CANCELED = 90

let chain: Chain
beforeAll(async () => {
  chain = await makeChain({ withIntermediate: true })
})
afterAll(cleanupPki)

function contexts(mitm: Tls13Mitm | undefined, client: ContextOptions = {}, server: ContextOptions = {}) {
  const keyLog = mitm?.keyLog
  return {
    client: createDefaultContext('server-auth', { ca: chain.rootPem, keyLog, ...client }).client({ serverName: 'localhost' }),
    server: createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem, keyLog, ...server }).server(),
  }
}

/** A TLS 1.3 handshake through a middle that applies `editor` to the flights. */
function through(editor: FlightEditor, client: ContextOptions = {}, server: ContextOptions = {}): PairResult & { client: Connection; server: Connection } {
  const mitm = new Tls13Mitm(editor)
  const pair = contexts(mitm, { minVersion: 'TLSv1.3', ...client }, { minVersion: 'TLSv1.3', ...server })
  return { ...runPair(pair.client, pair.server, mitm.tamper), ...pair }
}

/** `side` refused with `alert` and the other side got exactly that alert. */
function expectRefusal(result: PairResult, side: 'client' | 'server', alert: AlertName, message?: RegExp): void {
  const [mine, theirs] = side === 'client' ? [result.clientError, result.serverError] : [result.serverError, result.clientError]
  expect(mine).toBeInstanceOf(TlsError)
  expect(mine).not.toBeInstanceOf(TlsAlertReceivedError)
  expect((mine as TlsError).alert).toBe(alert)
  if (message) expect((mine as Error).message).toMatch(message)
  expect((theirs as TlsAlertReceivedError).received).toBe(alert)
}

/** Edits the first flight in `direction` that carries a message of `type`. */
function onFlightWith(direction: 'client->server' | 'server->client', type: number, edit: (messages: readonly HandshakeMessage[]) => Replacement[], occurrence = 1): FlightEditor {
  let seen = 0
  return (flight) => {
    if (flight.direction !== direction || !flight.messages.some((m) => m.type === type)) return undefined
    if (++seen !== occurrence) return undefined
    return edit(flight.messages)
  }
}

/** `message` cut in two records with `between` (another content type) in the middle. */
function splitAround(message: HandshakeMessage, between: Replacement): Replacement[] {
  const half = Math.floor(message.raw.length / 2)
  return [message.raw.subarray(0, half), between, message.raw.subarray(half)]
}

const warningAlert: Replacement = { contentType: ContentType.alert, content: Uint8Array.from([WARNING, USER_CANCELED]) }

describe('records of another type between the fragments of one handshake message (RFC 8446 5.1)', () => {
  it('a protected user_canceled warning inside the server Certificate: unexpected_message', () => {
    const result = through(onFlightWith('server->client', HS.certificate, (ms) => ms.flatMap((m) => (m.type === HS.certificate ? splitAround(m, warningAlert) : [m.raw]))))
    expectRefusal(result, 'client', 'unexpected_message', /between the fragments/)
  })

  it('a plaintext ChangeCipherSpec inside the server Certificate: unexpected_message', () => {
    let cut = false
    const mitm = new Tls13Mitm(onFlightWith('server->client', HS.certificate, (ms) => ms.flatMap((m) => (m.type === HS.certificate ? splitAround(m, new Uint8Array(0)) : [m.raw]))))
    const pair = contexts(mitm, { minVersion: 'TLSv1.3' }, { minVersion: 'TLSv1.3' })
    // The middle leaves an empty protected handshake record between the halves: swap it for a plaintext CCS.
    const tamper: Tamper = (bytes, direction) => {
      const out = mitm.tamper(bytes, direction)
      if (direction !== 'server->client' || cut) return out
      const records = parseRecords(out)
      const protectedRecords = records.filter((r) => r.type === ContentType.application_data)
      if (protectedRecords.length < 4) return out
      cut = true
      const empty = protectedRecords.reduce((a, b) => (b.fragment.length < a.fragment.length ? b : a))
      return concatBytes(...records.map((r) => (r === empty ? encodeRecord(ContentType.change_cipher_spec, 0x0303, Uint8Array.of(1)) : concatBytes(r.header, r.fragment))))
    }
    const result = runPair(pair.client, pair.server, tamper)
    expect(cut).toBe(true)
    expectRefusal(result, 'client', 'unexpected_message', /ChangeCipherSpec between the fragments/)
  })

  it('a plaintext warning alert inside the ServerHello: unexpected_message', () => {
    const result = through(onFlightWith('server->client', HS.server_hello, (ms) => ms.flatMap((m) => (m.type === HS.server_hello ? splitAround(m, warningAlert) : [m.raw]))))
    expect(result.clientError).toMatchObject({ alert: 'unexpected_message', message: expect.stringMatching(/between the fragments/) })
  })

  it('TLS 1.2: a warning alert inside the server Certificate: unexpected_message', () => {
    const pair = contexts(undefined, { maxVersion: 'TLSv1.2' })
    let done = false
    const tamper: Tamper = (bytes, direction) => {
      if (direction !== 'server->client' || done) return bytes
      done = true
      // The server's first flight is one plaintext record (ServerHello … ServerHelloDone): cut it inside the Certificate.
      const [record, ...rest] = parseRecords(bytes)
      const fragment = record!.fragment
      const certificateAt = 4 + ((fragment[1]! << 16) | (fragment[2]! << 8) | fragment[3]!)
      expect(fragment[certificateAt]).toBe(HS.certificate)
      const cut = certificateAt + 100
      return concatBytes(
        encodeRecord(ContentType.handshake, 0x0303, fragment.subarray(0, cut)),
        encodeRecord(ContentType.alert, 0x0303, Uint8Array.from([WARNING, USER_CANCELED])),
        encodeRecord(ContentType.handshake, 0x0303, fragment.subarray(cut)),
        ...rest.map((r) => concatBytes(r.header, r.fragment)),
      )
    }
    const result = runPair(pair.client, pair.server, tamper)
    expect(result.clientError).toMatchObject({ alert: 'unexpected_message', message: expect.stringMatching(/between the fragments/) })
  })
})

describe('ChangeCipherSpec before the ServerHello (RFC 8446 5)', () => {
  const ccsFirst = onFlightWith('server->client', HS.server_hello, (ms) => [{ contentType: ContentType.change_cipher_spec, content: Uint8Array.of(1) }, ...ms.map((m) => m.raw)])

  it('is dropped by a client that offered TLS 1.3', () => {
    const result = through(ccsFirst, { minVersion: 'TLSv1.2' })
    expect(result).toMatchObject({})
    expect(result.clientError ?? result.serverError).toBeUndefined()
    expect(result.client.handshakeComplete).toBe(true)
  })

  it('is unexpected_message for a client that offered only TLS 1.2', () => {
    const pair = contexts(undefined, { maxVersion: 'TLSv1.2' })
    let done = false
    const result = runPair(pair.client, pair.server, (bytes, direction) => {
      if (direction !== 'server->client' || done) return bytes
      done = true
      return concatBytes(encodeRecord(ContentType.change_cipher_spec, 0x0303, Uint8Array.of(1)), bytes)
    })
    expect(result.clientError).toMatchObject({ alert: 'unexpected_message' })
  })
})

describe('ServerHello legacy_version (RFC 8446 4.1.3)', () => {
  const withLegacyVersion = (version: number, retry: boolean): FlightEditor =>
    onFlightWith('server->client', HS.server_hello, (ms) =>
      ms.map((m) => {
        if (m.type !== HS.server_hello || isHelloRetryRequest(m) !== retry) return m.raw
        const raw = m.raw.slice()
        raw[4] = version >> 8
        raw[5] = version & 0xff
        return raw
      }),
    )

  for (const version of [0x0301, 0x0302, 0x0304]) {
    it(`a TLS 1.3 ServerHello with legacy_version 0x${version.toString(16)}: illegal_parameter`, () => {
      expectRefusal(through(withLegacyVersion(version, false)), 'client', 'illegal_parameter', /legacy_version/)
    })
  }

  it('a HelloRetryRequest with legacy_version 0x0301: illegal_parameter', () => {
    const result = through(withLegacyVersion(0x0301, true), { groups: ['secp256r1', 'x25519'] }, { groups: ['x25519'] })
    expectRefusal(result, 'client', 'illegal_parameter', /legacy_version/)
  })
})

describe('the second ClientHello changes only what the HelloRetryRequest asked for (RFC 8446 4.1.2)', () => {
  // The client's share is P-256, which this server does not take: it asks for X25519.
  const retrying = { client: { groups: ['secp256r1', 'x25519'] }, server: { groups: ['x25519'] } } as const
  const editSecond = (edit: (extensions: { type: number; data: Uint8Array }[]) => { type: number; data: Uint8Array }[]) =>
    onFlightWith('client->server', HS.client_hello, (ms) => ms.map((m) => (m.type === HS.client_hello ? editHelloExtensions(m, edit) : m.raw)), 2)
  const sni = (name: string) => encodeExtension(serverNameList, name)

  it('completes when nothing else changed', () => {
    const result = through(() => undefined, retrying.client, retrying.server)
    expect(result.clientError ?? result.serverError).toBeUndefined()
    expect(result.client.info!.helloRetryRequest).toBe(true)
  })

  const changes: [string, (extensions: { type: number; data: Uint8Array }[]) => { type: number; data: Uint8Array }[], RegExp][] = [
    ['its SNI (localhost → otherhost)', (es) => es.map((e) => (e.type === EXT.server_name ? sni('otherhost') : e)), /server_name/],
    ['drops ALPN', (es) => es.filter((e) => e.type !== EXT.alpn), /application_layer_protocol_negotiation/],
    ['adds early_data', (es) => [...es, { type: EXT.early_data, data: new Uint8Array(0) }], /early_data/],
    ['adds a cookie we never sent', (es) => [...es, { type: EXT.cookie, data: Uint8Array.from([0, 2, 1, 2]) }], /cookie/],
    ['adds an unknown extension', (es) => [...es, { type: 0xfafa, data: new Uint8Array(0) }], /unknown|0xfafa/],
    ['reorders its extensions', (es) => [...es.slice(1), es[0]!], /changed|moved/],
  ]
  for (const [what, edit, message] of changes) {
    it(`a second hello that ${what}: illegal_parameter from the server`, () => {
      const result = through(editSecond(edit), { ...retrying.client, alpnProtocols: ['h2', 'http/1.1'] }, { ...retrying.server, alpnProtocols: ['h2'] })
      expectRefusal(result, 'server', 'illegal_parameter', message)
    })
  }
})

describe('NewSessionTicket floods', () => {
  /** A connected pair, and a way to send records the server never sent under its application write key. */
  function connectedWithForger() {
    const lines: string[] = []
    const pair = contexts(undefined, { cipherSuites: ['TLS_AES_128_GCM_SHA256'], keyLog: (l) => lines.push(l) }, {})
    expect(runPair(pair.client, pair.server)).toEqual({})
    const secret = lines.find((l) => l.startsWith('SERVER_TRAFFIC_SECRET_0'))!.split(' ')[2]!
    const suite = cipherSuiteByCode(0x1301) as Tls13CipherSuite
    const { key, iv } = trafficKeys(nobleProvider, suite.hash, Buffer.from(secret, 'hex'), suite.keyLength, suite.ivLength)
    // The server sent nothing after its Finished (no tickets, no data): its application sequence starts at 0.
    const sealer = new Tls13RecordProtection(nobleProvider, suite.aead, key, iv)
    const record = (type: ContentType, content: Uint8Array) => now(sealer.seal(type, content))
    return { ...pair, record }
  }
  const ticket = (i: number) => encodeNewSessionTicket({ ticketLifetime: 3600, ticketAgeAdd: i, ticketNonce: Uint8Array.of(i & 0xff), ticket: Uint8Array.of(1, 2, 3), extensions: [] })
  const tickets = (from: number, count: number) => concatBytes(...Array.from({ length: count }, (_, i) => ticket(from + i)))

  it('refuses a record that carries more than 32 post-handshake messages (one 16 KiB record held 910 tickets)', () => {
    const { client, record } = connectedWithForger()
    const flood = tickets(0, 700)
    expect(flood.length).toBeLessThanOrEqual(16384)
    expect(() => client.receive(record(ContentType.handshake, flood))).toThrow(expect.objectContaining({ alert: 'unexpected_message', message: expect.stringMatching(/32 post-handshake messages in one record/) }))
  })

  it('keeps the first 8 tickets, drops later ones unread, and refuses a connection past 1024 tickets', () => {
    const { client, record } = connectedWithForger()
    const started = performance.now()
    let sent = 0
    // 32 tickets per record, one byte of data between records (which resets the in-a-row count).
    while (sent + 32 <= 1024) {
      client.receive(concatBytes(record(ContentType.handshake, tickets(sent, 32)), record(ContentType.application_data, Uint8Array.of(0x61))))
      sent += 32
    }
    const elapsed = performance.now() - started
    console.log(`${sent} NewSessionTickets in 32-ticket records: ${elapsed.toFixed(1)} ms of client CPU (8 kept)`)
    expect(client.tickets).toHaveLength(8)
    expect(client.tickets.map((t) => t.ageAdd)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(client.read()).toHaveLength(sent / 32)
    expect(() => client.receive(record(ContentType.handshake, ticket(9999)))).toThrow(expect.objectContaining({ message: expect.stringMatching(/more than 1024 NewSessionTickets/) }))
  })
})

describe('the limit on records without data, after the handshake as during it', () => {
  it('takes 32 warning alerts in a row and refuses the 33rd, as the README says', () => {
    const pair = contexts(undefined, { maxVersion: 'TLSv1.2' })
    expect(runPair(pair.client, pair.server)).toEqual({})
    for (let i = 0; i < 32; i++) pair.server.receive(encodeWarningFrom(pair.client))
    expect(() => pair.server.receive(encodeWarningFrom(pair.client))).toThrow(expect.objectContaining({ alert: 'unexpected_message' }))
  })
})

/** A warning alert record the client would send (TLS 1.2: warning alerts are allowed), taken from its record layer. */
function encodeWarningFrom(client: Connection): Uint8Array {
  // The client's record layer seals under its current write key; no public API sends a bare warning, so borrow the session's.
  const records = (client as unknown as { records: { send(type: number, data: Uint8Array): void; takeOutgoing(): Uint8Array } }).records
  records.send(ContentType.alert, Uint8Array.from([WARNING, USER_CANCELED]))
  return records.takeOutgoing()
}

describe('SNI values (RFC 6066 3, RFC 5890)', () => {
  const hello = (name: string) => [{ type: EXT.server_name, data: serverNameBytes(name) }]
  function serverNameBytes(name: string): Uint8Array {
    const host = Buffer.from(name, 'latin1')
    return Uint8Array.from([(host.length + 3) >> 8, (host.length + 3) & 0xff, 0, host.length >> 8, host.length & 0xff, ...host])
  }

  it('normalises the name: lower case, no trailing dot', () => {
    expect(requestedServerName(hello('LocalHost'))).toBe('localhost')
    expect(requestedServerName(hello('Example.COM.'))).toBe('example.com')
  })

  it('ignores an IP literal, which HostName does not permit', () => {
    expect(requestedServerName(hello('127.0.0.1'))).toBeUndefined()
    expect(requestedServerName(hello('::1'))).toBeUndefined()
  })

  for (const bad of ['*.test', `${'a'.repeat(70)}.test`, 'a..test', '-lead.test', 'sp ace.test'.replace(' ', '\t'), 'x/y.test'])
    it(`refuses ${JSON.stringify(bad.slice(0, 24))} with illegal_parameter`, () => {
      expect(() => requestedServerName(hello(bad))).toThrow(expect.objectContaining({ alert: 'illegal_parameter' }))
    })

  it('reports the normalised name in info.serverName, and our client sends it normalised and never an IP', () => {
    const server = createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem }).server()
    const client = createDefaultContext('server-auth', { ca: chain.rootPem }).client({ serverName: 'LOCALHOST.' })
    const first = client.takeOutgoing()
    expect(Buffer.from(first).includes(Buffer.from('localhost'))).toBe(true)
    expect(Buffer.from(first).includes(Buffer.from('LOCALHOST'))).toBe(false)
    server.receive(first)
    expect(runPair(client, server)).toEqual({})
    expect(server.info!.serverName).toBe('localhost')
    const byAddress = createDefaultContext('server-auth', { ca: chain.rootPem }).client({ serverName: '127.0.0.1' })
    expect(Buffer.from(byAddress.takeOutgoing()).includes(Buffer.from('127.0.0.1'))).toBe(false)
  })
})
