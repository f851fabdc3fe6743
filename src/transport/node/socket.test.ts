// The TLSSocket stand-in beside node:tls on real TCP: connect()'s signatures, net.Socket's surface, authorization, errors, key logs, sessions, Finished.
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import * as net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tls from 'node:tls'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { disposeStacks, type SharedConnectOptions, type SharedServerOptions, type Stack, stacks, tlsConnect, tlsServer, track } from '../../../test/ecosystem/stacks.js'
import { type Chain, cleanupPki, makeChain } from '../../../test/helpers/pki.js'
import { withTimeout } from '../../../test/helpers/timeouts.js'
import { CertificateVerificationError, TlsError } from '../../errors.js'
import { connect, TlsSocket, TlsTransportError } from '../node.js'

let chain: Chain
let stranger: Chain
let echoPort: number

beforeAll(async () => {
  ;[chain, stranger] = await Promise.all([
    makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true }),
    makeChain({ leafKey: 'ecdsa-p256', caName: 'pure-tls test stranger CA' }),
  ])
})
afterEach(disposeStacks)
afterAll(cleanupPki)

/** A node:tls echo server, fresh per test (disposeStacks closes it). */
async function echoServer(options: SharedServerOptions = {}): Promise<{ server: tls.Server; port: number }> {
  const { server, port } = await tlsServer('node:tls', { cert: chain.chainPem, key: chain.keyPem, ...options }, (socket) => socket.pipe(socket))
  echoPort = port
  return { server: server as tls.Server, port }
}

function options(extra: SharedConnectOptions = {}): SharedConnectOptions {
  return { host: '127.0.0.1', port: echoPort, servername: 'localhost', ca: chain.rootPem, ...extra }
}

async function secured(stack: Stack, extra: SharedConnectOptions = {}): Promise<tls.TLSSocket> {
  const socket = tlsConnect(stack, options(extra)) as unknown as tls.TLSSocket
  await withTimeout(once(socket, 'secureConnect'), 10_000, `${stack}: handshake`)
  return socket
}

function echo(socket: tls.TLSSocket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (d: Buffer) => resolve(d.toString()))
    socket.write(text)
  })
}

describe('connect() in node\u2019s signatures', () => {
  it('(options, cb), (port, host, options, cb), (port, options, cb): each connects and calls back on secureConnect', async () => {
    const { port } = await echoServer()
    const tls13 = { servername: 'localhost', ca: chain.rootPem }
    const sockets = await Promise.all(
      [
        (cb: () => void) => connect({ host: '127.0.0.1', port, ...tls13 }, cb),
        (cb: () => void) => connect(port, '127.0.0.1', tls13, cb),
        (cb: () => void) => connect(port, { host: '127.0.0.1', ...tls13 }, cb),
        (cb: () => void) => connect(String(port) as unknown as number, '127.0.0.1', tls13, cb),
      ].map(
        (start) =>
          new Promise<TlsSocket>((resolve, reject) => {
            const socket: TlsSocket = track(start(() => resolve(socket)))
            socket.on('error', reject)
          }),
      ),
    )
    for (const socket of sockets) expect(await echo(socket as unknown as tls.TLSSocket, 'ping')).toBe('ping')
  })
})

