// Shared pieces of the TLS 1.2 tests: the interop cells, what OpenSSL and node:tls report about a TLS 1.2 session, and in-memory pairs with a man in the middle.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { nobleProvider } from '../../src/crypto/noble.js'
import { type ContextOptions, createDefaultContext } from '../../src/handshake/context.js'
import type { Connection } from '../../src/handshake/connection.js'
import { type ClientHello, decodeClientHello, encodeClientHello } from '../../src/handshake/messages/client-hello.js'
import { decodeServerHello, encodeServerHello, type ReceivedServerHello, type ServerHello } from '../../src/handshake/messages/server-hello.js'
import { tls12KeyBlock } from '../../src/handshake/prf.js'
import { HandshakeType } from '../../src/handshake/registry.js'
import type { Tls12CipherSuiteName } from '../../src/policy/names.js'
import { cipherSuiteByCode, isTls12Suite, type Tls12CipherSuite } from '../../src/policy/suites.js'
import { concat, fromHex } from '../../src/bytes.js'
import { ContentType } from '../../src/record/content.js'
import { Tls12RecordProtection } from '../../src/record/tls12-protection.js'
import type { ConnectOptions, ServerOptions } from '../../src/transport/node.js'
import { runPair, type Tamper } from '../helpers/pair.js'
import type { SocketPeer } from '../helpers/peers.js'
import { type Chain, makeChain, type PkiKeyType } from '../helpers/pki.js'
import { type Endpoint, GROUPS, type Group, type MatrixProvider, type OurServer, type OurSocket, ourConnect, startOurServer } from './interop13-helpers.js'
import { now, openedNow } from '../helpers/sync.js'

/** A TLS 1.2 suite under its IANA name (ours, node's standardName) and its OpenSSL name. */
export interface Tls12Suite {
  readonly iana: Tls12CipherSuiteName
  readonly openssl: string
  readonly authentication: 'ecdsa' | 'rsa'
}

