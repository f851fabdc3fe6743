// Replays the five handshakes of the TLS 1.3 example-trace document: every printed value re-derived, every record opened and re-sealed.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../src/crypto/noble.js'
import type { KeyShare, NamedGroupName } from '../src/crypto/provider.js'
import { Reader } from '../src/record/codec.js'
import { toHex } from '../src/bytes.js'
import { ContentType, isContentType } from '../src/record/content.js'
import { Tls13RecordProtection } from '../src/record/tls13-protection.js'
import {
  deriveSecret,
  emptyHash,
  finishedKey,
  finishedVerifyData,
  hkdfLabel,
  KeySchedule13,
  resumptionPsk,
  trafficKeys,
  type TrafficKeys,
} from '../src/handshake/key-schedule.js'
import { cipherSuiteByCode, isTls13Suite, type Tls13CipherSuite } from '../src/policy/suites.js'
import { Transcript } from '../src/handshake/transcript.js'
import { fieldValue, parseTraces, TraceParseError, traceRecords, type TraceRecord, type TraceScenario, type TraceStep } from './trace-parser.js'
import { now, openedNow } from '../test/helpers/sync.js'

const provider = nobleProvider
const scenarios = parseTraces(readFileSync(new URL('./data/tls13-example-traces.txt', import.meta.url), 'utf8'))

/**
 * What the document holds, counted from its text with awk (labelled lines per section, and complete records
 * starting 17 03 03), independently of trace-parser.ts: a parser that loses anything fails here.
 */
const expected: Record<number, { title: string; records: number; encryptedRecords: number; valueFields: number }> = {
  3: { title: 'Simple 1-RTT Handshake', records: 9, encryptedRecords: 7, valueFields: 91 },
  4: { title: 'Resumed 0-RTT Handshake', records: 10, encryptedRecords: 8, valueFields: 105 },
  5: { title: 'HelloRetryRequest', records: 8, encryptedRecords: 4, valueFields: 90 },
  6: { title: 'Client Authentication', records: 6, encryptedRecords: 4, valueFields: 89 },
  7: { title: 'Compatibility Mode', records: 8, encryptedRecords: 4, valueFields: 86 },
}

type Actor = 'client' | 'server'
type Epoch = 'early application' | 'handshake' | 'application'
const peer = (actor: Actor): Actor => (actor === 'client' ? 'server' : 'client')

/** SHA-256("HelloRetryRequest"): the ServerHello.random that marks a HelloRetryRequest (RFC 8446 4.1.3). */
const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c'

interface SentMessage {
  readonly sender: Actor
  readonly type: number
  readonly bytes: Uint8Array
}

/** Splits the handshake records' payloads into whole handshake messages, in the order they were sent. */
function handshakeMessages(scenario: TraceScenario): SentMessage[] {
  const messages: SentMessage[] = []
  for (const record of traceRecords(scenario).filter((r) => r.contentType === 'handshake')) {
    const r = new Reader(record.payload)
    while (r.remaining > 0) {
      const start = r.position
      const type = r.u8()
      r.bytesView(r.u24())
      messages.push({ sender: record.sender, type, bytes: record.payload.slice(start, r.position) })
    }
  }
  return messages
}

/** ServerHello's random and cipher_suite (RFC 8446 4.1.3). */
function readServerHello(message: Uint8Array): { random: string; suite: number } {
  const r = new Reader(message, 4)
  r.u16('legacy_version')
  const random = toHex(r.take(32))
  r.vec8('legacy_session_id_echo')
  return { random, suite: r.u16('cipher_suite') }
}

/** ClientHello up to its PSK binders (RFC 8446 4.2.11.2): pre_shared_key is the last extension and the binders close it. */
function truncateClientHello(message: Uint8Array): Uint8Array {
  const r = new Reader(message, 4)
  r.u16()
  r.take(32)
  r.vec8()
  r.vec16()
  r.vec8()
  const extensionsEnd = r.u16() + r.position
  let bindersStart: number | undefined
  while (r.position < extensionsEnd) {
    const type = r.u16()
    const length = r.u16()
    const dataStart = r.position
    if (type === 41) {
      r.vec16('identities')
      bindersStart = r.position
    }
    r.bytesView(dataStart + length - r.position)
  }
  if (bindersStart === undefined) throw new Error('ClientHello carries no pre_shared_key extension')
  return message.slice(0, bindersStart)
}

