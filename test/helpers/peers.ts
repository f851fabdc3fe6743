// Real TLS peers for interop tests: openssl s_server/s_client, gnutls-serv/gnutls-cli and node:tls, all bounded and disposable.
//
// Moving bytes exactly through the OpenSSL tools (checked by peers.test.ts with 1 MiB of random bytes each way):
//
// - `openssl s_server -quiet`: stdout carries exactly the application data received, nothing else, and
//   stdin is sent as-is. Without -quiet, stdout mixes "ACCEPT", the session dump and "CIPHER is ..." with
//   the data, and any stdin read starting with a command letter (Q q r R k K c P S T) is a command.
//   So: bulk transfers use -quiet; key updates ('k', 'K' written to stdin) need a server without -quiet,
//   and then only short text lines should be sent, matched with waitForOutput.
// - `openssl s_client -quiet`: stdout carries exactly the data received; -quiet implies -ign_eof, so the end
//   of stdin does not end the connection and command letters are off. s_client only reads stdin once
//   the handshake is done, so input may be written before it. Without -ign_eof, closing stdin (endInput)
//   makes s_client send close_notify and exit: the way to run "handshake only, then exit code".
// - `-naccept 1` makes s_server exit after one connection; readiness is detected from the kernel's socket
//   table (see ports.ts), never by a probe connection, so that one accept is the test's.
// - Both OpenSSL tools buffer their diagnostics when stdout is a pipe (a key update's "SSL_do_handshake -> 1"
//   shows up only at exit), so they run under `stdbuf -o0` where coreutils has it: waitForOutput then
//   sees text as it is printed. The data paths (raw writes) are unaffected.
// - gnutls-cli moves binary exactly when given --logfile (else its chatter is on stdout). gnutls-serv --echo
//   does not: it treats what it reads as text lines (a NUL byte ends the data, CRLF becomes LF unless
//   --crlf), so bulk transfers against gnutls-serv use text lines, or gnutls-cli talks to s_server instead.
import { type Server, type TLSSocket, connect as tlsConnect, createServer as createTlsServer } from 'node:tls'
import type { ConnectionOptions, TlsOptions } from 'node:tls'
import type { Duplex } from 'node:stream'
import { existsSync } from 'node:fs'
import { OutputBuffer } from './output.js'
import { freePort, waitUntilListening } from './ports.js'
import { PeerProcess, type PeerProcessOptions, disposeAllProcesses } from './processes.js'
import { withTimeout } from './timeouts.js'

const LOCALHOST = '127.0.0.1'
const STDBUF = '/usr/bin/stdbuf'
const hasStdbuf = existsSync(STDBUF)
const READY_TIMEOUT_MS = 10_000
const BIND_ATTEMPTS = 5

/** A server process listening on `port` of 127.0.0.1. */
export class ListeningPeer extends PeerProcess {
  constructor(
    tool: string,
    args: readonly string[],
    readonly port: number,
    options: PeerProcessOptions,
  ) {
    super(...unbuffered(tool, args), { name: `${tool} :${port}`, ...options })
  }
}

/**
 * stdbuf's stdout mode per tool: the OpenSSL tools and gnutls-serv unbuffered, so their diagnostics show up
 * as printed; gnutls-cli fully buffered, because it writes received data byte by byte to stdout and flushes
 * after each record (unbuffered, 1 MiB takes seconds of one-byte writes).
 */
const stdoutModes: Record<string, string> = { openssl: '-o0', 'gnutls-serv': '-o0', 'gnutls-cli': '-o65536' }

/** The command line running `tool` under stdbuf (see stdoutModes), or bare where stdbuf is missing. */
function unbuffered(tool: string, args: readonly string[]): [string, string[]] {
  return hasStdbuf ? [STDBUF, [stdoutModes[tool] ?? '-o0', '-e0', tool, ...args]] : [tool, [...args]]
}

export interface ServerPeerOptions extends PeerProcessOptions {
  /** How long the server may take to listen (default 10 s). */
  readyTimeoutMs?: number
}