describe("net.Socket's surface", () => {
  it('bytesRead/bytesWritten count application bytes; address, remote*, local* are the TCP socket\u2019s; the setters return the socket', async () => {
    await echoServer()
    const seen: Record<string, unknown> = {}
    for (const stack of stacks) {
      const socket = await secured(stack)
      await echo(socket, 'x'.repeat(1000))
      const address = socket.address() as net.AddressInfo
      expect([socket.setNoDelay(true), socket.setKeepAlive(true, 1000), socket.ref(), socket.unref(), socket.ref()].every((s) => s === socket), stack).toBe(true)
      seen[stack] = {
        bytes: [socket.bytesRead, socket.bytesWritten],
        remote: [socket.remoteAddress, socket.remotePort, socket.remoteFamily],
        local: [socket.localAddress, address.address, socket.localPort === address.port],
        state: [socket.encrypted, socket.authorized, socket.authorizationError, socket.readyState, socket.pending, socket.connecting],
      }
    }
    expect(seen['pure-tls']).toEqual(seen['node:tls'])
    expect(seen['pure-tls']).toEqual({
      bytes: [1000, 1000],
      remote: ['127.0.0.1', echoPort, 'IPv4'],
      local: ['127.0.0.1', '127.0.0.1', true],
      state: [true, true, null, 'open', false, false],
    })
  })

  it("setTimeout emits 'timeout' after the idle time, is held off by traffic, and setTimeout(0) turns it off", async () => {
    await echoServer()
    for (const stack of stacks) {
      const socket = await secured(stack)
      const started = performance.now()
      let fired = 0
      socket.setTimeout(200, () => fired++)
      // Traffic every 50 ms for 400 ms keeps it from firing.
      for (let i = 0; i < 8; i++) {
        await echo(socket, 'tick')
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(fired, `${stack}: no timeout while data flows`).toBe(0)
      await withTimeout(once(socket, 'timeout'), 5_000, `${stack}: idle timeout`)
      expect(performance.now() - started).toBeGreaterThanOrEqual(550)
      expect(socket.destroyed, `${stack}: the socket stays open`).toBe(false)
      socket.setTimeout(0)
      const before = fired
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(fired, stack).toBe(before)
    }
  })
})

describe('authorization', () => {
  it('rejectUnauthorized: false completes the handshake with an unknown CA: authorized is false, as in node:tls', async () => {
    await echoServer({ cert: stranger.chainPem, key: stranger.keyPem })
    const seen: Record<string, unknown> = {}
    for (const stack of stacks) {
      const socket = await secured(stack, { rejectUnauthorized: false })
      seen[stack] = [socket.authorized, await echo(socket, 'still talking')]
      seen[`${stack} authorizationError`] = socket.authorizationError
    }
    expect(seen['pure-tls']).toEqual([false, 'still talking'])
    expect(seen['pure-tls']).toEqual(seen['node:tls'])
    // Needs the core's verification report (info.peerVerificationError): node says UNABLE_TO_VERIFY_LEAF_SIGNATURE here.
    expect(seen['pure-tls authorizationError']).toEqual(seen['node:tls authorizationError'])
  })

  it('the default refuses the same server with a CertificateVerificationError (unknown-issuer)', async () => {
    await echoServer({ cert: stranger.chainPem, key: stranger.keyPem })
    const socket = tlsConnect('pure-tls', options())
    const [error] = (await once(socket, 'error')) as [Error]
    expect(error).toBeInstanceOf(CertificateVerificationError)
    expect(error).toMatchObject({ reason: 'unknown-issuer', alert: 'unknown_ca' })
  })

  it('checkServerIdentity is called with the host name and the detailed certificate; its Error refuses, or with rejectUnauthorized false sets authorizationError', async () => {
    await echoServer()
    const pinned = Object.assign(new Error('not the pinned key'), { code: 'ERR_PINNED' })
    for (const stack of stacks) {
      const calls: [string, string | undefined][] = []
      const check = (host: string, cert: tls.PeerCertificate) => {
        calls.push([host, cert.subject.CN])
        return pinned
      }
      const refused = tlsConnect(stack, options({ checkServerIdentity: check }))
      const [error] = (await once(refused, 'error')) as [Error]
      if (stack === 'pure-tls') {
        expect(error).toBeInstanceOf(TlsError)
        expect(error).toMatchObject({ code: 'ERR_TLS_CHECK_SERVER_IDENTITY', cause: pinned })
      } else expect(error).toBe(pinned)
      // With rejectUnauthorized false the chain is verified all the same, and the refusal only reported.
      const tolerated = await secured(stack, { checkServerIdentity: check, rejectUnauthorized: false })
      expect([tolerated.authorized, tolerated.authorizationError], stack).toEqual([false, 'ERR_PINNED'])
      expect(calls.length, stack).toBe(2)
      for (const call of calls) expect(call, stack).toEqual(['localhost', 'localhost'])
    }
  })
})

describe('transport errors', () => {
  it('a refused TCP connection is a TlsTransportError keeping ECONNREFUSED: cause, transportCode, syscall', async () => {
    const closed = net.createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const port = (closed.address() as net.AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: chain.rootPem })
    const [error] = (await once(socket, 'error')) as [TlsTransportError]
    expect(error).toBeInstanceOf(TlsTransportError)
    expect(error).toBeInstanceOf(TlsError)
    expect(error).toMatchObject({ code: 'ERR_TLS_TRANSPORT', transportCode: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1', port })
    expect(error.cause).toMatchObject({ code: 'ECONNREFUSED' })
  })
})

describe('key logs, sessions, Finished (core hooks)', () => {
  /** Our client to a node:tls server that logs its own key lines: both sides must log the same secrets. */
  async function keyLogged(extra: SharedConnectOptions = {}): Promise<{ ours: Buffer[]; theirs: Buffer[] }> {
    const { server } = await echoServer()
    const theirs: Buffer[] = []
    server.on('keylog', (line: Buffer) => theirs.push(line))
    const ours: Buffer[] = []
    const socket = tlsConnect('pure-tls', options(extra)) as unknown as tls.TLSSocket
    socket.on('keylog', (line: Buffer) => ours.push(line))
    await once(socket, 'secureConnect')
    await echo(socket, 'after the handshake')
    return { ours, theirs }
  }

  it("'keylog' gives node's line format (a Buffer ending in a newline) with the secrets node:tls's server logs", async () => {
    const { ours, theirs } = await keyLogged()
    expect(ours.length).toBe(5)
    for (const line of ours) expect(line.toString()).toMatch(/^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]+\n$/)
    expect(ours.map(String).sort()).toEqual(theirs.map(String).sort())
  })

  it('SSLKEYLOGFILE: each line is appended to the file, newline-terminated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pure-tls-keylog-'))
    const file = join(dir, 'keys.log')
    process.env.SSLKEYLOGFILE = file
    try {
      const { theirs } = await keyLogged()
      const written = readFileSync(file, 'latin1')
      expect(written.endsWith('\n')).toBe(true)
      expect(written.split('\n').filter(Boolean).sort()).toEqual(theirs.map((l) => l.toString().trim()).sort())
    } finally {
      delete process.env.SSLKEYLOGFILE
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("getSession(), 'session' and session: a node:tls server resumes our client", async () => {
    const { server } = await echoServer({ minVersion: 'TLSv1.3' })
    const reused: boolean[] = []
    let bothAccepted!: () => void
    const accepted = new Promise<void>((resolve) => (bothAccepted = resolve))
    server.on('secureConnection', (socket: tls.TLSSocket) => {
      if (reused.push(socket.isSessionReused()) === 2) bothAccepted()
    })
    const first = await secured('pure-tls')
    const session = once(first, 'session') as Promise<[Buffer]>
    await echo(first, 'tickets come with data')
    const [fromEvent] = await withTimeout(session, 5_000, "'session'")
    expect(first.getSession()).toEqual(fromEvent)
    const second = await secured('pure-tls', { session: fromEvent })
    expect(second.isSessionReused()).toBe(true)
    await withTimeout(accepted, 5_000, 'the second connection on the server')
    expect(reused).toEqual([false, true])
  })

  it("getFinished() and getPeerFinished() are node:tls's server's getPeerFinished() and getFinished()", async () => {
    const { server } = await echoServer()
    const accepted = once(server, 'secureConnection') as Promise<[tls.TLSSocket]>
    const ours = await secured('pure-tls')
    const [theirs] = await accepted
    expect(ours.getFinished()).toEqual(theirs.getPeerFinished())
    expect(ours.getPeerFinished()).toEqual(theirs.getFinished())
  })

  it('a first connection is not a resumed one', async () => {
    await echoServer()
    const socket = await secured('pure-tls')
    expect(socket.isSessionReused()).toBe(false)
  })
})