export const TLS12_SUITES: readonly Tls12Suite[] = [
  { iana: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-ECDSA-AES128-GCM-SHA256', authentication: 'ecdsa' },
  { iana: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', openssl: 'ECDHE-ECDSA-AES256-GCM-SHA384', authentication: 'ecdsa' },
  { iana: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', openssl: 'ECDHE-ECDSA-CHACHA20-POLY1305', authentication: 'ecdsa' },
  { iana: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-RSA-AES128-GCM-SHA256', authentication: 'rsa' },
  { iana: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', openssl: 'ECDHE-RSA-AES256-GCM-SHA384', authentication: 'rsa' },
  { iana: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', openssl: 'ECDHE-RSA-CHACHA20-POLY1305', authentication: 'rsa' },
]

export const TLS13_SUITE_NAMES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const

/** A server certificate key, with the suites' authentication it serves. */
export interface CertificateColumn {
  readonly label: 'ECDSA P-256' | 'ECDSA P-384' | 'RSA-2048'
  readonly pki: PkiKeyType
  readonly authentication: Tls12Suite['authentication']
}

export const CERTIFICATE_COLUMNS: readonly CertificateColumn[] = [
  { label: 'ECDSA P-256', pki: 'ecdsa-p256', authentication: 'ecdsa' },
  { label: 'ECDSA P-384', pki: 'ecdsa-p384', authentication: 'ecdsa' },
  { label: 'RSA-2048', pki: 'rsa-2048', authentication: 'rsa' },
]

export interface Cell12 {
  readonly suite: Tls12Suite
  readonly group: Group
  readonly certificate: CertificateColumn
  /** The crypto provider our side runs on. */
  readonly provider: MatrixProvider
  /** "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 × X25519 × RSA-2048 (noble)" */
  readonly title: string
}

/** Every suite × every group × every certificate whose key can authenticate the suite, our side on `provider`. */
export function tls12Cells(provider: MatrixProvider): Cell12[] {
  return TLS12_SUITES.flatMap((suite) =>
    CERTIFICATE_COLUMNS.filter((certificate) => certificate.authentication === suite.authentication).flatMap((certificate) =>
      GROUPS.map((group) => ({ suite, group, certificate, provider, title: `${suite.iana} × ${group.name} × ${certificate.label} (${provider.name})` })),
    ),
  )
}

/** Our client on a real socket with the library's default versions (TLS 1.2-1.3) unless `options` narrow them. */
export function ourClient(options: ConnectOptions): Promise<OurSocket> {
  return ourConnect(options.context ? options : { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ...options })
}

/** Our server on a real socket with the library's default versions (TLS 1.2-1.3) unless `options` narrow them. */
export function ourServer(options: ServerOptions): Promise<OurServer> {
  return startOurServer({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ...options })
}

/** A node:tls socket (peers.ts) as an endpoint of a bulk exchange. */
export function socketEndpoint(name: string, peer: SocketPeer): Endpoint {
  return { name, write: (data) => peer.write(data), received: peer.received }
}

// ---- files the OpenSSL tools write (traces, sessions, configuration) ----

let scratch: string | null = null

/** A path in this process's scratch directory (removed by cleanupScratch). */
function scratchPath(name: string): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'pure-tls-interop12-'))
  return join(scratch, name)
}

let fileCounter = 0
/** A fresh path for one tool's output file. */
export function freshScratchPath(prefix: string): string {
  return scratchPath(`${prefix}-${++fileCounter}.txt`)
}

export function cleanupScratch(): void {
  if (scratch !== null) rmSync(scratch, { recursive: true, force: true })
  scratch = null
}

/**
 * OpenSSL 3.0 has no -no_ems flag on s_server or s_client. SSL_OP_NO_EXTENDED_MASTER_SECRET (new in 3.0) is
 * reachable only through SSL_CONF's "Options" command, which exists in configuration files, not on the
 * command line: this environment points OPENSSL_CONF at a file whose system_default section clears
 * ExtendedMasterSecret, which every SSL_CTX the tool makes picks up.
 */
export function noEmsOpenSslEnvironment(): NodeJS.ProcessEnv {
  const path = scratchPath('no-ems-openssl.cnf')
  writeFileSync(
    path,
    [
      'openssl_conf = openssl_init',
      '[openssl_init]',
      'ssl_conf = ssl_section',
      '[ssl_section]',
      'system_default = system_default_section',
      '[system_default_section]',
      'Options = -ExtendedMasterSecret',
      '',
    ].join('\n'),
  )
  return { ...process.env, OPENSSL_CONF: path }
}

// ---- what OpenSSL says about a TLS 1.2 session ----

/** One handshake message decoded by `-trace`: its name and the extension names it listed. */
export interface TracedMessage {
  readonly direction: 'Sent' | 'Received'
  readonly name: string
  readonly text: string
  readonly extensions: readonly string[]
}

/** The records of an `-trace` log (s_server/s_client -trace -msgfile FILE), each with its direction. */
function traceRecords(trace: string): { direction: TracedMessage['direction']; text: string }[] {
  return trace
    .split(/\n(?=(?:Sent|Received) Record\n)/)
    .filter((text) => /^(Sent|Received) Record\n/.test(text))
    .map((text) => ({ direction: text.startsWith('Sent') ? 'Sent' : 'Received', text }))
}

/** Splits an `-trace` log into its handshake messages. */
export function parseTrace(trace: string): TracedMessage[] {
  const out: TracedMessage[] = []
  for (const { direction, text: record } of traceRecords(trace)) {
    for (const message of record.split(/\n(?=    \w+, Length=\d+\n)/).slice(1)) {
      const name = message.match(/^ {4}(\w+), Length=/)?.[1]
      if (!name) continue
      out.push({ direction, name, text: message, extensions: [...message.matchAll(/extension_type=(\w+)\(/g)].map((m) => m[1]!) })
    }
  }
  return out
}

/** The alerts a -trace shows sent or received, as "warning no renegotiation" (undecodable encrypted ones as "encrypted"). */
export function tracedAlerts(trace: string, direction: TracedMessage['direction']): string[] {
  return traceRecords(trace)
    .filter((record) => record.direction === direction && /Content Type = Alert \(21\)/.test(record.text))
    .map(({ text: record }) => record.match(/Level=(\w+)\(\d+\), description=([^(\n]+)\(\d+\)/)?.slice(1).join(' ') ?? 'encrypted')
}

/** What an OpenSSL -trace says was negotiated in a TLS 1.2 handshake: ServerHello's suite and EMS, ServerKeyExchange's curve. */
export interface TraceSummary12 {
  readonly serverVersion: string | undefined
  readonly cipherSuite: string | undefined
  readonly clientOfferedEms: boolean
  readonly serverAcceptedEms: boolean
  readonly group: Group['name'] | undefined
}

const traceGroups: Record<string, Group['name']> = { ecdh_x25519: 'X25519', secp256r1: 'P-256', secp384r1: 'P-384' }

function summarizeTrace12(trace: string): TraceSummary12 {
  const messages = parseTrace(trace)
  const clientHello = messages.find((m) => m.name === 'ClientHello')
  const serverHello = messages.find((m) => m.name === 'ServerHello')
  const keyExchange = messages.find((m) => m.name === 'ServerKeyExchange')
  const curve = keyExchange?.text.match(/named_curve: (\w+)/)?.[1]
  return {
    serverVersion: serverHello?.text.match(/server_version=0x\w+ \(([^)]+)\)/)?.[1],
    cipherSuite: serverHello?.text.match(/cipher_suite \{[^}]*\} (\w+)/)?.[1],
    clientOfferedEms: clientHello?.extensions.includes('extended_master_secret') ?? false,
    serverAcceptedEms: serverHello?.extensions.includes('extended_master_secret') ?? false,
    group: curve === undefined ? undefined : traceGroups[curve],
  }
}

export function readTrace12(path: string): TraceSummary12 {
  return summarizeTrace12(readFileSync(path, 'utf8'))
}

/** `openssl sess_id -text` of an SSL_SESSION: DER (node's getSession()) or the PEM block s_server prints. */
function opensslSessionText(session: Uint8Array | string): Promise<string> {
  const args = ['sess_id', '-inform', typeof session === 'string' ? 'PEM' : 'DER', '-noout', '-text']
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`openssl ${args.join(' ')}: ${error.message}\n${stderr}`))
      else resolve(stdout)
    })
    child.stdin?.end(typeof session === 'string' ? session : Buffer.from(session))
  })
}

