// The Node adapter: a Connection over a net.Socket as a Duplex shaped like tls.TLSSocket, plus connect()/createServer().
import { EventEmitter } from 'node:events'
import * as net from 'node:net'
import { Duplex } from 'node:stream'
import { TlsConfigError, TlsError } from '../errors.js'
import type { Connection } from '../handshake/connection.js'
import { type ContextOptions, TlsContext } from '../handshake/context.js'
import type { ConnectionInfo } from '../handshake/session.js'
import { nodeDefaultTrustStore } from '../x509/node-store.js'

/** A TLS stream over a socket: `secureConnect`/`secure` when the handshake completes, errors as TlsErrors. */
export class TlsSocket extends Duplex {
  readonly socket: net.Socket
  readonly connection: Connection
  readonly encrypted = true
  private announced = false
  private ended = false

  /**
   * With `allowHalfOpen` false (the default, as in node:tls) we answer the peer's close with our own once what is
   * queued has gone out; true keeps our side writable (TLS 1.3 half-close) until `end()`.
   */
  constructor(socket: net.Socket, connection: Connection, allowHalfOpen = false) {
    super({ allowHalfOpen })
    this.socket = socket
    this.connection = connection
    socket.on('data', (chunk: Buffer) => this.onSocketData(chunk))
    socket.on('end', () => this.onSocketEnd())
    socket.on('error', (err) => this.destroy(transportError(err)))
    socket.on('close', () => {
      if (!this.destroyed) this.destroy()
    })
    this.flush()
  }

  /** What was negotiated and verified (version, suite, group, ALPN, SNI, peer chain, verified). */
  get info(): ConnectionInfo | undefined {
    return this.connection.info
  }

  get alpnProtocol(): string | false {
    return this.connection.info?.alpnProtocol ?? false
  }

  /** True when the peer's certificate (and host name, for a client) verified. */
  get authorized(): boolean {
    return this.connection.info?.peerVerified ?? false
  }

  get servername(): string | undefined {
    return this.connection.info?.serverName
  }

  getProtocol(): string | null {
    return this.connection.info?.version ?? null
  }

  getCipher(): { name: string; standardName: string; version: string } | undefined {
    const info = this.connection.info
    return info && { name: info.cipherSuite, standardName: info.cipherSuite, version: info.version }
  }

  /** The peer's leaf certificate as DER, or undefined when it sent none. */
  getPeerCertificate(): Uint8Array | undefined {
    return this.connection.info?.peerCertificates[0]
  }

  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Uint8Array {
    return this.connection.exportKeyingMaterial(label, context, length)
  }

  /** TLS 1.3 KeyUpdate, asking the peer to update as well. */
  updateKeys(requestPeerUpdate = true): void {
    this.connection.updateKeys(requestPeerUpdate)
    this.flush()
  }

  private flush(): boolean {
    const out = this.connection.takeOutgoing()
    if (out.length === 0 || this.socket.destroyed) return true
    return this.socket.write(out)
  }

  private onSocketData(chunk: Uint8Array): void {
    try {
      this.connection.receive(chunk)
    } catch (err) {
      this.flush() // the alert; _destroy lets it drain
      this.destroy(err as TlsError)
      return
    }
    this.flush()
    if (!this.announced && this.connection.handshakeComplete) {
      this.announced = true
      this.emit('secure')
      this.emit('secureConnect')
    }
    const data = this.connection.read()
    if (data.length > 0 && !this.push(data)) this.socket.pause()
    if (this.connection.peerClosed) this.endReadable()
  }

  private onSocketEnd(): void {
    if (!this.connection.handshakeComplete && !this.destroyed) {
      this.destroy(new TlsError('handshake_failure', 'the peer closed the connection during the handshake', 'ERR_TLS_CONNECTION_CLOSED'))
      return
    }
    this.endReadable()
  }

  private endReadable(): void {
    if (this.ended) return
    this.ended = true
    this.push(null)
  }

  override _read(): void {
    if (this.socket.isPaused()) this.socket.resume()
  }

  /** Resolves once the handshake has completed; rejects if the stream fails or closes first. */
  private secured(callback: (error?: Error | null) => void): void {
    if (this.connection.handshakeComplete) return callback()
    const done = (error?: Error | null) => {
      this.off('secure', onSecure)
      this.off('close', onClose)
      callback(error)
    }
    const onSecure = () => done()
    const onClose = () => done(this.connection.error ?? new TlsError('handshake_failure', 'closed during the handshake', 'ERR_TLS_CONNECTION_CLOSED'))
    this.once('secure', onSecure)
    this.once('close', onClose)
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      this.connection.write(chunk)
    } catch (err) {
      callback(err as Error)
      return
    }
    // Before the handshake the data waits inside the Connection: hold the writer until it can go out.
    this.secured((error) => {
      if (error) return callback(error)
      const out = this.connection.takeOutgoing()
      if (out.length === 0 || this.socket.destroyed) return callback()
      // The socket's own callback fires once it has taken the bytes: back-pressure without 'drain' listeners.
      this.socket.write(out, (err) => callback(err ? transportError(err) : null))
    })
  }

  override _final(callback: (error?: Error | null) => void): void {
    // close_notify goes after the handshake and the data written before it; then the TCP half-close.
    this.secured((error) => {
      if (error) return callback(error)
      this.connection.close()
      this.flush()
      this.socket.end()
      callback()
    })
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // An alert may still be queued on the socket: let it drain before the socket goes.
    if (!this.socket.destroyed) {
      if (error) this.socket.destroySoon()
      else this.socket.destroy()
    }
    callback(error)
  }
}

