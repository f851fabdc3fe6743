// The Web Streams adapter: handshake, data of every BufferSource kind both ways, back-pressure, closing, cancel/abort, failures,
// an asynchronous provider, and openssl s_server closing the connection.
import { connect as tcpConnect } from 'node:net'
import { Duplex } from 'node:stream'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { asyncProvider } from '../../test/helpers/async-provider.js'
import { disposePeers, startOpenSslServer } from '../../test/helpers/peers.js'
import { type Chain, cleanupPki, makeChain } from '../../test/helpers/pki.js'
import { sleep, withTimeout } from '../../test/helpers/timeouts.js'
import { nobleProvider } from '../crypto/noble.js'
import type { CryptoProvider } from '../crypto/provider.js'
import { TlsError } from '../errors.js'
import { createDefaultContext } from '../handshake/context.js'
import { type ByteStreamPair, type SecureStreamPair, type SecureStreamsOptions, type TransportChunk, secureStreams } from './web-streams.js'

let ecdsa: Chain
let rsa: Chain
beforeAll(async () => {
  ;[ecdsa, rsa] = await Promise.all([makeChain({ leafKey: 'ecdsa-p256' }), makeChain({ leafKey: 'rsa-2048', caKey: 'rsa-2048', caName: 'streams RSA root' })])
})
afterEach(() => disposePeers())
afterAll(() => cleanupPki())

/** What happened to one end of a transport, as the adapter used it. */
interface Observed {
  bytesRead: number
  cancelled: boolean
  aborted: boolean
  closed: boolean
}

/**
 * One end of a transport over `readable`/`writable`, watched: nothing is read ahead (highWaterMark 0, so
 * `bytesRead` is what the adapter asked for), and `mapChunk` turns each chunk into what the transport delivers.
 */
function watched(readable: ReadableStream<Uint8Array>, writable: WritableStream<Uint8Array>, mapChunk: (c: Uint8Array) => TransportChunk) {
  const seen: Observed = { bytesRead: 0, cancelled: false, aborted: false, closed: false }
  const reader = readable.getReader()
  const writer = writable.getWriter()
  const pair: ByteStreamPair = {
    readable: new ReadableStream<TransportChunk>(
      {
        async pull(controller) {
          const { value, done } = await reader.read()
          if (done) return controller.close()
          seen.bytesRead += value.length
          controller.enqueue(mapChunk(value))
        },
        cancel(reason) {
          seen.cancelled = true
          return reader.cancel(reason)
        },
      },
      { highWaterMark: 0 },
    ),
    writable: new WritableStream<Uint8Array>({
      write: (chunk) => writer.write(chunk),
      close() {
        seen.closed = true
        return writer.close()
      },
      abort(reason) {
        seen.aborted = true
        return writer.abort(reason)
      },
    }),
  }
  return { pair, seen }
}

/** Two transport ends joined by pipes holding two chunks each, so back-pressure is real. */
function duplexPipe(mapChunk: (c: Uint8Array) => TransportChunk = (c) => c) {
  const strategy = () => new CountQueuingStrategy({ highWaterMark: 2 })
  const aToB = new TransformStream<Uint8Array, Uint8Array>({}, strategy(), strategy())
  const bToA = new TransformStream<Uint8Array, Uint8Array>({}, strategy(), strategy())
  return { a: watched(bToA.readable, aToB.writable, mapChunk), b: watched(aToB.readable, bToA.writable, mapChunk) }
}

interface EndpointOptions {
  chain?: Chain
  trust?: string
  provider?: CryptoProvider
  maxVersion?: 'TLSv1.2' | 'TLSv1.3'
  client?: SecureStreamsOptions
  server?: SecureStreamsOptions
  mapChunk?: (c: Uint8Array) => TransportChunk
}

function endpoints(options: EndpointOptions = {}) {
  const chain = options.chain ?? ecdsa
  const provider = options.provider ?? nobleProvider
  const { a, b } = duplexPipe(options.mapChunk)
  const serverContext = createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem, provider, ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}) })
  const clientContext = createDefaultContext('server-auth', { ca: options.trust ?? chain.rootPem, provider })
  const client = secureStreams(clientContext.client({ serverName: 'localhost' }), a.pair, options.client)
  const server = secureStreams(serverContext.server(), b.pair, options.server)
  return { client, server, clientTransport: a.seen, serverTransport: b.seen }
}

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of readable as unknown as AsyncIterable<Uint8Array>) parts.push(chunk)
  return Buffer.concat(parts)
}

