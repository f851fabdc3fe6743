// WebSocket tunnels: a WebSocketStream or WebSocket as the byte-stream pair secureStreams runs TLS over (browser-safe).
import { TlsError } from '../errors.js'
import { createDefaultContext, type TlsContext } from '../handshake/context.js'
import { type ByteStreamPair, type SecureStreamPair, type SecureStreamsOptions, type TransportChunk, secureStreams } from './web-streams.js'

/** The part of the WHATWG WebSocket used here (browsers, Deno, Bun, Node 22+, workers). */
export interface WebSocketLike {
  /** How binary messages arrive; webSocketStream sets it to `'arraybuffer'`, since the tunnel reads ArrayBuffers. */
  binaryType: string
  /** The WebSocket's state: 0 connecting, 1 open, 2 closing, 3 closed (the WHATWG constants). */
  readonly readyState: number
  /** Bytes passed to `send` and not yet handed to the network; writes wait while it is above `bufferedAmountHighWaterMark`. */
  readonly bufferedAmount: number
  /** The endpoint's URL, quoted in the errors of a socket that does not open. */
  readonly url: string
  /** Sends one binary message: each chunk written to the tunnel's writable (TLS records) becomes one message. */
  send(data: ArrayBufferView | ArrayBufferLike): void
  /** Closes the socket: with 1000 once both directions are done, with 1003 after a text message arrived. */
  close(code?: number, reason?: string): void
  /** Listens for 'open' (before the tunnel resolves), 'message' (incoming bytes) and 'close' (the end of the readable). */
  addEventListener(type: 'open' | 'message' | 'error' | 'close', listener: (event: WebSocketEventLike) => void): void
  /** Removes a listener added with addEventListener (the 'open' and 'close' listeners once the socket opened). */
  removeEventListener(type: 'open' | 'message' | 'error' | 'close', listener: (event: WebSocketEventLike) => void): void
}

/** What the open, message, error and close events carry. */
export interface WebSocketEventLike {
  /** A 'message' event's payload: an ArrayBuffer for a binary message (binaryType 'arraybuffer'), a string for a text one, which fails the tunnel. */
  readonly data?: unknown
  /** A 'close' event's status code (RFC 6455 §7.4): 1000 and 1005 end the readable normally, any other errors it. */
  readonly code?: number
  /** A 'close' event's reason, quoted in the error of an abnormal close. */
  readonly reason?: string
}

/** The part of WebSocketStream (Chromium 124+) used here. */
export interface WebSocketStreamLike {
  /** The endpoint's URL, quoted in the error of a socket that does not open. */
  readonly url: string
  /** Resolves once the socket is open with its message streams; a rejection makes webSocketStream reject with ERR_TLS_TRANSPORT. */
  readonly opened: Promise<{
    /** Incoming messages: ArrayBuffers for binary ones, strings for text ones (which fail the tunnel). */
    readable: ReadableStream<ArrayBuffer | string>
    /** Outgoing messages: each chunk written becomes one binary message. */
    writable: WritableStream<ArrayBufferView | ArrayBufferLike>
  }>
  /** Resolves when the socket has closed, with the close's code and reason. */
  readonly closed: Promise<{
    /** The close's status code (RFC 6455 §7.4): 1000 and 1005 end the readable normally, any other errors it. */
    closeCode?: number
    /** The close's reason, quoted in the error of an abnormal close. */
    reason?: string
  }>
  /** Closes the socket; called with 1003 when a text message arrives. */
  close(closeInfo?: { closeCode?: number; reason?: string }): void
}

/** How webSocketStream opens a URL and paces writes over a WebSocket. */
export interface WebSocketStreamOptions {
  /** Subprotocols to ask for (the WebSocket constructor's second argument); none by default. Ignored for a socket you made. */
  protocols?: string | string[]
  /**
   * The API a URL is opened with; by default WebSocketStream where the runtime has it (real back-pressure both ways),
   * else WebSocket. Naming one the runtime lacks throws a TlsError (ERR_TLS_INVALID_ARGUMENT).
   */
  api?: 'WebSocketStream' | 'WebSocket'
  /**
   * Over WebSocket, a write waits while more than this many bytes are still buffered for sending (default 1 MiB,
   * 1048576 bytes; `bufferedAmount` is polled every 4 ms, the API has no drain event). Unused over WebSocketStream.
   */
  bufferedAmountHighWaterMark?: number
}

const OPEN = 1
const NORMAL_CLOSURE = 1000
const NO_STATUS = 1005
const UNSUPPORTED_DATA = 1003
const DEFAULT_BUFFERED_HIGH_WATER_MARK = 1 << 20
/** How often a blocked write looks at bufferedAmount again (WebSocket has no drain event). */
const BUFFERED_POLL_MS = 4