/** NewSessionTicket's ticket_nonce (RFC 8446 4.6.1). */
function ticketNonce(message: Uint8Array): Uint8Array {
  const r = new Reader(message, 4)
  r.u32('ticket_lifetime')
  r.u32('ticket_age_add')
  return r.vec8('ticket_nonce')
}

const groups: Record<string, NamedGroupName> = { x25519: 'x25519', 'P-256': 'secp256r1' }

/** The last ephemeral key pair each side printed, rebuilt from its private key. */
function keyShares(scenario: TraceScenario): Record<Actor, KeyShare> {
  const shares: Partial<Record<Actor, KeyShare>> = {}
  for (const step of scenario.steps) {
    const match = /^create an ephemeral (\S+) key pair:$/.exec(step.title)
    if (match) shares[step.actor] = provider.generateKeyShare(groups[match[1]!]!, fieldValue(step, 'private key'))
  }
  if (!shares.client || !shares.server) throw new Error(`section ${scenario.section} lacks a key pair`)
  return { client: shares.client, server: shares.server }
}

/** Transcript hashes at the points the key schedule reads them. */
interface TranscriptPoints {
  clientHello: Uint8Array
  truncatedClientHello: Uint8Array | undefined
  hello: Uint8Array
  beforeServerFinished: Uint8Array
  serverFinished: Uint8Array
  beforeClientFinished: Uint8Array
  clientFinished: Uint8Array
}

/** Feeds the messages to a Transcript as a client would: buffered until ServerHello names the hash, message_hash after a HelloRetryRequest. */
function transcriptPoints(messages: SentMessage[], suite: Tls13CipherSuite, hasPsk: boolean): TranscriptPoints {
  const transcript = new Transcript(provider)
  const points: Partial<TranscriptPoints> = {}
  const hashAfter = (m: SentMessage): Uint8Array => transcript.update(m.bytes).hash()
  for (const m of messages) {
    if (m.type === 1) {
      const clientHelloOnly = transcript.fork()
      if (hasPsk) {
        const truncated = transcript.fork()
        truncated.setHash(suite.hash)
        points.truncatedClientHello = truncated.update(truncateClientHello(m.bytes)).hash()
      }
      transcript.update(m.bytes)
      clientHelloOnly.setHash(suite.hash)
      points.clientHello = clientHelloOnly.update(m.bytes).hash()
    } else if (m.type === 2) {
      transcript.setHash(suite.hash)
      if (readServerHello(m.bytes).random === HRR_RANDOM) {
        transcript.replaceWithMessageHash()
        transcript.update(m.bytes)
      } else {
        points.hello = hashAfter(m)
      }
    } else if (m.type === 20) {
      const before = transcript.hash()
      const after = hashAfter(m)
      if (m.sender === 'server') Object.assign(points, { beforeServerFinished: before, serverFinished: after })
      else Object.assign(points, { beforeClientFinished: before, clientFinished: after })
    } else if (m.type !== 4) {
      transcript.update(m.bytes) // NewSessionTicket is post-handshake: not in the transcript
    }
  }
  const missing = ['clientHello', 'hello', 'beforeServerFinished', 'serverFinished', 'beforeClientFinished', 'clientFinished'].filter(
    (k) => !(k in points),
  )
  if (missing.length > 0) throw new Error(`transcript lacks ${missing.join(', ')}`)
  return points as TranscriptPoints
}

/** The secrets our key schedule derives; the early ones only with a PSK. */
interface Secrets {
  binderKey?: Uint8Array
  binder?: Uint8Array
  clientEarlyTraffic?: Uint8Array
  earlyExporterMaster?: Uint8Array
  clientHandshakeTraffic: Uint8Array
  serverHandshakeTraffic: Uint8Array
  clientApplicationTraffic: Uint8Array
  serverApplicationTraffic: Uint8Array
  exporterMaster: Uint8Array
  resumptionMaster: Uint8Array
}

/** The traffic secret a side writes with in an epoch. */
function trafficSecret(secrets: Secrets, owner: Actor, epoch: Epoch): Uint8Array {
  const secret =
    epoch === 'early application'
      ? owner === 'client'
        ? secrets.clientEarlyTraffic
        : undefined
      : epoch === 'handshake'
        ? secrets[`${owner}HandshakeTraffic`]
        : secrets[`${owner}ApplicationTraffic`]
  if (!secret) throw new Error(`no ${epoch} traffic secret for the ${owner}`)
  return secret
}

