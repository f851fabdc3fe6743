// Helpers of the policy tests: our client and server over the Node transport with bounded outcomes, OpenSSL's alert lines, a ClientHello-rewriting middlebox.
import * as net from 'node:net'
import type { Duplex } from 'node:stream'
import { expect } from 'vitest'
import { AlertDescription, type AlertName, TlsError } from '../../src/errors.js'
import type { ConnectionInfo } from '../../src/handshake/session.js'
import { type ConnectOptions, connect, createServer, type ServerOptions, type TlsServer, type TlsSocket } from '../../src/transport/node.js'
import { withTimeout } from '../helpers/timeouts.js'

const LOCALHOST = '127.0.0.1'
const HANDSHAKE_TIMEOUT_MS = 10_000

/** How one handshake ended: our side completed it, or our side failed with a TlsError. */
export type Outcome = { ok: true; info: ConnectionInfo; socket: TlsSocket } | { ok: false; error: TlsError }

/** Sockets, servers and middleboxes these helpers opened; disposeOurPeers() closes them all. */
const openResources = new Set<() => Promise<void>>()

function track(close: () => Promise<void>): () => Promise<void> {
  const once = async () => {
    openResources.delete(once)
    await close()
  }
  openResources.add(once)
  return once
}

/** Closes every socket, server and middlebox opened here (for afterEach, beside disposePeers()). */
export async function disposeOurPeers(): Promise<void> {
  await Promise.all([...openResources].map((close) => close()))
}

/** Any Duplex: a union of net.Socket's and TlsSocket's differently typed event methods would not be callable. */
function destroySocket(socket: Duplex): Promise<void> {
  if (socket.closed) return Promise.resolve()
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.destroy()
  return withTimeout(closed, 5_000, 'closing a socket')
}

/** The first of 'secureConnect' (handshake done) or 'error' on our client's TlsSocket. */
function handshakeOutcome(socket: TlsSocket, what: string): Promise<Outcome> {
  const settled = new Promise<Outcome>((resolve) => {
    socket.once('secureConnect', () => resolve({ ok: true, info: socket.info as ConnectionInfo, socket }))
    socket.once('error', (error) => resolve({ ok: false, error: asTlsError(error) }))
  })
  return withTimeout(settled, HANDSHAKE_TIMEOUT_MS, what)
}

/** Every failure of our transport is a TlsError; anything else (a TypeError…) is kept as is, and refusal() fails on it. */
function asTlsError(error: Error): TlsError {
  return error as TlsError
}

/**
 * Our client (src/transport/node.ts connect) to 127.0.0.1:port, servername 'localhost' unless given:
 * resolves with the handshake's outcome ('secureConnect', or the TlsError of the 'error' event).
 */
export function ourClientHandshake(port: number, options: Omit<ConnectOptions, 'port' | 'host'> = {}): Promise<Outcome> {
  const socket = connect({ host: LOCALHOST, port, servername: 'localhost', ...options })
  // Errors after the first are the stream's business; the outcome has been recorded.
  socket.on('error', () => {})
  track(() => destroySocket(socket))
  return handshakeOutcome(socket, `our client's handshake with :${port}`)
}

export interface OurServer {
  readonly port: number
  readonly server: TlsServer
  /** The first connection's handshake: 'secureConnection', or the TlsError of 'tlsClientError'. */
  readonly firstHandshake: Promise<Outcome>
}

/** Our server (src/transport/node.ts createServer) on 127.0.0.1 and a free port. */
export async function startOurServer(options: ServerOptions): Promise<OurServer> {
  const server = createServer(options)
  const firstHandshake = new Promise<Outcome>((resolve) => {
    server.on('secureConnection', (socket: TlsSocket) => {
      socket.on('error', () => {})
      socket.on('data', () => {})
      resolve({ ok: true, info: socket.info as ConnectionInfo, socket })
    })
    server.on('tlsClientError', (error: Error) => resolve({ ok: false, error: asTlsError(error) }))
  })
  const connections = new Set<net.Socket>()
  server.server.on('connection', (socket: net.Socket) => {
    connections.add(socket)
    socket.once('close', () => connections.delete(socket))
  })
  await withTimeout(new Promise<void>((resolve) => server.listen(0, LOCALHOST, () => resolve())), HANDSHAKE_TIMEOUT_MS, 'starting our server')
  const port = server.address().port
  track(async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    await Promise.all([...connections].map(destroySocket))
    await withTimeout(closed, 5_000, 'closing our server')
  })
  return { port, server, firstHandshake: withTimeout(firstHandshake, HANDSHAKE_TIMEOUT_MS, `the first handshake on our server :${port}`) }
}

/** The handshake must have failed on our side with a TlsError; returns it (a completed handshake fails the test, with what was negotiated). */
export function refusal(outcome: Outcome): TlsError {
  if (outcome.ok) expect.fail(`the handshake completed: ${JSON.stringify({ ...outcome.info, peerCertificates: outcome.info.peerCertificates.length })}`)
  expect(outcome.error, `not a TlsError: ${outcome.error.stack ?? outcome.error.message}`).toBeInstanceOf(TlsError)
  return outcome.error
}