const pattern = (length: number, seed = 13) => new Uint8Array(length).map((_, i) => (i * seed + (i >> 8)) & 0xff)

/** Writes `payload` in 16 KiB slices, then closes. */
async function sendAndClose(pair: SecureStreamPair, payload: Uint8Array): Promise<void> {
  const writer = pair.writable.getWriter()
  for (let at = 0; at < payload.length; at += 16 * 1024) await writer.write(payload.subarray(at, at + 16 * 1024))
  await writer.close()
}

/** Both ends send `size` bytes, close, and read the other's bytes to the end; every byte checked, both `closed` awaited. */
async function exchange(client: SecureStreamPair, server: SecureStreamPair, size: number): Promise<void> {
  const fromClient = pattern(size, 13)
  const fromServer = pattern(size, 7)
  const [atServer, atClient] = await Promise.all([readAll(server.readable), readAll(client.readable), sendAndClose(client, fromClient), sendAndClose(server, fromServer)])
  expect(Buffer.compare(atServer, fromClient)).toBe(0)
  expect(Buffer.compare(atClient, fromServer)).toBe(0)
  await Promise.all([client.closed, server.closed])
}

describe('secureStreams', () => {
  it('handshakes, moves 256 KiB each way through small buffers, and closes both transports', async () => {
    const { client, server, clientTransport, serverTransport } = endpoints()
    const [clientInfo, serverInfo] = await Promise.all([client.handshake, server.handshake])
    expect(clientInfo.version).toBe('TLSv1.3')
    expect(clientInfo.peerVerified).toBe(true)
    expect(serverInfo.cipherSuite).toBe(clientInfo.cipherSuite)
    await exchange(client, server, 256 * 1024)
    expect(clientTransport.closed && serverTransport.closed).toBe(true)
    expect(clientTransport.aborted || serverTransport.aborted).toBe(false)
  })

  it('runs TLS 1.2 and RSA chains the same way', async () => {
    const { client, server } = endpoints({ chain: rsa, maxVersion: 'TLSv1.2' })
    expect((await client.handshake).version).toBe('TLSv1.2')
    await exchange(client, server, 64 * 1024)
  })

  it('takes transport chunks as ArrayBuffers and DataViews (what a WebSocket delivers)', async () => {
    for (const mapChunk of [(c: Uint8Array) => c.slice().buffer, (c: Uint8Array) => new DataView(c.slice().buffer)]) {
      const { client, server } = endpoints({ mapChunk })
      await exchange(client, server, 20_000)
    }
  })

  it('takes application chunks of every BufferSource kind and strings (UTF-8)', async () => {
    const { client, server } = endpoints()
    const writer = client.writable.getWriter()
    const bytes = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)
    const chunks = [bytes.slice().buffer, new DataView(bytes.slice().buffer, 2, 3), new Uint16Array(bytes.slice().buffer, 4, 2), bytes.subarray(7), 'é€😀', new SharedArrayBuffer(2)]
    const received = readAll(server.readable)
    for (const chunk of chunks) await writer.write(chunk)
    await writer.close()
    await server.writable.close()
    const expected = [1, 2, 3, 4, 5, 6, 7, 8, 3, 4, 5, 5, 6, 7, 8, 8, ...Buffer.from('é€😀'), 0, 0]
    expect([...(await received)]).toEqual(expected)
  })

  it('refuses a chunk that is not bytes with ERR_TLS_INVALID_ARGUMENT, on both sides of the stream', async () => {
    const { client, server } = endpoints()
    await client.handshake
    const writer = client.writable.getWriter()
    await expect(writer.write(42 as never)).rejects.toMatchObject({ code: 'ERR_TLS_INVALID_ARGUMENT' })
    await expect(client.readable.getReader().read()).rejects.toMatchObject({ code: 'ERR_TLS_INVALID_ARGUMENT' })
    await expect(client.closed).rejects.toBeInstanceOf(TlsError)
    // The server sees the connection end: the client closed its transport after the failure.
    await expect(readAll(server.readable)).resolves.toHaveLength(0)
  })

  it("answers the peer's close_notify after the data already written, and closes its transport (no half-open)", async () => {
    const { client, server, clientTransport } = endpoints()
    await client.handshake
    const request = client.writable.getWriter()
    await request.write('request')
    // The server answers and closes; the client reads to the end and never closes its writable itself.
    const serverGot = readAll(server.readable)
    const response = server.writable.getWriter()
    await response.write('response')
    await response.close()
    expect(new TextDecoder().decode(await readAll(client.readable))).toBe('response')
    // A write after that is refused, and only the writable says so: the connection closed properly.
    await expect(request.write('late')).rejects.toMatchObject({ code: 'ERR_TLS_WRITE_AFTER_CLOSE' })
    await Promise.all([client.closed, server.closed])
    expect(clientTransport.closed).toBe(true)
    expect(new TextDecoder().decode(await serverGot)).toBe('request')
  })

  it('keeps writing after the peer closed when asked for half-open, until its own close', async () => {
    const { client, server, clientTransport } = endpoints({ client: { allowHalfOpen: true } })
    await client.handshake
    await server.writable.close()
    expect(await readAll(client.readable)).toHaveLength(0)
    await sleep(20)
    expect(clientTransport.closed).toBe(false)
    const serverGot = readAll(server.readable)
    const writer = client.writable.getWriter()
    await writer.write('after the server closed')
    await writer.close()
    expect(new TextDecoder().decode(await serverGot)).toBe('after the server closed')
    await Promise.all([client.closed, server.closed])
    expect(clientTransport.closed).toBe(true)
  })

  it('fails the handshake with ERR_TLS_CONNECTION_CLOSED when the transport ends during it', async () => {
    const client = secureStreams(createDefaultContext('server-auth', { ca: ecdsa.rootPem }).client({ serverName: 'localhost' }), {
      readable: new ReadableStream({ start: (c) => c.close() }),
      writable: new WritableStream(),
    })
    await expect(client.handshake).rejects.toMatchObject({ code: 'ERR_TLS_CONNECTION_CLOSED' })
    await expect(client.readable.getReader().read()).rejects.toMatchObject({ code: 'ERR_TLS_CONNECTION_CLOSED' })
  })

  it('rejects the handshake with the TlsError on both sides when the server is not trusted, and closes both transports', async () => {
    const other = await makeChain({ leafKey: 'ecdsa-p256', caName: 'another root for streams' })
    const { client, server, clientTransport, serverTransport } = endpoints({ trust: other.rootPem })
    await expect(client.handshake).rejects.toMatchObject({ reason: 'unknown-issuer' })
    await expect(server.handshake).rejects.toMatchObject({ code: 'ERR_TLS_ALERT_RECEIVED', received: 'unknown_ca' })
    await expect(client.writable.getWriter().write('x')).rejects.toMatchObject({ reason: 'unknown-issuer' })
    await sleep(10)
    expect(clientTransport.closed && serverTransport.cancelled).toBe(true)
  })

  it('propagates a cancel of the readable to the writable and to the transport', async () => {
    const { client, server, clientTransport } = endpoints()
    await client.handshake
    await client.readable.cancel('done reading')
    await expect(client.writable.getWriter().write('x')).rejects.toMatchObject({ code: 'ERR_TLS_CANCELLED', message: 'the readable was cancelled: done reading' })
    await expect(client.closed).rejects.toMatchObject({ code: 'ERR_TLS_CANCELLED' })
    expect(clientTransport.cancelled && clientTransport.aborted).toBe(true)
    // The abort reaches the peer as a broken transport (a reset, on TCP).
    await expect(readAll(server.readable)).rejects.toMatchObject({ code: 'ERR_TLS_TRANSPORT', message: 'transport: done reading' })
  })

  it('propagates an abort of the writable to the readable and to the transport', async () => {
    const { client, clientTransport } = endpoints()
    await client.handshake
    await client.writable.abort(new Error('stop'))
    await expect(client.readable.getReader().read()).rejects.toMatchObject({ code: 'ERR_TLS_CANCELLED', message: 'the writable was aborted: stop' })
    expect(clientTransport.cancelled && clientTransport.aborted).toBe(true)
  })

  it('reports a transport failure as ERR_TLS_TRANSPORT everywhere, and aborts the other direction', async () => {
    let fail!: (error: Error) => void
    const aborted: unknown[] = []
    const client = secureStreams(createDefaultContext('server-auth', { ca: ecdsa.rootPem }).client({ serverName: 'localhost' }), {
      readable: new ReadableStream({ start: (c) => (fail = (e) => c.error(e)) }),
      writable: new WritableStream({ abort: (reason) => void aborted.push(reason) }),
    })
    fail(new Error('connection reset'))
    await expect(client.handshake).rejects.toMatchObject({ code: 'ERR_TLS_TRANSPORT', message: 'transport: connection reset' })
    await expect(client.readable.getReader().read()).rejects.toMatchObject({ code: 'ERR_TLS_TRANSPORT' })
    await sleep(10)
    expect(aborted).toHaveLength(1)
  })

  it('reads from the transport only as fast as the application reads (back-pressure on the readable)', async () => {
    const { client, server, clientTransport } = endpoints()
    await Promise.all([client.handshake, server.handshake])
    const writer = server.writable.getWriter()
    const sent = (async () => {
      for (let i = 0; i < 64; i++) await writer.write(pattern(16 * 1024))
      await writer.close()
    })()
    await sleep(200)
    // Two 16 KiB chunks in each pipe stage and one in each readable: far from the 1 MiB the server wants to send.
    const readWhileIdle = clientTransport.bytesRead
    expect(readWhileIdle).toBeLessThan(256 * 1024)
    const received = await readAll(client.readable)
    await sent
    expect(received.length).toBe(1024 * 1024)
    expect(clientTransport.bytesRead).toBeGreaterThan(1024 * 1024)
  })

  it("holds the application's writes while the transport is slow (back-pressure on the writable)", async () => {
    const { a, b } = duplexPipe()
    const inner = a.pair.writable.getWriter()
    let delivered = 0
    const slowWritable = new WritableStream<Uint8Array>(
      {
        async write(chunk) {
          await sleep(2)
          await inner.write(chunk)
          delivered += chunk.length
        },
        close: () => inner.close(),
      },
      new CountQueuingStrategy({ highWaterMark: 2 }),
    )
    const client = secureStreams(createDefaultContext('server-auth', { ca: ecdsa.rootPem }).client({ serverName: 'localhost' }), { readable: a.pair.readable, writable: slowWritable })
    const server = secureStreams(createDefaultContext('client-auth', { cert: ecdsa.chainPem, key: ecdsa.keyPem }).server(), b.pair)
    const payload = pattern(512 * 1024)
    let accepted = 0
    let maxAhead = 0
    const send = async () => {
      const writer = client.writable.getWriter()
      for (let at = 0; at < payload.length; at += 16 * 1024) {
        await writer.write(payload.subarray(at, at + 16 * 1024))
        accepted += 16 * 1024
        maxAhead = Math.max(maxAhead, accepted - delivered)
      }
      await writer.close()
    }
    const [received] = await Promise.all([readAll(server.readable), send(), readAll(client.readable)])
    expect(Buffer.compare(received, payload)).toBe(0)
    // What the application has had accepted never runs more than the transport's queue (2 chunks) and one write ahead.
    expect(maxAhead).toBeLessThanOrEqual(4 * 16 * 1024)
  })

  it('loses, duplicates and reorders nothing with a provider that answers through promises (TLS 1.3 and 1.2)', async () => {
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      const { client, server } = endpoints({ provider: asyncProvider(nobleProvider, { delay: 'mixed' }), maxVersion })
      expect((await withTimeout(client.handshake, 20_000, 'async handshake')).version).toBe(maxVersion)
      expect(client.connection.info?.peerVerified).toBe(true)
      await exchange(client, server, 256 * 1024 + 7)
    }
  })
})

describe('secureStreams with openssl s_server', () => {
  it('completes an HTTP exchange with s_server -www and lets it end the connection (it exits after one)', async () => {
    const server = await startOpenSslServer(['-www', '-naccept', '1', '-cert', ecdsa.leafPath, '-key', ecdsa.keyPath])
    const socket = tcpConnect({ host: '127.0.0.1', port: server.port, allowHalfOpen: true })
    const transport = Duplex.toWeb(socket) as unknown as ByteStreamPair
    const tls = secureStreams(createDefaultContext('server-auth', { ca: ecdsa.rootPem }).client({ serverName: 'localhost' }), transport)
    const writer = tls.writable.getWriter()
    await writer.write('GET / HTTP/1.0\r\n\r\n')
    const response = new TextDecoder().decode(await readAll(tls.readable))
    expect(response).toMatch(/^HTTP\/1\.0 200 ok/)
    expect(response).toMatch(/TLSv1\.3/)
    await tls.closed
    expect(await server.waitForExit(10_000)).toBe(0)
  })
})
