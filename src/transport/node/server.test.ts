// The tls.Server stand-in on real TCP, beside node:tls: net.Server's API, events, client certificates, SNI contexts, ticket keys, key logs.
import { once } from 'node:events'
import * as net from 'node:net'
import * as tls from 'node:tls'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { disposeStacks, type SharedConnectOptions, type Stack, stacks, tlsConnect, tlsServer, track } from '../../../test/ecosystem/stacks.js'
import { type Chain, cleanupPki, makeChain } from '../../../test/helpers/pki.js'
import { withTimeout } from '../../../test/helpers/timeouts.js'
import { TlsAlertReceivedError } from '../../errors.js'
import { createServer, type TlsServer, type TlsSocket } from '../node.js'

let chain: Chain
let other: Chain
let clientChain: Chain
let strangerClient: Chain

beforeAll(async () => {
  ;[chain, other, clientChain, strangerClient] = await Promise.all([
    makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true }),
    makeChain({ leafKey: 'ecdsa-p256', caName: 'pure-tls test other CA', dnsNames: ['other.example', 'localhost'] }),
    makeChain({ leafKey: 'ecdsa-p256', caName: 'pure-tls test client CA', purpose: 'clientAuth' }),
    makeChain({ leafKey: 'ecdsa-p256', caName: 'a client CA nobody trusts', purpose: 'clientAuth' }),
  ])
})
afterEach(disposeStacks)
afterAll(cleanupPki)

function server(options = {}, listener?: (socket: TlsSocket) => void): TlsServer {
  const made = createServer({ cert: chain.chainPem, key: chain.keyPem, ...options }, listener)
  made.on('connection', (socket: net.Socket) => track(socket))
  return made
}

function close(made: net.Server): Promise<void> {
  return new Promise((resolve) => made.close(() => resolve()))
}

async function client(port: number, ca = chain.rootPem, extra: SharedConnectOptions = {}): Promise<tls.TLSSocket> {
  const socket = tlsConnect('node:tls', { host: '127.0.0.1', port, servername: 'localhost', ca, ...extra }) as unknown as tls.TLSSocket
  await withTimeout(once(socket, 'secureConnect'), 10_000, 'the handshake')
  return socket
}

describe("net.Server's API", () => {
  it('listen(port, host, cb), listen({ port, host }, cb) and listen(port, cb) call back; address() has the port; close(cb) calls back', async () => {
    const forms: ((s: TlsServer, cb: () => void) => void)[] = [
      (s, cb) => s.listen(0, '127.0.0.1', cb),
      (s, cb) => s.listen({ port: 0, host: '127.0.0.1' }, cb),
      (s, cb) => s.listen(0, cb),
    ]
    for (const listen of forms) {
      const made = server()
      await withTimeout(new Promise<void>((resolve) => listen(made, resolve)), 5_000, 'the listen callback')
      expect(made.address().port).toBeGreaterThan(0)
      expect(made.listening).toBe(true)
      await withTimeout(close(made), 5_000, 'the close callback')
    }
  })

  it("'connection' gives the TCP socket first; getConnections counts; maxConnections turns away the one too many; ref/unref return the server", async () => {
    const raw: net.Socket[] = []
    const made = server({}, (socket) => socket.end('hello'))
    made.on('connection', (socket: net.Socket) => raw.push(socket))
    made.listen(0, '127.0.0.1')
    await once(made, 'listening')
    const port = made.address().port
    const first = await client(port)
    expect(raw).toHaveLength(1)
    expect(raw[0]).toBeInstanceOf(net.Socket)
    const count = await new Promise<number>((resolve, reject) => made.getConnections((error, n) => (error ? reject(error) : resolve(n))))
    expect(count).toBe(1)
    made.maxConnections = 1
    const refused = tlsConnect('node:tls', { host: '127.0.0.1', port, servername: 'localhost', ca: chain.rootPem })
    refused.on('error', () => undefined)
    await withTimeout(new Promise((resolve) => refused.once('close', resolve)), 5_000, 'the connection over maxConnections being closed')
    expect(made.unref()).toBe(made)
    expect(made.ref()).toBe(made)
    first.destroy()
    await close(made)
  })
})

