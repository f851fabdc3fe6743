// The Web Streams adapter: a Connection over any { readable, writable } byte pair (browsers, Deno, Bun, workers, Node 18+).
import { type BytesLike, toBytes } from '../bytes.js'
import { TlsError } from '../errors.js'
import type { Connection } from '../handshake/connection.js'
import type { ConnectionInfo } from '../handshake/session.js'

/** A chunk a transport may deliver: any BufferSource (a WebSocket's ArrayBuffer, a socket's Uint8Array, a DataView). */
export type TransportChunk = ArrayBufferLike | ArrayBufferView

/** A bidirectional byte stream: a TCP connection (Deno.connect, Bun), a WebSocket tunnel (webSocketStream), a pipe. */
export interface ByteStreamPair {
  /** Bytes from the peer, as the transport delivers them (TLS records, cut anywhere); its end is the transport's end. */
  readable: ReadableStream<TransportChunk>
  /** Bytes to the peer: each chunk is one or more whole TLS records; closing it ends our direction of the transport. */
  writable: WritableStream<Uint8Array>
}

/** How secureStreams closes the connection. */
export interface SecureStreamsOptions {
  /**
   * false (the default, as the Node adapter and node:tls): once the peer has closed (close_notify, or the
   * transport's end), our close_notify follows the data already written and the transport is closed. true keeps
   * our side writable (TLS 1.3 half-close) until the writable is closed.
   */
  allowHalfOpen?: boolean
}

/** What secureStreams returns: the application's side of the TLS connection as Web Streams, and promises for its life. */
export interface SecureStreamPair {
  /** The application data the peer sends; it ends at the peer's close_notify (or the transport's end). */
  readonly readable: ReadableStream<Uint8Array>
  /** Application data to send: any BufferSource, or a string (sent as UTF-8). Closing it sends close_notify. */
  readonly writable: WritableStream<BytesLike>
  /** Resolves with what was negotiated when the handshake completes; rejects with the TlsError that ended it. */
  readonly handshake: Promise<ConnectionInfo>
  /** Resolves once both directions are finished and the transport is closed; rejects with the TlsError that ended the connection. */
  readonly closed: Promise<void>
  /** The Connection given to secureStreams, for `info`, exportKeyingMaterial and updateKeys (its onProgress is taken over). */
  readonly connection: Connection
}

/** A promise with its resolve and reject at hand; its rejection is never unhandled (it is reported elsewhere too). */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  promise.catch(() => undefined)
  return { promise, resolve, reject }
}

/** A failure of the underlying stream, as a TlsError (code ERR_TLS_TRANSPORT), so every error here is one. */
function transportError(cause: unknown): TlsError {
  if (cause instanceof TlsError) return cause
  const error = new TlsError('internal_error', `transport: ${cause instanceof Error ? cause.message : String(cause)}`, 'ERR_TLS_TRANSPORT')
  error.cause = cause
  return error
}

/** The application ended the connection itself (cancel or abort): the error the other direction reports. */
function cancelledError(what: string, reason: unknown): TlsError {
  const detail = reason === undefined ? '' : `: ${reason instanceof Error ? reason.message : String(reason)}`
  const error = new TlsError('user_canceled', `${what}${detail}`, 'ERR_TLS_CANCELLED')
  error.cause = reason
  return error
}

/** Bytes from the transport; text (a WebSocket text message, say) is a broken tunnel, not TLS. */
function transportBytes(chunk: unknown): Uint8Array {
  if (typeof chunk === 'string') throw new TlsError('internal_error', 'the transport delivered text, not bytes', 'ERR_TLS_TRANSPORT')
  return toBytes(chunk as TransportChunk, 'the transport readable')
}

