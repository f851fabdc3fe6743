// Property tests: random and mutated bytes into the deframer, the reassembler and record decryption; only TlsError may come out.
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import type { AeadName } from '../crypto/provider.js'
import { nobleProvider } from '../crypto/noble.js'
import { AlertDescription, TlsError } from '../errors.js'
import { toHex } from '../bytes.js'
import { ContentType, writeRecordHeader } from './content.js'
import { HandshakeReassembler } from './handshake-reassembler.js'
import { PlaintextProtection, type OpenedRecord, type RecordProtection } from './protection.js'
import { RecordLayer } from './record-layer.js'
import { Tls12RecordProtection } from './tls12-protection.js'
import { Tls13RecordProtection } from './tls13-protection.js'
import { now } from '../../test/helpers/sync.js'

let casesRun = 0
const started = performance.now()
afterAll(() => {
  console.log(`record fuzz: ${casesRun} cases in ${((performance.now() - started) / 1000).toFixed(1)} s`)
})

/** Runs a property for `numRuns` cases and counts them toward the total. */
function check<T>(arbitrary: fc.Arbitrary<T>, numRuns: number, predicate: (value: T) => void): void {
  fc.assert(
    fc.property(arbitrary, (value) => {
      casesRun++
      predicate(value)
    }),
    { numRuns },
  )
}

/** The only acceptable failure: a TlsError whose alert is one we can send. */
function expectOnlyTlsError(error: unknown): void {
  if (!(error instanceof TlsError) || !(error.alert in AlertDescription)) throw error
}

// ---------------------------------------------------------------------------------------------
// Mutations: applied in order to a byte stream whose framing is described by `Framing`.

interface Framing {
  readonly headerLength: number
  readonly lengthOffset: number
  readonly lengthBytes: number
}
const recordFraming: Framing = { headerLength: 5, lengthOffset: 3, lengthBytes: 2 }
const handshakeFraming: Framing = { headerLength: 4, lengthOffset: 1, lengthBytes: 3 }

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'length'; unit: number; delta: number }
  | { kind: 'splice'; from: number; to: number; at: number }
  | { kind: 'delete'; from: number; to: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }

const position = fc.nat(1 << 20)
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('length' as const),
    unit: fc.nat(8),
    delta: fc.oneof(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -70_000, max: 70_000 })),
  }),
  fc.record({ kind: fc.constant('splice' as const), from: position, to: position, at: position }),
  fc.record({ kind: fc.constant('delete' as const), from: position, to: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
)
const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 })

const join = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]))

/** Offsets of the length fields of the units (records or messages) reachable by walking the framing. */
function lengthFieldOffsets(bytes: Uint8Array, framing: Framing): number[] {
  const out: number[] = []
  for (let at = 0; at + framing.headerLength <= bytes.length; ) {
    const field = at + framing.lengthOffset
    out.push(field)
    let length = 0
    for (let i = 0; i < framing.lengthBytes; i++) length = length * 256 + bytes[field + i]!
    at += framing.headerLength + length
  }
  return out
}

function applyMutation(bytes: Uint8Array, original: Uint8Array, m: Mutation, framing: Framing): Uint8Array {
  const n = bytes.length
  switch (m.kind) {
    case 'flip':
    case 'set': {
      if (n === 0) return bytes
      const out = bytes.slice()
      const at = m.at % n
      out[at] = m.kind === 'flip' ? out[at]! ^ (1 << m.bit) : m.value
      return out
    }
    case 'truncate':
      return bytes.subarray(0, m.at % (n + 1))
    case 'length': {
      const fields = lengthFieldOffsets(bytes, framing)
      if (fields.length === 0) return bytes
      const field = fields[m.unit % fields.length]!
      const out = bytes.slice()
      const max = 256 ** framing.lengthBytes
      let length = 0
      for (let i = 0; i < framing.lengthBytes; i++) length = length * 256 + out[field + i]!
      length = (((length + m.delta) % max) + max) % max
      for (let i = framing.lengthBytes - 1; i >= 0; i--, length = Math.floor(length / 256)) out[field + i] = length & 0xff
      return out
    }
    case 'splice': {
      const from = m.from % (original.length + 1)
      const to = from + (m.to % (original.length - from + 1))
      const at = m.at % (n + 1)
      return join(bytes.subarray(0, at), original.subarray(from, to), bytes.subarray(at))
    }
    case 'delete': {
      const from = m.from % (n + 1)
      const to = from + (m.to % (n - from + 1))
      return join(bytes.subarray(0, from), bytes.subarray(to))
    }
    case 'insert': {
      const at = m.at % (n + 1)
      return join(bytes.subarray(0, at), m.bytes, bytes.subarray(at))
    }
  }
}