/** The handshake must have completed; returns what was negotiated. */
export function completed(outcome: Outcome): ConnectionInfo {
  if (!outcome.ok) expect.fail(`the handshake failed: ${outcome.error.name}: ${outcome.error.message}`)
  return outcome.info
}

/**
 * What OpenSSL prints (on stderr) when it receives a fatal alert, e.g.
 * `ssl3_read_bytes:sslv3 alert certificate expired:../ssl/record/rec_layer_s3.c:1601:SSL alert number 45`.
 */
export function openSslReceivedAlert(alert: AlertName): RegExp {
  return new RegExp(`alert ${alert.replace(/_/g, ' ')}:[^\\n]*SSL alert number ${AlertDescription[alert]}\\b`)
}

/** The pieces of a ClientHello the middlebox edits (offsets into the record holding it). */
interface ClientHelloLayout {
  readonly cipherSuites: number
  readonly extensions: number
  readonly extensionsEnd: number
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!
}

function layoutOf(record: Uint8Array): ClientHelloLayout {
  if (record[0] !== 22 || record[5] !== 1) throw new Error('the middlebox expected a ClientHello record first')
  const sessionId = 5 + 4 + 2 + 32
  const cipherSuites = sessionId + 1 + record[sessionId]!
  const compression = cipherSuites + 2 + u16(record, cipherSuites)
  const extensions = compression + 1 + record[compression]!
  return { cipherSuites, extensions, extensionsEnd: extensions + 2 + u16(record, extensions) }
}

/** Inserts `bytes` at `at` and adds their length to each 16-bit (or, for the handshake header, 24-bit) length field listed. */
function insert(record: Uint8Array, at: number, bytes: number[], lengthFields: number[]): Uint8Array {
  const out = new Uint8Array(record.length + bytes.length)
  out.set(record.subarray(0, at))
  out.set(bytes, at)
  out.set(record.subarray(at), at + bytes.length)
  const view = new DataView(out.buffer)
  for (const field of [3, ...lengthFields]) view.setUint16(field, view.getUint16(field) + bytes.length)
  const handshakeLength = ((out[6]! << 16) | u16(out, 7)) + bytes.length
  out.set([handshakeLength >> 16, (handshakeLength >> 8) & 0xff, handshakeLength & 0xff], 6)
  return out
}

/** A ClientHello edit: what a misbehaving middlebox adds to our offer. */
export type ClientHelloEdit = (record: Uint8Array) => Uint8Array

/** Appends a cipher suite code to the ClientHello's cipher_suites. */
export function addCipherSuite(code: number): ClientHelloEdit {
  return (record) => {
    const { cipherSuites } = layoutOf(record)
    return insert(record, cipherSuites + 2 + u16(record, cipherSuites), [code >> 8, code & 0xff], [cipherSuites])
  }
}

/** Appends a named group code to the ClientHello's supported_groups extension (type 10). */
export function addSupportedGroup(code: number): ClientHelloEdit {
  return (record) => {
    const { extensions, extensionsEnd } = layoutOf(record)
    for (let at = extensions + 2; at < extensionsEnd; at += 4 + u16(record, at + 2)) {
      if (u16(record, at) !== 10) continue
      return insert(record, at + 6 + u16(record, at + 4), [code >> 8, code & 0xff], [extensions, at + 2, at + 4])
    }
    throw new Error('the ClientHello has no supported_groups extension')
  }
}

export interface Middlebox {
  readonly port: number
  /** What the client sent after its ClientHello, as relayed so far. */
  afterClientHello(): Uint8Array
}

/**
 * A TCP middlebox on 127.0.0.1 in front of `targetPort`: it rewrites the client's first record (the ClientHello)
 * with `edit` and relays everything else untouched, both ways.
 */
export async function startClientHelloRewriter(targetPort: number, edit: ClientHelloEdit): Promise<Middlebox> {
  const sockets = new Set<net.Socket>()
  const relayed: Buffer[] = []
  const proxy = net.createServer((client) => {
    const upstream = net.connect({ host: LOCALHOST, port: targetPort })
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.once('close', () => sockets.delete(socket))
    }
    let pending = Buffer.alloc(0)
    const firstRecord = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      if (pending.length < 5 || pending.length < 5 + u16(pending, 3)) return
      client.off('data', firstRecord)
      const recordLength = 5 + u16(pending, 3)
      upstream.write(edit(pending.subarray(0, recordLength)))
      const rest = (chunk: Buffer) => {
        relayed.push(chunk)
        upstream.write(chunk)
      }
      rest(pending.subarray(recordLength))
      client.on('data', rest)
    }
    client.on('data', firstRecord)
    upstream.pipe(client)
    client.once('close', () => upstream.destroy())
    upstream.once('close', () => client.destroy())
  })
  await withTimeout(new Promise<void>((resolve) => proxy.listen(0, LOCALHOST, () => resolve())), HANDSHAKE_TIMEOUT_MS, 'starting the middlebox')
  track(async () => {
    const closed = new Promise<void>((resolve) => proxy.close(() => resolve()))
    await Promise.all([...sockets].map(destroySocket))
    await withTimeout(closed, 5_000, 'closing the middlebox')
  })
  return { port: (proxy.address() as net.AddressInfo).port, afterClientHello: () => Buffer.concat(relayed) }
}