function tunnelError(message: string, cause?: unknown): TlsError {
  const error = new TlsError('internal_error', `transport: ${message}`, 'ERR_TLS_TRANSPORT')
  if (cause !== undefined) error.cause = cause
  return error
}

const textRefused = () => tunnelError('a text message arrived; the tunnel carries binary messages only')

/** A closed socket's ending: the normal closure codes end the stream, anything else is a failure with its reason. */
function closeOutcome(code: number | undefined, reason: string | undefined): TlsError | undefined {
  if (code === NORMAL_CLOSURE || code === NO_STATUS) return undefined
  return tunnelError(`the WebSocket closed with code ${code ?? 'unknown'}${reason ? `: ${reason}` : ''}`)
}

type Globals = { WebSocket?: new (url: string | URL, protocols?: string | string[]) => WebSocketLike; WebSocketStream?: new (url: string | URL, options?: { protocols?: string[] }) => WebSocketStreamLike }

/** A new socket for `url` with the API asked for, or the best the runtime has. */
function openSocket(url: string | URL, options: WebSocketStreamOptions): WebSocketLike | WebSocketStreamLike {
  const globals = globalThis as Globals
  const protocols = options.protocols === undefined ? [] : typeof options.protocols === 'string' ? [options.protocols] : options.protocols
  const api = options.api ?? (globals.WebSocketStream ? 'WebSocketStream' : 'WebSocket')
  if (api === 'WebSocketStream') {
    if (!globals.WebSocketStream) throw new TlsError('internal_error', 'this runtime has no WebSocketStream', 'ERR_TLS_INVALID_ARGUMENT')
    return new globals.WebSocketStream(url, { protocols })
  }
  if (!globals.WebSocket) throw new TlsError('internal_error', 'this runtime has no WebSocket: pass an open socket to webSocketStream()', 'ERR_TLS_INVALID_ARGUMENT')
  return new globals.WebSocket(url, protocols)
}

/** A socket someone made (anything with send() or opened), rather than a URL (a string or a URL object). */
function isSocket(value: string | URL | WebSocketLike | WebSocketStreamLike): value is WebSocketLike | WebSocketStreamLike {
  return typeof value === 'object' && ('opened' in value || typeof (value as WebSocketLike).send === 'function')
}

function isWebSocketStream(socket: WebSocketLike | WebSocketStreamLike): socket is WebSocketStreamLike {
  return typeof (socket as WebSocketStreamLike).opened === 'object'
}

/** Resolves once `socket` is open; rejects with ERR_TLS_TRANSPORT when it closes first (browsers say no more than that). */
function whenOpen(socket: WebSocketLike): Promise<void> {
  if (socket.readyState === OPEN) return Promise.resolve()
  if (socket.readyState > OPEN) return Promise.reject(tunnelError(`the WebSocket to ${socket.url} is already closed`))
  return new Promise((resolve, reject) => {
    const settle = (outcome: 'open' | 'failed', event?: WebSocketEventLike) => {
      socket.removeEventListener('open', onOpen)
      socket.removeEventListener('close', onClose)
      if (outcome === 'open') return resolve()
      reject(tunnelError(`the WebSocket to ${socket.url} did not open${event?.code ? ` (code ${event.code}${event.reason ? `: ${event.reason}` : ''})` : ''}`))
    }
    const onOpen = () => settle('open')
    const onClose = (event: WebSocketEventLike) => settle('failed', event)
    socket.addEventListener('open', onOpen)
    socket.addEventListener('close', onClose)
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => (globalThis as { setTimeout: (f: () => void, ms: number) => unknown }).setTimeout(resolve, ms))
}

/**
 * The pair over an open WebSocket. Messages are queued as they arrive (the WebSocket API cannot pause a sender);
 * writes wait while `bufferedAmount` is above the high-water mark. WebSocket has no half-close, so closing the
 * writable closes the socket only once the readable is finished too (the peer closed it, or it was cancelled).
 */
function overWebSocket(socket: WebSocketLike, highWaterMark: number): ByteStreamPair {
  let readableDone = false
  let writableDone = false
  const closeWhenBothDone = () => {
    if (readableDone && writableDone && socket.readyState === OPEN) socket.close(NORMAL_CLOSURE)
  }
  const readable = new ReadableStream<TransportChunk>({
    start(controller) {
      socket.addEventListener('message', (event) => {
        if (readableDone) return
        if (typeof event.data !== 'string') return controller.enqueue(event.data as ArrayBuffer)
        readableDone = true
        controller.error(textRefused())
        socket.close(UNSUPPORTED_DATA, 'binary messages only')
      })
      socket.addEventListener('close', (event) => {
        if (readableDone) return
        readableDone = true
        const failure = closeOutcome(event.code, event.reason)
        if (failure) controller.error(failure)
        else controller.close()
      })
    },
    cancel() {
      readableDone = true
      writableDone = true
      closeWhenBothDone()
    },
  })
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (socket.readyState !== OPEN) throw tunnelError('the WebSocket is closed')
      socket.send(chunk)
      while (socket.bufferedAmount > highWaterMark && socket.readyState === OPEN) await sleep(BUFFERED_POLL_MS)
    },
    close() {
      writableDone = true
      closeWhenBothDone()
    },
    abort() {
      readableDone = writableDone = true
      closeWhenBothDone()
    },
  })
  return { readable, writable }
}

