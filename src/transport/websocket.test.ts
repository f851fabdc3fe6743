// WebSocket tunnels in Node, with the ws package's WebSocket as the socket: TLS through our bridge to openssl s_server,
// and the tunnel's own rules (text refused, close codes, deferred close, back-pressure from bufferedAmount).
import { once } from 'node:events'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { disposePeers, startOpenSslServer } from '../../test/helpers/peers.js'
import { type Chain, cleanupPki, makeChain } from '../../test/helpers/pki.js'
import { sleep } from '../../test/helpers/timeouts.js'
import { startBridge } from '../cli/bridge.js'
import { createDefaultContext } from '../handshake/context.js'
import { connectOverWebSocket, type WebSocketLike, webSocketStream } from './websocket.js'

let chain: Chain
beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true })
})
const cleanups: (() => unknown)[] = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()))
  await disposePeers()
})
afterAll(() => cleanupPki())

/** A ws WebSocket Server on 127.0.0.1 whose connections `onConnection` drives. */
async function wsServer(onConnection: (socket: WebSocket) => void): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  server.on('connection', onConnection)
  await once(server, 'listening')
  cleanups.push(() => new Promise((resolve) => server.close(resolve)))
  return `ws://127.0.0.1:${(server.address() as { port: number }).port}/`
}

function wsClient(url: string): WebSocketLike {
  const socket = new WebSocket(url)
  socket.on('error', () => undefined)
  cleanups.push(() => socket.terminate())
  return socket as unknown as WebSocketLike
}

async function readAll(readable: ReadableStream<unknown>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of readable as unknown as AsyncIterable<ArrayBuffer | Uint8Array>) parts.push(new Uint8Array(chunk as ArrayBuffer))
  return Buffer.concat(parts)
}

describe('connectOverWebSocket', () => {
  it('runs TLS through the bridge to openssl s_server: an HTTP GET, the answer, and s_server let go', async () => {
    const server = await startOpenSslServer(['-www', '-naccept', '1', '-cert', chain.leafPath, '-key', chain.keyPath, '-cert_chain', chain.intermediatePath!])
    const bridge = await startBridge({ listen: { host: '127.0.0.1', port: 0 }, targets: [{ host: '127.0.0.1', port: server.port }] })
    cleanups.push(() => bridge.close())
    const context = createDefaultContext('server-auth', { ca: chain.rootPem })
    const tls = await connectOverWebSocket({ url: wsClient(bridge.url), serverName: 'localhost', context })
    expect(tls.connection.info).toMatchObject({ version: 'TLSv1.3', peerVerified: true })
    const writer = tls.writable.getWriter()
    await writer.write('GET / HTTP/1.0\r\n\r\n')
    const page = new TextDecoder().decode(await readAll(tls.readable))
    expect(page).toMatch(/^HTTP\/1\.0 200 ok/)
    await tls.closed
    expect(await server.waitForExit(10_000)).toBe(0)
  })

  it('rejects with the certificate error when the name is wrong, and closes the tunnel', async () => {
    const server = await startOpenSslServer(['-naccept', '1', '-cert', chain.leafPath, '-key', chain.keyPath, '-cert_chain', chain.intermediatePath!])
    const bridge = await startBridge({ listen: { host: '127.0.0.1', port: 0 }, targets: [{ host: '127.0.0.1', port: server.port }] })
    cleanups.push(() => bridge.close())
    const socket = wsClient(bridge.url)
    const context = createDefaultContext('server-auth', { ca: chain.rootPem })
    await expect(connectOverWebSocket({ url: socket, serverName: 'wrong.example', context })).rejects.toMatchObject({ reason: 'hostname-mismatch' })
    await server.waitForExit(10_000)
    await sleep(50)
    expect(socket.readyState).toBe(3)
  })
})

describe('webSocketStream', () => {
  it('says what is missing when the runtime has no WebSocket and a URL is given', async () => {
    await expect(webSocketStream('ws://127.0.0.1:1/', { api: 'WebSocket' })).rejects.toMatchObject({ code: 'ERR_TLS_INVALID_ARGUMENT', message: expect.stringMatching(/no WebSocket/) })
    await expect(webSocketStream('ws://127.0.0.1:1/', { api: 'WebSocketStream' })).rejects.toMatchObject({ message: expect.stringMatching(/no WebSocketStream/) })
  })

  it('rejects with ERR_TLS_TRANSPORT when the socket does not open', async () => {
    const bridge = await startBridge({ listen: { host: '127.0.0.1', port: 0 }, targets: [{ host: '127.0.0.1', port: 1 }], origins: ['http://only.test'] })
    cleanups.push(() => bridge.close())
    await expect(webSocketStream(wsClient(bridge.url))).rejects.toMatchObject({ code: 'ERR_TLS_TRANSPORT', message: expect.stringMatching(/did not open/) })
  })

  it('errors the readable on a text message, and on a close code other than 1000 with its reason', async () => {
    const textUrl = await wsServer((socket) => socket.send('not binary'))
    const text = await webSocketStream(wsClient(textUrl))
    await expect(readAll(text.readable)).rejects.toMatchObject({ code: 'ERR_TLS_TRANSPORT', message: expect.stringMatching(/text message/) })
    const failingUrl = await wsServer((socket) => socket.close(1011, 'upstream reset'))
    const failing = await webSocketStream(wsClient(failingUrl))
    await expect(readAll(failing.readable)).rejects.toMatchObject({ message: 'transport: the WebSocket closed with code 1011: upstream reset' })
    const normalUrl = await wsServer((socket) => {
      socket.send(Buffer.from('last words'))
      socket.close(1000)
    })
    const normal = await webSocketStream(wsClient(normalUrl))
    expect(new TextDecoder().decode(await readAll(normal.readable))).toBe('last words')
  })

  it('keeps the socket open after the writable closes until the readable has finished (no half-close in WebSocket)', async () => {
    let serverSide!: WebSocket
    const url = await wsServer((socket) => (serverSide = socket))
    const socket = wsClient(url)
    const pair = await webSocketStream(socket)
    const writer = pair.writable.getWriter()
    await writer.write(Uint8Array.of(1, 2, 3))
    await writer.close()
    await sleep(50)
    expect(socket.readyState).toBe(1)
    const rest = readAll(pair.readable)
    serverSide.send(Buffer.from('reply after our close'))
    serverSide.close(1000)
    expect(new TextDecoder().decode(await rest)).toBe('reply after our close')
  })

  it('holds writes while bufferedAmount is above the high-water mark', async () => {
    let buffered = 0
    const sent: number[] = []
    const socket: WebSocketLike = {
      binaryType: 'blob',
      readyState: 1,
      url: 'ws://fake/',
      get bufferedAmount() {
        return buffered
      },
      send(data) {
        buffered += (data as Uint8Array).length
        sent.push((data as Uint8Array).length)
      },
      close() {},
      addEventListener() {},
      removeEventListener() {},
    }
    const pair = await webSocketStream(socket, { bufferedAmountHighWaterMark: 1000 })
    expect(socket.binaryType).toBe('arraybuffer')
    const writer = pair.writable.getWriter()
    await writer.write(new Uint8Array(800))
    let second = false
    const pending = writer.write(new Uint8Array(800)).then(() => (second = true))
    await sleep(30)
    expect(second).toBe(false)
    buffered = 0
    await pending
    expect(sent).toEqual([800, 800])
  })
})
