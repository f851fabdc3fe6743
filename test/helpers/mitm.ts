// A man in the middle for in-memory TLS 1.3 pairs: decrypts, edits and re-encrypts real handshake records using the NSS key log's handshake traffic secrets.
//
// Give `mitm.keyLog` to the server's context (it logs its handshake secrets while reading the ClientHello,
// before its first flight is on the wire; the client logs them only after the ServerHello arrives) and pass
// `mitm.tamper` to runPair. For every run of handshake messages under one protection in one direction (the
// plaintext hellos, or the messages under a handshake traffic key) the editor sees the parsed messages and may
// return what to send instead; everything under the handshake keys is re-sealed with the middle's own sequence
// numbers, so messages can be dropped, added, reordered or malformed. Records under application keys, CCS and
// plaintext alerts pass unchanged. The byte-level helpers (records, messages, hello extensions) are written
// here from the RFC, independent of the code under test.
import { nobleProvider } from '../../src/crypto/noble.js'
import { trafficKeys } from '../../src/handshake/key-schedule.js'
import { cipherSuiteByCode, isTls13Suite, type Tls13CipherSuite } from '../../src/policy/suites.js'
import { ContentType } from '../../src/record/content.js'
import { Tls13RecordProtection } from '../../src/record/tls13-protection.js'
import type { Tamper } from './pair.js'
import { now, openedNow } from './sync.js'

export type Direction = Parameters<Tamper>[1]

// ---- records ----

export const RECORD_HEADER = 5
const MAX_FRAGMENT = 16384

/** A record as framed on the wire; `offset` is where its header starts in the bytes it was parsed from. */
export interface WireRecord {
  readonly type: number
  readonly version: number
  /** The five header bytes (the additional data of a TLS 1.3 record). */
  readonly header: Uint8Array
  readonly fragment: Uint8Array
  readonly offset: number
}

/** Splits bytes into whole records (runPair always hands over whole records). */
export function parseRecords(bytes: Uint8Array): WireRecord[] {
  const records: WireRecord[] = []
  let at = 0
  while (at < bytes.length) {
    if (bytes.length - at < RECORD_HEADER) throw new Error(`mitm: ${bytes.length - at} stray bytes after the last record`)
    const length = (bytes[at + 3]! << 8) | bytes[at + 4]!
    const end = at + RECORD_HEADER + length
    if (end > bytes.length) throw new Error('mitm: a record is cut short')
    records.push({
      type: bytes[at]!,
      version: (bytes[at + 1]! << 8) | bytes[at + 2]!,
      header: bytes.slice(at, at + RECORD_HEADER),
      fragment: bytes.slice(at + RECORD_HEADER, end),
      offset: at,
    })
    at = end
  }
  return records
}

export function encodeRecord(type: number, version: number, fragment: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER + fragment.length)
  out.set([type, version >> 8, version & 0xff, fragment.length >> 8, fragment.length & 0xff])
  out.set(fragment, RECORD_HEADER)
  return out
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** A copy of `bytes` with one bit flipped. */
export function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const out = bytes.slice()
  out[index]! ^= 1 << bit
  return out
}

// ---- handshake messages ----

export const HS = {
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  encrypted_extensions: 8,
  certificate: 11,
  certificate_request: 13,
  certificate_verify: 15,
  finished: 20,
  key_update: 24,
} as const

export interface HandshakeMessage {
  readonly type: number
  readonly body: Uint8Array
  /** Header and body. */
  readonly raw: Uint8Array
}

/** Encodes msg_type, a uint24 length and the body. */
export function handshakeMessage(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length)
  out.set([type, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff])
  out.set(body, 4)
  return out
}