/** Starts `tool` with the arguments for a free port, retrying on another port if the bind lost a race. */
async function startListening(tool: string, argsFor: (port: number) => string[], options: ServerPeerOptions): Promise<ListeningPeer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const peer = new ListeningPeer(tool, argsFor(port), port, options)
    try {
      await waitUntilListening(port, {
        timeoutMs: options.readyTimeoutMs ?? READY_TIMEOUT_MS,
        ...(peer.pid === undefined ? {} : { pid: peer.pid }),
        abandoned: () => (peer.running ? null : `${peer.name} exited with ${peer.exitCode}: ${peer.errorOutput()}`),
      })
      return peer
    } catch (error) {
      await peer.stop()
      const lostRace = /address already in use|EADDRINUSE|bind/i.test(peer.errorOutput())
      if (!lostRace || attempt === BIND_ATTEMPTS) throw error
    }
  }
}

export interface ClientPeerOptions extends PeerProcessOptions {
  /** The port on 127.0.0.1 to connect to. */
  connectTo: number
  /** Written to stdin at once. */
  input?: Uint8Array | string
  /** Close stdin after `input` (s_client without -ign_eof then closes the connection and exits). */
  endInput?: boolean
}

async function startClient(tool: string, args: string[], options: ClientPeerOptions): Promise<PeerProcess> {
  const client = new PeerProcess(...unbuffered(tool, args), { name: `${tool} -> :${options.connectTo}`, ...options })
  if (options.input !== undefined) await client.write(options.input)
  if (options.endInput) await client.endInput()
  return client
}

/** `openssl s_server -accept 127.0.0.1:PORT ...args`, resolved once it listens. */
export function startOpenSslServer(args: string[], options: ServerPeerOptions = {}): Promise<ListeningPeer> {
  return startListening('openssl', (port) => ['s_server', '-accept', `${LOCALHOST}:${port}`, ...args], options)
}

/** `openssl s_client -connect 127.0.0.1:PORT ...args`, started (not awaited: use waitForOutput / waitForExit). */
export function runOpenSslClient(args: string[], options: ClientPeerOptions): Promise<PeerProcess> {
  return startClient('openssl', ['s_client', '-connect', `${LOCALHOST}:${options.connectTo}`, ...args], options)
}

/** `gnutls-serv -p PORT ...args` (it listens on every address), resolved once it listens. */
export function startGnutlsServer(args: string[], options: ServerPeerOptions = {}): Promise<ListeningPeer> {
  return startListening('gnutls-serv', (port) => ['-p', String(port), ...args], options)
}

/** `gnutls-cli -p PORT ...args 127.0.0.1`; pass --verify-hostname / --sni-hostname for names. */
export function runGnutlsClient(args: string[], options: ClientPeerOptions): Promise<PeerProcess> {
  return startClient('gnutls-cli', ['-p', String(options.connectTo), ...args, LOCALHOST], options)
}

/** Things the node:tls helpers opened, closed by disposePeers(). */
const openNodeResources = new Set<{ close(): Promise<void> }>()

/** A node:tls socket with its received bytes collected from the first moment. */
export class SocketPeer<S extends Duplex = TLSSocket> {
  readonly received: OutputBuffer
  /** The socket's error, if it failed. */
  error: Error | null = null
  protected readonly closed: Promise<void>

  constructor(
    readonly socket: S,
    readonly name: string,
  ) {
    this.received = new OutputBuffer(name)
    socket.on('data', (chunk: Buffer) => this.received.append(chunk))
    socket.on('end', () => this.received.close(`${name}: the peer ended the stream`))
    socket.on('error', (error) => {
      this.error = error
      this.received.close(`${name}: ${error.message}`)
    })
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
    void this.closed.then(() => {
      this.received.close(`${name}: closed`)
      openNodeResources.delete(this)
    })
    openNodeResources.add(this)
  }

