// Agent on Node's real https client against a node:tls https server, beside node's own https.Agent: keep-alive, session reuse per origin, eviction on error, early refusals.
import { once } from 'node:events'
import * as https from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { type Chain, cleanupPki, makeChain } from '../../../test/helpers/pki.js'
import { withTimeout } from '../../../test/helpers/timeouts.js'
import { CertificateVerificationError, TlsConfigError } from '../../errors.js'
import { Agent, TlsSocket } from '../node.js'

let chain: Chain
const servers: https.Server[] = []
const agents: https.Agent[] = []

beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true })
})
afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy()
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})
afterAll(cleanupPki)

/** What the server saw of one request: which TLS connection it came on (its local port) and whether it resumed. */
interface Seen {
  readonly remotePort: number
  readonly resumed: boolean
  readonly protocol: string | null
}

/** A node:tls https server answering each request with the path; `seen` records every request. */
async function server(options: https.ServerOptions = {}): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = []
  const s = https.createServer({ cert: chain.chainPem, key: chain.keyPem, ...options }, (req, res) => {
    const socket = req.socket as TLSSocket
    seen.push({ remotePort: socket.remotePort!, resumed: socket.isSessionReused(), protocol: socket.getProtocol() })
    res.end(`you asked for ${req.url}`)
  })
  servers.push(s)
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  return { url: `https://localhost:${(s.address() as AddressInfo).port}`, seen }
}

function get(url: string, agent: https.Agent, onSocket?: (socket: unknown) => void): Promise<{ body: string; socket: unknown }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = https.get(url, { agent }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ body, socket: req.socket }))
      })
      if (onSocket) req.once('socket', onSocket)
      req.on('error', reject)
    }),
    10_000,
    `GET ${url}`,
  )
}

