// record_size_limit (RFC 8449) in memory, our client against our server: both limits on the wire in TLS 1.3 and 1.2, what is announced, and peers that ignore our limit.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TlsAlertReceivedError, TlsConfigError, TlsError } from '../../src/errors.js'
import type { Connection } from '../../src/handshake/connection.js'
import { type ContextOptions, createDefaultContext } from '../../src/handshake/context.js'
import { ContentType } from '../../src/record/content.js'
import { editHelloExtensions, encodeRecord, HS, parseRecords, splitHello, Tls13Mitm, type WireRecord } from '../helpers/mitm.js'
import { type PairResult, runPair, type Tamper } from '../helpers/pair.js'
import { type Chain, cleanupPki, makeChain, makeClientChain } from '../helpers/pki.js'
import { plaintextHandshakeMessages } from '../interop/interop12-helpers.js'

const RECORD_SIZE_LIMIT = 28
const TAG = 16
/** TLS 1.2 AES-GCM's explicit nonce and tag. */
const GCM12_EXPANSION = 8 + TAG

let chain: Chain
let clientChain: Chain
beforeAll(async () => {
  ;[chain, clientChain] = await Promise.all([makeChain({ withIntermediate: true }), makeClientChain({ withIntermediate: true })])
})
afterAll(cleanupPki)

/** Everything each side put on the wire, as records. */
class Wire {
  readonly sent: Record<'client->server' | 'server->client', Uint8Array[]> = { 'client->server': [], 'server->client': [] }
  readonly tamper: Tamper = (bytes, direction) => {
    this.sent[direction].push(bytes.slice())
    return bytes
  }

  records(direction: 'client->server' | 'server->client'): WireRecord[] {
    return this.sent[direction].flatMap((bytes) => parseRecords(bytes))
  }

  /** The length fields of the protected records (TLS 1.3: application_data; TLS 1.2: after the ChangeCipherSpec). */
  protectedLengths(direction: 'client->server' | 'server->client'): number[] {
    const records = this.records(direction)
    const ccs = records.findIndex((r) => r.type === ContentType.change_cipher_spec)
    const tls12 = records.some((r) => r.type === ContentType.handshake && r.fragment[0] === HS.certificate)
    const protectedOnes = tls12 ? records.slice(ccs + 1) : records.filter((r) => r.type === ContentType.application_data)
    return protectedOnes.map((r) => r.fragment.length)
  }
}

function pair(client: ContextOptions, server: ContextOptions, keyLog?: (line: string) => void): { client: Connection; server: Connection } {
  return {
    client: createDefaultContext('server-auth', { ca: chain.rootPem, ...client }).client({ serverName: 'localhost' }),
    server: createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem, keyLog, ...server }).server(),
  }
}

function expectNoErrors(result: PairResult): void {
  expect(result.clientError).toBeUndefined()
  expect(result.serverError).toBeUndefined()
}

/** Sends `size` random bytes each way (and a KeyUpdate first in TLS 1.3), checking they arrive unchanged. */
function exchange(client: Connection, server: Connection, wire: Wire, size: number): void {
  const up = randomBytes(size)
  const down = randomBytes(size)
  if (client.info?.version === 'TLSv1.3') client.updateKeys(true)
  client.write(up)
  server.write(down)
  expectNoErrors(runPair(client, server, wire.tamper))
  expect(Buffer.from(server.read()).equals(up)).toBe(true)
  expect(Buffer.from(client.read()).equals(down)).toBe(true)
}

/** The record_size_limit in a plaintext hello of `bytes`, or undefined. */
function helloLimit(bytes: Uint8Array[], type: number): number | undefined {
  for (const message of bytes.flatMap((b) => plaintextHandshakeMessages(b))) {
    if (message.type !== type) continue
    const extension = splitHello(type, message.body).extensions.find((e) => e.type === RECORD_SIZE_LIMIT)
    return extension && (extension.data[0]! << 8) | extension.data[1]!
  }
  return undefined
}

