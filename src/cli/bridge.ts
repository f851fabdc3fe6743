// pure-tls bridge: a WebSocket-to-TCP relay with an allow-list of targets, so that a browser page can reach a TLS server.
//
// The WebSocket server is ours (websocket-server.ts, RFC 6455's server side: the handshake, binary frames, ping and
// close) rather than the `ws` package: npm has no dependencies per entry point, so `ws` would be installed for every
// user of the library, browsers included, for a command that needs a few hundred lines.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { connect } from 'node:net'
import type { Duplex } from 'node:stream'
import { CloseCode } from './websocket-frames.js'
import { acceptUpgrade, handshakeProblem, refuseUpgrade } from './websocket-server.js'

/** A host and a TCP port, as `--listen` and `--to` take them (IPv6 in brackets: `[::1]:443`). */
export interface HostPort {
  readonly host: string
  readonly port: number
}

export interface BridgeOptions {
  readonly listen: HostPort
  /** The only TCP endpoints clients may reach: an open bridge is an open proxy. */
  readonly targets: readonly HostPort[]
  /** Origin header values allowed to connect; absent or empty: any origin (a page on any site may use the bridge). */
  readonly origins?: readonly string[]
  /** Tunnels open at once (default 64); more are refused with 503. */
  readonly maxConnections?: number
  /** The largest WebSocket frame accepted from a client (default 16 MiB). */
  readonly maxFramePayload?: number
  /** Where a line per tunnel goes (default nowhere). */
  readonly log?: (line: string) => void
}

export interface Bridge {
  /** Where it listens (the real port when 0 was asked for). */
  readonly address: HostPort
  /** ws://HOST:PORT/ */
  readonly url: string
  /** Stops listening and ends every tunnel. */
  close(): Promise<void>
}

/** A mistake on the command line: the message says which, and the exit code is 2. */
export class BridgeUsageError extends Error {
  override readonly name = 'BridgeUsageError'
}

const DEFAULT_MAX_CONNECTIONS = 64
const DEFAULT_MAX_FRAME = 16 * 1024 * 1024

export const bridgeUsage = `usage: pure-tls bridge --listen HOST:PORT --to HOST:PORT [--to HOST:PORT ...] [--origin ORIGIN ...]

Relays WebSocket connections to TCP, so that a page in a browser can run TLS (pure-tls) to a server:
the page opens ws://LISTEN/TARGET (or ws://LISTEN/ when there is one --to) and speaks TLS through it.

  --listen HOST:PORT   where to accept WebSocket connections (default 127.0.0.1:8080; port 0 picks one)
  --to HOST:PORT       a target clients may reach; repeat for several. Nothing else is reachable:
                       a bridge open to any target is an open proxy
  --origin ORIGIN      accept only pages from this origin (e.g. http://localhost:5173); repeatable.
                       Without it any web page the user visits may use the bridge
  --max-connections N  tunnels open at once (default ${DEFAULT_MAX_CONNECTIONS})
  --help               this text`

/** Parses `HOST:PORT` or `[IPv6]:PORT`. */
export function parseHostPort(text: string, what: string): HostPort {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+)):(\d{1,5})$/.exec(text)
  const port = match ? Number(match[3]) : NaN
  if (!match || port > 65535) throw new BridgeUsageError(`${what}: "${text}" is not HOST:PORT`)
  return { host: (match[1] ?? match[2]!).toLowerCase(), port }
}

const formatHostPort = ({ host, port }: HostPort) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)

/** The options of `pure-tls bridge ARGS`, or 'help'; a BridgeUsageError for anything it cannot make sense of. */
export function parseBridgeArguments(argv: readonly string[]): BridgeOptions | 'help' {
  let listen: HostPort = { host: '127.0.0.1', port: 8080 }
  const targets: HostPort[] = []
  const origins: string[] = []
  let maxConnections = DEFAULT_MAX_CONNECTIONS
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    if (flag === '--help' || flag === '-h') return 'help'
    const value = argv[i + 1]
    if (!['--listen', '--to', '--origin', '--max-connections'].includes(flag)) throw new BridgeUsageError(`unknown argument ${flag}`)
    if (value === undefined || value.startsWith('--')) throw new BridgeUsageError(`${flag} needs a value`)
    i++
    if (flag === '--listen') listen = parseHostPort(value, '--listen')
    else if (flag === '--to') targets.push(parseHostPort(value, '--to'))
    else if (flag === '--origin') origins.push(value)
    else {
      maxConnections = Number(value)
      if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new BridgeUsageError(`--max-connections: "${value}" is not a positive integer`)
    }
  }
  if (targets.length === 0) throw new BridgeUsageError('no --to target: a bridge relays only to the targets it is given')
  return { listen, targets, origins, maxConnections }
}

/** The allowed target a request's path names (`/HOST:PORT`, or `/` when there is one target), or why none is. */
function targetOf(request: IncomingMessage, targets: readonly HostPort[]): HostPort | string {
  const path = decodeURIComponent((request.url ?? '/').split('?')[0]!.replace(/^\/+/, ''))
  if (path === '') return targets.length === 1 ? targets[0]! : 'name a target in the path: ws://BRIDGE/HOST:PORT'
  let wanted: HostPort
  try {
    wanted = parseHostPort(path, 'target')
  } catch {
    return `"${path}" is not HOST:PORT`
  }
  const allowed = targets.find((t) => t.host === wanted.host && t.port === wanted.port)
  return allowed ?? `${formatHostPort(wanted)} is not an allowed target of this bridge`
}

