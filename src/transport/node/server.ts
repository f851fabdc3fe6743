// The tls.Server stand-in: a net.Server whose connections become TlsSockets, with SNI contexts, ticket keys and node's events.
import * as net from 'node:net'
import { TlsConfigError, TlsError } from '../../errors.js'
import { TlsContext } from '../../handshake/context.js'
import type { TypedEmit, TypedListen } from './events.js'
import { type ServerOptions, type ServerPlan, serverPlan } from './options.js'
import { TlsSocket } from './socket.js'

/** A host name pattern of addContext: `*` stands for one label, as in node; matched without regard to case. */
function hostPattern(hostname: string): RegExp {
  const escaped = hostname.replace(/[.^$+?\-\\[\]{}()|]/g, '\\$&').replaceAll('*', '[^.]*')
  return new RegExp(`^${escaped}$`, 'i')
}

/** The events a TlsServer emits, each with its listener's arguments (tls.Server's, and net.Server's). */
export interface TlsServerEvents {
  /** A client completed its handshake ('secure' on its socket); with `requestCert`, `socket.authorized` says whether its certificate verified. */
  secureConnection: (socket: TlsSocket) => void
  /**
   * A client's handshake failed, or did not finish within `handshakeTimeout` (ERR_TLS_HANDSHAKE_TIMEOUT); the socket
   * is being destroyed. The error is the socket's 'error' (see TlsSocketEvents.error).
   */
  tlsClientError: (error: TlsError, socket: TlsSocket) => void
  /** One NSS key log line (SSLKEYLOGFILE format, newline-terminated) of the connection on `socket`. */
  keylog: (line: Buffer, socket: TlsSocket) => void
  /** A TCP connection was accepted, before its handshake (net.Server's event; the TlsSocket comes with 'secureConnection'). */
  connection: (socket: net.Socket) => void
  /** The server is bound, after listen(). */
  listening: () => void
  /** The server failed (net.Server's errors, e.g. EADDRINUSE from listen()); a client's failure is 'tlsClientError'. */
  error: (error: Error) => void
  /** The server closed and its last connection ended. */
  close: () => void
}

/** The event methods of TlsServer, typed by TlsServerEvents (declaration merging: the class's methods are net.Server's). */
export interface TlsServer {
  /** Adds a listener for `event` (typed for the TlsServerEvents ones), as EventEmitter's on. */
  on: TypedListen<TlsServerEvents, this>
  /** Adds a listener called once, at the next `event`. */
  once: TypedListen<TlsServerEvents, this>
  /** The same as on. */
  addListener: TypedListen<TlsServerEvents, this>
  /** Adds a listener called before those already there. */
  prependListener: TypedListen<TlsServerEvents, this>
  /** Adds a listener called once, before those already there. */
  prependOnceListener: TypedListen<TlsServerEvents, this>
  /** Removes a listener added for `event`. */
  off: TypedListen<TlsServerEvents, this>
  /** The same as off. */
  removeListener: TypedListen<TlsServerEvents, this>
  /** Calls the listeners of `event` with the arguments the event carries; true when it had listeners. */
  emit: TypedEmit<TlsServerEvents>
}

/**
 * A TCP server whose connections are TLS, shaped like tls.Server (it is a net.Server: listen, close,
 * address, getConnections, maxConnections, ref/unref are net's). Events: 'connection' (the TCP socket),
 * 'secureConnection' (a TlsSocket after its handshake), 'tlsClientError' (error, socket) for a handshake that
 * failed, 'keylog' (line, socket). An error after the handshake goes to that socket; like node:tls, a socket
 * nobody listens on for errors does not bring the process down, and a client vanishing is an ordinary close.
 */
export class TlsServer extends net.Server {
  #plan: ServerPlan
  #context: TlsContext
  readonly #named: [RegExp, TlsContext][] = []
  readonly #options: ServerOptions