/** The session facts `openssl sess_id -text` prints: "Protocol  : TLSv1.2", "Cipher    : …", "Extended master secret: yes". */
export interface SessionFacts {
  readonly protocol: string | undefined
  readonly cipher: string | undefined
  readonly extendedMasterSecret: string | undefined
}

export function parseSessionText(text: string): SessionFacts {
  return {
    protocol: text.match(/Protocol\s*: (\S+)/)?.[1],
    cipher: text.match(/Cipher\s*: (\S+)/)?.[1],
    extendedMasterSecret: text.match(/Extended master secret: (\w+)/)?.[1],
  }
}

/** The session `openssl s_server` (without -quiet) printed as "-----BEGIN SSL SESSION PARAMETERS-----", as sess_id describes it. */
export async function openSslServerSessionFacts(stdout: string): Promise<SessionFacts> {
  const pem = stdout.match(/-----BEGIN SSL SESSION PARAMETERS-----[\s\S]*?-----END SSL SESSION PARAMETERS-----\n/)?.[0]
  if (!pem) throw new Error(`openssl s_server printed no session:\n${stdout}`)
  return parseSessionText(await opensslSessionText(pem))
}

/** A node:tls socket's session as OpenSSL describes it (getSession() is the DER SSL_SESSION). */
export async function nodeSessionFacts(socket: TLSSocket): Promise<SessionFacts> {
  const der = socket.getSession()
  if (!der) throw new Error('node:tls has no session for this socket')
  return parseSessionText(await opensslSessionText(der))
}

// ---- in memory (test/handshake/tls12, downgrade): contexts, records, and a man in the middle ----

/** One TLS record as framed on the wire. */
export interface WireRecord {
  readonly type: number
  readonly version: number
  readonly fragment: Uint8Array
}

/** Splits bytes that hold whole records (what one takeOutgoing() returns) into records. */
export function splitRecords(bytes: Uint8Array): WireRecord[] {
  const records: WireRecord[] = []
  for (let at = 0; at < bytes.length; ) {
    if (bytes.length - at < 5) throw new Error(`a partial record header at ${at}`)
    const length = (bytes[at + 3]! << 8) | bytes[at + 4]!
    if (bytes.length - at - 5 < length) throw new Error(`a partial record at ${at}`)
    records.push({ type: bytes[at]!, version: (bytes[at + 1]! << 8) | bytes[at + 2]!, fragment: bytes.slice(at + 5, at + 5 + length) })
    at += 5 + length
  }
  return records
}