/** Everything our key schedule derives for one scenario. */
interface Derivation {
  suite: Tls13CipherSuite
  messages: SentMessage[]
  shares: Record<Actor, KeyShare>
  psk: Uint8Array | undefined
  sharedSecret: Uint8Array
  hashes: TranscriptPoints
  schedule: KeySchedule13
  secrets: Secrets
  keys: (owner: Actor, epoch: Epoch) => TrafficKeys
  ticketNonce: Uint8Array | undefined
}

function derive(scenario: TraceScenario, psk: Uint8Array | undefined): Derivation {
  const messages = handshakeMessages(scenario)
  const serverHellos = messages.filter((m) => m.type === 2)
  const found = cipherSuiteByCode(readServerHello(serverHellos.at(-1)!.bytes).suite)
  if (!found || !isTls13Suite(found)) throw new Error('ServerHello names no TLS 1.3 suite of ours')
  const suite = found
  const shares = keyShares(scenario)
  const sharedSecret = now(shares.client.agree(shares.server.publicKey))
  const hashes = transcriptPoints(messages, suite, psk !== undefined)
  const schedule = new KeySchedule13(provider, suite.hash, psk)
  const early: Partial<Secrets> =
    psk === undefined
      ? {}
      : {
          binderKey: schedule.binderKey('resumption'),
          binder: schedule.binder('resumption', hashes.truncatedClientHello!),
          clientEarlyTraffic: schedule.clientEarlyTrafficSecret(hashes.clientHello),
          earlyExporterMaster: schedule.earlyExporterMasterSecret(hashes.clientHello),
        }
  schedule.addSharedSecret(sharedSecret)
  const secrets: Secrets = {
    ...early,
    clientHandshakeTraffic: schedule.clientHandshakeTrafficSecret(hashes.hello),
    serverHandshakeTraffic: schedule.serverHandshakeTrafficSecret(hashes.hello),
    clientApplicationTraffic: schedule.clientApplicationTrafficSecret(hashes.serverFinished),
    serverApplicationTraffic: schedule.serverApplicationTrafficSecret(hashes.serverFinished),
    exporterMaster: schedule.exporterMasterSecret(hashes.serverFinished),
    resumptionMaster: schedule.resumptionMasterSecret(hashes.clientFinished),
  }
  const ticket = messages.find((m) => m.type === 4)
  return {
    suite,
    messages,
    shares,
    psk,
    sharedSecret,
    hashes,
    schedule,
    secrets,
    keys: (owner, epoch) => trafficKeys(provider, suite.hash, trafficSecret(secrets, owner, epoch), suite.keyLength, suite.ivLength),
    ticketNonce: ticket && ticketNonce(ticket.bytes),
  }
}

/** What a field is to this test: a value we derive and compare, or an input we take from the document. */
type Ours = Uint8Array | 'input'