function mutate(original: Uint8Array, list: Mutation[], framing: Framing): Uint8Array {
  return list.reduce((bytes, m) => applyMutation(bytes, original, m, framing), original)
}

/** Splits `bytes` at the given cut points (taken modulo its length), in order. */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let last = 0
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(last, p))
    last = p
  }
  return out
}

/** How many whole units of `original` are present unchanged at the start of `mutated`. */
function intactPrefix(original: Uint8Array, units: Uint8Array[], mutated: Uint8Array): number {
  let end = 0
  let intact = 0
  for (const unit of units) {
    end += unit.length
    if (mutated.length < end || toHex(mutated.subarray(0, end)) !== toHex(original.subarray(0, end))) break
    intact++
  }
  return intact
}

const cuts = fc.array(fc.nat(1 << 20), { maxLength: 6 })

// ---------------------------------------------------------------------------------------------
// Feeding a record layer, pulling every record until an error or the end of the input.

interface Delivery {
  readonly records: OpenedRecord[]
  readonly error?: TlsError
}

function feedRecordLayer(read: RecordProtection | undefined, chunks: Uint8Array[]): Delivery {
  const layer = new RecordLayer()
  if (read !== undefined) layer.setReadProtection(read)
  const records: OpenedRecord[] = []
  const inputLength = chunks.reduce((n, c) => n + c.length, 0)
  try {
    for (const chunk of chunks) {
      layer.receive(chunk)
      for (let record = now(layer.nextRecord()); record !== undefined; record = now(layer.nextRecord())) {
        records.push(record)
        // Every record consumes at least its 5-byte header: more records than that would be a loop.
        if (records.length * 5 > inputLength) throw new Error('record layer delivered more records than its input holds')
      }
    }
    return { records }
  } catch (error) {
    expectOnlyTlsError(error)
    return { records, error: error as TlsError }
  }
}

/** Bytes that often look like the start of a record: a content type, major version 3, a short length. */
const plausibleRecords = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(20, 21, 22, 23), fc.nat(255)),
      fc.oneof(fc.constant(3), fc.nat(255)),
      fc.nat(255),
      fc.oneof(fc.nat(40), fc.nat(0xffff)),
      fc.uint8Array({ maxLength: 60 }),
    ),
    { maxLength: 4 },
  )
  .map((parts) =>
    join(
      ...parts.map(([type, major, minor, length, body]) => {
        const header = new Uint8Array(5)
        writeRecordHeader(header, 0, type as ContentType, (major << 8) | minor, length)
        return join(header, body)
      }),
    ),
  )
const randomOrPlausible = fc.oneof(fc.uint8Array({ maxLength: 200 }), plausibleRecords)

// ---------------------------------------------------------------------------------------------
// Fixtures: streams of records under each protection, and of handshake messages.

interface SealedStream {
  readonly units: Uint8Array[]
  readonly wire: Uint8Array
  readonly plaintexts: OpenedRecord[]
}

interface ProtectionForm {
  readonly name: string
  readonly make: () => RecordProtection
}

