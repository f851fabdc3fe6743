// Shared pieces of the TLS 1.3 interop tests: the cells (suites, groups, server keys), our client and server on real sockets, bulk transfers, and what OpenSSL and node:tls report.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { expect } from 'vitest'
import { nobleProvider } from '../../src/crypto/noble.js'
import { nodeCryptoProvider } from '../../src/crypto/node-crypto.js'
import type { CryptoProvider, NamedGroupName } from '../../src/crypto/provider.js'
import { webCryptoProvider } from '../../src/crypto/webcrypto.js'
import { type ConnectOptions, connect, createServer, type ServerOptions, type TlsSocket } from '../../src/transport/node.js'
import { OutputBuffer } from '../helpers/output.js'
import { type Chain, makeChain, makeClientChain, type PkiKeyType } from '../helpers/pki.js'
import { disposePeers, SocketPeer } from '../helpers/peers.js'
import type { PeerProcess } from '../helpers/processes.js'
import { withTimeout } from '../helpers/timeouts.js'

const MiB = 1024 * 1024
const HANDSHAKE_TIMEOUT_MS = 15_000
const TRANSFER_TIMEOUT_MS = 30_000

export const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const
export type Tls13Suite = (typeof TLS13_SUITES)[number]

/** A crypto provider our side runs on, named for test titles. */
export interface MatrixProvider {
  readonly name: 'noble' | 'node:crypto' | 'webcrypto'
  readonly provider: CryptoProvider
}

/** The interop matrices run once per provider: the pure-JS default, node:crypto, and Node's SubtleCrypto (asynchronous). */
export const MATRIX_PROVIDERS: readonly MatrixProvider[] = [
  { name: 'noble', provider: nobleProvider },
  { name: 'node:crypto', provider: nodeCryptoProvider() },
  { name: 'webcrypto', provider: webCryptoProvider() },
]

/** A key exchange group under each name the peers use for it. */
export interface Group {
  /** Our option name and the name in test titles. */
  readonly name: 'X25519' | 'P-256' | 'P-384'
  /** conn.info.group. */
  readonly ours: NamedGroupName
  /** node's ecdhCurve and getEphemeralKeyInfo().name. */
  readonly node: 'X25519' | 'prime256v1' | 'secp384r1'
}

export const GROUPS: readonly Group[] = [
  { name: 'X25519', ours: 'x25519', node: 'X25519' },
  { name: 'P-256', ours: 'secp256r1', node: 'prime256v1' },
  { name: 'P-384', ours: 'secp384r1', node: 'secp384r1' },
]

/** A server certificate key type with the TLS 1.3 signature it makes. */
export interface ServerKey {
  readonly label: 'ECDSA P-256' | 'ECDSA P-384' | 'Ed25519' | 'RSA-2048'
  readonly pki: PkiKeyType
  /** The SignatureScheme of the server's CertificateVerify (our client's info.signatureScheme). */
  readonly scheme: string
  /** `Signature type:` in openssl s_client -brief. */
  readonly opensslSignatureType: string
}

export const SERVER_KEYS: readonly ServerKey[] = [
  { label: 'ECDSA P-256', pki: 'ecdsa-p256', scheme: 'ecdsa_secp256r1_sha256', opensslSignatureType: 'ECDSA' },
  { label: 'ECDSA P-384', pki: 'ecdsa-p384', scheme: 'ecdsa_secp384r1_sha384', opensslSignatureType: 'ECDSA' },
  { label: 'Ed25519', pki: 'ed25519', scheme: 'ed25519', opensslSignatureType: 'ed25519' },
  { label: 'RSA-2048', pki: 'rsa-2048', scheme: 'rsa_pss_rsae_sha256', opensslSignatureType: 'RSA-PSS' },
]

/** The server chain for a key type: leaf + intermediate under the one test root (cached per process). */
export function serverChain(key: PkiKeyType = 'ecdsa-p256'): Promise<Chain> {
  return makeChain({ leafKey: key, withIntermediate: true })
}

/** A client certificate under the same root as serverChain, so one CA file verifies both. */
export function clientChain(key: PkiKeyType = 'ecdsa-p256'): Promise<Chain> {
  return makeClientChain({ leafKey: key, withIntermediate: true })
}

/** openssl s_server / s_client arguments presenting a chain (leaf, key, intermediate). */
export function opensslCertificateArgs(chain: Chain): string[] {
  return ['-cert', chain.leafPath, '-key', chain.keyPath, ...(chain.intermediatePath ? ['-cert_chain', chain.intermediatePath] : [])]
}