/** Our value for every field of one step, by field name; undefined for steps that are not key-schedule steps. */
function ourValues(step: TraceStep, d: Derivation, constructed: (actor: Actor, type: string) => Uint8Array): Record<string, Ours> | undefined {
  const hash = d.suite.hash
  const length = provider.hash(hash).outputLength
  const none = new Uint8Array(0)
  const zeros = new Uint8Array(length)
  const s = d.secrets
  const expansion = (prk: Uint8Array, label: string, context: Uint8Array, expanded: Uint8Array) => ({
    PRK: prk,
    hash: context,
    info: hkdfLabel(label, context, expanded.length),
    expanded,
  })
  const finished = (baseKey: Uint8Array, transcriptHash: Uint8Array) => ({
    ...expansion(baseKey, 'finished', none, finishedKey(provider, hash, baseKey)),
    finished: finishedVerifyData(provider, hash, baseKey, transcriptHash),
  })
  const derivedFrom = (secret: Uint8Array) => deriveSecret(provider, hash, secret, 'derived', emptyHash(provider, hash))
  const derived = (secret: Uint8Array) => expansion(secret, 'derived', emptyHash(provider, hash), derivedFrom(secret))
  const title = step.title
  let m: RegExpExecArray | null

  if ((m = /^create an ephemeral (\S+) key pair:$/.exec(title))) {
    return { 'private key': 'input', 'public key': provider.generateKeyShare(groups[m[1]!]!, fieldValue(step, 'private key')).publicKey }
  }
  if ((m = /^construct an? (\w+) handshake message$/.exec(title))) return { [m[1]!]: constructed(step.actor, m[1]!) }
  if (/^send \w+ record:$/.test(title)) return undefined
  if (title === 'extract secret "early":') return { salt: zeros, IKM: d.psk ?? zeros, secret: d.schedule.earlySecret }
  if (title === 'extract secret "handshake":') {
    return { salt: derivedFrom(d.schedule.earlySecret), IKM: d.sharedSecret, secret: d.schedule.handshakeSecret }
  }
  if (title === 'extract secret "master":') {
    return { salt: derivedFrom(d.schedule.handshakeSecret), IKM: zeros, secret: d.schedule.masterSecret }
  }
  if (title === 'derive secret for handshake "tls13 derived":') return derived(d.schedule.earlySecret)
  if (title === 'derive secret for master "tls13 derived":') return derived(d.schedule.handshakeSecret)
  if ((m = /^derive secret "tls13 ([^"]+)":$/.exec(title))) {
    const h = d.hashes
    const table: Record<string, [Uint8Array, Uint8Array, Uint8Array | undefined]> = {
      'c e traffic': [d.schedule.earlySecret, h.clientHello, s.clientEarlyTraffic],
      'e exp master': [d.schedule.earlySecret, h.clientHello, s.earlyExporterMaster],
      'c hs traffic': [d.schedule.handshakeSecret, h.hello, s.clientHandshakeTraffic],
      's hs traffic': [d.schedule.handshakeSecret, h.hello, s.serverHandshakeTraffic],
      'c ap traffic': [d.schedule.masterSecret, h.serverFinished, s.clientApplicationTraffic],
      's ap traffic': [d.schedule.masterSecret, h.serverFinished, s.serverApplicationTraffic],
      'exp master': [d.schedule.masterSecret, h.serverFinished, s.exporterMaster],
      'res master': [d.schedule.masterSecret, h.clientFinished, s.resumptionMaster],
    }
    const row = table[m[1]!]
    if (!row || !row[2]) throw new Error(`no derivation for "${m[1]}"`)
    return expansion(row[0], m[1]!, row[1], row[2])
  }
  if ((m = /^derive (write|read) traffic keys for (early application|handshake|application) data:$/.exec(title))) {
    const owner = m[1] === 'write' ? step.actor : peer(step.actor)
    const epoch = m[2] as Epoch
    const keys = d.keys(owner, epoch)
    return {
      PRK: trafficSecret(s, owner, epoch),
      'key info': hkdfLabel('key', none, d.suite.keyLength),
      'key expanded': keys.key,
      'iv info': hkdfLabel('iv', none, d.suite.ivLength),
      'iv expanded': keys.iv,
    }
  }
  if (title === 'calculate finished "tls13 finished":') {
    return step.actor === 'server'
      ? finished(s.serverHandshakeTraffic, d.hashes.beforeServerFinished)
      : finished(s.clientHandshakeTraffic, d.hashes.beforeClientFinished)
  }
  if (title === 'calculate PSK binder:') {
    const truncated = truncateClientHello(d.messages.find((msg) => msg.type === 1)!.bytes)
    return {
      'ClientHello prefix': truncated,
      'binder hash': d.hashes.truncatedClientHello!,
      ...finished(s.binderKey!, d.hashes.truncatedClientHello!),
      finished: s.binder!, // KeySchedule13.binder, not the helper above
    }
  }
  if (title === 'generate resumption secret "tls13 resumption":') {
    const nonce = d.ticketNonce!
    return expansion(s.resumptionMaster, 'resumption', nonce, resumptionPsk(provider, hash, s.resumptionMaster, nonce))
  }
  throw new Error(`no derivation for step "${title}" (line ${step.line})`)
}

/** The handshake messages each "construct a ..." step prints, matched in order against what the records carried. */
function constructedMessages(d: Derivation): (actor: Actor, name: string) => Uint8Array {
  const types: Record<string, number> = {
    ClientHello: 1,
    ServerHello: 2,
    NewSessionTicket: 4,
    EndOfEarlyData: 5,
    EncryptedExtensions: 8,
    Certificate: 11,
    CertificateRequest: 13,
    CertificateVerify: 15,
    Finished: 20,
  }
  const used = new Map<string, number>()
  return (actor, name) => {
    const key = `${actor} ${name}`
    const index = used.get(key) ?? 0
    used.set(key, index + 1)
    const message = d.messages.filter((msg) => msg.sender === actor && msg.type === types[name])[index]
    if (!message) throw new Error(`the records carry no ${name} #${index + 1} from the ${actor}`)
    // A ClientHello with a PSK is printed before its binders are filled in.
    return message.type === 1 && d.psk !== undefined ? truncateClientHello(message.bytes) : message.bytes
  }
}