function expectRefused(mine: unknown, theirs: unknown, alert: string): void {
  expect(mine).toBeInstanceOf(TlsError)
  expect(mine).not.toBeInstanceOf(TlsAlertReceivedError)
  expect((mine as TlsError).alert).toBe(alert)
  expect((theirs as TlsAlertReceivedError).received).toBe(alert)
}

describe('both limits honoured on the wire', () => {
  it('TLS 1.3: the server sends TLSInnerPlaintext of at most the client limit (100), the client at most the server limit (300), after KeyUpdates too', () => {
    const wire = new Wire()
    const { client, server } = pair({ recordSizeLimit: 100 }, { recordSizeLimit: 300 })
    expectNoErrors(runPair(client, server, wire.tamper))
    expect(client.info?.version).toBe('TLSv1.3')
    exchange(client, server, wire, 5000)
    const down = wire.protectedLengths('server->client')
    const up = wire.protectedLengths('client->server')
    // From EncryptedExtensions on, every protected record: 100 bytes of TLSInnerPlaintext is 100 + 16 on the wire.
    expect(Math.max(...down)).toBe(100 + TAG)
    expect(Math.max(...up)).toBe(300 + TAG)
    expect(down.length).toBeGreaterThan(5000 / 99)
  })

  for (const [suite, expansion] of [
    ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', GCM12_EXPANSION],
    ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', TAG],
  ] as const) {
    it(`TLS 1.2 (${suite}): protected records carry at most the peer's limit; the plaintext Certificate is not subject to it`, () => {
      const wire = new Wire()
      const { client, server } = pair({ recordSizeLimit: 100, maxVersion: 'TLSv1.2' }, { recordSizeLimit: 200, cipherSuites: [suite] })
      expectNoErrors(runPair(client, server, wire.tamper))
      expect(client.info?.cipherSuite).toBe(suite)
      exchange(client, server, wire, 3000)
      expect(Math.max(...wire.protectedLengths('server->client'))).toBe(100 + expansion)
      expect(Math.max(...wire.protectedLengths('client->server'))).toBe(200 + expansion)
      const certificate = wire.records('server->client').find((r) => r.type === ContentType.handshake && r.fragment.length > 100)
      expect(certificate, 'an unprotected record over the client limit').toBeDefined()
      // The server answers with its own limit in the ServerHello.
      expect(helloLimit(wire.sent['server->client'], HS.server_hello)).toBe(200)
    })
  }
})

