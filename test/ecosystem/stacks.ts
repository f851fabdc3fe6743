// The two TLS stacks the ecosystem tests run side by side, pure-tls and node:tls, behind one small interface, with cleanup.
import { once } from 'node:events'
import type * as net from 'node:net'
import type { Duplex } from 'node:stream'
import * as tls from 'node:tls'
import { connect, createServer, type ConnectOptions, type ServerOptions, type TlsSocket } from '../../src/transport/node.js'
import { withTimeout } from '../helpers/timeouts.js'

export const stacks = ['pure-tls', 'node:tls'] as const
export type Stack = (typeof stacks)[number]

/** Options both stacks understand: node:tls's names (pure-tls maps them). */
export type SharedConnectOptions = tls.ConnectionOptions & ConnectOptions
export type SharedServerOptions = tls.TlsOptions & ServerOptions

/** A TLS client socket: a tls.TLSSocket or our TlsSocket, seen through what both have. */
export type ClientSocket = Duplex & Pick<tls.TLSSocket, 'alpnProtocol' | 'authorized' | 'remoteAddress' | 'setTimeout'>

const open = new Set<{ destroy(): void } | net.Server>()

/** tls.connect or our connect with the same options; the socket is destroyed by disposeStacks(). */
export function tlsConnect(stack: Stack, options: SharedConnectOptions, onSecure?: () => void): ClientSocket {
  const socket = stack === 'pure-tls' ? (connect(options, onSecure) as unknown as ClientSocket) : (tls.connect(options, onSecure) as unknown as ClientSocket)
  track(socket)
  return socket
}

/** tls.createServer or our createServer with the same options, listening on 127.0.0.1 and a free port. */
export async function tlsServer(stack: Stack, options: SharedServerOptions, listener?: (socket: tls.TLSSocket | TlsSocket) => void): Promise<{ server: net.Server; port: number }> {
  const server: net.Server = stack === 'pure-tls' ? createServer(options, listener) : tls.createServer(options, listener)
  return { server, port: await listen(server) }
}

/** Listens on 127.0.0.1:0 and resolves with the port. */
export async function listen(server: net.Server): Promise<number> {
  open.add(server)
  server.on('connection', (socket: net.Socket) => track(socket))
  server.listen(0, '127.0.0.1')
  await withTimeout(once(server, 'listening'), 10_000, 'listening')
  return (server.address() as net.AddressInfo).port
}

/** Destroyed by disposeStacks() if still open. */
export function track<T extends { destroy(): void; once(event: 'close', listener: () => void): unknown }>(socket: T): T {
  open.add(socket)
  socket.once('close', () => open.delete(socket))
  return socket
}

/** Destroys every socket and closes every server the tests opened (for afterEach). */
export async function disposeStacks(): Promise<void> {
  const closing: Promise<unknown>[] = []
  for (const item of open) {
    if ('listen' in item) closing.push(new Promise((resolve) => (item as net.Server).close(resolve)))
    else item.destroy()
  }
  open.clear()
  await withTimeout(Promise.all(closing), 10_000, 'closing the servers')
}