  write(data: Uint8Array | string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (error) => (error ? reject(error) : resolve())))
  }

  /** Half-closes: sends close_notify and FIN, keeps reading. */
  end(timeoutMs = 5_000): Promise<void> {
    return withTimeout(new Promise<void>((resolve) => this.socket.end(() => resolve())), timeoutMs, `${this.name}: ending`)
  }

  /** Resolves when the socket has closed (after an error or the peer's close). */
  waitForClose(timeoutMs = 10_000): Promise<void> {
    return withTimeout(this.closed, timeoutMs, `${this.name}: waiting for close`)
  }

  /** Destroys the socket and waits for it to close. */
  async close(): Promise<void> {
    this.socket.destroy()
    await withTimeout(this.closed, 5_000, `${this.name}: closing`)
  }
}

/** An unbounded queue whose take() waits, with a timeout. */
class Arrivals<T> {
  private readonly items: T[] = []
  private readonly takers: ((item: T) => void)[] = []
  constructor(private readonly what: string) {}

  push(item: T): void {
    const taker = this.takers.shift()
    if (taker) taker(item)
    else this.items.push(item)
  }

  take(timeoutMs: number): Promise<T> {
    const ready = this.items.shift()
    if (ready !== undefined) return Promise.resolve(ready)
    let taker: ((item: T) => void) | undefined
    const next = new Promise<T>((resolve) => {
      taker = resolve
      this.takers.push(resolve)
    })
    return withTimeout(next, timeoutMs, `waiting for ${this.what}`).catch((error: unknown) => {
      this.takers.splice(this.takers.indexOf(taker as (item: T) => void), 1)
      throw error
    })
  }
}

export interface NodeTlsServer {
  readonly port: number
  readonly server: Server
  /** The next accepted connection (after its handshake), in order of arrival. */
  nextConnection(timeoutMs?: number): Promise<SocketPeer>
  /** The next handshake that failed on the server (node's 'tlsClientError'). */
  nextClientError(timeoutMs?: number): Promise<Error>
  /** Closes the server and every connection it accepted. */
  close(): Promise<void>
  dispose(): Promise<void>
}

/** A node:tls server on 127.0.0.1 and a free port. */
export async function startNodeTlsServer(options: TlsOptions): Promise<NodeTlsServer> {
  const server = createTlsServer(options)
  const connections = new Arrivals<SocketPeer>('a TLS connection to the node:tls server')
  const clientErrors = new Arrivals<Error>('a failed handshake on the node:tls server')
  const accepted: SocketPeer[] = []
  server.on('secureConnection', (socket) => {
    const peer = new SocketPeer(socket, `node:tls server connection from :${socket.remotePort}`)
    accepted.push(peer)
    connections.push(peer)
  })
  server.on('tlsClientError', (error) => clientErrors.push(error))
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, LOCALHOST, () => resolve())
    }),
    READY_TIMEOUT_MS,
    'starting the node:tls server',
  )
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const handle: NodeTlsServer = {
    port,
    server,
    nextConnection: (timeoutMs = 10_000) => connections.take(timeoutMs),
    nextClientError: (timeoutMs = 10_000) => clientErrors.take(timeoutMs),
    async close() {
      openNodeResources.delete(handle)
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      await Promise.all(accepted.map((peer) => peer.close()))
      await withTimeout(stopped, 5_000, 'closing the node:tls server')
    },
    dispose: () => handle.close(),
  }
  openNodeResources.add(handle)
  return handle
}

export interface NodeTlsConnectOptions extends ConnectionOptions {
  /** The handshake must finish within this (default 10 s). */
  timeoutMs?: number
}

/** A node:tls client connection to 127.0.0.1 (unless `host` says otherwise), resolved after its handshake. */
export async function nodeTlsConnect({ timeoutMs = 10_000, ...options }: NodeTlsConnectOptions): Promise<SocketPeer> {
  const socket = tlsConnect({ host: LOCALHOST, ...options })
  const peer = new SocketPeer(socket, `node:tls client to :${options.port}`)
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve())
    socket.once('error', reject)
  })
  try {
    await withTimeout(connected, timeoutMs, `node:tls handshake with :${options.port}`)
  } catch (error) {
    await peer.close()
    throw error
  }
  return peer
}

/** Stops every peer process and closes every node:tls server and socket these helpers opened. */
export async function disposePeers(): Promise<void> {
  await Promise.all([disposeAllProcesses(), ...[...openNodeResources].map((resource) => resource.close())])
}
