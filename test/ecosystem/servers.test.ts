// Node's http stack and the common libraries behind our server, beside node:tls: express with keep-alive and keepAliveTimeout, ws both ways.
import { once } from 'node:events'
import * as http from 'node:http'
import * as https from 'node:https'
import type * as net from 'node:net'
import express from 'express'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { withTimeout } from '../helpers/timeouts.js'
import { disposeStacks, listen, type Stack, stacks, tlsConnect, tlsServer } from './stacks.js'

let chain: Chain

beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true })
})
afterEach(disposeStacks)
afterAll(cleanupPki)

/** An http.Server fed the TLS sockets of `stack`'s server (how an app runs behind our createServer). */
async function httpBehind(stack: Stack, handler?: http.RequestListener): Promise<{ httpServer: http.Server; port: number }> {
  const httpServer = http.createServer(handler)
  const { port } = await tlsServer(stack, { cert: chain.chainPem, key: chain.keyPem }, (socket) => httpServer.emit('connection', socket))
  return { httpServer, port }
}

interface Reply {
  body: string
  reusedSocket: boolean
  localPort: number | undefined
}

function get(port: number, path: string, agent: https.Agent): Promise<Reply> {
  return withTimeout(
    new Promise<Reply>((resolve, reject) => {
      const req = https.get({ host: '127.0.0.1', port, path, agent, ca: chain.rootPem, servername: 'localhost' }, (res) => {
        const parts: Buffer[] = []
        const localPort = res.socket.localPort
        res.on('data', (d: Buffer) => parts.push(d))
        res.on('end', () => resolve({ body: Buffer.concat(parts).toString(), reusedSocket: req.reusedSocket, localPort }))
      })
      req.on('error', reject)
    }),
    15_000,
    `GET ${path}`,
  )
}

function expressApp(): express.Express {
  const app = express()
  app.get('/who', (req, res) => {
    res.send(`${req.path} ${req.ip} ${req.socket.remoteAddress} ${req.socket.remotePort} ${String((req.socket as { encrypted?: boolean }).encrypted)}`)
  })
  return app
}

describe('servers behind our createServer, beside node:tls', () => {
  it('express: keep-alive reuses the connection, req.ip and req.socket.remoteAddress are set', async () => {
    for (const stack of stacks) {
      const { port } = await httpBehind(stack, expressApp())
      const agent = new https.Agent({ keepAlive: true, maxSockets: 1 })
      const first = await get(port, '/who', agent)
      const second = await get(port, '/who', agent)
      agent.destroy()
      expect(first.body, stack).toBe(`/who 127.0.0.1 127.0.0.1 ${first.localPort} true`)
      expect(second.body, stack).toBe(first.body)
      expect([first.reusedSocket, second.reusedSocket], stack).toEqual([false, true])
    }
  })

  it('express: keepAliveTimeout reaps an idle keep-alive connection (the client keeps it open and waits)', async () => {
    for (const stack of stacks) {
      const { httpServer, port } = await httpBehind(stack, expressApp())
      httpServer.keepAliveTimeout = 300
      // A client that never closes on its own (an Agent would, on the Keep-Alive: timeout=0 hint): only the server can end this.
      const client = tlsConnect('node:tls', { host: '127.0.0.1', port, servername: 'localhost', ca: chain.rootPem })
      const parts: Buffer[] = []
      client.on('data', (d: Buffer) => parts.push(d))
      client.write('GET /who HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n')
      const answered = new Promise<number>((resolve) => client.once('data', () => resolve(performance.now())))
      await withTimeout(once(client, 'end'), 10_000, `${stack}: the server closing the idle connection`)
      const idle = performance.now() - (await answered)
      expect(Buffer.concat(parts).toString(), stack).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Connection: keep-alive[\s\S]*\/who 127\.0\.0\.1 /)
      expect(idle, `${stack}: closed after ${idle.toFixed(0)} ms idle`).toBeGreaterThanOrEqual(250)
      expect(idle).toBeLessThan(5_000)
    }
  })

  it('ws: a ws server behind our createServer echoes text and a 64 KiB binary message', async () => {
    const binary = Buffer.from(Buffer.alloc(64 * 1024, 0).map((_, i) => (i * 13) & 0xff))
    for (const stack of stacks) {
      const { httpServer, port } = await httpBehind(stack)
      const wss = new WebSocketServer({ server: httpServer })
      wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })))
      const client = new WebSocket(`wss://localhost:${port}/`, { ca: chain.rootPem })
      const echoes = await exchange(client, ['hello over wss', binary], stack)
      expect(echoes[0], stack).toBe('hello over wss')
      expect(Buffer.from(echoes[1] as Buffer).equals(binary), stack).toBe(true)
      wss.close()
    }
  })

  it('ws: a ws client over our socket talks to a wss server', async () => {
    const server = https.createServer({ cert: chain.chainPem, key: chain.keyPem })
    const wss = new WebSocketServer({ server })
    wss.on('connection', (ws, req) => ws.on('message', (data) => ws.send(`${req.url}: ${String(data)}`)))
    const port = await listen(server)
    for (const stack of stacks) {
      const client = new WebSocket(`wss://localhost:${port}/chat`, {
        createConnection: ((options: object) => tlsConnect(stack, { ...options, ca: chain.rootPem })) as unknown as typeof net.createConnection,
      })
      const echoes = await exchange(client, [`ping from ${stack}`], stack)
      expect(echoes, stack).toEqual([`/chat: ping from ${stack}`])
    }
    wss.close()
  })
})

/** Sends each message once the socket is open and collects as many replies (text as strings, binary as Buffers). */
function exchange(client: WebSocket, messages: (string | Buffer)[], what: string): Promise<(string | Buffer)[]> {
  return withTimeout(
    new Promise<(string | Buffer)[]>((resolve, reject) => {
      const replies: (string | Buffer)[] = []
      client.on('error', reject)
      client.on('open', () => {
        for (const message of messages) client.send(message)
      })
      client.on('message', (data, isBinary) => {
        replies.push(isBinary ? (data as Buffer) : String(data))
        if (replies.length === messages.length) resolve(replies)
      })
    }),
    15_000,
    `${what}: the WebSocket exchange`,
  ).finally(() => client.terminate())
}