/** Resolves once the socket that carried a request has delivered its session (TLS 1.3 tickets come after the handshake). */
async function sessionArrived(agent: Agent): Promise<void> {
  for (let i = 0; i < 200 && agent.cachedSessions === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
}

describe('Agent: https.request over pure-tls sockets', () => {
  it('with keepAlive, carries three requests on one pure-tls socket, as https.Agent does with node:tls', async () => {
    const { url, seen } = await server()
    for (const [name, agent] of [
      ['pure-tls', new Agent({ keepAlive: true, maxSockets: 1, ca: chain.rootPem })],
      ['node:tls', new https.Agent({ keepAlive: true, maxSockets: 1, ca: chain.rootPem })],
    ] as const) {
      agents.push(agent)
      const first = seen.length
      const answers = [await get(`${url}/one`, agent), await get(`${url}/two`, agent), await get(`${url}/three`, agent)]
      expect(answers.map((a) => a.body), name).toEqual(['you asked for /one', 'you asked for /two', 'you asked for /three'])
      expect(answers[0]!.socket instanceof TlsSocket, name).toBe(name === 'pure-tls')
      expect(new Set(seen.slice(first).map((s) => s.remotePort)).size, `${name}: one connection`).toBe(1)
    }
  })

  for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`without keep-alive, resumes the origin's session on the next connection (${maxVersion}), as https.Agent does`, async () => {
      const { url, seen } = await server({ maxVersion })
      for (const [name, agent] of [
        ['pure-tls', new Agent({ ca: chain.rootPem })],
        ['node:tls', new https.Agent({ ca: chain.rootPem })],
      ] as const) {
        agents.push(agent)
        const first = seen.length
        await get(`${url}/a`, agent)
        if (agent instanceof Agent) {
          await sessionArrived(agent)
          expect(agent.cachedSessions, name).toBe(1)
        } else await new Promise((resolve) => setTimeout(resolve, 100))
        await get(`${url}/b`, agent)
        const requests = seen.slice(first)
        expect(requests.map((s) => s.protocol), name).toEqual([maxVersion, maxVersion])
        expect(requests[0]!.remotePort, `${name}: two connections`).not.toBe(requests[1]!.remotePort)
        expect(requests.map((s) => s.resumed), name).toEqual([false, true])
      }
    })
  }

  it('forgets the session of a connection that closed on an error: the next one is a full handshake', async () => {
    const { url, seen } = await server({ maxVersion: 'TLSv1.2' })
    const agent = new Agent({ ca: chain.rootPem })
    agents.push(agent)
    await get(`${url}/a`, agent)
    expect(agent.cachedSessions).toBe(1)
    // The second connection resumes, and the application destroys it with an error as soon as it is secure.
    const failed = get(`${url}/b`, agent, (socket) => {
      const tlsSocket = socket as TlsSocket
      tlsSocket.once('secureConnect', () => tlsSocket.destroy(new Error('the application gave up on this connection')))
    })
    await expect(failed).rejects.toThrow('the application gave up on this connection')
    await withTimeout(
      (async () => {
        while (agent.cachedSessions !== 0) await new Promise((resolve) => setTimeout(resolve, 10))
      })(),
      5_000,
      'the session to be forgotten',
    )
    await get(`${url}/c`, agent)
    // The server saw the second (resumed) connection's request, written before its handshake ended; the third is full.
    expect(seen.map((s) => s.resumed)).toEqual([false, true, false])
  })

  it('keeps at most maxCachedSessions, the least recently stored going first; 0 keeps none', async () => {
    const origins = await Promise.all([server({ maxVersion: 'TLSv1.2' }), server({ maxVersion: 'TLSv1.2' }), server({ maxVersion: 'TLSv1.2' })])
    const two = new Agent({ ca: chain.rootPem, maxCachedSessions: 2 })
    const none = new Agent({ ca: chain.rootPem, maxCachedSessions: 0 })
    agents.push(two, none)
    for (const { url } of origins) await get(`${url}/`, two)
    expect(two.cachedSessions).toBe(2)
    // The first origin's session went: its next connection is a full handshake; the third's resumes.
    await get(`${origins[0]!.url}/`, two)
    await get(`${origins[2]!.url}/`, two)
    expect(origins.map((o) => o.seen.map((s) => s.resumed))).toEqual([[false, false], [false], [false, true]])
    await get(`${origins[1]!.url}/`, none)
    await get(`${origins[1]!.url}/`, none)
    expect(none.cachedSessions).toBe(0)
    expect(origins[1]!.seen.map((s) => s.resumed)).toEqual([false, false, false])
  })

  it('carries a ws client (ws takes an agent): the upgrade and the echo run on a pure-tls socket', async () => {
    const s = https.createServer({ cert: chain.chainPem, key: chain.keyPem })
    servers.push(s)
    new WebSocketServer({ server: s }).on('connection', (ws) => ws.on('message', (data) => ws.send(`echo: ${String(data)}`)))
    s.listen(0, '127.0.0.1')
    await once(s, 'listening')
    const agent = new Agent({ ca: chain.rootPem })
    agents.push(agent)
    const ws = new WebSocket(`wss://localhost:${(s.address() as AddressInfo).port}/`, { agent })
    await withTimeout(once(ws, 'open'), 10_000, 'the WebSocket upgrade')
    const reply = once(ws, 'message')
    ws.send('hello')
    const [data] = (await withTimeout(reply, 10_000, 'the echo')) as [Buffer]
    expect(String(data)).toBe('echo: hello')
    // The connection was the Agent's: its pure-tls socket's session is in the Agent's cache.
    await sessionArrived(agent)
    expect(agent.cachedSessions).toBe(1)
    ws.close()
    await once(ws, 'close')
  })

  it('verifies as connect() does: a server the CA did not sign fails the request with a typed error', async () => {
    const { url } = await server()
    const stranger = await makeChain({ leafKey: 'ecdsa-p256', caName: 'pure-tls agent test stranger CA' })
    const agent = new Agent({ ca: stranger.rootPem })
    agents.push(agent)
    const error = await get(`${url}/`, agent).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CertificateVerificationError)
    expect(error).toMatchObject({ reason: 'unknown-issuer', alert: 'unknown_ca', code: 'ERR_TLS_CERT_VERIFY' })
  })

  it('refuses at construction what connect() refuses, naming the option', () => {
    expect(() => new Agent({ minVersion: 'TLSv1' })).toThrow(TlsConfigError)
    expect(() => new Agent({ minVersion: 'TLSv1' })).toThrow(/minVersion/)
    expect(() => new Agent({ maxCachedSessions: -1 })).toThrow(/maxCachedSessions/)
  })
})
