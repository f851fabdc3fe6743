// 0-RTT data our server does not accept is skipped (RFC 8446 4.2.10): the same records a TLS test suite sent, in memory with the server's own keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nobleProvider } from '../../src/crypto/noble.js'
import type { Connection } from '../../src/handshake/connection.js'
import { createDefaultContext } from '../../src/handshake/context.js'
import { trafficKeys } from '../../src/handshake/key-schedule.js'
import { cipherSuiteByCode, type Tls13CipherSuite } from '../../src/policy/suites.js'
import { ContentType } from '../../src/record/content.js'
import { Tls13RecordProtection } from '../../src/record/tls13-protection.js'
import { concatBytes, editHelloExtensions, encodeRecord, HS, parseRecords } from '../helpers/mitm.js'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { now } from '../helpers/sync.js'

const EARLY_DATA = 42
const HANDSHAKE_HEADER = 4

let chain: Chain
beforeAll(async () => {
  chain = await makeChain()
})
afterAll(cleanupPki)

/** Records a client that sent 0-RTT data would put on the wire: its early data is garbage to us (we hold no early key). */
function earlyRecord(length: number, seed: number): Uint8Array {
  return encodeRecord(ContentType.application_data, 0x0303, Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff))
}

const ccs = encodeRecord(ContentType.change_cipher_spec, 0x0303, Uint8Array.of(1))

interface Setup {
  server: Connection
  client: Connection
  /** The client's first ClientHello record(s), with early_data added. */
  hello: Uint8Array
  /** Seals a record as the client would under its handshake traffic key (known once the server has keyed it). */
  sealAsClient(type: ContentType, content: Uint8Array): Uint8Array
}

function setup(groups?: { client: string[]; server: string[] }): Setup {
  const lines: string[] = []
  const server = createDefaultContext('client-auth', {
    cert: chain.chainPem,
    key: chain.keyPem,
    minVersion: 'TLSv1.3',
    cipherSuites: ['TLS_AES_128_GCM_SHA256'],
    keyLog: (l) => lines.push(l),
    ...(groups && { groups: groups.server as never }),
  }).server()
  const client = createDefaultContext('server-auth', { ca: chain.rootPem, ...(groups && { groups: groups.client as never }) }).client({ serverName: 'localhost' })
  const [record] = parseRecords(client.takeOutgoing())
  const message = { type: HS.client_hello, body: record!.fragment.subarray(HANDSHAKE_HEADER), raw: record!.fragment }
  const hello = encodeRecord(ContentType.handshake, 0x0301, editHelloExtensions(message, (es) => [...es, { type: EARLY_DATA, data: new Uint8Array(0) }]))
  let sealer: Tls13RecordProtection | undefined
  const sealAsClient = (type: ContentType, content: Uint8Array) => {
    if (!sealer) {
      const secret = lines.find((l) => l.startsWith('CLIENT_HANDSHAKE_TRAFFIC_SECRET'))!.split(' ')[2]!
      const suite = cipherSuiteByCode(0x1301) as Tls13CipherSuite
      const { key, iv } = trafficKeys(nobleProvider, suite.hash, Buffer.from(secret, 'hex'), suite.keyLength, suite.ivLength)
      sealer = new Tls13RecordProtection(nobleProvider, suite.aead, key, iv)
    }
    return now(sealer.seal(type, content))
  }
  return { server, client, hello, sealAsClient }
}

/** Feeds `bytes` to the server (whole, or `chunk` bytes at a time); returns its error, if any. */
function feed(server: Connection, bytes: Uint8Array, chunk = Infinity): unknown {
  try {
    for (let at = 0; at < bytes.length; at += chunk) server.receive(bytes.subarray(at, at + chunk))
    return undefined
  } catch (error) {
    return error
  }
}

/** A Finished that cannot be right: the server gets this far only if it skipped the early records before it. */
const bogusFinished = Uint8Array.from([HS.finished, 0, 0, 32, ...new Uint8Array(32)])