/** Splits complete handshake messages off `bytes`; returns them and the incomplete rest. */
function splitMessages(bytes: Uint8Array): { messages: HandshakeMessage[]; rest: Uint8Array } {
  const messages: HandshakeMessage[] = []
  let at = 0
  while (bytes.length - at >= 4) {
    const length = (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!
    if (bytes.length - at - 4 < length) break
    const raw = bytes.slice(at, at + 4 + length)
    messages.push({ type: raw[0]!, body: raw.subarray(4), raw })
    at += 4 + length
  }
  return { messages, rest: bytes.slice(at) }
}

// ---- hello extensions (RFC 8446 4.1.2, 4.1.3) ----

export interface RawExtension {
  readonly type: number
  readonly data: Uint8Array
}

/** A ClientHello or ServerHello body as the bytes before its extensions and the extensions themselves. */
export interface HelloParts {
  readonly head: Uint8Array
  readonly extensions: RawExtension[]
}

/** Where the extensions block of a hello body starts. */
function helloExtensionsOffset(type: number, body: Uint8Array): number {
  let at = 2 + 32
  at += 1 + body[at]! // legacy_session_id
  if (type === HS.client_hello) {
    at += 2 + ((body[at]! << 8) | body[at + 1]!) // cipher_suites
    at += 1 + body[at]! // legacy_compression_methods
  } else {
    at += 2 + 1 // cipher_suite, legacy_compression_method
  }
  return at
}

export function splitHello(type: number, body: Uint8Array): HelloParts {
  const start = helloExtensionsOffset(type, body)
  const end = start + 2 + ((body[start]! << 8) | body[start + 1]!)
  const extensions: RawExtension[] = []
  for (let at = start + 2; at < end; ) {
    const length = (body[at + 2]! << 8) | body[at + 3]!
    extensions.push({ type: (body[at]! << 8) | body[at + 1]!, data: body.slice(at + 4, at + 4 + length) })
    at += 4 + length
  }
  return { head: body.slice(0, start), extensions }
}

export function joinHello(parts: HelloParts): Uint8Array {
  const encoded = parts.extensions.map((e) => concatBytes(new Uint8Array([e.type >> 8, e.type & 0xff, e.data.length >> 8, e.data.length & 0xff]), e.data))
  const block = concatBytes(...encoded)
  return concatBytes(parts.head, new Uint8Array([block.length >> 8, block.length & 0xff]), block)
}

/** The hello with `edit` applied to its extension list (a new array is fine). */
export function editHelloExtensions(message: HandshakeMessage, edit: (extensions: RawExtension[]) => RawExtension[]): Uint8Array {
  const parts = splitHello(message.type, message.body)
  return handshakeMessage(message.type, joinHello({ head: parts.head, extensions: edit(parts.extensions) }))
}

/** The cipher_suite a ServerHello selects. */
export function serverHelloSuite(body: Uint8Array): number {
  const at = 2 + 32 + 1 + body[34]!
  return (body[at]! << 8) | body[at + 1]!
}

/** The ServerHello with another cipher_suite. */
export function withServerHelloSuite(message: HandshakeMessage, suite: number): Uint8Array {
  const body = message.body.slice()
  const at = 2 + 32 + 1 + body[34]!
  body[at] = suite >> 8
  body[at + 1] = suite & 0xff
  return handshakeMessage(HS.server_hello, body)
}

const HELLO_RETRY_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c'

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

export function isHelloRetryRequest(message: HandshakeMessage): boolean {
  return message.type === HS.server_hello && hex(message.body.subarray(2, 34)) === HELLO_RETRY_RANDOM
}

// ---- the middle ----

/** A run of handshake messages in one direction under one protection, as the editor sees it. */
export interface Flight {
  readonly direction: Direction
  readonly protection: 'plaintext' | 'handshake'
  readonly messages: readonly HandshakeMessage[]
}

/** What the editor sends instead: raw handshake bytes (one record each), or a record of another content type. */
export type Replacement = Uint8Array | { readonly contentType: number; readonly content: Uint8Array }

/** Returns the flight's replacement, or undefined to send it unchanged. */
export type FlightEditor = (flight: Flight) => readonly Replacement[] | undefined

interface DirectionState {
  phase: 'plaintext' | 'handshake' | 'application'
  opener?: Tls13RecordProtection
  sealer?: Tls13RecordProtection
}

const secretLabels: Record<Direction, string> = {
  'server->client': 'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'client->server': 'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
}

export class Tls13Mitm {
  /** Every flight seen, as it arrived (before editing). */
  readonly flights: Flight[] = []
  private readonly secrets = new Map<string, Uint8Array>()
  private clientRandom: string | undefined
  private readonly states: Record<Direction, DirectionState> = {
    'client->server': { phase: 'plaintext' },
    'server->client': { phase: 'plaintext' },
  }

  constructor(private readonly editor: FlightEditor = () => undefined) {}

  /** The keyLog option for the server's (and optionally the client's) context. */
  readonly keyLog = (line: string): void => {
    const [label, random, secret] = line.split(' ')
    if (label && random && secret) this.secrets.set(`${label} ${random}`, Uint8Array.from(Buffer.from(secret, 'hex')))
  }

  /** The runPair tamper function. */
  readonly tamper: Tamper = (bytes, direction) => {
    const state = this.states[direction]
    const out: Uint8Array[] = []
    let run: { protection: Flight['protection']; version: number; buffered: Uint8Array; messages: HandshakeMessage[] } | undefined
    const flush = () => {
      if (!run) return
      if (run.buffered.length > 0) throw new Error(`mitm: an incomplete ${run.protection} handshake message at the end of a flight`)
      const flight: Flight = { direction, protection: run.protection, messages: run.messages }
      const current = run
      run = undefined
      this.flights.push(flight)
      const replacement = this.editor(flight) ?? flight.messages.map((m) => m.raw)
      out.push(...replacement.flatMap((item) => this.emit(state, current.protection, current.version, item)))
      this.afterFlight(flight)
    }
    const append = (protection: Flight['protection'], version: number, content: Uint8Array) => {
      if (run && run.protection !== protection) flush()
      run ??= { protection, version, buffered: new Uint8Array(0), messages: [] }
      const { messages, rest } = splitMessages(concatBytes(run.buffered, content))
      run.messages.push(...messages)
      run.buffered = rest
    }

    for (const record of parseRecords(bytes)) {
      const plaintextHandshake = state.phase === 'plaintext' && record.type === ContentType.handshake
      // A run of hellos ends at the first other record; a ServerHello in it keys what follows.
      if (!plaintextHandshake && run?.protection === 'plaintext') flush()
      if (plaintextHandshake) {
        append('plaintext', record.version, record.fragment)
      } else if (state.phase === 'handshake' && record.type === ContentType.application_data) {
        const opened = openedNow(this.open(state, direction, record))
        if (opened.type === ContentType.handshake) append('handshake', record.version, opened.fragment)
        else {
          flush()
          out.push(now(state.sealer!.seal(opened.type, opened.fragment)))
        }
      } else {
        flush()
        out.push(encodeRecord(record.type, record.version, record.fragment))
      }
      // Once the original Finished went by, the next records are under application keys: pass them on.
      if (run?.protection === 'handshake' && run.messages.some((m) => m.type === HS.finished)) {
        flush()
        state.phase = 'application'
      }
    }
    flush()
    return concatBytes(...out)
  }

  /** Opens a record under the handshake key; a failure is the middle's, never a TlsError a side could be blamed for. */
  private open(state: DirectionState, direction: Direction, record: WireRecord) {
    try {
      return openedNow(state.opener!.open(ContentType.application_data, record.fragment, record.header))
    } catch (error) {
      throw new Error(`mitm: cannot open a ${direction} record under the handshake key: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  private emit(state: DirectionState, protection: Flight['protection'], version: number, item: Replacement): Uint8Array[] {
    const [type, content] = item instanceof Uint8Array ? [ContentType.handshake as number, item] : [item.contentType, item.content]
    const records: Uint8Array[] = []
    for (let at = 0; at < content.length || at === 0; at += MAX_FRAGMENT) {
      const fragment = content.subarray(at, at + MAX_FRAGMENT)
      records.push(protection === 'plaintext' ? encodeRecord(type, version, fragment) : now(state.sealer!.seal(type as ContentType, fragment)))
    }
    return records
  }

  /** Learns the client random and the suite from the original hellos, and keys both directions after a real ServerHello. */
  private afterFlight(flight: Flight): void {
    if (flight.protection !== 'plaintext') return
    for (const message of flight.messages) {
      if (message.type === HS.client_hello) this.clientRandom = hex(message.body.subarray(2, 34))
      if (message.type === HS.server_hello && !isHelloRetryRequest(message)) {
        const suite = cipherSuiteByCode(serverHelloSuite(message.body))
        if (!suite || !isTls13Suite(suite)) throw new Error('mitm: the ServerHello does not select a TLS 1.3 suite')
        this.keyDirection('server->client', suite)
        this.keyDirection('client->server', suite)
      }
    }
  }

  private keyDirection(direction: Direction, suite: Tls13CipherSuite): void {
    const key = `${secretLabels[direction]} ${this.clientRandom}`
    const secret = this.secrets.get(key)
    if (!secret) throw new Error(`mitm: no ${key} in the key log; give mitm.keyLog to the server's context`)
    const { key: aeadKey, iv } = trafficKeys(nobleProvider, suite.hash, secret, suite.keyLength, suite.ivLength)
    const state = this.states[direction]
    state.phase = 'handshake'
    state.opener = new Tls13RecordProtection(nobleProvider, suite.aead, aeadKey, iv)
    state.sealer = new Tls13RecordProtection(nobleProvider, suite.aead, aeadKey, iv)
  }
}
