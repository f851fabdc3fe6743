// TLS 1.3 bad input in memory: real handshakes edited by a man in the middle, each refusal's alert checked on the side that sends it and the side that receives it.
import { beforeAll, afterAll, describe, expect, it } from 'vitest'
import { type AlertName, TlsAlertReceivedError, TlsError } from '../../src/errors.js'
import type { Connection } from '../../src/handshake/connection.js'
import { type ContextOptions, createDefaultContext } from '../../src/handshake/context.js'
import { ContentType } from '../../src/record/content.js'
import {
  concatBytes,
  editHelloExtensions,
  encodeRecord,
  type Flight,
  type FlightEditor,
  flipBit,
  type HandshakeMessage,
  handshakeMessage,
  HS,
  isHelloRetryRequest,
  parseRecords,
  RECORD_HEADER,
  type Replacement,
  Tls13Mitm,
  withServerHelloSuite,
} from '../helpers/mitm.js'
import { type PairResult, runPair, type Tamper } from '../helpers/pair.js'
import { type Chain, cleanupPki, makeChain, makeClientChain, type PkiKeyType } from '../helpers/pki.js'

const EXT = { supported_groups: 10, supported_versions: 43, key_share: 51 } as const
const GROUP = { secp256r1: 0x0017, secp384r1: 0x0018, x25519: 0x001d } as const

let chain: Chain
let clientCertificate: Chain
beforeAll(async () => {
  ;[chain, clientCertificate] = await Promise.all([makeChain({ withIntermediate: true }), makeClientChain({ withIntermediate: true })])
})
afterAll(cleanupPki)

interface PairOptions {
  client?: ContextOptions
  server?: ContextOptions
  /** The server's chain (default: ECDSA P-256 with an intermediate). */
  serverChain?: Chain
}

/** A fresh client and server, TLS 1.3 only, both logging secrets to the middle. */
function makePair(mitm: Tls13Mitm, options: PairOptions = {}): { client: Connection; server: Connection } {
  const served = options.serverChain ?? chain
  const client = createDefaultContext('server-auth', { ca: served.rootPem, minVersion: 'TLSv1.3', keyLog: mitm.keyLog, ...options.client }).client({
    serverName: 'localhost',
  })
  const server = createDefaultContext('client-auth', { cert: served.chainPem, key: served.keyPem, minVersion: 'TLSv1.3', keyLog: mitm.keyLog, ...options.server }).server()
  return { client, server }
}

