// undici's fetch with a custom connect, and http2.connect negotiating h2 by ALPN, over our socket beside node:tls.
import * as http2 from 'node:http2'
import * as https from 'node:https'
import type { TLSSocket } from 'node:tls'
import { Agent, fetch } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { withTimeout } from '../helpers/timeouts.js'
import { disposeStacks, listen, type Stack, stacks, tlsConnect } from './stacks.js'

let chain: Chain

beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true })
})
afterEach(disposeStacks)
afterAll(cleanupPki)

/** undici's connector over `stack`: the socket is handed over once its handshake is done. */
function undiciAgent(stack: Stack): Agent {
  return new Agent({
    connections: 1,
    connect: ({ hostname, port, servername }, callback) => {
      const socket = tlsConnect(stack, { host: hostname, port: Number(port), servername: servername || 'localhost', ca: chain.rootPem, ALPNProtocols: ['http/1.1'] })
      socket.once('secureConnect', () => callback(null, socket as unknown as TLSSocket))
      socket.once('error', (error) => callback(error, null))
    },
  })
}

describe('undici and http2 over our socket, beside node:tls', () => {
  it('undici fetch with a custom connect: status, headers and a 256 KiB body come back intact, twice on one connection', async () => {
    const body = Buffer.alloc(256 * 1024, 0).map((_, i) => (i * 31) & 0xff)
    let connections = 0
    const server = https.createServer({ cert: chain.chainPem, key: chain.keyPem }, (req, res) => {
      res.setHeader('x-path', req.url ?? '')
      res.end(body)
    })
    server.on('secureConnection', () => connections++)
    const port = await listen(server)
    for (const stack of stacks) {
      const dispatcher = undiciAgent(stack)
      for (const path of ['/a', '/b']) {
        const response = await withTimeout(fetch(`https://localhost:${port}${path}`, { dispatcher }), 15_000, `${stack}: fetch ${path}`)
        expect(response.status).toBe(200)
        expect(response.headers.get('x-path')).toBe(path)
        expect(Buffer.from(await response.arrayBuffer()).equals(body), `${stack} ${path}`).toBe(true)
      }
      await dispatcher.close()
    }
    expect(connections, 'one keep-alive connection per stack').toBe(2)
  })

  it('http2.connect with ALPN h2: the session speaks HTTP/2 over the socket and gets the response', async () => {
    const server = http2.createSecureServer({ cert: chain.chainPem, key: chain.keyPem }, (req, res) => {
      res.setHeader('x-protocol', `${req.httpVersion} ${(req.socket as unknown as { alpnProtocol: string }).alpnProtocol}`)
      res.end(`h2 says ${req.url}`)
    })
    const port = await listen(server)
    for (const stack of stacks) {
      let socket: ReturnType<typeof tlsConnect> | undefined
      const session = http2.connect(`https://localhost:${port}`, {
        createConnection: () => {
          socket = tlsConnect(stack, { host: '127.0.0.1', port, servername: 'localhost', ca: chain.rootPem, ALPNProtocols: ['h2'] })
          return socket
        },
      })
      const reply = await withTimeout(
        new Promise<{ status: unknown; protocol: unknown; body: string }>((resolve, reject) => {
          session.on('error', reject)
          const stream = session.request({ ':path': '/over-h2' })
          const parts: Buffer[] = []
          let headers: http2.IncomingHttpHeaders = {}
          stream.on('response', (h) => (headers = h))
          stream.on('data', (d: Buffer) => parts.push(d))
          stream.on('end', () => resolve({ status: headers[':status'], protocol: headers['x-protocol'], body: Buffer.concat(parts).toString() }))
          stream.on('error', reject)
          stream.end()
        }),
        15_000,
        `${stack}: the HTTP/2 request`,
      )
      session.close()
      expect(reply, stack).toEqual({ status: 200, protocol: '2.0 h2', body: 'h2 says /over-h2' })
      expect(socket!.alpnProtocol, stack).toBe('h2')
    }
  })
})