const derivations = new Map<number, Derivation>()

/** The derivation of a section; the resumed handshake takes its PSK from the ticket of section 3. */
function derivation(section: number): Derivation {
  const cached = derivations.get(section)
  if (cached) return cached
  const scenario = scenarios.find((s) => s.section === section)
  if (!scenario) throw new Error(`section ${section} is missing`)
  let psk: Uint8Array | undefined
  if (section === 4) {
    const first = derivation(3)
    psk = resumptionPsk(provider, first.suite.hash, first.secrets.resumptionMaster, first.ticketNonce!)
  }
  const d = derive(scenario, psk)
  derivations.set(section, d)
  return d
}

function valueFields(scenario: TraceScenario): number {
  return scenario.steps.filter((s) => !/^send \w+ record:$/.test(s.title)).reduce((n, s) => n + s.fields.length, 0)
}

describe('trace-parser', () => {
  const page = (n: number) => `\nThomson                  Expires March 31, 2019                 [Page ${n}]\n\f\nInternet-Draft               TLS 1.3 Traces               September 2018\n\n`
  const document = [
    '3.  Simple 1-RTT Handshake',
    '',
    '   Prose that is not a step.',
    '',
    '   {client}  extract secret "handshake" (same as server handshake',
    page(4),
    '      secret)',
    '',
    '   {server}  derive secret "tls13 c hs traffic":',
    '',
    '      salt:  0 (all zero octets)',
    '',
    '      hash (0 octets):  (empty)',
    '',
    '      PRK (20 octets):  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e',
    page(5),
    '         0f 10 11 12 13',
    '',
  ].join('\n')

  it('joins wrapped headings and hex across page breaks, and keeps prose values', () => {
    const [scenario] = parseTraces(document)
    expect(scenario!.section).toBe(3)
    expect(scenario!.steps.map((s) => s.title)).toEqual([
      'extract secret "handshake" (same as server handshake secret)',
      'derive secret "tls13 c hs traffic":',
    ])
    const [salt, hash, prk] = scenario!.steps[1]!.fields
    expect(salt).toMatchObject({ name: 'salt', octets: undefined, value: undefined, text: '0 (all zero octets)' })
    expect(hash).toMatchObject({ name: 'hash', octets: 0 })
    expect(toHex(prk!.value!)).toBe('000102030405060708090a0b0c0d0e0f10111213')
  })

  it('refuses a value whose octet count does not match its bytes', () => {
    expect(() => parseTraces(document.replace('PRK (20 octets)', 'PRK (21 octets)'))).toThrow(TraceParseError)
    expect(() => parseTraces(document.replace('PRK (20 octets)', 'PRK (19 octets)'))).toThrow(/announces 19 octets, found 20/)
  })

  it('refuses stray lines inside a step', () => {
    expect(() => parseTraces(document.replace('      hash (0 octets):  (empty)', '      something odd'))).toThrow(/unexpected line/)
  })
})

describe('the trace document', () => {
  it('holds sections 3 to 7 with the records and values counted by hand', () => {
    expect(scenarios.map((s) => [s.section, s.title])).toEqual(Object.entries(expected).map(([n, e]) => [Number(n), e.title]))
    for (const scenario of scenarios) {
      const counts = expected[scenario.section]!
      const records = traceRecords(scenario)
      expect(records.length, `section ${scenario.section} records`).toBe(counts.records)
      expect(records.filter((r) => r.record[0] === ContentType.application_data).length, `section ${scenario.section} encrypted records`).toBe(
        counts.encryptedRecords,
      )
      expect(valueFields(scenario), `section ${scenario.section} value fields`).toBe(counts.valueFields)
    }
  })
})