/** Something that sends bytes to its peer and collects what the peer sends. */
export interface Endpoint {
  readonly name: string
  write(data: Uint8Array | string): Promise<void>
  readonly received: OutputBuffer
}

/** An openssl process as an endpoint: stdin is sent, stdout is what arrived (only with -quiet is this exact). */
export function processEndpoint(name: string, process: PeerProcess): Endpoint {
  return { name, write: (data) => process.write(data), received: process.stdout }
}

/** Sends `size` random bytes each way at the same time and checks both arrive byte for byte, nothing more. */
export async function exchangeBulk(a: Endpoint, b: Endpoint, size = MiB): Promise<void> {
  const fromA = randomBytes(size)
  const fromB = randomBytes(size)
  const aStart = a.received.byteLength
  const bStart = b.received.byteLength
  await Promise.all([a.write(fromA), b.write(fromB)])
  const [atB, atA] = await Promise.all([
    b.received.waitForBytes(bStart + size, TRANSFER_TIMEOUT_MS),
    a.received.waitForBytes(aStart + size, TRANSFER_TIMEOUT_MS),
  ])
  expectSameBytes(`${a.name} → ${b.name}`, atB.subarray(bStart), fromA)
  expectSameBytes(`${b.name} → ${a.name}`, atA.subarray(aStart), fromB)
}

export function expectSameBytes(what: string, actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length, `${what}: length`).toBe(expected.length)
  expect(Buffer.compare(actual, expected) === 0, `${what}: the bytes differ`).toBe(true)
}

/** Sends one short text line and waits for it on the other side (text through non -quiet tools). */
export async function sendLine(from: Endpoint, to: Endpoint, text: string): Promise<void> {
  await from.write(`${text}\n`)
  await to.received.waitForText(new RegExp(text), 10_000)
}

// ---- our side on real sockets ----

const openOurs = new Set<{ close(): Promise<void> }>()

/** Our TlsSocket with everything it received collected, and bounded waits. */
export class OurSocket extends SocketPeer<TlsSocket> implements Endpoint {
  get info() {
    const info = this.socket.info
    if (!info) throw new Error(`${this.name}: no handshake info`)
    return info
  }
}

/** Our client (src/transport/node.ts connect), resolved after its handshake; TLS 1.3 only unless options say otherwise. */
export async function ourConnect(options: ConnectOptions): Promise<OurSocket> {
  // A given context carries its own versions: the adapter refuses options that would contradict it.
  const socket = connect({ host: '127.0.0.1', servername: 'localhost', ...(options.context ? {} : { minVersion: 'TLSv1.3' }), ...options })
  const ours = new OurSocket(socket, `our client to :${options.port}`)
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve())
    socket.once('error', reject)
    socket.once('close', () => reject(new Error(`${ours.name}: closed during the handshake`)))
  })
  try {
    await withTimeout(connected, HANDSHAKE_TIMEOUT_MS, `${ours.name}: handshake`)
  } catch (error) {
    await ours.close()
    throw error
  }
  return ours
}

/** A waiting queue of arrivals (connections, errors) with a bounded take(). */
class Queue<T> {
  private readonly ready: T[] = []
  private readonly waiting: ((item: T) => void)[] = []
  constructor(private readonly what: string) {}

  push(item: T): void {
    const waiter = this.waiting.shift()
    if (waiter) waiter(item)
    else this.ready.push(item)
  }

  async take(timeoutMs: number): Promise<T> {
    if (this.ready.length > 0) return this.ready.shift()!
    let waiter!: (item: T) => void
    const arrival = new Promise<T>((resolve) => {
      waiter = resolve
      this.waiting.push(resolve)
    })
    try {
      return await withTimeout(arrival, timeoutMs, `waiting for ${this.what}`)
    } finally {
      const index = this.waiting.indexOf(waiter)
      if (index >= 0) this.waiting.splice(index, 1)
    }
  }
}

export interface OurServer {
  readonly port: number
  /** The next connection whose handshake completed. */
  nextConnection(timeoutMs?: number): Promise<OurSocket>
  /** The next handshake that failed ('tlsClientError'). */
  nextClientError(timeoutMs?: number): Promise<Error>
  close(): Promise<void>
}