/**
 * The pair over an opened WebSocketStream: its own streams, with back-pressure both ways, except that closing
 * the writable waits for the readable to finish (as over WebSocket: the protocol has no half-close).
 */
async function overWebSocketStream(socket: WebSocketStreamLike): Promise<ByteStreamPair> {
  let opened: Awaited<WebSocketStreamLike['opened']>
  try {
    opened = await socket.opened
  } catch (error) {
    throw tunnelError(`the WebSocket to ${socket.url} did not open`, error)
  }
  const writer = opened.writable.getWriter()
  let readableDone = false
  let closeRequested = false
  const closeSocket = () => writer.close().catch(() => undefined)
  const readable = opened.readable.pipeThrough(
    new TransformStream<ArrayBuffer | string, TransportChunk>({
      transform(chunk, controller) {
        if (typeof chunk !== 'string') return controller.enqueue(chunk)
        controller.error(textRefused())
        socket.close({ closeCode: UNSUPPORTED_DATA, reason: 'binary messages only' })
      },
      async flush(controller) {
        readableDone = true
        if (closeRequested) void closeSocket()
        // The readable ends at any close; the code and reason arrive with `closed`.
        const { closeCode, reason } = await socket.closed.catch(() => ({ closeCode: undefined, reason: undefined }))
        const failure = closeOutcome(closeCode, reason)
        if (failure) controller.error(failure)
      },
    }),
  )
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) => writer.write(chunk),
    async close() {
      closeRequested = true
      if (readableDone) await closeSocket()
    },
    abort: (reason) => writer.abort(reason),
  })
  return { readable, writable }
}

/**
 * A WebSocket as the `{ readable, writable }` byte pair secureStreams takes: each binary message is a chunk,
 * each chunk written is a binary message. Give a URL (opened with WebSocketStream where the runtime has it, else
 * WebSocket, binaryType arraybuffer) or a socket you made. Resolves once the socket is open; rejects with a
 * TlsError (ERR_TLS_TRANSPORT) when it does not open. A text message, or a close with a code other than 1000 or
 * 1005, errors the readable (the close's reason is in the message).
 */
export async function webSocketStream(urlOrSocket: string | URL | WebSocketLike | WebSocketStreamLike, options: WebSocketStreamOptions = {}): Promise<ByteStreamPair> {
  const highWaterMark = options.bufferedAmountHighWaterMark ?? DEFAULT_BUFFERED_HIGH_WATER_MARK
  if (!Number.isFinite(highWaterMark) || highWaterMark < 0) throw new TlsError('internal_error', 'bufferedAmountHighWaterMark must be a number of bytes', 'ERR_TLS_INVALID_ARGUMENT')
  const socket = isSocket(urlOrSocket) ? urlOrSocket : openSocket(urlOrSocket, options)
  if (isWebSocketStream(socket)) return overWebSocketStream(socket)
  socket.binaryType = 'arraybuffer'
  // Listening first: a runtime may deliver the first message right after 'open', before an await resumes.
  const pair = overWebSocket(socket, highWaterMark)
  await whenOpen(socket)
  return pair
}

/** What connectOverWebSocket needs: the tunnel, the server's name, and optionally the context and socket options. */
export interface WebSocketConnectOptions extends WebSocketStreamOptions, SecureStreamsOptions {
  /** The tunnel: a WebSocket endpoint that relays to the TLS server (e.g. `pure-tls bridge`), or an open socket. */
  url: string | URL | WebSocketLike | WebSocketStreamLike
  /** The TLS server's name: sent in SNI and checked against its certificate. */
  serverName: string
  /** A client ('server-auth') context; default createDefaultContext('server-auth'), which needs roots loaded (pure-tls/roots). */
  context?: TlsContext
}

/**
 * A TLS connection through a WebSocket tunnel, in one call: opens the socket, runs the handshake over it, and
 * resolves with the secure pair once the handshake has completed (rejects with the TlsError that ended it).
 */
export async function connectOverWebSocket(options: WebSocketConnectOptions): Promise<SecureStreamPair> {
  const { url, serverName, context, allowHalfOpen, ...socketOptions } = options
  const connection = (context ?? createDefaultContext('server-auth')).client({ serverName })
  const transport = await webSocketStream(url, socketOptions)
  const tls = secureStreams(connection, transport, { allowHalfOpen: allowHalfOpen ?? false })
  await tls.handshake
  return tls
}