for (const scenario of scenarios) {
  const label = `section ${scenario.section} (${scenario.title})`
  const stepsWithValues = scenario.steps.filter((s) => s.fields.length > 0 && !/^send \w+ record:$/.test(s.title))

  describe(`${label}: key schedule`, () => {
    it('agrees on the (EC)DHE shared secret from both sides', () => {
      const d = derivation(scenario.section)
      expect(toHex(now(d.shares.server.agree(d.shares.client.publicKey)))).toBe(toHex(d.sharedSecret))
    })

    it('re-derives every value the document prints', () => {
      const d = derivation(scenario.section)
      const constructed = constructedMessages(d)
      let checked = 0
      let inputs = 0
      for (const step of stepsWithValues) {
        const ours = ourValues(step, d, constructed)!
        for (const field of step.fields) {
          const what = `{${step.actor}} ${step.title} ${field.name} (line ${field.line})`
          const value = ours[field.name]
          if (value === undefined) throw new Error(`no derivation for ${what}`)
          if (value === 'input') {
            inputs++
            continue
          }
          if (field.value === undefined) {
            // `salt:  0 (all zero octets)`
            expect.soft(field.text, what).toBe('0 (all zero octets)')
            expect.soft(value.every((b) => b === 0), what).toBe(true)
          } else {
            expect.soft(toHex(value), what).toBe(toHex(field.value))
          }
          checked++
        }
      }
      expect(checked + inputs, 'every value field was visited').toBe(expected[scenario.section]!.valueFields)
      expect(checked).toBeGreaterThan(60)
    })
  })

  describe(`${label}: records`, () => {
    const plan = recordPlan(scenario)

    it('has records to check', () => {
      expect(plan.length).toBe(expected[scenario.section]!.records)
      expect(plan.filter((p) => p.epoch !== undefined).length).toBe(expected[scenario.section]!.encryptedRecords)
    })

    it.each(plan.map((p, i) => ({ ...p, name: `#${i + 1} {${p.record.sender}} ${p.record.contentType} (line ${p.record.line})` })))(
      '$name',
      ({ record, epoch, sequence }) => {
        const type = contentTypeCode(record.contentType)
        if (epoch === undefined) {
          checkPlaintextRecord(record, type)
          return
        }
        const d = derivation(scenario.section)
        const { key, iv } = d.keys(record.sender, epoch)
        const header = record.record.subarray(0, 5)
        const fragment = record.record.subarray(5)
        const reader = new Tls13RecordProtection(provider, d.suite.aead, key, iv, { initialSequence: sequence })
        const opened = openedNow(reader.open(record.record[0] as ContentType, fragment, header))
        expect(opened.type, 'inner content type').toBe(type)
        expect(toHex(opened.fragment), 'decrypted payload').toBe(toHex(record.payload))
        const padding = fragment.length - 16 - 1 - record.payload.length
        expect(padding).toBeGreaterThanOrEqual(0)
        const writer = new Tls13RecordProtection(provider, d.suite.aead, key, iv, { initialSequence: sequence, padding: () => padding })
        expect(toHex(now(writer.seal(type, record.payload))), 're-sealed record').toBe(toHex(record.record))
      },
    )
  })
}

function contentTypeCode(name: string): ContentType {
  const code = (ContentType as Record<string, number>)[name]
  if (code === undefined || !isContentType(code)) throw new Error(`unknown content type ${name}`)
  return code
}

/** A plaintext record is its header then the payload (RFC 8446 5.1). */
function checkPlaintextRecord(record: TraceRecord, type: ContentType): void {
  const bytes = record.record
  expect(bytes[0], 'content type').toBe(type)
  expect([0x0301, 0x0303], 'legacy_record_version').toContain((bytes[1]! << 8) | bytes[2]!)
  expect((bytes[3]! << 8) | bytes[4]!, 'length').toBe(record.payload.length)
  expect(toHex(bytes.subarray(5)), 'fragment').toBe(toHex(record.payload))
}

/**
 * Which key and sequence number protect each record: a side's records use its newest write keys
 * ("derive write traffic keys for ... data"), numbered from 0 under each key; before any, and for
 * change_cipher_spec, records are plaintext.
 */
function recordPlan(scenario: TraceScenario): { record: TraceRecord; epoch: Epoch | undefined; sequence: bigint }[] {
  const epoch: Partial<Record<Actor, Epoch>> = {}
  const sequence: Record<Actor, bigint> = { client: 0n, server: 0n }
  const records = traceRecords(scenario)
  const plan: { record: TraceRecord; epoch: Epoch | undefined; sequence: bigint }[] = []
  for (const step of scenario.steps) {
    const keys = /^derive write traffic keys for (early application|handshake|application) data/.exec(step.title)
    if (keys) {
      epoch[step.actor] = keys[1] as Epoch
      sequence[step.actor] = 0n
      continue
    }
    const record = records.find((r) => r.line === step.line)
    if (!record) continue
    const current = record.contentType === 'change_cipher_spec' ? undefined : epoch[step.actor]
    plan.push({ record, epoch: current, sequence: current === undefined ? 0n : sequence[step.actor]++ })
  }
  return plan
}
