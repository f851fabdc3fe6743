// TlsSocket's and TlsServer's typed events: wrong listeners do not compile (checked by `tsc --noEmit -p .`), and the arguments really emitted have the declared types.
import { once } from 'node:events'
import * as net from 'node:net'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { type Chain, cleanupPki, makeChain } from '../../../test/helpers/pki.js'
import { withTimeout } from '../../../test/helpers/timeouts.js'
import { TlsError } from '../../errors.js'
import { connect, createServer, TlsServer, TlsSocket, type TlsServerEvents, type TlsSocketEvents } from '../node.js'

let chain: Chain

beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256' })
})
afterAll(cleanupPki)

/**
 * Only compiled, never called (exported so that noUnusedLocals keeps it): each `@ts-expect-error` line must be a
 * type error, or tsc reports the directive as unused, so `tsc --noEmit -p .` fails when a wrong listener compiles,
 * and the expectTypeOf lines fail it when a listener's arguments are not the declared ones.
 */
export function compileTimeChecks(socket: TlsSocket, server: TlsServer): void {
  socket.on('session', (session) => expectTypeOf(session).toEqualTypeOf<Buffer>())
  socket.once('keylog', (line) => expectTypeOf(line).toEqualTypeOf<Buffer>())
  socket.on('close', (hadError) => expectTypeOf(hadError).toEqualTypeOf<boolean>())
  socket.prependListener('error', (error) => expectTypeOf(error).toEqualTypeOf<TlsError>())
  socket.on('data', (data) => expectTypeOf(data).toEqualTypeOf<Buffer>())
  expectTypeOf(socket.on('secureConnect', () => undefined)).toEqualTypeOf<TlsSocket>()
  // A listener written for node's TLSSocket, taking any Error, still fits.
  socket.on('error', (error: Error) => error.message)
  // @ts-expect-error 'error' carries an Error, not a string
  socket.on('error', (error: string) => error)
  // An event the map does not name keeps node's untyped listener.
  socket.on('pause', () => undefined)
  // @ts-expect-error 'session' carries a Buffer, not a string
  socket.on('session', (session: string) => session)
  // @ts-expect-error 'close' carries hadError, a boolean
  socket.once('close', (hadError: number) => hadError)
  // @ts-expect-error 'keylog' carries a Buffer
  socket.addListener('keylog', (line: number) => line)
  // @ts-expect-error 'secure' carries nothing
  socket.prependOnceListener('secure', (what: string) => what)
  // @ts-expect-error emit('session') needs the Buffer
  socket.emit('session')
  // @ts-expect-error emit('close') takes a boolean
  socket.emit('close', 'yes')

  server.on('secureConnection', (tlsSocket) => expectTypeOf(tlsSocket).toEqualTypeOf<TlsSocket>())
  server.on('tlsClientError', (error, tlsSocket) => {
    expectTypeOf(error).toEqualTypeOf<TlsError>()
    expectTypeOf(tlsSocket).toEqualTypeOf<TlsSocket>()
  })
  server.on('keylog', (line, tlsSocket) => {
    expectTypeOf(line).toEqualTypeOf<Buffer>()
    expectTypeOf(tlsSocket).toEqualTypeOf<TlsSocket>()
  })
  server.on('connection', (tcp) => expectTypeOf(tcp).toEqualTypeOf<net.Socket>())
  expectTypeOf(server.once('listening', () => undefined)).toEqualTypeOf<TlsServer>()
  // @ts-expect-error 'secureConnection' gives a TlsSocket, not a net.Socket
  server.on('secureConnection', (tcp: net.Socket) => tcp.remotePort)
  // @ts-expect-error 'keylog' gives the line first
  server.off('keylog', (tlsSocket: TlsSocket) => tlsSocket)
  // @ts-expect-error 'tlsClientError' needs the error and the socket
  server.emit('tlsClientError', new Error('refused'))
}

/** Listens on a loopback port; resolves once bound. */
async function listening(server: TlsServer): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return server.address().port
}

describe('the events and their arguments', () => {
  it("a handshake's events carry what TlsSocketEvents and TlsServerEvents declare", async () => {
    const seen: Partial<Record<keyof TlsSocketEvents | `server ${keyof TlsServerEvents}`, unknown[]>> = {}
    const record = (name: keyof typeof seen) => (...args: unknown[]) => void (seen[name] ??= args)
    const server = createServer({ cert: chain.chainPem, key: chain.keyPem, sessionTickets: true }, (socket) => socket.end('hello'))
    server.on('connection', record('server connection'))
    server.on('keylog', record('server keylog'))
    server.on('secureConnection', record('server secureConnection'))
    const port = await listening(server)
    try {
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: chain.rootPem, minVersion: 'TLSv1.3', sessionTickets: true })
      for (const name of ['connect', 'keylog', 'secure', 'secureConnect', 'session', 'data', 'end', 'close'] as const) socket.on(name, record(name))
      await withTimeout(once(socket, 'close'), 10_000, "the client's close")
      expect(seen['server connection']![0]).toBeInstanceOf(net.Socket)
      expect(seen['server keylog']![0]).toBeInstanceOf(Buffer)
      expect(seen['server keylog']![1]).toBeInstanceOf(TlsSocket)
      expect(seen['server secureConnection']![0]).toBeInstanceOf(TlsSocket)
      for (const empty of ['connect', 'secure', 'secureConnect', 'end'] as const) expect(seen[empty]).toEqual([])
      expect(seen.keylog![0]).toBeInstanceOf(Buffer)
      expect(seen.session![0]).toBeInstanceOf(Buffer)
      expect(seen.data).toEqual([Buffer.from('hello')])
      expect(seen.close).toEqual([false])
    } finally {
      server.close()
    }
  })

  it("a failed handshake: 'tlsClientError' (TlsError, TlsSocket) on the server, 'error' then 'close' (true) on the client", async () => {
    const server = createServer({ cert: chain.chainPem, key: chain.keyPem })
    const clientError = once(server, 'tlsClientError')
    const port = await listening(server)
    try {
      // A stranger's roots: the client refuses the server's chain and alerts it.
      const stranger = await makeChain({ leafKey: 'ecdsa-p256', caName: 'pure-tls events test stranger CA' })
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: stranger.rootPem })
      const errors: unknown[] = []
      socket.on('error', (error) => errors.push(error))
      // events.once would reject at 'error': a plain listener sees 'close' after it.
      const closed = new Promise<boolean>((resolve) => socket.once('close', resolve))
      expect(await withTimeout(closed, 10_000, "the client's close")).toBe(true)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toBeInstanceOf(TlsError)
      const [serverError, serverSocket] = await withTimeout(clientError, 10_000, "the server's tlsClientError")
      expect(serverError).toBeInstanceOf(TlsError)
      expect(serverSocket).toBeInstanceOf(TlsSocket)
    } finally {
      server.close()
    }
  })
})