/** Runs a handshake through a middle with `editor` (none: straight through), then `tamper` on the wire bytes. */
function run(editor: FlightEditor | undefined, options: PairOptions = {}, tamper: Tamper = (bytes) => bytes): PairResult & { client: Connection; server: Connection } {
  const mitm = new Tls13Mitm(editor)
  const { client, server } = makePair(mitm, options)
  const result = runPair(client, server, (bytes, direction) => tamper(editor ? mitm.tamper(bytes, direction) : bytes, direction))
  return { ...result, client, server }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/** `receiver` refused with `alert`, and the other side received exactly that alert. */
function expectRefusal(result: PairResult, receiver: 'client' | 'server', alert: AlertName): void {
  const [mine, theirs] = receiver === 'client' ? [result.clientError, result.serverError] : [result.serverError, result.clientError]
  expect(mine, `${receiver}: ${describeError(mine)}`).toBeInstanceOf(TlsError)
  expect(mine, `${receiver}: ${describeError(mine)}`).not.toBeInstanceOf(TlsAlertReceivedError)
  expect((mine as TlsError).alert, `${receiver}: ${describeError(mine)}`).toBe(alert)
  const other = receiver === 'client' ? 'server' : 'client'
  expect(theirs, `${other}: ${describeError(theirs)}`).toBeInstanceOf(TlsAlertReceivedError)
  expect((theirs as TlsAlertReceivedError).received, `${other}: ${describeError(theirs)}`).toBe(alert)
}

/** An editor for the first flight in `direction` under `protection` that holds a message of type `carrying`. */
function editFlight(
  direction: Flight['direction'],
  protection: Flight['protection'],
  carrying: number,
  edit: (messages: readonly HandshakeMessage[]) => Replacement[],
): FlightEditor {
  let done = false
  return (flight) => {
    if (done || flight.direction !== direction || flight.protection !== protection || !flight.messages.some((m) => m.type === carrying)) return undefined
    done = true
    return edit(flight.messages)
  }
}

/** Edits the server's encrypted flight (EncryptedExtensions … Finished). */
const serverFlight = (edit: (messages: readonly HandshakeMessage[]) => Replacement[]) => editFlight('server->client', 'handshake', HS.encrypted_extensions, edit)
/** Edits the client's encrypted flight (its Certificate, CertificateVerify, Finished). */
const clientFlight = (edit: (messages: readonly HandshakeMessage[]) => Replacement[]) => editFlight('client->server', 'handshake', HS.finished, edit)
/** Edits the ServerHello (not a HelloRetryRequest). */
const serverHello = (edit: (hello: HandshakeMessage) => Uint8Array) =>
  editFlight('server->client', 'plaintext', HS.server_hello, (messages) => messages.map((m) => (m.type === HS.server_hello && !isHelloRetryRequest(m) ? edit(m) : m.raw)))

/** The raw messages with the one of `type` passed through `change` (it may return several, or none). */
function replacing(messages: readonly HandshakeMessage[], type: number, change: (message: HandshakeMessage) => Replacement[]): Replacement[] {
  return messages.flatMap((m) => (m.type === type ? change(m) : [m.raw]))
}

/** A message with its body transformed, the header re-framed to match. */
function withBody(message: HandshakeMessage, change: (body: Uint8Array) => Uint8Array): Uint8Array {
  return handshakeMessage(message.type, change(message.body.slice()))
}

/** Sets a big-endian uint16 in a copy of `bytes`. */
function setU16(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = bytes.slice()
  out[at] = value >> 8
  out[at + 1] = value & 0xff
  return out
}

describe('out-of-order handshake messages → unexpected_message', () => {
  it('Certificate before EncryptedExtensions (the client refuses)', () => {
    const result = run(
      serverFlight((ms) => {
        const [ee, cert, ...rest] = ms
        expect([ee!.type, cert!.type]).toEqual([HS.encrypted_extensions, HS.certificate])
        return [cert!.raw, ee!.raw, ...rest.map((m) => m.raw)]
      }),
    )
    expectRefusal(result, 'client', 'unexpected_message')
  })

  it('Finished where CertificateVerify belongs (the client refuses)', () => {
    const result = run(serverFlight((ms) => replacing(ms, HS.certificate_verify, () => [])))
    expectRefusal(result, 'client', 'unexpected_message')
  })

  it('a NewSessionTicket inside the server handshake flight (the client refuses)', () => {
    const ticket = handshakeMessage(HS.new_session_ticket, Uint8Array.from([0, 0, 0x1c, 0x20, 1, 2, 3, 4, 1, 0, 0, 1, 0xaa, 0, 0]))
    const result = run(serverFlight((ms) => replacing(ms, HS.certificate, (m) => [ticket, m.raw])))
    expectRefusal(result, 'client', 'unexpected_message')
  })

  it('a second EncryptedExtensions (the client refuses)', () => {
    const result = run(serverFlight((ms) => replacing(ms, HS.encrypted_extensions, (m) => [m.raw, m.raw])))
    expectRefusal(result, 'client', 'unexpected_message')
  })

  it("the client's Finished where its requested Certificate belongs (the server refuses)", () => {
    const result = run(
      clientFlight((ms) => ms.filter((m) => m.type === HS.finished).map((m) => m.raw)),
      { client: { cert: clientCertificate.chainPem, key: clientCertificate.keyPem }, server: { verifyMode: 'required', ca: chain.rootPem } },
    )
    expectRefusal(result, 'server', 'unexpected_message')
  })
})

describe('malformed handshake messages → decode_error', () => {
  it('EncryptedExtensions one byte short of its extensions length (the client refuses)', () => {
    const result = run(serverFlight((ms) => replacing(ms, HS.encrypted_extensions, (m) => [withBody(m, (b) => b.subarray(0, b.length - 1))])))
    expectRefusal(result, 'client', 'decode_error')
  })

  it('an empty EncryptedExtensions body (the client refuses)', () => {
    const result = run(serverFlight((ms) => replacing(ms, HS.encrypted_extensions, () => [handshakeMessage(HS.encrypted_extensions, new Uint8Array(0))])))
    expectRefusal(result, 'client', 'decode_error')
  })

  it('a Certificate whose certificate_list length is larger than the message (the client refuses)', () => {
    // Certificate: certificate_request_context<0..255> (here empty), certificate_list<0..2^24-1>.
    const result = run(serverFlight((ms) => replacing(ms, HS.certificate, (m) => [withBody(m, (b) => ((b[3]! += 1), b))])))
    expectRefusal(result, 'client', 'decode_error')
  })

  it('a CertificateVerify whose signature length is one more than the bytes that follow (the client refuses)', () => {
    // CertificateVerify: algorithm (2), signature<0..2^16-1>.
    const result = run(serverFlight((ms) => replacing(ms, HS.certificate_verify, (m) => [withBody(m, (b) => setU16(b, 2, ((b[2]! << 8) | b[3]!) + 1))])))
    expectRefusal(result, 'client', 'decode_error')
  })

  it('a server Finished with verify_data one byte longer than the hash (the client refuses)', () => {
    const result = run(serverFlight((ms) => replacing(ms, HS.finished, (m) => [withBody(m, (b) => concatBytes(b, new Uint8Array([0])))])))
    expectRefusal(result, 'client', 'decode_error')
  })

  it('a client Finished one byte short (the server refuses)', () => {
    const result = run(clientFlight((ms) => replacing(ms, HS.finished, (m) => [withBody(m, (b) => b.subarray(1))])))
    expectRefusal(result, 'server', 'decode_error')
  })
})

describe('a ServerHello choosing what the client did not offer → illegal_parameter', () => {
  it('a cipher suite the client did not offer (TLS_AES_256_GCM_SHA384 to a client offering only TLS_AES_128_GCM_SHA256)', () => {
    const result = run(
      serverHello((hello) => withServerHelloSuite(hello, 0x1302)),
      { client: { cipherSuites: ['TLS_AES_128_GCM_SHA256'] } },
    )
    expectRefusal(result, 'client', 'illegal_parameter')
  })

  for (const [name, group] of [
    ['P-384, a group the client does not support', GROUP.secp384r1],
    ['P-256, a supported group the client sent no share for', GROUP.secp256r1],
  ] as const) {
    it(`a key_share for ${name} (client groups X25519, P-256; its share is X25519)`, () => {
      const result = run(
        serverHello((hello) => editHelloExtensions(hello, (exts) => exts.map((e) => (e.type === EXT.key_share ? { type: e.type, data: setU16(e.data, 0, group) } : e)))),
        { client: { groups: ['X25519', 'P-256'] } },
      )
      expectRefusal(result, 'client', 'illegal_parameter')
    })
  }

  for (const [name, version] of [
    ['TLS 1.2 (0x0303) to a TLS 1.3-only client', 0x0303],
    ['0x0305, a version nobody offered', 0x0305],
  ] as const) {
    it(`supported_versions selecting ${name}`, () => {
      const result = run(
        serverHello((hello) => editHelloExtensions(hello, (exts) => exts.map((e) => (e.type === EXT.supported_versions ? { type: e.type, data: setU16(e.data, 0, version) } : e)))),
      )
      expectRefusal(result, 'client', 'illegal_parameter')
    })
  }

  it('a legacy_session_id_echo that is not our session id', () => {
    const result = run(serverHello((hello) => withBody(hello, (b) => ((b[2 + 32 + 1]! ^= 1), b))))
    expectRefusal(result, 'client', 'illegal_parameter')
  })
})

describe('HelloRetryRequest', () => {
  /** Client share X25519, server only P-256: the server must retry. */
  const retrying: PairOptions = { client: { groups: ['X25519', 'P-256'] }, server: { groups: ['P-256'] } }

  it('the pair retries once and completes through the middle when nothing is edited (the baseline for the cases below)', () => {
    const result = run(() => undefined, retrying)
    expect(result.clientError).toBeUndefined()
    expect(result.serverError).toBeUndefined()
    expect(result.client.info?.helloRetryRequest).toBe(true)
    expect(result.server.info?.helloRetryRequest).toBe(true)
  })

  it('a second HelloRetryRequest (the first one replayed in place of the ServerHello) → unexpected_message', () => {
    let first: Uint8Array | undefined
    const result = run((flight) => {
      if (flight.direction !== 'server->client' || flight.protection !== 'plaintext') return undefined
      return flight.messages.map((m) => {
        if (isHelloRetryRequest(m)) first = m.raw
        return m.type === HS.server_hello && !isHelloRetryRequest(m) ? first! : m.raw
      })
    }, retrying)
    expectRefusal(result, 'client', 'unexpected_message')
  })

  it('a HelloRetryRequest asking for X25519, the group the client already sent a share for → illegal_parameter', () => {
    const result = run(
      editFlight('server->client', 'plaintext', HS.server_hello, (ms) =>
        ms.map((m) => (isHelloRetryRequest(m) ? editHelloExtensions(m, (exts) => exts.map((e) => (e.type === EXT.key_share ? { type: e.type, data: setU16(e.data, 0, GROUP.x25519) } : e))) : m.raw)),
      ),
      retrying,
    )
    expectRefusal(result, 'client', 'illegal_parameter')
  })
})

describe('Finished and CertificateVerify that do not verify → decrypt_error', () => {
  it('a server Finished with one bit of verify_data flipped (the client refuses)', () => {
    const result = run(serverFlight((ms) => replacing(ms, HS.finished, (m) => [withBody(m, (b) => flipBit(b, 7, 3))])))
    expectRefusal(result, 'client', 'decrypt_error')
  })

  for (const key of ['ecdsa-p256', 'ed25519', 'rsa-2048'] as PkiKeyType[]) {
    it(`a server CertificateVerify with one bit of the ${key} signature flipped (the client refuses)`, async () => {
      const serverChain = await makeChain({ leafKey: key, withIntermediate: true })
      // The last byte of the signature: for ECDSA the end of s, so the DER stays well-formed.
      const result = run(serverFlight((ms) => replacing(ms, HS.certificate_verify, (m) => [withBody(m, (b) => flipBit(b, b.length - 1, 1))])), { serverChain })
      expectRefusal(result, 'client', 'decrypt_error')
    })
  }

  it('a client Finished with one bit of verify_data flipped (the server refuses)', () => {
    const result = run(clientFlight((ms) => replacing(ms, HS.finished, (m) => [withBody(m, (b) => flipBit(b, 0, 0))])))
    expectRefusal(result, 'server', 'decrypt_error')
  })

  it('a client CertificateVerify with one bit of the signature flipped (the server refuses)', () => {
    const result = run(
      clientFlight((ms) => replacing(ms, HS.certificate_verify, (m) => [withBody(m, (b) => flipBit(b, b.length - 1, 1))])),
      { client: { cert: clientCertificate.chainPem, key: clientCertificate.keyPem }, server: { verifyMode: 'required', ca: chain.rootPem } },
    )
    expectRefusal(result, 'server', 'decrypt_error')
  })
})

describe('tampered records → bad_record_mac', () => {
  /** Flips a bit in the ciphertext of the `index`-th application_data record going `direction`, once. */
  function flipCiphertext(direction: Flight['direction'], index: number): Tamper {
    let seen = 0
    let done = false
    return (bytes, d) => {
      if (done || d !== direction) return bytes
      for (const record of parseRecords(bytes)) {
        if (record.type !== ContentType.application_data) continue
        if (seen++ === index) {
          done = true
          return flipBit(bytes, record.offset + RECORD_HEADER + 2, 5)
        }
      }
      return bytes
    }
  }

  it("a bit flipped in the ciphertext of the server's first encrypted record (the client refuses)", () => {
    expectRefusal(run(undefined, {}, flipCiphertext('server->client', 0)), 'client', 'bad_record_mac')
  })

  it("a bit flipped in the ciphertext of the client's Finished record (the server refuses)", () => {
    expectRefusal(run(undefined, {}, flipCiphertext('client->server', 0)), 'server', 'bad_record_mac')
  })

  it('a bit flipped in an application data record after the handshake (the server refuses)', () => {
    const mitm = new Tls13Mitm()
    const { client, server } = makePair(mitm)
    expect(runPair(client, server)).toEqual({})
    client.write(new TextEncoder().encode('hello'))
    const result = runPair(client, server, flipCiphertext('client->server', 0))
    expectRefusal(result, 'server', 'bad_record_mac')
  })
})

describe("unprotected alerts while the server reads under the client's handshake keys", () => {
  /** The client's flight with a plaintext alert inserted before its `index`-th protected record. */
  function insertAlert(level: number, description: number, index: number): Tamper {
    let done = false
    return (bytes, direction) => {
      if (done || direction !== 'client->server') return bytes
      const protectedRecords = parseRecords(bytes).filter((r) => r.type === ContentType.application_data)
      if (protectedRecords.length === 0) return bytes
      done = true
      const cut = protectedRecords[index]?.offset ?? bytes.length
      return concatBytes(bytes.subarray(0, cut), encodeRecord(ContentType.alert, 0x0303, Uint8Array.from([level, description])), bytes.subarray(cut))
    }
  }
  const withClientCertificate = (): PairOptions => ({
    client: { cert: clientCertificate.chainPem, key: clientCertificate.keyPem },
    server: { verifyMode: 'required', ca: chain.rootPem },
  })

  it('a fatal one before the first protected record is received as that alert (a client refusing the ServerHello has no keys)', () => {
    const result = run(undefined, withClientCertificate(), insertAlert(2, 40, 0))
    expect(result.serverError, describeError(result.serverError)).toBeInstanceOf(TlsAlertReceivedError)
    expect((result.serverError as TlsAlertReceivedError).received).toBe('handshake_failure')
  })

  it('a fatal one after the first protected record (Certificate) → unexpected_message', () => {
    expectRefusal(run(undefined, withClientCertificate(), insertAlert(2, 40, 1)), 'server', 'unexpected_message')
  })

  it('an unprotected close_notify, even before the first protected record → unexpected_message', () => {
    expectRefusal(run(undefined, withClientCertificate(), insertAlert(1, 0, 0)), 'server', 'unexpected_message')
  })
})

describe('ClientHello', () => {
  it('a duplicated extension (supported_groups twice) → illegal_parameter at the server', () => {
    const result = run(
      editFlight('client->server', 'plaintext', HS.client_hello, (ms) =>
        ms.map((m) => editHelloExtensions(m, (exts) => exts.flatMap((e) => (e.type === EXT.supported_groups ? [e, e] : [e])))),
      ),
    )
    expectRefusal(result, 'server', 'illegal_parameter')
  })
})

describe('application data before the handshake completes → unexpected_message', () => {
  const data = new TextEncoder().encode('too early')

  it('a plaintext application_data record ahead of the ClientHello (the server refuses)', () => {
    let done = false
    const result = run(
      undefined,
      {},
      (bytes, direction) => {
        if (done || direction !== 'client->server') return bytes
        done = true
        return concatBytes(encodeRecord(ContentType.application_data, 0x0303, data), bytes)
      },
    )
    expectRefusal(result, 'server', 'unexpected_message')
  })

  it('application data under the server handshake keys, between EncryptedExtensions and Certificate (the client refuses)', () => {
    const result = run(serverFlight((ms) => replacing(ms, HS.encrypted_extensions, (m) => [m.raw, { contentType: ContentType.application_data, content: data }])))
    expectRefusal(result, 'client', 'unexpected_message')
  })

  it('application data under the client handshake keys, before its Finished (the server refuses)', () => {
    const result = run(clientFlight((ms) => replacing(ms, HS.finished, (m) => [{ contentType: ContentType.application_data, content: data }, m.raw])))
    expectRefusal(result, 'server', 'unexpected_message')
  })
})

describe("fuzzing the server's first flight", () => {
  /** How a mutated handshake ended; "waiting" means a length field now promises bytes that never come. */
  function outcome(result: ReturnType<typeof run>): 'refused' | 'completed' | 'waiting' {
    if (result.clientError !== undefined || result.serverError !== undefined) return 'refused'
    return result.client.handshakeComplete && result.server.handshakeComplete ? 'completed' : 'waiting'
  }

  /** Only TlsErrors, never one that wraps a TypeError/RangeError (an internal_error); runPair itself bounds the rounds. */
  function expectOnlyTlsErrors(result: PairResult, what: string): void {
    for (const error of [result.clientError, result.serverError]) {
      if (error === undefined) continue
      expect(error, `${what}: ${describeError(error)}`).toBeInstanceOf(TlsError)
      const cause = (error as Error).cause
      expect(cause instanceof TypeError || cause instanceof RangeError, `${what}: caused by ${describeError(cause)}`).toBe(false)
      if (!(error instanceof TlsAlertReceivedError)) expect((error as TlsError).alert, `${what}: ${describeError(error)}`).not.toBe('internal_error')
    }
  }

  /** Every position in [from, to) that is below `dense` bytes from `from`, then every `stride`-th. */
  function span(from: number, to: number, dense: number, stride: number): number[] {
    const out: number[] = []
    for (let at = from; at < to; at += at - from < dense ? 1 : stride) out.push(at)
    return out
  }

  it("the wire flight: every byte of the record headers, ServerHello and CCS, every 16th of the ciphertext: only TlsErrors; it completes only with legacy_record_version's minor byte changed", () => {
    const flight = cleanServerFlight()
    const positions = parseRecords(flight).flatMap((r) =>
      r.type === ContentType.application_data ? span(r.offset, r.offset + RECORD_HEADER + r.fragment.length, RECORD_HEADER + 1, 16) : span(r.offset, r.offset + RECORD_HEADER + r.fragment.length, Infinity, 1),
    )
    const outcomes = { refused: 0, completed: 0, waiting: 0 }
    for (const position of positions) {
      let versionMinor = false
      let mutated = false
      const result = run(
        undefined,
        {},
        (bytes, direction) => {
          if (mutated || direction !== 'server->client') return bytes
          mutated = true
          versionMinor = parseRecords(bytes).some((r) => position === r.offset + 2)
          return flipBit(bytes, Math.min(position, bytes.length - 1), position % 8)
        },
      )
      const what = `byte ${position} of the server flight`
      expectOnlyTlsErrors(result, what)
      const ended = outcome(result)
      outcomes[ended]++
      if (ended === 'completed') expect(versionMinor, `${what}: the handshake completed`).toBe(true)
    }
    expect(positions.length).toBeGreaterThanOrEqual(200)
    expect(outcomes.refused, JSON.stringify(outcomes)).toBeGreaterThan(positions.length * 0.9)
  })

  it('the decrypted messages (re-encrypted by the middle): every byte of EncryptedExtensions, CertificateVerify, Finished and the first 64 of Certificate, every 8th of the rest: only TlsErrors, never a completed handshake', () => {
    const messages = cleanServerMessages()
    const positions: number[] = []
    let offset = 0
    for (const m of messages) {
      positions.push(...span(offset, offset + m.raw.length, m.type === HS.certificate ? 64 : Infinity, 8))
      offset += m.raw.length
    }
    const outcomes = { refused: 0, completed: 0, waiting: 0 }
    for (const position of positions) {
      const result = run(
        serverFlight((ms) => {
          // One bit flipped at `position` of the messages laid end to end, cut back apart at the original boundaries.
          const joined = concatBytes(...ms.map((m) => m.raw))
          const flipped = flipBit(joined, Math.min(position, joined.length - 1), (position * 3) % 8)
          let at = 0
          return ms.map((m) => flipped.subarray(at, (at += m.raw.length)))
        }),
      )
      const what = `byte ${position} of the decrypted server flight`
      expectOnlyTlsErrors(result, what)
      const ended = outcome(result)
      outcomes[ended]++
      expect(ended, what).not.toBe('completed')
    }
    expect(positions.length).toBeGreaterThanOrEqual(200)
    expect(outcomes.refused, JSON.stringify(outcomes)).toBeGreaterThan(positions.length * 0.9)
  })
})

/** The server's first flight on the wire, from one clean handshake. */
function cleanServerFlight(): Uint8Array {
  let flight: Uint8Array | undefined
  const clean = run(undefined, {}, (bytes, direction) => {
    if (direction === 'server->client') flight ??= bytes
    return bytes
  })
  expect(clean.clientError ?? clean.serverError).toBeUndefined()
  return flight!
}

/** The server's decrypted handshake messages (EncryptedExtensions … Finished), from one clean handshake. */
function cleanServerMessages(): readonly HandshakeMessage[] {
  let messages: readonly HandshakeMessage[] = []
  const clean = run(serverFlight((ms) => ((messages = ms), ms.map((m) => m.raw))))
  expect(clean.clientError ?? clean.serverError).toBeUndefined()
  return messages
}