/** One connection over one transport: the handshake pump, both directions, closing and failure. */
class StreamsSession {
  readonly handshake = deferred<ConnectionInfo>()
  readonly closed = deferred<void>()
  readonly readable: ReadableStream<Uint8Array>
  readonly writable: WritableStream<BytesLike>
  readonly #reader: ReadableStreamDefaultReader<TransportChunk>
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>
  #readableController!: ReadableStreamDefaultController<Uint8Array>
  #writableController!: WritableStreamDefaultController
  /** The one read from the transport in progress (the handshake and the readable share it). */
  #reading: Promise<void> | undefined
  #transportEnded = false
  #readDone = false
  #writeDone: Promise<void> | undefined
  #writeClosed = false
  #finished = false
  #failure: TlsError | undefined
  #transportBroken = false

  readonly #allowHalfOpen: boolean

  constructor(
    readonly connection: Connection,
    transport: ByteStreamPair,
    allowHalfOpen: boolean,
  ) {
    this.#allowHalfOpen = allowHalfOpen
    this.#reader = transport.readable.getReader()
    this.#writer = transport.writable.getWriter()
    // Output that asynchronous provider work produces goes out as soon as it exists.
    connection.onProgress = () => {
      this.#flush()
      this.#noteProgress()
    }
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#readableController = controller
      },
      pull: () => this.#pull(),
      cancel: (reason) => this.#abort(cancelledError('the readable was cancelled', reason), reason),
    })
    this.writable = new WritableStream<BytesLike>({
      start: (controller) => {
        this.#writableController = controller
      },
      write: (chunk) => this.#write(chunk),
      close: () => this.#closeWriting(),
      abort: (reason) => this.#abort(cancelledError('the writable was aborted', reason), reason),
    })
    void this.#runHandshake()
  }

  /** Puts what the connection has to send on the transport, in order; a failed transport write fails the connection. */
  #flush(): void {
    if (this.#transportBroken) return
    const out = this.connection.takeOutgoing()
    if (out.length > 0) this.#writer.write(out).catch((error) => this.#fail(transportError(error)))
  }

  /** Waits while an asynchronous provider works, then sends what it produced. */
  async #settle(): Promise<void> {
    if (this.connection.busy) await this.connection.settled()
    this.#flush()
    this.#noteProgress()
  }

  #noteProgress(): void {
    if (this.connection.error) this.#fail(this.connection.error)
    else if (this.connection.handshakeComplete) this.handshake.resolve(this.connection.info!)
  }

  /** Reads one chunk of the transport into the connection (one reader at a time). */
  #readOnce(): Promise<void> {
    this.#reading ??= (async () => {
      let result: ReadableStreamReadResult<TransportChunk>
      try {
        result = await this.#reader.read()
      } catch (error) {
        throw transportError(error)
      }
      if (result.done) {
        this.#transportEnded = true
        return
      }
      try {
        this.connection.receive(transportBytes(result.value))
      } finally {
        this.#flush()
      }
      await this.#settle()
    })().finally(() => {
      this.#reading = undefined
    })
    return this.#reading
  }

  async #runHandshake(): Promise<void> {
    try {
      await this.#settle()
      while (!this.connection.handshakeComplete) {
        if (this.#transportEnded) throw new TlsError('handshake_failure', 'the transport closed during the handshake', 'ERR_TLS_CONNECTION_CLOSED')
        await this.#readOnce()
      }
      this.#noteProgress()
    } catch (error) {
      this.#fail(error)
    }
  }

  /** The readable wants data: what the connection holds, else one more chunk from the transport. */
  async #pull(): Promise<void> {
    try {
      await this.handshake.promise
      for (;;) {
        const data = this.connection.read()
        if (data.length > 0) return this.#readableController.enqueue(data)
        if (this.connection.peerClosed || this.#transportEnded) return this.#endReading()
        await this.#readOnce()
      }
    } catch (error) {
      this.#fail(error)
    }
  }

  /** No more data will arrive: the readable ends, and without half-open our side closes too. */
  #endReading(): void {
    if (this.#readDone) return
    this.#readDone = true
    this.#readableController.close()
    if (!this.#allowHalfOpen) this.#closeWriting().catch(() => undefined)
    this.#finishIfDone()
  }

  async #write(chunk: BytesLike): Promise<void> {
    // A late write errors the writable only: the connection itself closed properly.
    if (this.#writeDone) throw new TlsError('internal_error', 'write after the connection closed (the peer closed it; allowHalfOpen keeps it writable)', 'ERR_TLS_WRITE_AFTER_CLOSE')
    try {
      const bytes = toBytes(chunk, 'the secureStreams writable')
      // Before the handshake completes the data would wait inside the Connection: hold the writer instead.
      await this.handshake.promise
      this.connection.write(bytes)
      this.#flush()
      await this.#settle()
      // The transport's back-pressure becomes ours.
      await this.#writer.ready
    } catch (error) {
      this.#fail(error)
      throw this.#failure
    }
  }

  /** close_notify after the data already written, then the transport's writable closes once all of it is out. */
  #closeWriting(): Promise<void> {
    this.#writeDone ??= (async () => {
      try {
        await this.handshake.promise
        this.connection.close()
        this.#flush()
        await this.#settle()
        await this.#writer.close()
        this.#writeClosed = true
        this.#finishIfDone()
      } catch (error) {
        this.#fail(error)
        throw this.#failure
      }
    })()
    return this.#writeDone
  }

  /** Both directions finished: release the transport's readable too. */
  #finishIfDone(): void {
    if (!this.#readDone || !this.#writeClosed || this.#finished) return
    this.#finished = true
    if (!this.#transportEnded) this.#reader.cancel().catch(() => undefined)
    this.closed.resolve()
  }

  /** The application cancelled the readable or aborted the writable: everything stops, the transport too. */
  #abort(error: TlsError, reason: unknown): void {
    if (this.#failure) return
    this.#failure = error
    this.#transportBroken = true
    this.#reportFailure(error)
    this.#writer.abort(reason).catch(() => undefined)
    this.#reader.cancel(reason).catch(() => undefined)
  }

  /**
   * The connection failed (a TlsError: its alert is sent first, then the transport closes) or the transport did
   * (ERR_TLS_TRANSPORT: it is aborted). Every side reports the same error.
   */
  #fail(cause: unknown): void {
    if (this.#failure) return
    const error = cause instanceof TlsError ? cause : transportError(cause)
    const fromTransport = error.code === 'ERR_TLS_TRANSPORT'
    if (!fromTransport) this.#flush()
    this.#failure = error
    this.#transportBroken = true
    this.#reportFailure(error)
    if (fromTransport) this.#writer.abort(error).catch(() => undefined)
    else this.#writer.close().catch(() => undefined)
    this.#reader.cancel(error).catch(() => undefined)
  }

  #reportFailure(error: TlsError): void {
    if (!this.#readDone) this.#readableController.error(error)
    this.#writableController.error(error)
    this.handshake.reject(error)
    this.closed.reject(error)
  }
}

/**
 * Runs `connection` over `transport` (which it then owns: its reader and writer are locked). Reading is
 * pull-driven (nothing is read from the transport while the application's readable is full, except during the
 * handshake), writes resolve once the transport's writer is ready for more, and closing follows the Node adapter:
 * the peer's close is answered with ours after the data already written, unless `allowHalfOpen`. Cancelling the
 * readable or aborting the writable ends both directions and the transport. With an asynchronous provider the
 * Connection's `onProgress` is taken over: whatever its work produces is sent at once, in order.
 */
export function secureStreams(connection: Connection, transport: ByteStreamPair, options: SecureStreamsOptions = {}): SecureStreamPair {
  const session = new StreamsSession(connection, transport, options.allowHalfOpen ?? false)
  return { readable: session.readable, writable: session.writable, handshake: session.handshake.promise, closed: session.closed.promise, connection }
}
