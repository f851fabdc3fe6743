// Handshake message framing over handshake records (RFC 8446 4, RFC 5246 7.4): msg_type u8, length u24, body; split or coalesced.
import { TlsError } from '../errors.js'

/** One handshake message; `raw` (header and body) is what the transcript hashes. */
export interface HandshakeMessage {
  readonly msgType: number
  readonly body: Uint8Array
  readonly raw: Uint8Array
}

/** HandshakeType (1) + uint24 length. */
export const HANDSHAKE_HEADER_LENGTH = 4

export const DEFAULT_MAX_HANDSHAKE_MESSAGE = 64 * 1024

export interface HandshakeReassemblerOptions {
  /** The largest body accepted for a msg_type (default 64 KiB for all); a Certificate may be allowed more. */
  maxMessageSize?: (msgType: number) => number
}

/**
 * Collects the fragments of handshake records and hands back whole messages, however the peer split
 * or coalesced them. A message is refused as soon as its header announces more than the limit.
 */
export class HandshakeReassembler {
  readonly #maxMessageSize: (msgType: number) => number
  #buffer = new Uint8Array(0)
  #start = 0
  #end = 0

  constructor(options: HandshakeReassemblerOptions = {}) {
    this.#maxMessageSize = options.maxMessageSize ?? (() => DEFAULT_MAX_HANDSHAKE_MESSAGE)
  }

  /** Adds the fragment of one handshake record (copied: the caller may reuse it). */
  push(fragment: Uint8Array): void {
    this.#reserve(fragment.length)
    this.#buffer.set(fragment, this.#end)
    this.#end += fragment.length
    this.#checkFirstHeader()
  }

  /** The next whole message, or undefined until more fragments arrive. */
  next(): HandshakeMessage | undefined {
    const length = this.#checkFirstHeader()
    if (length === undefined || this.pendingBytes < HANDSHAKE_HEADER_LENGTH + length) return undefined
    const raw = this.#buffer.slice(this.#start, this.#start + HANDSHAKE_HEADER_LENGTH + length)
    this.#start += raw.length
    if (this.#start === this.#end) this.#release()
    return { msgType: raw[0]!, body: raw.subarray(HANDSHAKE_HEADER_LENGTH), raw }
  }

  /** Bytes held that are not yet returned: part of a message, or whole messages not yet taken. */
  get pendingBytes(): number {
    return this.#end - this.#start
  }

  /**
   * Whether any handshake bytes are held. RFC 8446 5.1: messages must not span a key change, so the
   * handshake refuses a key change (unexpected_message) while this is true.
   */
  get hasPending(): boolean {
    return this.#end > this.#start
  }

  /** The body length of the first buffered message once its header is complete, after checking the limit. */
  #checkFirstHeader(): number | undefined {
    if (this.pendingBytes < HANDSHAKE_HEADER_LENGTH) return undefined
    const b = this.#buffer
    const at = this.#start
    const msgType = b[at]!
    const length = (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!
    const limit = this.#maxMessageSize(msgType)
    if (length > limit) {
      throw new TlsError(
        'illegal_parameter',
        `handshake message type ${msgType} of ${length} bytes exceeds the limit of ${limit}`,
        'ERR_TLS_HANDSHAKE_MESSAGE_TOO_LARGE',
      )
    }
    return length
  }

  /** Drops the buffer once everything is taken, so a large message's space is not held for the connection's life. */
  #release(): void {
    this.#buffer = new Uint8Array(0)
    this.#start = this.#end = 0
  }

  /** Makes room for `n` more bytes: compacts first, grows (doubling) only when that is not enough. */
  #reserve(n: number): void {
    if (this.#end + n <= this.#buffer.length) return
    const live = this.pendingBytes
    if (live + n <= this.#buffer.length) {
      this.#buffer.copyWithin(0, this.#start, this.#end)
    } else {
      const grown = new Uint8Array(Math.max(live + n, 2 * this.#buffer.length))
      grown.set(this.#buffer.subarray(this.#start, this.#end))
      this.#buffer = grown
    }
    this.#start = 0
    this.#end = live
  }
}