describe('what is announced', () => {
  it('a client announces the protocol maximum when no limit is set: 2^14 + 1 offering TLS 1.3, 2^14 offering only TLS 1.2; a TLS 1.2 server answers 2^14', () => {
    for (const [options, announced, answer] of [
      [{}, 2 ** 14 + 1, undefined],
      [{ maxVersion: 'TLSv1.2' }, 2 ** 14, 2 ** 14],
      [{ recordSizeLimit: 2 ** 14 + 1, maxVersion: 'TLSv1.2' }, 2 ** 14, 2 ** 14],
      [{ recordSizeLimit: 512 }, 512, undefined],
    ] as const) {
      const wire = new Wire()
      const { client, server } = pair(options, { recordSizeLimit: 2 ** 14 + 1 })
      expectNoErrors(runPair(client, server, wire.tamper))
      expect(helloLimit(wire.sent['client->server'], HS.client_hello)).toBe(announced)
      expect(helloLimit(wire.sent['server->client'], HS.server_hello)).toBe(answer)
    }
  })

  it('a TLS 1.3 server answers in EncryptedExtensions, never in the ServerHello', () => {
    const mitm = new Tls13Mitm()
    const { client, server } = pair({ recordSizeLimit: 1000 }, { recordSizeLimit: 2000 }, mitm.keyLog)
    expectNoErrors(runPair(client, server, mitm.tamper))
    const serverMessages = mitm.flights.filter((f) => f.direction === 'server->client').flatMap((f) => f.messages)
    const encryptedExtensions = serverMessages.find((m) => m.type === HS.encrypted_extensions)!
    // EncryptedExtensions: extensions<0..2^16-1>, here ending with record_size_limit(2000).
    expect(Buffer.from(encryptedExtensions.body.subarray(-6)).toString('hex')).toBe('001c000207d0')
    expect(splitHello(HS.server_hello, serverMessages.find((m) => m.type === HS.server_hello)!.body).extensions.map((e) => e.type)).not.toContain(RECORD_SIZE_LIMIT)
  })

  it('refuses a ClientHello announcing less than 64 with illegal_parameter', () => {
    const { client, server } = pair({}, {})
    const tamper: Tamper = (bytes, direction) => {
      if (direction !== 'client->server' || bytes[5] !== HS.client_hello) return bytes
      const [record] = parseRecords(bytes)
      const [hello] = plaintextHandshakeMessages(bytes)
      const edited = editHelloExtensions({ type: HS.client_hello, body: hello!.body, raw: record!.fragment }, (extensions) =>
        extensions.map((e) => (e.type === RECORD_SIZE_LIMIT ? { type: e.type, data: Uint8Array.from([0, 63]) } : e)),
      )
      return encodeRecord(ContentType.handshake, record!.version, edited)
    }
    const result = runPair(client, server, tamper)
    expectRefused(result.serverError, result.clientError, 'illegal_parameter')
    expect((result.serverError as Error).message).toMatch(/below 64/)
  })

  it('validates the option: an integer from 64 to 2^14 + 1', () => {
    for (const bad of [63, 2 ** 14 + 2, 100.5, '100', Number.NaN]) {
      expect(() => createDefaultContext('server-auth', { ca: chain.rootPem, recordSizeLimit: bad as number })).toThrow(TlsConfigError)
    }
    expect(() => createDefaultContext('server-auth', { ca: chain.rootPem, recordSizeLimit: 64 })).not.toThrow()
  })
})

describe('a peer that exceeds our limit gets record_overflow', () => {
  it('TLS 1.3 client (limit 64): the server Certificate in one record, re-framed by a middle, is refused', () => {
    // The middle re-frames each handshake message into one record; EncryptedExtensions goes alone, so the limit is in force for the next.
    const mitm = new Tls13Mitm()
    const { client, server } = pair({ recordSizeLimit: 64 }, {}, mitm.keyLog)
    const result = runPair(client, server, mitm.tamper)
    expectRefused(result.clientError, result.serverError, 'record_overflow')
    expect((result.clientError as Error).message).toMatch(/record_size_limit|limit of 80/)
  })

  it('TLS 1.3 server (limit 64): a client Certificate in one record is refused', () => {
    const mitm = new Tls13Mitm()
    const { client, server } = pair(
      { cert: clientChain.chainPem, key: clientChain.keyPem },
      { recordSizeLimit: 64, verifyMode: 'required', ca: chain.rootPem },
      mitm.keyLog,
    )
    const result = runPair(client, server, mitm.tamper)
    expectRefused(result.serverError, result.clientError, 'record_overflow')
  })

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: an application record one byte over the limit is record_overflow from its header; without the limit the same bytes are bad_record_mac`, () => {
      for (const limit of [100, undefined]) {
        const { client, server } = pair({ maxVersion: version, ...(limit && { recordSizeLimit: limit }), cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'] }, {})
        expectNoErrors(runPair(client, server))
        expect(client.info?.version).toBe(version)
        // ChaCha20-Poly1305 adds its 16-byte tag only, in both versions.
        const forged = encodeRecord(ContentType.application_data, 0x0303, randomBytes(100 + TAG + 1))
        expect(() => client.receive(forged)).toThrow(expect.objectContaining({ alert: limit ? 'record_overflow' : 'bad_record_mac' }))
      }
    })
  }
})