/** Joins an accepted WebSocket to a TCP connection to `target`, with back-pressure both ways. */
function relay(request: IncomingMessage, socket: Duplex, head: Buffer, target: HostPort, options: BridgeOptions, onEnd: () => void): void {
  const tcp = connect({ host: target.host, port: target.port })
  let ended = false
  const end = () => {
    if (ended) return
    ended = true
    onEnd()
  }
  const webSocket = acceptUpgrade(
    request,
    socket,
    head,
    {
      onData(chunk) {
        if (tcp.write(chunk)) return
        webSocket.pause()
        tcp.once('drain', () => webSocket.resume())
      },
      onClose(code, reason) {
        options.log?.(`tunnel to ${formatHostPort(target)} closed by the client (${code}${reason ? ` ${reason}` : ''})`)
        tcp.end(() => tcp.destroy())
        end()
      },
    },
    options.maxFramePayload ?? DEFAULT_MAX_FRAME,
  )
  // What the client sends before the TCP connection is up waits in the socket.
  webSocket.pause()
  tcp.once('connect', () => {
    options.log?.(`tunnel to ${formatHostPort(target)} open (origin ${request.headers.origin ?? 'none'})`)
    webSocket.resume()
  })
  tcp.on('data', (chunk: Buffer) => {
    if (webSocket.send(chunk)) return
    tcp.pause()
    webSocket.onDrain(() => tcp.resume())
  })
  tcp.on('end', () => webSocket.close(CloseCode.normal, 'the target closed the connection'))
  tcp.on('error', (error) => webSocket.close(CloseCode.internalError, `${formatHostPort(target)}: ${error.message}`))
  tcp.on('close', end)
}

/** The refusal for a request the bridge will not relay, or undefined when it will. */
function admissionProblem(request: IncomingMessage, options: BridgeOptions, open: number): [number, string, string] | undefined {
  const problem = handshakeProblem(request)
  if (problem) return [400, 'Bad Request', `not a WebSocket handshake: ${problem}`]
  const origin = request.headers.origin
  if (options.origins && options.origins.length > 0 && !options.origins.includes(origin ?? ''))
    return [403, 'Forbidden', `origin ${origin ?? '(none)'} may not use this bridge`]
  if (open >= (options.maxConnections ?? DEFAULT_MAX_CONNECTIONS)) return [503, 'Service Unavailable', 'too many tunnels open']
  return undefined
}

/**
 * Starts a bridge. A request naming a target not in `targets` is accepted as a WebSocket and closed at once with
 * 1008 and a reason saying so (a page can read the reason; an HTTP refusal would reach it as a bare failure).
 */
export function startBridge(options: BridgeOptions): Promise<Bridge> {
  const sockets = new Set<Duplex>()
  let open = 0
  const server: Server = createServer((_request, response) => {
    response.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' })
    response.end('pure-tls bridge: open a WebSocket here\n')
  })
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    const refusal = admissionProblem(request, options, open)
    if (refusal) {
      options.log?.(`refused ${request.url}: ${refusal[2]}`)
      return refuseUpgrade(socket, ...refusal)
    }
    const target = targetOf(request, options.targets)
    if (typeof target === 'string') {
      options.log?.(`refused ${request.url}: ${target}`)
      const webSocket = acceptUpgrade(request, socket, head, { onData: () => undefined, onClose: () => undefined }, 125)
      return webSocket.close(CloseCode.policyViolation, target)
    }
    open++
    relay(request, socket, head, target, options, () => open--)
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', reject)
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : options.listen.port
      const bound = { host: options.listen.host, port }
      resolve({
        address: bound,
        url: `ws://${formatHostPort(bound)}/`,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          }),
      })
    })
  })
}

export interface BridgeIo {
  stdout?: (line: string) => void
  stderr?: (line: string) => void
  /** Stops the bridge (default: SIGINT or SIGTERM). */
  signal?: AbortSignal
}

/** Resolves when `signal` aborts, or at SIGINT/SIGTERM when there is none. */
function stopRequested(signal: AbortSignal | undefined): Promise<void> {
  if (signal) return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}

/** `pure-tls bridge ARGS`: runs until stopped; resolves with the exit code (0, 1 when it cannot listen, 2 for a usage error). */
export async function runBridge(argv: string[], io: BridgeIo = {}): Promise<number> {
  const stdout = io.stdout ?? ((line: string) => void process.stdout.write(`${line}\n`))
  const stderr = io.stderr ?? ((line: string) => void process.stderr.write(`${line}\n`))
  let parsed: BridgeOptions | 'help'
  try {
    parsed = parseBridgeArguments(argv)
  } catch (error) {
    if (!(error instanceof BridgeUsageError)) throw error
    stderr(`pure-tls bridge: ${error.message}\n\n${bridgeUsage}`)
    return 2
  }
  if (parsed === 'help') {
    stdout(bridgeUsage)
    return 0
  }
  let bridge: Bridge
  try {
    bridge = await startBridge({ ...parsed, log: stdout })
  } catch (error) {
    stderr(`pure-tls bridge: cannot listen on ${formatHostPort(parsed.listen)}: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
  stdout(`pure-tls bridge listening on ${bridge.url}, relaying only to ${parsed.targets.map(formatHostPort).join(', ')}`)
  if (!parsed.origins?.length) stdout('any web origin may connect (restrict it with --origin)')
  await stopRequested(io.signal)
  await bridge.close()
  return 0
}