describe('0-RTT records after a ClientHello with early_data are skipped, up to a limit', () => {
  const cases: [string, (s: Setup) => Uint8Array, number?][] = [
    ['invalid 0-RTT data', () => concatBytes(earlyRecord(100, 1), earlyRecord(1000, 2), earlyRecord(16_400, 3))],
    ['with a CCS first', () => concatBytes(ccs, earlyRecord(100, 1), earlyRecord(200, 2))],
    ['with a CCS between early records', () => concatBytes(earlyRecord(100, 1), ccs, earlyRecord(200, 2))],
    ['fragmented (delivered byte by byte)', () => concatBytes(ccs, earlyRecord(300, 1), earlyRecord(50, 2)), 1],
  ]
  for (const [what, early, chunk] of cases) {
    it(`${what}: the server answers with its flight and reads the client's first real record`, () => {
      const s = setup()
      expect(feed(s.server, s.hello)).toBeUndefined()
      const flight = s.server.takeOutgoing()
      expect(parseRecords(flight)[0]!.fragment[0]).toBe(HS.server_hello)
      // The early records, then the client's Finished under its handshake key: the Finished is what fails.
      const error = feed(s.server, concatBytes(early(s), s.sealAsClient(ContentType.handshake, bogusFinished)), chunk)
      expect(error).toMatchObject({ alert: 'decrypt_error' })
    })
  }

  it('refuses what passes the limit (64 KiB of records) with bad_record_mac', () => {
    const s = setup()
    feed(s.server, s.hello)
    const flood = concatBytes(...Array.from({ length: 5 }, (_, i) => earlyRecord(16_400, i)))
    expect(feed(s.server, flood)).toMatchObject({ alert: 'bad_record_mac' })
  })

  it('refuses an undecryptable record once one has opened under the handshake key (bad_record_mac)', () => {
    const s = setup()
    feed(s.server, s.hello)
    // The first half of the client's Finished opens under the handshake key; what follows must open too.
    const error = feed(s.server, concatBytes(earlyRecord(100, 1), s.sealAsClient(ContentType.handshake, bogusFinished.subarray(0, 10)), earlyRecord(100, 2)))
    expect(error).toMatchObject({ alert: 'bad_record_mac' })
  })

  it('without early_data in the hello, the first undecryptable record is bad_record_mac', () => {
    const server = createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem }).server()
    const hello = createDefaultContext('server-auth', { ca: chain.rootPem }).client({ serverName: 'localhost' }).takeOutgoing()
    expect(feed(server, hello)).toBeUndefined()
    expect(feed(server, earlyRecord(100, 1))).toMatchObject({ alert: 'bad_record_mac' })
  })
})

describe('0-RTT records around a HelloRetryRequest', () => {
  // The client's only share is P-256, which this server does not take: a HelloRetryRequest for X25519.
  const groups = { client: ['secp256r1', 'x25519'], server: ['x25519'] }

  function retried(): Setup & { secondHello: Uint8Array } {
    const s = setup(groups)
    expect(feed(s.server, s.hello)).toBeUndefined()
    const retry = s.server.takeOutgoing()
    // The real client answers the HelloRetryRequest with its second ClientHello (which, rightly, offers no early data).
    s.client.receive(retry)
    return { ...s, secondHello: s.client.takeOutgoing() }
  }

  it('skips the encrypted records before the second ClientHello, then completes its part (the bogus Finished fails)', () => {
    const s = retried()
    // Records as large as 0-RTT ones may be (2^14 + 256 bytes of ciphertext), though the read state is plaintext.
    expect(feed(s.server, concatBytes(earlyRecord(200, 1), ccs, earlyRecord(16_640, 2), s.secondHello))).toBeUndefined()
    expect(parseRecords(s.server.takeOutgoing())[0]!.fragment[0]).toBe(HS.server_hello)
    expect(feed(s.server, s.sealAsClient(ContentType.handshake, bogusFinished))).toMatchObject({ alert: 'decrypt_error' })
  })

  it('refuses early data after the second ClientHello (bad_record_mac): none may follow a HelloRetryRequest', () => {
    const s = retried()
    expect(feed(s.server, s.secondHello)).toBeUndefined()
    expect(feed(s.server, earlyRecord(200, 3))).toMatchObject({ alert: 'bad_record_mac' })
  })
})