export function frameRecord(record: WireRecord): Uint8Array {
  const out = new Uint8Array(5 + record.fragment.length)
  out.set([record.type, record.version >> 8, record.version & 0xff, record.fragment.length >> 8, record.fragment.length & 0xff])
  out.set(record.fragment, 5)
  return out
}

export function joinRecords(records: readonly WireRecord[]): Uint8Array {
  return concat(...records.map(frameRecord))
}

/** The unprotected handshake messages in these bytes (those before a ChangeCipherSpec), as { type, body }. */
export function plaintextHandshakeMessages(bytes: Uint8Array): { type: number; body: Uint8Array }[] {
  const records = splitRecords(bytes)
  const untilKeys = records.findIndex((r) => r.type === ContentType.change_cipher_spec)
  const handshake = concat(...records.slice(0, untilKeys < 0 ? undefined : untilKeys).filter((r) => r.type === ContentType.handshake).map((r) => r.fragment))
  const messages: { type: number; body: Uint8Array }[] = []
  for (let at = 0; at + 4 <= handshake.length; ) {
    const length = (handshake[at + 1]! << 16) | (handshake[at + 2]! << 8) | handshake[at + 3]!
    messages.push({ type: handshake[at]!, body: handshake.slice(at + 4, at + 4 + length) })
    at += 4 + length
  }
  return messages
}

/** The ServerHello in a server flight, if there is one. */
export function serverHelloIn(bytes: Uint8Array): ReceivedServerHello | undefined {
  const message = plaintextHandshakeMessages(bytes).find((m) => m.type === HandshakeType.server_hello)
  return message && decodeServerHello(message.body)
}

/** A server flight with its ServerHello re-encoded after `edit` (the rest of the flight unchanged). */
export function rewriteServerHello(bytes: Uint8Array, edit: (hello: ServerHello) => ServerHello): Uint8Array {
  const [first, ...rest] = splitRecords(bytes)
  const messages = plaintextHandshakeMessages(frameRecord(first!))
  const [hello, ...others] = messages
  if (!first || first.type !== ContentType.handshake || hello?.type !== HandshakeType.server_hello) throw new Error('the flight does not start with a ServerHello record')
  const rewritten = encodeServerHello(edit(decodeServerHello(hello.body)))
  const fragment = concat(rewritten, ...others.map((m) => concat(new Uint8Array([m.type, m.body.length >> 16, (m.body.length >> 8) & 0xff, m.body.length & 0xff]), m.body)))
  return joinRecords([{ ...first, fragment }, ...rest])
}

/** The first client flight (one record holding the ClientHello) re-encoded after `edit`. */
export function rewriteClientHello(bytes: Uint8Array, edit: (hello: ClientHello) => ClientHello): Uint8Array {
  const [record, ...rest] = splitRecords(bytes)
  if (!record || record.type !== ContentType.handshake || record.fragment[0] !== HandshakeType.client_hello || rest.length > 0)
    throw new Error('not a lone ClientHello record')
  return frameRecord({ ...record, fragment: encodeClientHello(edit(decodeClientHello(record.fragment.subarray(4)))) })
}

/** A ClientHello without these extensions. */
export function withoutExtensions(hello: ClientHello, ...types: number[]): ClientHello {
  return { ...hello, extensions: hello.extensions.filter((e) => !types.includes(e.type)) }
}

/** A tamper that edits the first message seen in one direction and passes everything else through. */
export function onFirst(direction: 'client->server' | 'server->client', edit: (bytes: Uint8Array) => Uint8Array): Tamper {
  let done = false
  return (bytes, way) => {
    if (way !== direction || done) return bytes
    done = true
    return edit(bytes)
  }
}

export interface MemoryPairOptions {
  readonly client?: ContextOptions
  readonly server?: ContextOptions
  /** The server certificate's key (default ECDSA P-256). */
  readonly serverKey?: PkiKeyType
}

