// The server side of a WebSocket (RFC 6455) over a Node HTTP upgrade: the opening handshake, binary messages, ping, close.
import { createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { CloseCode, closePayload, encodeFrame, FrameReader, Opcode, parseClose, WebSocketProtocolError } from './websocket-frames.js'

/** The GUID the accept key is derived with (RFC 6455 section 1.3). */
const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
/** How long we wait for the client's answer to our close frame before dropping the socket. */
const CLOSE_TIMEOUT_MS = 2_000

/** Sec-WebSocket-Accept for a client's Sec-WebSocket-Key: base64(SHA-1(key + GUID)). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + ACCEPT_GUID).digest('base64')
}

const headerTokens = (value: string | undefined) => (value ?? '').split(',').map((token) => token.trim().toLowerCase())

/** Why `request` is not a WebSocket opening handshake a server may accept (section 4.2.1), or undefined. */
export function handshakeProblem(request: IncomingMessage): string | undefined {
  if (request.method !== 'GET') return `method ${request.method} (a WebSocket opens with GET)`
  if (!headerTokens(request.headers.upgrade).includes('websocket')) return 'no "Upgrade: websocket" header'
  if (!headerTokens(request.headers.connection).includes('upgrade')) return 'no "Connection: Upgrade" header'
  if (request.headers['sec-websocket-version'] !== '13') return `Sec-WebSocket-Version ${request.headers['sec-websocket-version'] ?? 'missing'} (13 is spoken here)`
  const key = request.headers['sec-websocket-key'] ?? ''
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) return 'Sec-WebSocket-Key is not 16 bytes of base64'
  return undefined
}

/** Writes a plain HTTP refusal on a socket that asked for an upgrade, and closes it. */
export function refuseUpgrade(socket: Duplex, status: number, statusText: string, body: string, extraHeaders: string[] = []): void {
  const text = `${body}\n`
  const head = [`HTTP/1.1 ${status} ${statusText}`, 'Connection: close', 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(text)}`, ...extraHeaders]
  socket.end(`${head.join('\r\n')}\r\n\r\n${text}`)
}

export interface ServerWebSocketHandlers {
  /** The payload of a binary message, frame by frame, in order. */
  onData(chunk: Uint8Array): void
  /** Called once: the client closed (its code and reason), we did, or the socket dropped (1006). */
  onClose(code: number, reason: string): void
}

/** One accepted WebSocket: binary frames out with the socket's back-pressure, the client's frames in. */
export class ServerWebSocket {
  readonly #reader: FrameReader
  /** The opcode of a fragmented message in progress (its continuation frames follow). */
  #messageOpcode: number | undefined
  #closing = false
  #closed = false

  readonly #socket: Duplex
  readonly #handlers: ServerWebSocketHandlers

  constructor(socket: Duplex, handlers: ServerWebSocketHandlers, maxFramePayload: number) {
    this.#socket = socket
    this.#handlers = handlers
    this.#reader = new FrameReader(maxFramePayload)
    socket.on('data', (data: Buffer) => this.#receive(data))
    socket.on('end', () => this.#finish(CloseCode.abnormal, 'the connection ended without a close frame'))
    socket.on('close', () => this.#finish(CloseCode.abnormal, 'the connection dropped'))
    socket.on('error', () => this.#finish(CloseCode.abnormal, 'the connection failed'))
  }

  /** Sends `chunk` as one binary message; false when the socket's buffer is full (wait for onDrain). */
  send(chunk: Uint8Array): boolean {
    if (this.#closing) return true
    return this.#socket.write(encodeFrame(Opcode.binary, chunk))
  }

  /** Calls `callback` once the socket can take more. */
  onDrain(callback: () => void): void {
    this.#socket.once('drain', callback)
  }

  pause(): void {
    this.#socket.pause()
  }

  resume(): void {
    this.#socket.resume()
  }

  /** Starts the closing handshake: our close frame now, the socket ends when the client answers (or after a timeout). */
  close(code: number, reason: string): void {
    if (this.#closing) return
    this.#closing = true
    this.#socket.write(encodeFrame(Opcode.close, closePayload(code, reason)))
    // The client's answering close frame must be read, even if reading was paused for back-pressure.
    this.#socket.resume()
    this.#finish(code, reason)
    const timer = setTimeout(() => this.#socket.destroy(), CLOSE_TIMEOUT_MS)
    timer.unref()
    this.#socket.once('close', () => clearTimeout(timer))
  }

  #receive(data: Uint8Array): void {
    try {
      for (const frame of this.#reader.push(data)) this.#handleFrame(frame.opcode, frame.fin, frame.payload)
    } catch (error) {
      if (error instanceof WebSocketProtocolError) this.close(error.code, error.message)
      else this.close(CloseCode.internalError, error instanceof Error ? error.message : String(error))
    }
  }

  #handleFrame(opcode: number, fin: boolean, payload: Uint8Array): void {
    switch (opcode) {
      case Opcode.ping:
        if (!this.#closing) this.#socket.write(encodeFrame(Opcode.pong, payload))
        return
      case Opcode.pong:
        return
      case Opcode.close:
        return this.#handleClose(payload)
      default:
        return this.#handleData(opcode, fin, payload)
    }
  }

  /** The client's close frame: answered with the same code (section 5.5.1), then the socket ends. */
  #handleClose(payload: Uint8Array): void {
    const { code, reason } = parseClose(payload)
    if (!this.#closing) {
      this.#closing = true
      this.#socket.write(encodeFrame(Opcode.close, code === CloseCode.noStatus ? new Uint8Array(0) : closePayload(code, '')))
    }
    this.#finish(code, reason)
    this.#socket.end()
  }

  #handleData(opcode: number, fin: boolean, payload: Uint8Array): void {
    if (opcode === Opcode.continuation) {
      if (this.#messageOpcode === undefined) throw new WebSocketProtocolError(CloseCode.protocolError, 'a continuation frame outside a message')
    } else {
      if (this.#messageOpcode !== undefined) throw new WebSocketProtocolError(CloseCode.protocolError, 'a new message before the last one ended')
      this.#messageOpcode = opcode
    }
    if (this.#messageOpcode === Opcode.text) throw new WebSocketProtocolError(CloseCode.unsupportedData, 'text messages are not relayed: send binary messages')
    if (fin) this.#messageOpcode = undefined
    if (!this.#closing && payload.length > 0) this.#handlers.onData(payload)
  }

  #finish(code: number, reason: string): void {
    if (this.#closed) return
    this.#closed = true
    this.#handlers.onClose(code, reason)
  }
}

/**
 * Completes the opening handshake on `socket` (the 101 answer with the accept key) and returns the WebSocket;
 * `head` is what the client sent after its request headers (frames may already be there).
 */
export function acceptUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, handlers: ServerWebSocketHandlers, maxFramePayload: number): ServerWebSocket {
  const accept = acceptKey(request.headers['sec-websocket-key']!)
  socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, '', ''].join('\r\n'))
  const webSocket = new ServerWebSocket(socket, handlers, maxFramePayload)
  if (head.length > 0) socket.unshift(head)
  return webSocket
}