  constructor(options: ServerOptions = {}, listener?: (socket: TlsSocket) => void) {
    const plan = serverPlan(options)
    super(plan.tcp)
    this.#options = options
    this.#plan = plan
    this.#context = plan.context
    if (plan.ticketKeys) this.setTicketKeys(plan.ticketKeys)
    if (listener) this.on('secureConnection', listener)
    this.on('connection', (socket: net.Socket) => this.#accept(socket))
  }

  /** The context new connections use (replaced by setSecureContext). */
  get context(): TlsContext {
    return this.#context
  }

  /** This server itself, which is the net.Server (kept for code written when it wrapped one). */
  get server(): net.Server {
    return this
  }

  /** The address the server listens on; AddressInfo for TCP (net.Server gives a string for a pipe, null before listening). */
  override address(): net.AddressInfo {
    return super.address() as net.AddressInfo
  }

  /**
   * Answers clients asking (SNI) for `hostname` (`*` matches one label) with the certificates and policy of
   * `options` (createServer's options, or a server TlsContext); the most recently added match wins.
   */
  addContext(hostname: string, options: ServerOptions | TlsContext): void {
    if (typeof hostname !== 'string' || hostname.length === 0) throw new TlsConfigError('hostname', 'addContext needs a host name')
    const context = options instanceof TlsContext ? options : serverPlan({ ...this.#inherited(), ...options }).context
    if (context.purpose !== 'client-auth') throw new TlsConfigError('context', "addContext needs a server context ('client-auth')")
    this.#named.push([hostPattern(hostname), context])
  }

  /** Replaces the certificates and policy for new connections (requestCert and ALPN stay the server's unless given). */
  setSecureContext(options: ServerOptions): void {
    const previous = ticketKeysOf(this.#context)
    this.#plan = serverPlan({ ...this.#inherited(), ...options })
    this.#context = this.#plan.context
    // As node: the keys the server was given (or had) carry over, so its sessions stay resumable.
    const keys = this.#plan.ticketKeys ?? previous
    if (keys) setTicketKeysOf(this.#context, keys)
  }

  /** The 48 bytes of session ticket keys (node's layout); see setTicketKeys. */
  getTicketKeys(): Buffer {
    const keys = ticketKeysOf(this.#context)
    if (!keys) throw new TlsError('internal_error', 'this server context has no ticket keys (sessionTickets is off)', 'ERR_TLS_NO_TICKET_KEYS')
    return Buffer.from(keys)
  }

  /** Replaces the session ticket keys (48 bytes), so that several servers resume each other's sessions. */
  setTicketKeys(keys: Uint8Array): void {
    if (!(keys instanceof Uint8Array) || keys.length !== 48) throw new TlsConfigError('ticketKeys', 'must be 48 bytes')
    if (!setTicketKeysOf(this.#context, keys)) throw new TlsError('internal_error', 'this server context cannot take ticket keys', 'ERR_TLS_NO_TICKET_KEYS')
  }

  /** What addContext and setSecureContext inherit from the server's own options: requestCert, rejectUnauthorized, ALPN, ca. */
  #inherited(): ServerOptions {
    const { requestCert, rejectUnauthorized, ALPNProtocols, alpnProtocols, ca } = this.#options
    return { requestCert, rejectUnauthorized, ALPNProtocols, alpnProtocols, ca }
  }

  /** The context for an SNI name: the newest addContext match, else the server's own. */
  #contextFor(serverName: string): TlsContext | undefined {
    for (let i = this.#named.length - 1; i >= 0; i--) {
      const [pattern, context] = this.#named[i]!
      if (pattern.test(serverName)) return context
    }
    return undefined
  }

  #accept(tcp: net.Socket): void {
    const plan = this.#plan
    const context = this.#context
    const socket = new TlsSocket(tcp, (hooks) => context.server({ keyLog: hooks.keyLog, sni: (name) => this.#contextFor(name) }), {
      isServer: true,
      allowHalfOpen: plan.allowHalfOpen,
      requestCert: plan.requestCert,
      rejectUnauthorized: plan.rejectUnauthorized,
      trustStore: plan.trustStore,
    })
    if (this.listenerCount('keylog') > 0) socket.on('keylog', (line: Buffer) => this.emit('keylog', line, socket))
    let handshaking = true
    const timer = setTimeout(
      () => socket.destroy(new TlsError('handshake_failure', `no handshake within ${plan.handshakeTimeout} ms`, 'ERR_TLS_HANDSHAKE_TIMEOUT')),
      plan.handshakeTimeout,
    ).unref()
    // Stays for the socket's life, as node:tls's does: before the handshake errors are tlsClientError, after it they are the socket's.
    socket.on('error', (error: TlsError) => {
      if (!handshaking) return
      handshaking = false
      clearTimeout(timer)
      this.emit('tlsClientError', error, socket)
    })
    socket.once('close', () => clearTimeout(timer))
    socket.once('secure', () => {
      handshaking = false
      clearTimeout(timer)
      this.emit('secureConnection', socket)
    })
  }
}

/** createServer(options, secureConnectionListener), as tls.createServer; `options` must hold a certificate and key (or a context). */
export function createServer(options: ServerOptions, listener?: (socket: TlsSocket) => void): TlsServer {
  return new TlsServer(options, listener)
}

/** A server context's ticket keys, when it resumes sessions at all. */
function ticketKeysOf(context: TlsContext): Uint8Array | undefined {
  return context.sessionTickets ? context.ticketKeys : undefined
}

/** Gives a server context ticket keys; false when it does not resume sessions. */
function setTicketKeysOf(context: TlsContext, keys: Uint8Array): boolean {
  if (!context.sessionTickets) return false
  context.setTicketKeys(keys)
  return true
}
