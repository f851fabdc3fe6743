// The tls.TLSSocket stand-in: a Connection over a net.Socket (or any Duplex) as a Duplex with node's properties, methods and events.
import { X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import type * as net from 'node:net'
import { Duplex } from 'node:stream'
import type { CipherNameAndProtocol, DetailedPeerCertificate, EphemeralKeyInfo, PeerCertificate } from 'node:tls'
import { TlsConfigError, TlsError } from '../../errors.js'
import type { Connection } from '../../handshake/connection.js'
import type { ConnectionInfo } from '../../handshake/session.js'
import { cipherSuiteByName } from '../../policy/suites.js'
import type { TrustStore } from '../../x509/trust-store.js'
import { authorizationCode, type CheckServerIdentity } from './authorization.js'
import { asTlsError, peerWentAway, TlsTransportError } from './errors.js'
import type { TypedEmit, TypedListen } from './events.js'
import { keyLogFile, keyLogLine } from './key-log.js'
import { detailedPeerCertificate, peerCertificate } from './peer-certificate.js'

/** How the socket behaves beyond the Connection: node's per-socket TLS options. */
export interface TlsSocketOptions {
  /** The server side of the connection (node's `isServer`). */
  readonly isServer?: boolean
  /** Keep writing after the peer closed (TLS 1.3 half-close); false by default, as in node:tls. */
  readonly allowHalfOpen?: boolean
  /** Client: destroy the socket when checkServerIdentity refuses the server (default true). */
  readonly rejectUnauthorized?: boolean
  /** Client: node's identity check, run once the chain verified; see ConnectOptions.checkServerIdentity. */
  readonly checkServerIdentity?: CheckServerIdentity
  /** Client: the name checkServerIdentity is called with. */
  readonly hostname?: string
  /** Server: a client certificate was asked for, so `authorized` and `authorizationError` report on it. */
  readonly requestCert?: boolean
  /** Where getPeerCertificate(true) finds the trust anchor the peer's chain ends at. */
  readonly trustStore?: TrustStore
}

/** What the socket gives the Connection it starts: its key log sink. */
export interface ConnectionHooks {
  /** Pass as the connection's `keyLog`: each line goes to SSLKEYLOGFILE (when set) and to the socket's 'keylog' listeners. */
  readonly keyLog: (line: string) => void
}

/** Makes the socket's Connection (context.client/server with the hooks), or a Connection made beforehand. */
export type ConnectionStart = Connection | ((hooks: ConnectionHooks) => Connection)

/** The events a TlsSocket emits, each with its listener's arguments (as node:tls's TLSSocket, and net.Socket's that apply). */
export interface TlsSocketEvents {
  /** Client: the handshake completed and the server was accepted (authorized, or let in by rejectUnauthorized: false); after 'secure'. */
  secureConnect: () => void
  /** Either side: the handshake completed and the peer was accepted; `authorized` and `authorizationError` are set by now. */
  secure: () => void
  /**
   * Client: a new resumable session (after a TLS 1.3 NewSessionTicket, RFC 8446 §4.6.1, or a TLS 1.2 ticket), to
   * pass as `session` to a later connect(); may fire more than once, each time with the newest.
   */
  session: (session: Buffer) => void
  /** One NSS key log line for this connection's secrets (SSLKEYLOGFILE format), newline-terminated, as node's. */
  keylog: (line: Buffer) => void
  /** No data either way for the time set with setTimeout() (or connect's `timeout`); the socket stays open. */
  timeout: () => void
  /** The TCP connection of a socket connect() opened is established (the handshake starts then). */
  connect: () => void
  /** Decrypted application data (a string once setEncoding() was called). */
  data: (data: Buffer) => void
  /** The peer will send no more data: its close_notify, or its transport ended after the handshake. */
  end: () => void
  /**
   * The connection failed, with a TlsError: an alert sent (`code`, `alert`) or received (TlsAlertReceivedError), a
   * refused certificate (CertificateVerificationError), the socket underneath failing (TlsTransportError). Two
   * errors are passed through as they are, not wrapped: one you give to destroy(), and the stream errors node's
   * Duplex raises itself (ERR_STREAM_WRITE_AFTER_END, for a write after end()).
   */
  error: (error: TlsError) => void
  /** The socket is closed, after 'error' when there was one; `hadError` says whether there was (net.Socket's argument). */
  close: (hadError: boolean) => void
}

/** The event methods of TlsSocket, typed by TlsSocketEvents (declaration merging: the class's methods are Duplex's). */
export interface TlsSocket {
  /** Adds a listener for `event` (typed for the TlsSocketEvents ones), as EventEmitter's on. */
  on: TypedListen<TlsSocketEvents, this>
  /** Adds a listener called once, at the next `event`. */
  once: TypedListen<TlsSocketEvents, this>
  /** The same as on. */
  addListener: TypedListen<TlsSocketEvents, this>
  /** Adds a listener called before those already there. */
  prependListener: TypedListen<TlsSocketEvents, this>
  /** Adds a listener called once, before those already there. */
  prependOnceListener: TypedListen<TlsSocketEvents, this>
  /** Removes a listener added for `event`. */
  off: TypedListen<TlsSocketEvents, this>
  /** The same as off. */
  removeListener: TypedListen<TlsSocketEvents, this>
  /** Calls the listeners of `event` with the arguments the event carries; true when it had listeners. */
  emit: TypedEmit<TlsSocketEvents>
}

/** An alert queued at a failure gets this long to drain before the socket underneath is destroyed. */
const ALERT_LINGER_MS = 2_000

const ephemeralKeys: Record<string, EphemeralKeyInfo> = {
  x25519: { type: 'ECDH', name: 'X25519', size: 253 },
  secp256r1: { type: 'ECDH', name: 'prime256v1', size: 256 },
  secp384r1: { type: 'ECDH', name: 'secp384r1', size: 384 },
}

function closedError(): TlsError {
  return new TlsError('handshake_failure', 'the connection closed before the handshake completed', 'ERR_TLS_CONNECTION_CLOSED')
}

/**
 * A TLS stream over a socket, shaped like tls.TLSSocket: 'secureConnect' (client) and 'secure' when the
 * handshake completes, 'session', 'keylog', 'timeout', and every error a TlsError. Works with synchronous and
 * asynchronous crypto providers alike.
 */
export class TlsSocket extends Duplex {
  /** The transport underneath: the net.Socket (or the Duplex given as `socket`). */
  readonly socket: net.Socket
  /**
   * The sans-I/O Connection this socket drives (made by `start`): `info`, `session`, `state`. Read from it freely;
   * feeding it bytes or taking its output yourself would desynchronize the socket.
   */
  readonly connection: Connection
  /** Always true, as on tls.TLSSocket. */
  readonly encrypted = true
  /** True once the peer's certificate verified (and, on a client, its name); see authorizationError. */
  authorized = false
  /** Why `authorized` is false, in OpenSSL's words as node gives them (CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID…); null when authorized. */
  authorizationError: string | null = null
  /** True until the handshake has completed and the peer was authorized. */
  secureConnecting = true
  readonly #options: TlsSocketOptions
  readonly #appendKeyLog: ((line: string) => void) | undefined
  #handshakeSeen = false
  #secured = false
  #endPushed = false
  #plaintextRead = 0
  #plaintextWritten = 0
  #lastSession: Uint8Array | undefined
  #idleTimer: NodeJS.Timeout | undefined
  #idleMs = 0
  #corked = false
  /** A failure is being reported (its alert may still be sealing): nothing else happens meanwhile. */
  #failing = false
  #peer: { address?: string; port?: number; family?: string } = {}
  /** What the socket was destroyed with, once it decided (undefined: an ordinary close). */
  #ending: { error: TlsError | undefined } | undefined

  constructor(socket: net.Socket, start: ConnectionStart, options: TlsSocketOptions = {}) {
    // 'close' is emitted by _destroy with net.Socket's hadError argument.
    super({ allowHalfOpen: options.allowHalfOpen ?? false, emitClose: false })
    this.socket = socket
    this.#options = options
    this.#appendKeyLog = keyLogFile()
    this.connection = typeof start === 'function' ? start({ keyLog: (line) => this.#onKeyLog(line) }) : start
    this.connection.onProgress = () => this.#progress()
    socket.on('data', (chunk: Buffer) => this.#onSocketData(chunk))
    socket.on('end', () => this.#afterSettled(() => this.#onSocketEnd()))
    socket.on('error', (error: Error) => this.#onSocketError(error))
    socket.on('close', () => this.#afterSettled(() => this.#onSocketClose()))
    if (socket.connecting) socket.once('connect', () => this.#onConnect())
    else this.#rememberPeer()
    this.#progress()
  }

  // ---- what was negotiated ----

  /** What was negotiated and verified (version, suite, group, ALPN, SNI, peer chain, verified); undefined before. */
  get info(): ConnectionInfo | undefined {
    return this.connection.info
  }

  /** The ALPN protocol agreed on; false when none was; null before the handshake (node's values). */
  get alpnProtocol(): string | false | null {
    if (!this.connection.handshakeComplete) return null
    return this.connection.info?.alpnProtocol ?? false
  }

  /** The SNI name: the one sent (client) or received (server); false when there was none. */
  get servername(): string | false {
    const name = this.connection.info?.serverName ?? (this.#options.isServer ? undefined : this.#options.hostname)
    return name && isIP(name) === 0 ? name : false
  }

  /** The negotiated version, 'TLSv1.3' or 'TLSv1.2' (tls.TLSSocket's getProtocol); null before the handshake. */
  getProtocol(): string | null {
    return this.connection.info?.version ?? null
  }

  /** The suite: OpenSSL's name, the IANA name, and the version it belongs to; undefined before the handshake. */
  getCipher(): CipherNameAndProtocol | undefined {
    const info = this.connection.info
    if (!info) return undefined
    const suite = cipherSuiteByName(info.cipherSuite)
    return { name: suite?.openSslName ?? info.cipherSuite, standardName: suite?.name ?? info.cipherSuite, version: info.version }
  }

  /** The key exchange of a client's handshake ({ type: 'ECDH', name: 'X25519', size: 253 }…); null on a server, as node. */
  getEphemeralKeyInfo(): EphemeralKeyInfo | object | null {
    if (this.#options.isServer) return null
    const group = this.connection.info?.group
    return group ? { ...ephemeralKeys[group] } : {}
  }

  /** The peer's certificate in node's object shape, `{}` when it sent none, null once destroyed; `detailed` adds issuerCertificate links. */
  getPeerCertificate(detailed: true): DetailedPeerCertificate | Record<string, never> | null
  getPeerCertificate(detailed?: boolean): PeerCertificate | DetailedPeerCertificate | Record<string, never> | null
  getPeerCertificate(detailed = false): PeerCertificate | DetailedPeerCertificate | Record<string, never> | null {
    if (this.destroyed) return null
    const chain = this.connection.info?.peerCertificates ?? []
    if (chain.length === 0) return {}
    if (!detailed) return peerCertificate(chain[0]!)
    return detailedPeerCertificate(chain, this.authorized || this.connection.info?.peerVerified ? this.#options.trustStore : undefined)
  }

  /** The peer's leaf as a node:crypto X509Certificate; undefined when it sent none. */
  getPeerX509Certificate(): X509Certificate | undefined {
    const leaf = this.connection.info?.peerCertificates[0]
    return leaf ? new X509Certificate(Buffer.from(leaf)) : undefined
  }

  /** The newest resumable session, to pass as `session` to a later connect(); undefined until there is one. */
  getSession(): Buffer | undefined {
    const session = this.connection.session
    return session ? Buffer.from(session) : undefined
  }

  /** True when this handshake resumed an earlier session. */
  isSessionReused(): boolean {
    return this.connection.info?.resumed ?? false
  }

  /** The verify_data of the last Finished we sent; undefined before the handshake. */
  getFinished(): Buffer | undefined {
    const finished = this.connection.info?.finished
    return finished ? Buffer.from(finished.local) : undefined
  }

  /** The verify_data of the last Finished the peer sent; undefined before the handshake. */
  getPeerFinished(): Buffer | undefined {
    const finished = this.connection.info?.finished
    return finished ? Buffer.from(finished.peer) : undefined
  }

  /**
   * `length` bytes of keying material exported under `label` and an optional `context` (RFC 8446 §7.5 for TLS 1.3,
   * RFC 5705 for TLS 1.2), in tls.TLSSocket's argument order; throws a TlsError (ERR_TLS_NOT_READY) before the handshake has completed.
   */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Buffer {
    return Buffer.from(this.connection.exportKeyingMaterial(label, context, length))
  }

  /**
   * Sends a TLS 1.3 KeyUpdate (RFC 8446 §4.6.3) and switches to new sending keys; `requestPeerUpdate` (default true)
   * asks the peer to update its keys too. Throws a TlsError on a TLS 1.2 connection (ERR_TLS_KEY_UPDATE_TLS12) and
   * before the handshake has completed (ERR_TLS_NOT_READY).
   */
  updateKeys(requestPeerUpdate = true): void {
    this.connection.updateKeys(requestPeerUpdate)
    // Right away, like a handshake flight: the peer answers it before its next data.
    const out = this.connection.takeOutgoing()
    if (out.length > 0 && this.#socketWritable()) this.socket.write(out)
  }

  /** Renegotiation is always refused by pure-tls; present because node's http2 calls it. */
  disableRenegotiation(): void {}

  // ---- net.Socket's surface, over the socket underneath ----

  /** Emits 'timeout' after `ms` without data either way (0 turns it off); the socket stays open, as net.Socket's. */
  setTimeout(ms: number, callback?: () => void): this {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new TlsConfigError('timeout', `must be a non-negative number of milliseconds, got ${String(ms)}`)
    clearTimeout(this.#idleTimer)
    this.#idleTimer = undefined
    this.#idleMs = ms
    if (ms > 0 && !this.destroyed) this.#idleTimer = setTimeout(() => this.emit('timeout'), ms).unref()
    if (callback) {
      if (ms === 0) this.off('timeout', callback)
      else this.once('timeout', callback)
    }
    return this
  }

  /** The idle timeout set with setTimeout(), when one is. */
  get timeout(): number | undefined {
    return this.#idleMs > 0 ? this.#idleMs : undefined
  }

  /** Nagle's algorithm off (true, the default) or on, on the TCP socket underneath. */
  setNoDelay(noDelay = true): this {
    if (typeof this.socket.setNoDelay === 'function') this.socket.setNoDelay(noDelay)
    return this
  }

  /** TCP keep-alive probes on the socket underneath (https.Agent turns them on for kept sockets). */
  setKeepAlive(enable = false, initialDelay = 0): this {
    if (typeof this.socket.setKeepAlive === 'function') this.socket.setKeepAlive(enable, initialDelay)
    return this
  }

  /** The socket keeps the event loop alive again (after unref). */
  ref(): this {
    if (typeof this.socket.ref === 'function') this.socket.ref()
    return this
  }

  /** The socket no longer keeps the event loop alive (an Agent's idle sockets). */
  unref(): this {
    if (typeof this.socket.unref === 'function') this.socket.unref()
    return this
  }

  /** The local address of the TCP socket ({ address, family, port }); {} over a Duplex that has none. */
  address(): net.AddressInfo | Record<string, never> {
    return typeof this.socket.address === 'function' ? (this.socket.address() as net.AddressInfo) : {}
  }

  /** The peer's IP address (kept after the socket closes, as http reads it late). */
  get remoteAddress(): string | undefined {
    return this.#peer.address ?? this.socket.remoteAddress
  }

  /** The peer's TCP port (kept after the socket closes, like remoteAddress); undefined over a Duplex that has none. */
  get remotePort(): number | undefined {
    return this.#peer.port ?? this.socket.remotePort
  }

  /** The peer address's family, 'IPv4' or 'IPv6' (kept after the socket closes, like remoteAddress). */
  get remoteFamily(): string | undefined {
    return this.#peer.family ?? this.socket.remoteFamily
  }

  /** The local IP address of the TCP socket underneath (net.Socket's localAddress); undefined over a Duplex that has none. */
  get localAddress(): string | undefined {
    return this.socket.localAddress
  }

  /** The local TCP port of the socket underneath (net.Socket's localPort). */
  get localPort(): number | undefined {
    return this.socket.localPort
  }

  /** The local address's family, 'IPv4' or 'IPv6' (net.Socket's localFamily, Node 18.8+). */
  get localFamily(): string | undefined {
    return (this.socket as net.Socket & { localFamily?: string }).localFamily
  }

  /** Application bytes received (decrypted), as tls.TLSSocket counts them. */
  get bytesRead(): number {
    return this.#plaintextRead
  }

  /** Application bytes written (before encryption), as tls.TLSSocket counts them. */
  get bytesWritten(): number {
    return this.#plaintextWritten
  }

  /** True while the TCP connection underneath is being established (net.Socket's connecting); the handshake has not started yet. */
  get connecting(): boolean {
    return this.socket.connecting === true
  }

  /** True until the socket underneath is connected (net.Socket's `pending`). */
  get pending(): boolean {
    return this.socket.pending === true
  }

  /** net.Socket's: 'opening', 'open', 'readOnly', 'writeOnly' or 'closed'. */
  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening'
    if (this.readable && this.writable) return 'open'
    if (this.readable) return 'readOnly'
    if (this.writable) return 'writeOnly'
    return 'closed'
  }

  // ---- the byte pump ----

  #onConnect(): void {
    this.#rememberPeer()
    this.emit('connect')
  }

  /** The peer's address outlives the socket (http reads it late, after a close). */
  #rememberPeer(): void {
    const { remoteAddress: address, remotePort: port, remoteFamily: family } = this.socket
    if (address !== undefined) this.#peer = { address, port, family }
  }

  #onKeyLog(line: string): void {
    this.#appendKeyLog?.(line)
    if (this.listenerCount('keylog') > 0) this.emit('keylog', keyLogLine(line))
  }

  #touch(): void {
    this.#idleTimer?.refresh()
  }

  /** Runs `next` now with a synchronous provider, or once the provider's work in flight is done. */
  #afterSettled(next: () => void, failed: (error: TlsError) => void = (error) => this.#fail(error)): void {
    if (!this.connection.busy) return next()
    this.connection.settled().then(next, (error: unknown) => failed(asTlsError(error)))
  }

  #flush(): void {
    const out = this.connection.takeOutgoing()
    if (out.length > 0 && this.#socketWritable()) this.#toSocket(out)
  }

  /**
   * Writes reach the socket after the event loop's next poll for input: bytes written from a timer, or while
   * other sockets are served, would otherwise fail with EPIPE before the peer's alert already waiting in the
   * kernel was read, and the alert would be lost. Writes made in the same turn go out together.
   */
  #toSocket(out: Uint8Array, callback?: (error?: Error | null) => void): void {
    if (!this.#corked) {
      this.#corked = true
      this.socket.cork()
      setImmediate(() => {
        this.#corked = false
        if (!this.socket.destroyed) this.socket.uncork()
      })
    }
    this.socket.write(out, callback)
  }

  #socketWritable(): boolean {
    return !this.socket.destroyed && this.socket.writable
  }

  /**
   * Ends the connection with `error`, after putting its alert (if any) on the wire: with an asynchronous provider
   * the alert may still be being sealed, and the socket waits for it.
   */
  #fail(error: TlsError): void {
    if (this.destroyed || this.#failing) return
    this.#failing = true
    const finish = () => {
      this.#flush()
      this.destroy(error)
    }
    if (!this.connection.busy) return finish()
    this.connection.settled().then(finish, finish)
  }

  #onSocketData(chunk: Uint8Array): void {
    this.#touch()
    try {
      this.connection.receive(chunk)
    } catch (error) {
      return this.#fail(asTlsError(error))
    }
    this.#progress()
  }

  /** After input or finished provider work: send, announce the handshake, deliver plaintext, notice the peer's close. */
  #progress(): void {
    if (this.destroyed) return
    this.#flush()
    if (this.connection.error) return this.#fail(this.connection.error)
    if (!this.#handshakeSeen && this.connection.handshakeComplete) this.#onHandshake()
    if (this.destroyed) return
    this.#deliver()
    if (this.#secured && !this.#options.isServer) this.#announceSession()
    if (this.connection.peerClosed) this.#endReadable()
  }

  #deliver(): void {
    if (this.connection.bufferedPlaintext === 0) return
    const data = this.connection.read()
    this.#plaintextRead += data.length
    if (!this.push(data)) this.socket.pause()
  }

  #announceSession(): void {
    const session = this.connection.session
    if (session === undefined || session === this.#lastSession) return
    this.#lastSession = session
    this.emit('session', Buffer.from(session))
  }

  /** The handshake is done: decide `authorized`, then 'secure' (and 'secureConnect' on a client), or refuse. */
  #onHandshake(): void {
    this.#handshakeSeen = true
    const refusal = this.#options.isServer ? this.#authorizeClient() : this.#authorizeServer()
    if (refusal) return this.#fail(refusal)
    this.#secured = true
    this.secureConnecting = false
    this.emit('secure')
    if (!this.#options.isServer) this.emit('secureConnect')
  }

  #authorizeServer(): TlsError | undefined {
    const info = this.connection.info!
    const reported = info?.peerVerificationError
    if (reported) {
      this.authorizationError = authorizationCode(reported, info.peerCertificates)
      return undefined
    }
    if (!info.peerVerified) {
      this.authorizationError = 'ERR_TLS_PEER_NOT_VERIFIED'
      return undefined
    }
    const check = this.#options.checkServerIdentity
    if (check && !info.resumed) {
      const refusal = this.#checkIdentity(check)
      if (refusal) {
        this.authorizationError = (refusal.cause as { code?: string }).code ?? refusal.message
        return this.#options.rejectUnauthorized === false ? undefined : refusal
      }
    }
    this.authorized = true
    return undefined
  }

  /** Runs node's checkServerIdentity; its Error (or a throw) refuses the server, kept as `cause`. */
  #checkIdentity(check: CheckServerIdentity): TlsError | undefined {
    let outcome: unknown
    try {
      outcome = check(this.#options.hostname ?? 'localhost', this.getPeerCertificate(true) as DetailedPeerCertificate)
    } catch (error) {
      outcome = error instanceof Error ? error : new Error(String(error))
    }
    if (!(outcome instanceof Error)) return undefined
    const refusal = new TlsError('bad_certificate', `checkServerIdentity refused the server: ${outcome.message}`, 'ERR_TLS_CHECK_SERVER_IDENTITY')
    refusal.cause = outcome
    return refusal
  }

  #authorizeClient(): undefined {
    if (!this.#options.requestCert) return undefined
    const info = this.connection.info!
    const reported = info?.peerVerificationError
    if (info.peerCertificates.length === 0) this.authorizationError = 'UNABLE_TO_GET_ISSUER_CERT'
    else if (reported) this.authorizationError = authorizationCode(reported, info.peerCertificates)
    else if (!info.peerVerified) this.authorizationError = 'ERR_TLS_PEER_NOT_VERIFIED'
    else this.authorized = true
    return undefined
  }

  #endReadable(): void {
    if (this.#endPushed) return
    this.#endPushed = true
    this.push(null)
  }

  #onSocketEnd(): void {
    if (this.destroyed) return
    if (this.connection.handshakeComplete) this.#endReadable()
    else this.destroy(new TlsError('handshake_failure', 'the peer closed the connection during the handshake', 'ERR_TLS_CONNECTION_CLOSED'))
  }

  #onSocketClose(): void {
    if (this.destroyed) return
    this.destroy(this.connection.handshakeComplete ? undefined : closedError())
  }

  /**
   * The socket failed. Input it still holds is processed first: when the peer's fatal alert is in it, the alert
   * is what we report, not the EPIPE or ECONNRESET that followed. A client vanishing from a server after the
   * handshake is an ordinary close.
   */
  #onSocketError(error: Error): TlsError | undefined {
    if (this.#ending) return this.#ending.error
    this.#drainSocket()
    const reported = this.connection.error ?? (this.#options.isServer && this.#secured && peerWentAway(error) ? undefined : new TlsTransportError(error))
    this.#ending = { error: reported }
    this.destroy(reported)
    return reported
  }

  #drainSocket(): void {
    if (typeof this.socket.read !== 'function') return
    try {
      for (let chunk = this.socket.read() as Buffer | null; chunk !== null; chunk = this.socket.read() as Buffer | null) this.connection.receive(chunk)
    } catch {
      // The failure is now connection.error, which is what gets reported.
    }
  }

  /** @internal Duplex's read hook: more plaintext is wanted, so the paused socket underneath resumes. */
  override _read(): void {
    if (this.socket.isPaused()) this.socket.resume()
  }

  /** Calls back once the handshake completed and the peer was authorized; with the error if the socket closed first. */
  #whenSecure(callback: (error?: TlsError) => void): void {
    if (this.#secured) return callback()
    if (this.destroyed) return callback(this.connection.error ?? this.#ending?.error ?? closedError())
    const done = (error?: TlsError) => {
      this.off('secure', onSecure)
      this.off('close', onClose)
      callback(error)
    }
    const onSecure = () => done()
    const onClose = () => done(this.connection.error ?? this.#ending?.error ?? closedError())
    this.once('secure', onSecure)
    this.once('close', onClose)
  }

  /** @internal Duplex's write hook: the chunk is sent once the peer is authorized (see send). */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#send(chunk, callback)
  }

  /** @internal Duplex's batched write hook: corked writes go out as one write (fewer, fuller records). */
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.#send(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), callback)
  }

  /** Application data goes into the Connection only once the peer is authorized, then out as records. */
  #send(data: Buffer, callback: (error?: Error | null) => void): void {
    this.#whenSecure((error) => {
      if (error) return callback(error)
      try {
        this.connection.write(data)
      } catch (failure) {
        return callback(asTlsError(failure))
      }
      this.#plaintextWritten += data.length
      this.#touch()
      this.#afterSettled(() => this.#sendRecords(callback), callback)
    })
  }

  /** The socket's own callback fires once it has taken the bytes: back-pressure without 'drain' listeners. */
  #sendRecords(callback: (error?: Error | null) => void): void {
    const out = this.connection.takeOutgoing()
    if (out.length === 0) return callback()
    if (!this.#socketWritable()) return callback(this.#ending?.error ?? this.connection.error ?? new TlsTransportError(new Error('the socket is closed')))
    this.#toSocket(out, (error) => callback(error ? this.#onSocketError(error) : null))
  }

  /** @internal Duplex's end hook: close_notify after everything written, then the TCP half-close. */
  override _final(callback: (error?: Error | null) => void): void {
    // close_notify goes after the handshake and the data written before it; then the TCP half-close.
    this.#whenSecure((error) => {
      if (error) return callback(error)
      this.connection.close()
      this.#afterSettled(() => {
        this.#flush()
        if (this.#socketWritable()) this.socket.end()
        callback()
      }, callback)
    })
  }

  /** @internal Duplex's destroy hook: the socket underneath is destroyed (after an alert drains), then 'close' with hadError. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.#idleTimer)
    this.connection.onProgress = undefined
    this.#ending ??= { error: error ? asTlsError(error) : undefined }
    if (!this.socket.destroyed) {
      if (error) this.#lingerThenDestroy()
      else this.socket.destroy()
    }
    callback(error)
    // After the 'error' the callback scheduled, as net.Socket: 'close' with hadError.
    process.nextTick(() => this.emit('close', error !== null))
  }

  /** An alert may still be queued on the socket: end it so the alert drains, and destroy it soon after at the latest. */
  #lingerThenDestroy(): void {
    const socket = this.socket
    const timer = setTimeout(() => socket.destroy(), ALERT_LINGER_MS).unref()
    socket.once('close', () => clearTimeout(timer))
    if (typeof socket.destroySoon === 'function') socket.destroySoon()
    else socket.end(() => socket.destroy())
  }
}
