// The WebSocket-to-TCP bridge with a real WebSocket client (the ws package) and real TCP peers: relaying, the allow-list,
// origins, protocol violations, failures of the target, the command line.
import { once } from 'node:events'
import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { freePort } from '../../test/helpers/ports.js'
import { withTimeout } from '../../test/helpers/timeouts.js'
import { type Bridge, type BridgeOptions, bridgeUsage, parseBridgeArguments, runBridge, startBridge } from './bridge.js'

const opened: { close(): unknown }[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((thing) => thing.close()))
})

/** A TCP server on 127.0.0.1 that echoes what it gets, counting its connections. */
async function echoServer(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0
  const server = createServer((socket: Socket) => {
    connections++
    socket.pipe(socket)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  opened.push({ close: () => new Promise((resolve) => server.close(resolve)) })
  return { server, port: (server.address() as { port: number }).port, connections: () => connections }
}

async function bridgeTo(targets: { host: string; port: number }[], extra: Partial<BridgeOptions> = {}): Promise<{ bridge: Bridge; log: string[] }> {
  const log: string[] = []
  const bridge = await startBridge({ listen: { host: '127.0.0.1', port: 0 }, targets, log: (line) => log.push(line), ...extra })
  opened.push(bridge)
  return { bridge, log }
}

function client(url: string, headers: Record<string, string> = {}): WebSocket {
  const socket = new WebSocket(url, { headers })
  socket.binaryType = 'nodebuffer'
  // A refused or terminated handshake is an 'error' event: the tests look at 'close' and 'unexpected-response'.
  socket.on('error', () => undefined)
  opened.push({ close: () => socket.terminate() })
  return socket
}

/** The close code and reason the client gets. */
function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return withTimeout(
    new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
    10_000,
    'the bridge never closed the WebSocket',
  )
}

describe('bridge relaying', () => {
  it('relays binary messages both ways, 4 MiB through a TCP echo, byte for byte', async () => {
    const echo = await echoServer()
    const { bridge, log } = await bridgeTo([{ host: '127.0.0.1', port: echo.port }])
    const socket = client(bridge.url)
    await once(socket, 'open')
    const payload = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 31 + (i >> 12)) & 0xff)
    const received: Buffer[] = []
    let total = 0
    const done = new Promise<void>((resolve) =>
      socket.on('message', (data: Buffer) => {
        received.push(data)
        total += data.length
        if (total >= payload.length) resolve()
      }),
    )
    for (let at = 0; at < payload.length; at += 60_000) socket.send(payload.subarray(at, at + 60_000))
    await withTimeout(done, 30_000, `echoed ${total} bytes`)
    expect(Buffer.compare(Buffer.concat(received), payload)).toBe(0)
    socket.close(1000)
    expect((await closeOf(socket)).code).toBe(1000)
    expect(log.some((line) => /tunnel to 127\.0\.0\.1:\d+ open/.test(line))).toBe(true)
  })

  it('picks the target the path names when several are allowed, and closes the tunnel with 1000 when the target ends', async () => {
    const ender = createServer((socket) => socket.end('bye'))
    ender.listen(0, '127.0.0.1')
    await once(ender, 'listening')
    opened.push({ close: () => new Promise((resolve) => ender.close(resolve)) })
    const enderPort = (ender.address() as { port: number }).port
    const echo = await echoServer()
    const { bridge } = await bridgeTo([
      { host: '127.0.0.1', port: echo.port },
      { host: '127.0.0.1', port: enderPort },
    ])
    const socket = client(`${bridge.url}127.0.0.1:${enderPort}`)
    const message = new Promise<Buffer>((resolve) => socket.once('message', resolve))
    expect((await message).toString()).toBe('bye')
    expect(await closeOf(socket)).toEqual({ code: 1000, reason: 'the target closed the connection' })
    expect(echo.connections()).toBe(0)
  })
})