function form(version: '1.2' | '1.3', aead: AeadName, padding = false): ProtectionForm {
  const key = Uint8Array.from({ length: nobleProvider.aead(aead).keyLength }, (_, i) => i * 5 + 1)
  const iv = Uint8Array.from({ length: version === '1.2' && aead !== 'CHACHA20-POLY1305' ? 4 : 12 }, (_, i) => 0x30 + i)
  const make =
    version === '1.3'
      ? () => new Tls13RecordProtection(nobleProvider, aead, key, iv, padding ? { padding: (_t, length) => length % 7 } : {})
      : () => new Tls12RecordProtection(nobleProvider, aead, key, iv)
  return { name: `TLS ${version} ${aead}${padding ? ' padded' : ''}`, make }
}

const forms = [
  form('1.3', 'AES-128-GCM', true),
  form('1.3', 'CHACHA20-POLY1305'),
  form('1.2', 'AES-256-GCM'),
  form('1.2', 'CHACHA20-POLY1305'),
]

const streamShapes: [ContentType, number][][] = [
  [[ContentType.handshake, 40]],
  [
    [ContentType.handshake, 3],
    [ContentType.application_data, 0],
    [ContentType.alert, 2],
  ],
  [
    [ContentType.application_data, 100],
    [ContentType.application_data, 1],
    [ContentType.handshake, 17],
    [ContentType.application_data, 64],
  ],
  [
    [ContentType.application_data, 600],
    [ContentType.alert, 2],
  ],
]

function sealStream(protection: RecordProtection, shape: [ContentType, number][]): SealedStream {
  const content = (type: ContentType, length: number, i: number) =>
    type === ContentType.change_cipher_spec ? Uint8Array.of(1) : Uint8Array.from({ length }, (_, j) => (j * 7 + i + 1) & 0xff)
  const plaintexts = shape.map(([type, length], i) => ({ type, fragment: content(type, length, i) }))
  const units = plaintexts.map((p) => now(protection.seal(p.type, p.fragment)))
  return { units, wire: join(...units), plaintexts }
}

const protectedStreams = forms.map((f) => ({ form: f, streams: streamShapes.map((shape) => sealStream(f.make(), shape)) }))

const plaintextStream = sealStream(new PlaintextProtection(), [
  [ContentType.handshake, 30],
  [ContentType.alert, 2],
  [ContentType.handshake, 1],
  [ContentType.change_cipher_spec, 1],
])

function handshakeMessage(msgType: number, length: number): Uint8Array {
  const out = new Uint8Array(4 + length)
  out[0] = msgType
  out[1] = length >>> 16
  out[2] = (length >>> 8) & 0xff
  out[3] = length & 0xff
  for (let i = 0; i < length; i++) out[4 + i] = (i * 11 + msgType) & 0xff
  return out
}

const handshakeUnits = [handshakeMessage(1, 50), handshakeMessage(2, 0), handshakeMessage(11, 300), handshakeMessage(20, 32), handshakeMessage(15, 3)]
const handshakeStream = join(...handshakeUnits)

// ---------------------------------------------------------------------------------------------

describe('fuzz: deframing', () => {
  it('random and record-like bytes in random chunks yield records or a TlsError, never anything else', () => {
    check(fc.tuple(randomOrPlausible, cuts), 25_000, ([bytes, cutPoints]) => {
      feedRecordLayer(undefined, chunked(bytes, cutPoints))
    })
  })

  it('mutated plaintext record streams deliver their intact records unchanged, then stop or fail with a TlsError', () => {
    const { wire, units, plaintexts } = plaintextStream
    check(fc.tuple(mutations, cuts), 20_000, ([list, cutPoints]) => {
      const mutated = mutate(wire, list, recordFraming)
      const { records } = feedRecordLayer(undefined, chunked(mutated, cutPoints))
      const intact = intactPrefix(wire, units, mutated)
      expect(records.length).toBeGreaterThanOrEqual(intact)
      for (let i = 0; i < intact; i++) {
        expect(records[i]!.type).toBe(plaintexts[i]!.type)
        expect(toHex(records[i]!.fragment)).toBe(toHex(plaintexts[i]!.fragment))
      }
    })
  })
})