/** Our server (src/transport/node.ts createServer) on 127.0.0.1, TLS 1.3 only unless options say otherwise. */
export async function startOurServer(options: ServerOptions): Promise<OurServer> {
  const server = createServer({ minVersion: 'TLSv1.3', ...options })
  const connections = new Queue<OurSocket>('a connection to our server')
  const errors = new Queue<Error>('a failed handshake on our server')
  const accepted: OurSocket[] = []
  server.on('secureConnection', (socket: TlsSocket) => {
    const ours = new OurSocket(socket, `our server connection from :${socket.socket.remotePort}`)
    accepted.push(ours)
    connections.push(ours)
  })
  server.on('tlsClientError', (error: Error) => errors.push(error))
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    }),
    10_000,
    'starting our server',
  )
  const handle: OurServer = {
    port: server.address().port,
    nextConnection: (timeoutMs = HANDSHAKE_TIMEOUT_MS) => connections.take(timeoutMs),
    nextClientError: (timeoutMs = HANDSHAKE_TIMEOUT_MS) => errors.take(timeoutMs),
    async close() {
      openOurs.delete(handle)
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      await Promise.all(accepted.map((socket) => socket.close()))
      await withTimeout(stopped, 5_000, 'closing our server')
    },
  }
  openOurs.add(handle)
  return handle
}

/** Closes everything: our sockets and servers, the peer processes and node:tls peers (for afterEach). */
export async function disposeAll(): Promise<void> {
  await Promise.all([disposePeers(), ...[...openOurs].map((resource) => resource.close().catch(() => {}))])
}

// ---- what the other side says it negotiated ----

/** What an OpenSSL tool printed about the connection. */
export interface OpenSslReport {
  readonly version: string | undefined
  readonly cipherSuite: string | undefined
  readonly group: Group['name'] | undefined
  readonly signatureType: string | undefined
}

const tempKeyGroups: Record<string, Group['name']> = { X25519: 'X25519', prime256v1: 'P-256', secp384r1: 'P-384' }
const traceGroups: Record<string, Group['name']> = { ecdh_x25519: 'X25519', secp256r1: 'P-256', secp384r1: 'P-384' }

function firstMatch(text: string, pattern: RegExp): string | undefined {
  return text.match(pattern)?.[1]
}

/**
 * `openssl s_client -brief` (stderr): "Protocol version: TLSv1.3", "Ciphersuite: X", "Signature type: ECDSA",
 * and the group in "Server Temp Key: X25519, 253 bits" or "Server Temp Key: ECDH, prime256v1, 256 bits".
 */
export function parseOpenSslClientReport(stderr: string): OpenSslReport {
  const tempKey = stderr.match(/Server Temp Key: (?:ECDH, )?([\w-]+),/)?.[1]
  return {
    version: firstMatch(stderr, /Protocol version: (\S+)/),
    cipherSuite: firstMatch(stderr, /Ciphersuite: (\S+)/),
    group: tempKey === undefined ? undefined : tempKeyGroups[tempKey],
    signatureType: firstMatch(stderr, /Signature type: (\S+)/),
  }
}

let scratchDirectory: string | undefined

/** A fresh path in a per-process temp dir, for a tool's log (e.g. -msgfile: node's child stdio are sockets, which /dev/stderr cannot reopen). */
export function scratchFile(): string {
  if (scratchDirectory === undefined) {
    const directory = mkdtempSync(join(tmpdir(), 'pure-tls-interop13-'))
    scratchDirectory = directory
    process.once('exit', () => rmSync(directory, { recursive: true, force: true }))
  }
  return join(scratchDirectory, `log-${randomBytes(6).toString('hex')}.txt`)
}

/** The random of a HelloRetryRequest (RFC 8446 4.1.3), as OpenSSL's trace prints a ServerHello random. */
const HELLO_RETRY_RANDOM = /gmt_unix_time=0xCF21AD74\s+random_bytes \(len=28\): E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C/

/** One record of an OpenSSL -trace decode. */
export interface TraceRecord {
  readonly direction: 'sent' | 'received'
  readonly text: string
}

/** OpenSSL's own decode of every record it sent and received (-trace -msgfile). */
export class OpenSslTrace {
  readonly records: readonly TraceRecord[]

  constructor(text: string) {
    this.records = text
      .split(/^(?=Sent Record$|Received Record$)/m)
      .filter((chunk) => /^(Sent|Received) Record$/m.test(chunk))
      .map((chunk) => ({ direction: chunk.startsWith('Sent') ? ('sent' as const) : ('received' as const), text: chunk }))
  }