describe('bridge refusals', () => {
  it('refuses a target not in the allow-list, says so in the close reason, and connects nowhere', async () => {
    const allowed = await echoServer()
    const other = await echoServer()
    const { bridge, log } = await bridgeTo([{ host: '127.0.0.1', port: allowed.port }])
    const socket = client(`${bridge.url}127.0.0.1:${other.port}`)
    expect(await closeOf(socket)).toEqual({ code: 1008, reason: `127.0.0.1:${other.port} is not an allowed target of this bridge` })
    expect(other.connections() + allowed.connections()).toBe(0)
    expect(log.join('\n')).toMatch(/refused .*not an allowed target/)
  })

  it('asks for a target in the path when several are allowed and none is named', async () => {
    const { bridge } = await bridgeTo([
      { host: '127.0.0.1', port: 1 },
      { host: '127.0.0.1', port: 2 },
    ])
    expect((await closeOf(client(bridge.url))).reason).toMatch(/name a target in the path/)
  })

  it('refuses origins not allowed with 403, before any WebSocket opens', async () => {
    const echo = await echoServer()
    const { bridge } = await bridgeTo([{ host: '127.0.0.1', port: echo.port }], { origins: ['http://good.test'] })
    const socket = client(bridge.url, { Origin: 'http://evil.test' })
    const [, response] = (await once(socket, 'unexpected-response')) as [unknown, { statusCode: number }]
    expect(response.statusCode).toBe(403)
    const good = client(bridge.url, { Origin: 'http://good.test' })
    await once(good, 'open')
  })

  it('refuses tunnels past --max-connections with 503', async () => {
    const echo = await echoServer()
    const { bridge } = await bridgeTo([{ host: '127.0.0.1', port: echo.port }], { maxConnections: 1 })
    const first = client(bridge.url)
    await once(first, 'open')
    const [, response] = (await once(client(bridge.url), 'unexpected-response')) as [unknown, { statusCode: number }]
    expect(response.statusCode).toBe(503)
  })

  it('closes with 1003 on a text message and 1011 with the reason when the target refuses the connection', async () => {
    const echo = await echoServer()
    const { bridge } = await bridgeTo([{ host: '127.0.0.1', port: echo.port }])
    const text = client(bridge.url)
    await once(text, 'open')
    text.send('hello')
    expect((await closeOf(text)).code).toBe(1003)
    const deadPort = await freePort()
    const { bridge: toNothing } = await bridgeTo([{ host: '127.0.0.1', port: deadPort }])
    const refused = await closeOf(client(toNothing.url))
    expect(refused.code).toBe(1011)
    expect(refused.reason).toMatch(/ECONNREFUSED/)
  })
})

describe('pure-tls bridge (the command)', () => {
  it('parses its arguments, IPv6 included, and refuses to run without a target', () => {
    expect(parseBridgeArguments(['--listen', '[::1]:0', '--to', 'Example.COM:443', '--to', '[2001:db8::1]:8443', '--origin', 'http://a.test'])).toEqual({
      listen: { host: '::1', port: 0 },
      targets: [
        { host: 'example.com', port: 443 },
        { host: '2001:db8::1', port: 8443 },
      ],
      origins: ['http://a.test'],
      maxConnections: 64,
    })
    expect(parseBridgeArguments(['--help'])).toBe('help')
    expect(() => parseBridgeArguments([])).toThrow(/no --to target/)
    expect(() => parseBridgeArguments(['--to', 'nohost'])).toThrow(/"nohost" is not HOST:PORT/)
    expect(() => parseBridgeArguments(['--to', 'a:70000'])).toThrow(/not HOST:PORT/)
    expect(() => parseBridgeArguments(['--to'])).toThrow(/--to needs a value/)
    expect(() => parseBridgeArguments(['--proxy-everything'])).toThrow(/unknown argument/)
  })

  it('prints its help, exits 2 on a usage error and 1 when it cannot listen', async () => {
    const out: string[] = []
    const err: string[] = []
    const io = { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }
    expect(await runBridge(['--help'], io)).toBe(0)
    expect(out.join('\n')).toBe(bridgeUsage)
    expect(await runBridge(['--listen', '127.0.0.1:1'], io)).toBe(2)
    expect(err.join('\n')).toMatch(/no --to target/)
    const echo = await echoServer()
    expect(await runBridge(['--listen', `127.0.0.1:${echo.port}`, '--to', `127.0.0.1:${echo.port}`], io)).toBe(1)
    expect(err.join('\n')).toMatch(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/)
  })

  it('runs until stopped, saying where it listens and what it relays to', async () => {
    const echo = await echoServer()
    const out: string[] = []
    const stop = new AbortController()
    const exit = runBridge(['--listen', '127.0.0.1:0', '--to', `127.0.0.1:${echo.port}`], { stdout: (l) => out.push(l), signal: stop.signal })
    await withTimeout(
      (async () => {
        while (!out.some((l) => l.includes('listening'))) await new Promise((r) => setTimeout(r, 10))
      })(),
      10_000,
      'the bridge never said it listens',
    )
    const url = /listening on (ws:\/\/\S+?),/.exec(out.join('\n'))![1]!
    const socket = client(url)
    await once(socket, 'open')
    socket.send(Buffer.from('ping'))
    const [echoed] = (await once(socket, 'message')) as [Buffer]
    expect(echoed.toString()).toBe('ping')
    expect(out.join('\n')).toMatch(new RegExp(`relaying only to 127\\.0\\.0\\.1:${echo.port}`))
    expect(out.join('\n')).toMatch(/any web origin may connect/)
    stop.abort()
    expect(await exit).toBe(0)
  })
})