/** A socket error as a TlsError (code ERR_TLS_TRANSPORT), so every error a TlsSocket emits is one. */
function transportError(err: Error): TlsError {
  if (err instanceof TlsError) return err
  const error = new TlsError('internal_error', `transport: ${err.message}`, 'ERR_TLS_TRANSPORT')
  error.cause = err
  return error
}

export interface ConnectOptions extends ContextOptions {
  host?: string
  port: number
  /** SNI and the name checked against the certificate; defaults to `host`. */
  servername?: string
  /** A context to reuse; when absent one is made from the other options. */
  context?: TlsContext
  socket?: net.Socket
  /** Keep writing after the server closed (TLS 1.3 half-close); false by default, as in node:tls. */
  allowHalfOpen?: boolean
}

/** Python semantics with Node's trust: no `ca` given → the system / Node bundled roots. */
export function createDefaultContext(purpose: 'server-auth' | 'client-auth', options: ContextOptions = {}): TlsContext {
  return new TlsContext(purpose, options, nodeDefaultTrustStore)
}

function contextOptions(options: ConnectOptions): ContextOptions {
  const { host: _h, port: _p, servername: _s, context: _c, socket: _k, allowHalfOpen: _a, ...rest } = options
  return rest
}

/** Connects to host:port and starts the handshake (tls.connect's shape). */
export function connect(options: ConnectOptions, onSecureConnect?: () => void): TlsSocket {
  const host = options.host ?? 'localhost'
  const context = options.context ?? createDefaultContext('server-auth', contextOptions(options))
  const serverName = options.servername ?? host
  const connection = context.client({ serverName })
  // TCP half-close stays possible underneath, so our close_notify can follow data written after the peer's FIN.
  const socket = options.socket ?? net.connect({ host, port: options.port, allowHalfOpen: true })
  const tls = new TlsSocket(socket, connection, options.allowHalfOpen)
  if (onSecureConnect) tls.once('secureConnect', onSecureConnect)
  return tls
}

export interface ServerOptions extends ContextOptions {
  context?: TlsContext
  /** A client that has not completed its handshake after this many milliseconds is dropped (node:tls's default too). */
  handshakeTimeout?: number
  /** Keep writing after a client closed (TLS 1.3 half-close); false by default, as in node:tls. */
  allowHalfOpen?: boolean
}

/** A TCP server whose connections are TLS: `secureConnection` per handshake, `tlsClientError` per failure. */
export class TlsServer extends EventEmitter {
  readonly server: net.Server
  readonly context: TlsContext
  private readonly handshakeTimeout: number
  private readonly allowHalfOpen: boolean

  constructor(options: ServerOptions, listener?: (socket: TlsSocket) => void) {
    super()
    const { context, handshakeTimeout = 120_000, allowHalfOpen = false, ...rest } = options
    this.allowHalfOpen = allowHalfOpen
    if (!Number.isFinite(handshakeTimeout) || handshakeTimeout <= 0) throw new TlsConfigError('handshakeTimeout', 'must be a positive number of milliseconds')
    this.handshakeTimeout = handshakeTimeout
    this.context = context ?? createDefaultContext('client-auth', rest)
    if (listener) this.on('secureConnection', listener)
    this.server = net.createServer({ allowHalfOpen: true }, (socket) => this.accept(socket))
    this.server.on('error', (err) => this.emit('error', err))
    this.server.on('close', () => this.emit('close'))
  }

  private accept(socket: net.Socket): void {
    const tls = new TlsSocket(socket, this.context.server(), this.allowHalfOpen)
    const onError = (err: Error) => {
      clearTimeout(timer)
      this.emit('tlsClientError', err, tls)
    }
    const timer = setTimeout(
      () => tls.destroy(new TlsError('handshake_failure', `no handshake within ${this.handshakeTimeout} ms`, 'ERR_TLS_HANDSHAKE_TIMEOUT')),
      this.handshakeTimeout,
    )
    tls.once('error', onError)
    tls.once('close', () => clearTimeout(timer))
    tls.once('secure', () => {
      clearTimeout(timer)
      tls.off('error', onError)
      this.emit('secureConnection', tls)
    })
  }

  listen(port: number, host = '127.0.0.1', callback?: () => void): this {
    this.server.listen(port, host, callback)
    return this
  }

  address(): net.AddressInfo {
    return this.server.address() as net.AddressInfo
  }

  close(callback?: (err?: Error) => void): this {
    this.server.close(callback)
    return this
  }
}

export function createServer(options: ServerOptions, listener?: (socket: TlsSocket) => void): TlsServer {
  return new TlsServer(options, listener)
}

export { nodeCryptoProvider } from '../crypto/node-crypto.js'
