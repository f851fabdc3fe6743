// What a TLS test suite found in our server, each with the bytes it sent: ec_point_formats in TLS 1.3, huge ClientHellos handled in linear time, empty alerts, bad lengths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Writer } from '../../src/record/codec.js'
import { createDefaultContext } from '../../src/handshake/context.js'
import { decodeClientHello, encodeClientHello, type ClientHello } from '../../src/handshake/messages/client-hello.js'
import { ContentType } from '../../src/record/content.js'
import { concatBytes, encodeRecord, parseRecords } from '../helpers/mitm.js'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'

const EC_POINT_FORMATS = 11
const HANDSHAKE_HEADER = 4

let chain: Chain
beforeAll(async () => {
  chain = await makeChain()
})
afterAll(cleanupPki)

function server() {
  return createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem }).server()
}

/** Our client's ClientHello (TLS 1.3 and 1.2, or only 1.2), decoded for editing. */
function ourHello(maxVersion: 'TLSv1.3' | 'TLSv1.2' = 'TLSv1.3'): ClientHello {
  const record = createDefaultContext('server-auth', { ca: chain.rootPem, maxVersion }).client({ serverName: 'localhost' }).takeOutgoing()
  return decodeClientHello(parseRecords(record)[0]!.fragment.subarray(HANDSHAKE_HEADER))
}

/** A handshake message in as many plaintext records as it needs. */
function inRecords(message: Uint8Array): Uint8Array {
  const records: Uint8Array[] = []
  for (let at = 0; at < message.length; at += 16384) records.push(encodeRecord(ContentType.handshake, 0x0303, message.subarray(at, at + 16384)))
  return concatBytes(...records)
}

/** What the server answers `bytes` with: the content type and first body byte of each record it sends, or its error. */
function answer(bytes: Uint8Array): { first: number[]; error?: unknown } {
  const conn = server()
  let error: unknown
  try {
    conn.receive(bytes)
  } catch (e) {
    error = e
  }
  const first = parseRecords(conn.takeOutgoing()).map((r) => (r.type << 8) | r.fragment[0]!)
  return { first, error }
}

const SERVER_HELLO = (ContentType.handshake << 8) | 2

describe('ec_point_formats is TLS 1.2 only (RFC 8422 5.1.2; TLS 1.3 has no point formats)', () => {
  const withoutUncompressed = (hello: ClientHello): ClientHello => ({
    ...hello,
    extensions: hello.extensions.map((e) => (e.type === EC_POINT_FORMATS ? { type: EC_POINT_FORMATS, data: Uint8Array.of(1, 1) } : e)),
  })

  it('a TLS 1.3 ClientHello whose ec_point_formats lacks uncompressed gets a ServerHello', () => {
    const result = answer(inRecords(encodeClientHello(withoutUncompressed(ourHello()))))
    expect(result.error).toBeUndefined()
    expect(result.first[0]).toBe(SERVER_HELLO)
  })

  it('a TLS 1.2 ClientHello without uncompressed is still illegal_parameter', () => {
    const result = answer(inRecords(encodeClientHello(withoutUncompressed(ourHello('TLSv1.2')))))
    expect(result.error).toMatchObject({ alert: 'illegal_parameter' })
  })
})