describe('connections and their events', () => {
  it('requestCert + ca: a client certificate that verifies is authorized; none is refused with certificate_required; rejectUnauthorized false lets a stranger in, unauthorized', async () => {
    const verdicts: Record<string, unknown> = {}
    for (const stack of stacks) {
      const strict = await tlsServer(stack, { cert: chain.chainPem, key: chain.keyPem, ca: clientChain.rootPem, requestCert: true }, (socket) => {
        verdicts[`${stack} strict`] = [(socket as tls.TLSSocket).authorized, (socket as tls.TLSSocket).getPeerCertificate().subject?.CN]
        socket.end('welcome')
      })
      strict.server.on('tlsClientError', () => undefined)
      const ok = await client(strict.port, chain.rootPem, { cert: clientChain.chainPem, key: clientChain.keyPem })
      await once(ok, 'data')
      const without = tlsConnect('node:tls', { host: '127.0.0.1', port: strict.port, servername: 'localhost', ca: chain.rootPem })
      const [error] = (await once(without, 'error')) as [Error]
      expect(error, stack).toMatchObject({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' })
      const lax = await tlsServer(stack, { cert: chain.chainPem, key: chain.keyPem, ca: clientChain.rootPem, requestCert: true, rejectUnauthorized: false }, (socket) => {
        const s = socket as tls.TLSSocket
        const who = s.getPeerCertificate().raw ? 'stranger' : 'anonymous'
        verdicts[`${stack} ${who}`] = [s.authorized, s.authorizationError]
        socket.end('come in')
      })
      // The stranger: a client certificate from a CA the server does not trust.
      for (const extra of [{ cert: strangerClient.chainPem, key: strangerClient.keyPem }, {}]) await once(await client(lax.port, chain.rootPem, extra), 'data')
    }
    expect(verdicts['pure-tls strict']).toEqual(verdicts['node:tls strict'])
    expect(verdicts['pure-tls strict']).toEqual([true, 'localhost'])
    expect(verdicts['pure-tls anonymous']).toEqual(verdicts['node:tls anonymous'])
    expect(verdicts['pure-tls anonymous']).toEqual([false, 'UNABLE_TO_GET_ISSUER_CERT'])
    expect(verdicts['pure-tls stranger']).toEqual(verdicts['node:tls stranger'])
  })

  it("tlsClientError reports a failed handshake with the socket; the peer's alert is a TlsAlertReceivedError", async () => {
    const made = server()
    made.listen(0, '127.0.0.1')
    await once(made, 'listening')
    const failed = once(made, 'tlsClientError') as Promise<[Error, TlsSocket]>
    // Our client sends the alert (node:tls's client verifies after its handshake and only closes).
    const distrustful = tlsConnect('pure-tls', { host: '127.0.0.1', port: made.address().port, servername: 'localhost', ca: other.rootPem })
    distrustful.on('error', () => undefined)
    const [error, socket] = await withTimeout(failed, 10_000, 'tlsClientError')
    expect(error).toBeInstanceOf(TlsAlertReceivedError)
    expect(error).toMatchObject({ received: 'unknown_ca' })
    expect(socket.encrypted).toBe(true)
    await close(made)
  })

  it('an error after the handshake goes to that socket, and with no listener of the handler\u2019s the process goes on', async () => {
    const unhandled: unknown[] = []
    const onUncaught = (error: unknown) => unhandled.push(error)
    process.on('uncaughtException', onUncaught)
    try {
      const closed: boolean[] = []
      const made = server({}, (socket) => socket.once('close', (hadError: boolean) => closed.push(hadError)))
      made.listen(0, '127.0.0.1')
      await once(made, 'listening')
      // node:tls over a TCP socket of ours, so that a forged record can be slipped in after the handshake.
      const raw = track(net.connect({ host: '127.0.0.1', port: made.address().port }))
      const peer = tls.connect({ socket: raw, servername: 'localhost', ca: chain.rootPem })
      peer.on('error', () => undefined)
      await once(made, 'secureConnection')
      raw.write(Buffer.concat([Buffer.from([23, 3, 3, 0, 32]), Buffer.alloc(32, 0x5a)]))
      await withTimeout(
        (async () => {
          while (closed.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
        })(),
        5_000,
        'the server socket closing',
      )
      expect(closed).toEqual([true])
      expect(unhandled).toEqual([])
      peer.destroy()
      await close(made)
    } finally {
      process.off('uncaughtException', onUncaught)
    }
  })

  it('setSecureContext: new connections get the new certificate, open ones keep theirs', async () => {
    const made = server({}, (socket) => socket.resume())
    made.listen(0, '127.0.0.1')
    await once(made, 'listening')
    const port = made.address().port
    const before = await client(port)
    made.setSecureContext({ cert: other.chainPem, key: other.keyPem })
    const after = await client(port, other.rootPem)
    expect(before.getPeerCertificate().issuer.CN).not.toBe(after.getPeerCertificate().issuer.CN)
    expect(after.getPeerX509Certificate()!.checkIssued(new (await import('node:crypto')).X509Certificate(other.rootPem))).toBe(true)
    before.destroy()
    after.destroy()
    await close(made)
  })

  it('addContext: a client asking for other.example gets that certificate, others the default (as node:tls)', async () => {
    const seen: Record<Stack, string[]> = { 'pure-tls': [], 'node:tls': [] }
    for (const stack of stacks) {
      const { server: made, port } = await tlsServer(stack, { cert: chain.chainPem, key: chain.keyPem }, (socket) => socket.resume())
      ;(made as tls.Server).addContext('*.example', { cert: other.chainPem, key: other.keyPem })
      for (const [servername, ca] of [
        ['other.example', other.rootPem],
        ['localhost', chain.rootPem],
      ] as const) {
        const socket = await client(port, ca, { servername })
        seen[stack].push(socket.getPeerCertificate().issuer.CN ?? '')
      }
    }
    expect(seen['pure-tls']).toEqual(seen['node:tls'])
  })

  it('getTicketKeys/setTicketKeys: 48 bytes; a server given the other\u2019s keys resumes its sessions', async () => {
    const a = server({ sessionTickets: true }, (socket) => socket.end('a'))
    const b = server({ sessionTickets: true }, (socket) => socket.end('b'))
    for (const made of [a, b]) {
      made.listen(0, '127.0.0.1')
      await once(made, 'listening')
    }
    expect(a.getTicketKeys()).toHaveLength(48)
    b.setTicketKeys(a.getTicketKeys())
    expect(b.getTicketKeys()).toEqual(a.getTicketKeys())
    const first = await client(a.address().port, chain.rootPem, { minVersion: 'TLSv1.3' })
    const [session] = (await once(first, 'session')) as [Buffer]
    const resumed = await client(b.address().port, chain.rootPem, { minVersion: 'TLSv1.3', session })
    expect(resumed.isSessionReused()).toBe(true)
  })

  it("the server's 'keylog' event gives (line, socket) with the lines node:tls's client logs", async () => {
    const made = server({}, (socket) => socket.end('x'))
    const ours: [string, TlsSocket][] = []
    made.on('keylog', (line: Buffer, socket: TlsSocket) => ours.push([line.toString(), socket]))
    made.listen(0, '127.0.0.1')
    await once(made, 'listening')
    const theirs: string[] = []
    const socket = tlsConnect('node:tls', { host: '127.0.0.1', port: made.address().port, servername: 'localhost', ca: chain.rootPem })
    socket.on('keylog', (line: Buffer) => theirs.push(line.toString()))
    await once(socket, 'data')
    expect(ours.map(([line]) => line).sort()).toEqual(theirs.sort())
    expect(new Set(ours.map(([, s]) => s)).size).toBe(1)
  })
})