/** A client and a server Connection in memory, verified against one test root (makeChain). */
export async function memoryPair(options: MemoryPairOptions = {}): Promise<{ client: Connection; server: Connection; chain: Chain }> {
  const chain = await makeChain({ leafKey: options.serverKey ?? 'ecdsa-p256', withIntermediate: true })
  const client = createDefaultContext('server-auth', { ca: chain.rootPem, ...options.client }).client({ serverName: 'localhost' })
  const server = createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem, ...options.server }).server()
  return { client, server, chain }
}

/** Writes `bytes` on one side of an established pair, shuttles, and returns what the other side read. */
export function sendThrough(pair: { client: Connection; server: Connection }, from: 'client' | 'server', bytes: Uint8Array): Uint8Array {
  pair[from].write(bytes)
  const result = runPair(pair.client, pair.server)
  if (result.clientError || result.serverError) throw new Error(`the pair failed: ${String(result.clientError ?? result.serverError)}`)
  return pair[from === 'client' ? 'server' : 'client'].read()
}

/** Watches a TLS 1.2 pair in memory: both randoms and the suite from the hellos, the master secret from the client's key log. */
export class Tls12Observer {
  clientRandom: Uint8Array | undefined
  serverRandom: Uint8Array | undefined
  suite: Tls12CipherSuite | undefined
  masterSecret: Uint8Array | undefined

  /** Pass as the client's keyLog option. */
  readonly keyLog = (line: string): void => {
    const [label, , secret] = line.split(' ')
    if (label === 'CLIENT_RANDOM') this.masterSecret = fromHex(secret!)
  }

  /** A pass-through tamper for runPair that reads the hellos. */
  readonly watch: Tamper = (bytes, way) => {
    for (const message of plaintextHandshakeMessages(bytes)) {
      if (way === 'client->server' && message.type === HandshakeType.client_hello) this.clientRandom = decodeClientHello(message.body).random
      if (way === 'server->client' && message.type === HandshakeType.server_hello) {
        const hello = decodeServerHello(message.body)
        this.serverRandom = hello.random
        const suite = cipherSuiteByCode(hello.cipherSuite)
        if (suite && isTls12Suite(suite)) this.suite = suite
      }
    }
    return bytes
  }

  /** A fresh record protection (sequence number 0) for the first protected record the writer sends. */
  protection(writer: 'client' | 'server'): Tls12RecordProtection {
    const { suite, masterSecret, clientRandom, serverRandom } = this
    if (!suite || !masterSecret || !clientRandom || !serverRandom) throw new Error('the observer has not seen both hellos and the key log')
    const keys = tls12KeyBlock(nobleProvider, suite, masterSecret, clientRandom, serverRandom)
    return writer === 'client'
      ? new Tls12RecordProtection(nobleProvider, suite.aead, keys.clientWriteKey, keys.clientWriteIv)
      : new Tls12RecordProtection(nobleProvider, suite.aead, keys.serverWriteKey, keys.serverWriteIv)
  }
}

/**
 * A man in the middle who knows the keys (through `observer`): it opens the first protected handshake
 * record sent in `direction` (the Finished), lets `edit` change the plaintext message, and reseals it
 * under the same key and sequence number, so the record itself still authenticates.
 */
export function resealFinished(observer: Tls12Observer, direction: 'client->server' | 'server->client', edit: (finished: Uint8Array) => Uint8Array): Tamper {
  let done = false
  return (bytes, way) => {
    observer.watch(bytes, way)
    if (way !== direction || done) return bytes
    const records = splitRecords(bytes)
    const keysAt = records.findIndex((r) => r.type === ContentType.change_cipher_spec)
    if (keysAt < 0 || records[keysAt + 1]?.type !== ContentType.handshake) return bytes
    done = true
    const writer = way === 'client->server' ? 'client' : 'server'
    const sealed = records[keysAt + 1]!
    const finished = openedNow(observer.protection(writer).open(ContentType.handshake, sealed.fragment, frameRecord(sealed).subarray(0, 5))).fragment
    records[keysAt + 1] = splitRecords(now(observer.protection(writer).seal(ContentType.handshake, edit(finished))))[0]!
    return joinRecords(records)
  }
}