  /** The records carrying handshake message `name` (as the trace spells it, e.g. "ClientHello", "KeyUpdate"). */
  messages(direction: TraceRecord['direction'], name: string): string[] {
    const label = new RegExp(`^\\s+${name}, Length=\\d+$`, 'm')
    return this.records.filter((record) => record.direction === direction && label.test(record.text)).map((record) => record.text)
  }

  /** ServerHellos in `direction`, split into HelloRetryRequests (by their special random) and real ones. */
  serverHellos(direction: TraceRecord['direction']): { retries: string[]; hellos: string[] } {
    const all = this.messages(direction, 'ServerHello')
    return { retries: all.filter((text) => HELLO_RETRY_RANDOM.test(text)), hellos: all.filter((text) => !HELLO_RETRY_RANDOM.test(text)) }
  }
}

/** The key_share group a (trace-decoded) hello names, by our group name. */
export function tracedGroup(helloText: string | undefined): Group['name'] | undefined {
  const traced = helloText?.match(/NamedGroup: (\w+)/)?.[1]
  return traced === undefined ? undefined : traceGroups[traced]
}

/** The hex of the cookie extension in a trace-decoded hello, or undefined when it has none. */
export function tracedCookie(helloText: string): string | undefined {
  const lines = helloText.split('\n')
  const start = lines.findIndex((line) => /extension_type=cookie_ext\(44\)/.test(line))
  if (start < 0) return undefined
  let hex = ''
  for (const line of lines.slice(start + 1)) {
    const dump = line.match(/^\s+[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -])+)/)
    if (!dump) break
    hex += dump[1]!.replace(/[ -]/g, '')
  }
  return hex
}

/** -trace -msgfile arguments for an OpenSSL tool, and the trace once the tool exited (the BIO is buffered until then). */
export function openSslTracing(): { args: string[]; read(): Promise<OpenSslTrace> } {
  const file = scratchFile()
  return { args: ['-trace', '-msgfile', file], read: async () => new OpenSslTrace(await readFile(file, 'utf8').catch(() => '')) }
}

/** s_server flags for a report: the -brief summary on stderr and a -trace decode. */
export interface OpenSslServerReporting {
  readonly args: string[]
  /** Reads the report; call it once the server exited. */
  read(server: PeerProcess): Promise<OpenSslReport>
}

/**
 * `openssl s_server -brief -trace -msgfile FILE`: 3.0 prints no negotiated group on the server, so the group
 * is the NamedGroup of the key_share in the ServerHello it sent, from its own decode of its own message.
 */
export function openSslServerReporting(): OpenSslServerReporting {
  const tracing = openSslTracing()
  return {
    args: ['-brief', ...tracing.args],
    async read(server) {
      const trace = await tracing.read()
      const stderr = server.errorOutput()
      return {
        version: firstMatch(stderr, /Protocol version: (\S+)/),
        cipherSuite: firstMatch(stderr, /Ciphersuite: (\S+)/),
        group: tracedGroup(trace.serverHellos('sent').hellos[0]),
        signatureType: undefined,
      }
    },
  }
}

/** node:tls's view of a connection: getCipher(), getProtocol() and, on a client, getEphemeralKeyInfo(). */
export function nodeReport(socket: TLSSocket): { version: string | null; cipherSuite: string | undefined; group: string | undefined } {
  const key = socket.getEphemeralKeyInfo() as { name?: string } | null
  return { version: socket.getProtocol(), cipherSuite: socket.getCipher()?.standardName, group: key?.name }
}

/** A node:tls socket as an endpoint. */
export function nodeEndpoint(name: string, peer: SocketPeer): Endpoint {
  return { name, write: (data) => peer.write(data), received: peer.received }
}

/** Collects every failure of independent checks and reports them all together, each under its name. */
export async function allChecks(checks: Record<string, () => Promise<void>>): Promise<void> {
  const names = Object.keys(checks)
  const results = await Promise.allSettled(names.map((name) => checks[name]!()))
  const failures = results.flatMap((result, i) =>
    result.status === 'rejected' ? [`${names[i]}: ${result.reason instanceof Error ? result.reason.stack ?? result.reason.message : String(result.reason)}`] : [],
  )
  if (failures.length > 0) throw new Error(`${failures.length} of ${names.length} failed:\n\n${failures.join('\n\n')}`)
}
