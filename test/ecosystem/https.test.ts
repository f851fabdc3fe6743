// Node's own https client over our socket, beside node:tls: https.request with createConnection, a keep-alive Agent, req.setTimeout.
import { once } from 'node:events'
import * as https from 'node:https'
import type * as net from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { withTimeout } from '../helpers/timeouts.js'
import { disposeStacks, listen, type Stack, stacks, tlsConnect, tlsServer } from './stacks.js'

let chain: Chain

beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true })
})
afterEach(disposeStacks)
afterAll(cleanupPki)

interface Reply {
  status: number | undefined
  body: string
  reusedSocket: boolean
}

function request(options: https.RequestOptions): Promise<Reply> {
  return withTimeout(
    new Promise<Reply>((resolve, reject) => {
      const req = https.request(options, (res) => {
        const parts: Buffer[] = []
        res.on('data', (d: Buffer) => parts.push(d))
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(parts).toString(), reusedSocket: req.reusedSocket }))
      })
      req.on('error', reject)
      req.end()
    }),
    15_000,
    `GET ${options.path}`,
  )
}

/** An https server (node's) answering every request with its path and the TCP port the request came from. */
async function echoPathServer(): Promise<{ port: number; connections: () => number }> {
  let connections = 0
  const server = https.createServer({ cert: chain.chainPem, key: chain.keyPem }, (req, res) => {
    res.end(`${req.method} ${req.url} from :${req.socket.remotePort}`)
  })
  server.on('secureConnection', () => connections++)
  return { port: await listen(server), connections: () => connections }
}

/** createConnection for `stack`: the TLS socket https.request should ride on. */
function connector(stack: Stack): (options: net.NetConnectOpts) => net.Socket {
  return (options) => tlsConnect(stack, { ...(options as object), ca: chain.rootPem, servername: 'localhost' }) as unknown as net.Socket
}

describe('https over our socket, beside node:tls', () => {
  it('https.request with createConnection gets the response, status and body', async () => {
    const { port } = await echoPathServer()
    const replies = []
    for (const stack of stacks) {
      const reply = await request({ host: '127.0.0.1', port, path: `/hello?from=${stack}`, createConnection: connector(stack) } as https.RequestOptions)
      replies.push(reply)
      expect(reply.status).toBe(200)
      expect(reply.body).toMatch(new RegExp(`^GET /hello\\?from=${stack.replace('.', '\\.')} from :\\d+$`))
    }
    expect(replies.map((r) => r.status)).toEqual([200, 200])
  })

  it('an https.Agent({ keepAlive: true }) carries 3 requests on one socket', async () => {
    for (const stack of stacks) {
      const { port, connections } = await echoPathServer()
      const agent = new https.Agent({ keepAlive: true, maxSockets: 1 })
      agent.createConnection = connector(stack) as typeof agent.createConnection
      const replies: Reply[] = []
      for (const path of ['/1', '/2', '/3']) replies.push(await request({ host: '127.0.0.1', port, path, agent }))
      agent.destroy()
      expect(replies.map((r) => r.body.split(' ')[1])).toEqual(['/1', '/2', '/3'])
      expect(replies.map((r) => r.reusedSocket), stack).toEqual([false, true, true])
      const ports = new Set(replies.map((r) => r.body.split(':').pop()))
      expect(ports.size, `${stack}: the source ports of the 3 requests`).toBe(1)
      expect(connections(), stack).toBe(1)
    }
  })

  it('req.setTimeout fires against a server that completes the handshake and never answers', async () => {
    for (const stack of stacks) {
      const { port } = await tlsServer(stack, { cert: chain.chainPem, key: chain.keyPem }, (socket) => socket.resume())
      const started = performance.now()
      const outcome = await withTimeout(
        new Promise<string>((resolve) => {
          const req = https.request({ host: '127.0.0.1', port, path: '/', createConnection: connector(stack) } as https.RequestOptions)
          req.setTimeout(300, () => {
            resolve('timeout')
            req.destroy()
          })
          req.on('response', () => resolve('a response'))
          req.on('error', () => undefined)
          req.end()
        }),
        10_000,
        `${stack}: waiting for the request timeout`,
      )
      expect(outcome, stack).toBe('timeout')
      expect(performance.now() - started).toBeGreaterThanOrEqual(250)
    }
  })

  it('a refused connection through https.request is reported with ECONNREFUSED reachable', async () => {
    const { server, port } = await tlsServer('node:tls', { cert: chain.chainPem, key: chain.keyPem })
    await new Promise((resolve) => server.close(resolve))
    const codes: Record<string, unknown> = {}
    for (const stack of stacks) {
      const error = await new Promise<Error & { code?: string; cause?: { code?: string }; syscall?: string }>((resolve) => {
        const req = https.request({ host: '127.0.0.1', port, path: '/', createConnection: connector(stack) } as https.RequestOptions)
        req.on('error', resolve)
        req.end()
      })
      codes[stack] = stack === 'pure-tls' ? error.cause?.code : error.code
      expect(error.syscall, stack).toBe('connect')
    }
    expect(codes).toEqual({ 'pure-tls': 'ECONNREFUSED', 'node:tls': 'ECONNREFUSED' })
  })

  it('our socket emits connect, then secureConnect, with connecting and readyState as net.Socket has them', async () => {
    const { port } = await echoPathServer()
    for (const stack of stacks) {
      const socket = tlsConnect(stack, { host: '127.0.0.1', port, servername: 'localhost', ca: chain.rootPem }) as unknown as net.Socket
      const seen = [`${socket.connecting} ${socket.readyState}`]
      await once(socket, 'connect')
      seen.push('connect')
      await once(socket, 'secureConnect')
      seen.push(`${socket.connecting} ${socket.readyState}`)
      socket.destroy()
      expect(seen, stack).toEqual(['true opening', 'connect', 'false open'])
    }
  })
})
