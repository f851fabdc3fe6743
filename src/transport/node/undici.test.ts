// undiciConnector under undici's real fetch against node:tls and node:http servers: https with session reuse per origin, ALPN, plain http, typed failures.
import { once } from 'node:events'
import * as http from 'node:http'
import * as https from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { Agent, fetch } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Chain, cleanupPki, makeChain } from '../../../test/helpers/pki.js'
import { CertificateVerificationError, TlsConfigError } from '../../errors.js'
import { undiciConnector } from '../node.js'

let chain: Chain
const closers: (() => Promise<unknown>)[] = []

beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true })
})
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})
afterAll(cleanupPki)

/** What the server saw of each request: the connection's port, whether it resumed, the ALPN protocol. */
interface Seen {
  readonly remotePort: number
  readonly resumed: boolean
  readonly alpn: string | false | null
}

/** A node:tls https server that closes each connection after its response (so every request is a new connection). */
async function httpsServer(options: https.ServerOptions = {}): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = []
  const server = https.createServer({ cert: chain.chainPem, key: chain.keyPem, ALPNProtocols: ['http/1.1'], ...options }, (req, res) => {
    const socket = req.socket as TLSSocket
    seen.push({ remotePort: socket.remotePort!, resumed: socket.isSessionReused(), alpn: socket.alpnProtocol })
    res.setHeader('connection', 'close')
    res.end(`hello ${req.url}`)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  closers.push(() => new Promise((resolve) => server.close(resolve)))
  return { url: `https://localhost:${(server.address() as AddressInfo).port}`, seen }
}

function dispatcher(connect: ConstructorParameters<typeof Agent>[0]): Agent {
  const agent = new Agent(connect)
  closers.push(() => agent.close())
  return agent
}

describe('undiciConnector: undici fetch over pure-tls', () => {
  for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
    // undici's own connector keeps sessions too, but through WeakRefs: a garbage collection between two requests
    // loses them, so its resumption is not something to compare against here.
    it(`a new connection per request resumes the origin's session (${maxVersion}), ALPN http/1.1`, async () => {
      const { url, seen } = await httpsServer({ maxVersion })
      const agent = dispatcher({ connect: undiciConnector({ ca: chain.rootPem }) })
      for (const path of ['/a', '/b', '/c']) {
        const response = await fetch(`${url}${path}`, { dispatcher: agent })
        expect(await response.text()).toBe(`hello ${path}`)
        // TLS 1.3 tickets come after the handshake: give the closed connection's a moment to reach the cache.
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(new Set(seen.map((s) => s.remotePort)).size, 'three connections').toBe(3)
      expect(seen.map((s) => s.resumed)).toEqual([false, true, true])
      expect(seen.map((s) => s.alpn)).toEqual(['http/1.1', 'http/1.1', 'http/1.1'])
    })
  }

  it('maxCachedSessions: 0 keeps no session: every connection is a full handshake', async () => {
    const { url, seen } = await httpsServer({ maxVersion: 'TLSv1.2' })
    const agent = dispatcher({ connect: undiciConnector({ ca: chain.rootPem, maxCachedSessions: 0 }) })
    for (const path of ['/a', '/b']) await (await fetch(`${url}${path}`, { dispatcher: agent })).text()
    expect(seen.map((s) => s.resumed)).toEqual([false, false])
  })

  it('an http origin gets plain TCP through the same dispatcher', async () => {
    const server = http.createServer((req, res) => res.end(`plain ${req.url}`))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    closers.push(() => new Promise((resolve) => server.close(resolve)))
    const agent = dispatcher({ connect: undiciConnector({ ca: chain.rootPem }) })
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, { dispatcher: agent })
    expect(await response.text()).toBe('plain /x')
  })

  it('a server the CA did not sign fails the fetch with our typed error as its cause', async () => {
    const { url, seen } = await httpsServer()
    const stranger = await makeChain({ leafKey: 'ecdsa-p256', caName: 'pure-tls undici test stranger CA' })
    const agent = dispatcher({ connect: undiciConnector({ ca: stranger.rootPem }) })
    const error = await fetch(`${url}/`, { dispatcher: agent }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError) // fetch's "fetch failed"
    expect((error as TypeError).cause).toBeInstanceOf(CertificateVerificationError)
    expect((error as TypeError).cause).toMatchObject({ reason: 'unknown-issuer', code: 'ERR_TLS_CERT_VERIFY' })
    expect(seen).toEqual([])
  })

  it('refuses when it is made what connect() refuses, naming the option', () => {
    expect(() => undiciConnector({ minVersion: 'TLSv1' })).toThrow(TlsConfigError)
    expect(() => undiciConnector({ maxCachedSessions: 1.5 })).toThrow(/maxCachedSessions/)
  })
})