describe('ClientHellos as large as the wire format allows, in time linear in their size', () => {
  /** Our hello with `count` GREASE-like unknown extensions, `suites` extra suites, `schemes` and `shares` more entries. */
  function bloated({ extensions = 0, suites = 0, schemes = 0, shares = 0 }): Uint8Array {
    const hello = ourHello()
    const unknown = Array.from({ length: extensions }, (_, i) => ({ type: 0x6a6a + i, data: new Uint8Array(0) }))
    const bigger = hello.extensions.map((e) => {
      if (e.type === 13 && schemes > 0) return { type: 13, data: u16List([...Array.from({ length: schemes }, (_, i) => 0x0a0a + i * 0x10), 0x0403, 0x0804]) }
      if (e.type === 51 && shares > 0) return { type: 51, data: withExtraShares(e.data, shares) }
      return e
    })
    const offered = [...Array.from({ length: suites }, (_, i) => 0x5a00 + i), ...hello.cipherSuites]
    return encodeClientHello({ ...hello, cipherSuites: offered, extensions: [...unknown, ...bigger] })
  }

  function u16List(values: number[]): Uint8Array {
    const w = new Writer(2 + 2 * values.length)
    w.block(2, (inner) => values.forEach((v) => inner.u16(v)))
    return w.finish()
  }

  /** The client_shares vector with `count` shares for unknown groups before the real one. */
  function withExtraShares(data: Uint8Array, count: number): Uint8Array {
    const w = new Writer(data.length + count * 6)
    w.block(2, (inner) => {
      for (let i = 0; i < count; i++) inner.u16(0x7a00 + i).vec16(Uint8Array.of(i & 0xff))
      inner.bytes(data.subarray(2))
    })
    return w.finish()
  }

  const cases = [
    { what: '15,000 unknown extensions', parts: { extensions: 15_000 } },
    { what: '30,000 cipher suites', parts: { suites: 30_000 } },
    { what: '30,000 signature schemes', parts: { schemes: 30_000 } },
    { what: '5,000 key shares for unknown groups', parts: { shares: 5_000 } },
    { what: 'all of them at once, as near the size limit as the vectors allow', parts: { suites: 32_000, extensions: 7_000, schemes: 4_000 } },
  ]
  for (const { what, parts } of cases) {
    it(`answers a ClientHello with ${what} with a ServerHello`, () => {
      const message = bloated(parts)
      const started = performance.now()
      const result = answer(inRecords(message))
      console.log(`ClientHello of ${message.length} bytes (${what}): answered in ${(performance.now() - started).toFixed(1)} ms`)
      expect(result.error).toBeUndefined()
      expect(result.first[0]).toBe(SERVER_HELLO)
    })
  }

  it('takes time in proportion to the size, not its square (printed, and bounded loosely)', () => {
    const time = (extensions: number) => {
      const bytes = inRecords(bloated({ extensions }))
      const started = performance.now()
      answer(bytes)
      return performance.now() - started
    }
    time(1000)
    const small = Math.min(time(1000), time(1000))
    const large = Math.min(time(15_000), time(15_000))
    console.log(`1,000 extensions: ${small.toFixed(1)} ms; 15,000: ${large.toFixed(1)} ms (×${(large / small).toFixed(1)} for ×15 the size)`)
    // Quadratic would be ×225; the bound only catches that, whatever the machine's load.
    expect(large / small).toBeLessThan(100)
  })

  it('refuses a ClientHello whose length fields do not add up with decode_error, not illegal_parameter', () => {
    const message = bloated({ extensions: 100 })
    const broken = message.slice()
    // The extensions block length (after version, random, session id, suites and compression methods) claims a byte more.
    const sessionIdAt = HANDSHAKE_HEADER + 2 + 32
    const suitesAt = sessionIdAt + 1 + broken[sessionIdAt]!
    const compressionAt = suitesAt + 2 + ((broken[suitesAt]! << 8) | broken[suitesAt + 1]!)
    const extensionsAt = compressionAt + 1 + broken[compressionAt]!
    broken[extensionsAt + 1]! += 1
    expect(answer(inRecords(broken)).error).toMatchObject({ alert: 'decode_error' })
  })

  it('refuses a cipher_suites vector of odd length with decode_error', () => {
    const message = encodeClientHello(ourHello())
    const suitesAt = HANDSHAKE_HEADER + 2 + 32 + 1 + message[HANDSHAKE_HEADER + 34]!
    const broken = message.slice()
    broken[suitesAt + 1]! -= 1
    expect(answer(inRecords(broken)).error).toMatchObject({ alert: 'decode_error' })
  })
})

describe('alerts', () => {
  it('answers an empty alert record with unexpected_message, as OpenSSL does', () => {
    const hello = inRecords(encodeClientHello(ourHello()))
    const result = answer(concatBytes(hello, encodeRecord(ContentType.alert, 0x0303, new Uint8Array(0))))
    // The empty alert arrives under the client's handshake keys' epoch, unprotected: refused either way, before anything else.
    expect(result.error).toMatchObject({ alert: 'unexpected_message' })
    const plain = answer(encodeRecord(ContentType.alert, 0x0303, new Uint8Array(0)))
    expect(plain.error).toMatchObject({ alert: 'unexpected_message', message: expect.stringMatching(/zero-length alert/) })
  })
})