describe('fuzz: handshake reassembly', () => {
  const limits = fc.constantFrom(undefined, 16, 64, 1000)

  function reassemble(fragments: Uint8Array[], limit: number | undefined): Uint8Array[] {
    const r = new HandshakeReassembler(limit === undefined ? {} : { maxMessageSize: () => limit })
    const raws: Uint8Array[] = []
    try {
      for (const fragment of fragments) {
        r.push(fragment)
        for (let m = r.next(); m !== undefined; m = r.next()) {
          expect(m.raw[0]).toBe(m.msgType)
          expect(((m.raw[1]! << 16) | (m.raw[2]! << 8) | m.raw[3]!) === m.body.length).toBe(true)
          raws.push(m.raw)
        }
      }
    } catch (error) {
      expectOnlyTlsError(error)
    }
    return raws
  }

  it('random bytes in random fragments yield messages or a TlsError', () => {
    check(fc.tuple(fc.uint8Array({ maxLength: 300 }), cuts, limits), 15_000, ([bytes, cutPoints, limit]) => {
      reassemble(chunked(bytes, cutPoints), limit)
    })
  })

  it('mutated message streams deliver their intact messages unchanged (within the limit)', () => {
    check(fc.tuple(mutations, cuts, limits), 15_000, ([list, cutPoints, limit]) => {
      const mutated = mutate(handshakeStream, list, handshakeFraming)
      const raws = reassemble(chunked(mutated, cutPoints), limit)
      const intact = intactPrefix(handshakeStream, handshakeUnits, mutated)
      const withinLimit = handshakeUnits.findIndex((u) => u.length - 4 > (limit ?? Infinity))
      const expected = withinLimit === -1 ? intact : Math.min(intact, withinLimit)
      expect(raws.length).toBeGreaterThanOrEqual(expected)
      for (let i = 0; i < expected; i++) expect(toHex(raws[i]!)).toBe(toHex(handshakeUnits[i]!))
    })
  })
})

describe.each(protectedStreams)('fuzz: decryption, $form.name', ({ form: f, streams }) => {
  it('unmodified streams in random chunks deliver exactly the original plaintexts', () => {
    check(fc.tuple(fc.nat(streams.length - 1), cuts), 500, ([index, cutPoints]) => {
      const stream = streams[index]!
      const { records, error } = feedRecordLayer(f.make(), chunked(stream.wire, cutPoints))
      expect(error).toBeUndefined()
      expect(records.map((r) => [r.type, toHex(r.fragment)])).toEqual(stream.plaintexts.map((p) => [p.type, toHex(p.fragment)]))
    })
  })

  it('mutated streams deliver only the records before the first change, and nothing from a changed record', () => {
    check(fc.tuple(fc.nat(streams.length - 1), mutations, cuts), 6_000, ([index, list, cutPoints]) => {
      const stream = streams[index]!
      const mutated = mutate(stream.wire, list, recordFraming)
      const { records } = feedRecordLayer(f.make(), chunked(mutated, cutPoints))
      // An unprotected change_cipher_spec is legitimately passed up in TLS 1.3; it carries no plaintext.
      const data = records.filter((r) => r.type !== ContentType.change_cipher_spec)
      for (const ccs of records.filter((r) => r.type === ContentType.change_cipher_spec)) expect(toHex(ccs.fragment)).toBe('01')
      const intact = intactPrefix(stream.wire, stream.units, mutated)
      if (data.length === records.length) expect(data.length).toBe(intact)
      data.forEach((r, i) => {
        expect(r.type).toBe(stream.plaintexts[i]!.type)
        expect(toHex(r.fragment)).toBe(toHex(stream.plaintexts[i]!.fragment))
      })
    })
  })

  it('random and record-like bytes never deliver a record other than change_cipher_spec', () => {
    check(fc.tuple(randomOrPlausible, cuts), 1_500, ([bytes, cutPoints]) => {
      const { records } = feedRecordLayer(f.make(), chunked(bytes, cutPoints))
      for (const r of records) expect(r).toEqual({ type: ContentType.change_cipher_spec, fragment: Uint8Array.of(1) })
    })
  })
})
