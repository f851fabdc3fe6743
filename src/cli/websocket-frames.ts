// WebSocket frames (RFC 6455 section 5) as a server reads and writes them: masked frames in, unmasked frames out.

/** Frame opcodes (RFC 6455 section 5.2). */
export const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const

/** Close codes (RFC 6455 section 7.4.1) the bridge sends. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  noStatus: 1005,
  /** Never sent: what a side reports when the connection dropped without a close frame. */
  abnormal: 1006,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
} as const

export interface Frame {
  readonly fin: boolean
  readonly opcode: number
  /** Unmasked. */
  readonly payload: Uint8Array
}

/** The client broke the protocol: the connection is closed with `code` (RFC 6455 section 7.1.7). */
export class WebSocketProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
    this.name = 'WebSocketProtocolError'
  }
}

/** Control frames carry at most 125 bytes and are never fragmented (RFC 6455 section 5.5). */
const MAX_CONTROL_PAYLOAD = 125
/** A close reason fits in a control frame after its 2-byte code. */
const MAX_CLOSE_REASON = MAX_CONTROL_PAYLOAD - 2

const isControl = (opcode: number) => (opcode & 0x8) !== 0
const knownOpcodes = new Set<number>(Object.values(Opcode))

interface Header {
  fin: boolean
  opcode: number
  headerLength: number
  payloadLength: number
  mask: Uint8Array | undefined
}

/**
 * Reads frames from a client's byte stream. Every frame must be masked (section 5.1), use no reserved bits or
 * opcodes, and carry at most `maxPayload` bytes; anything else throws WebSocketProtocolError with its close code.
 */
export class FrameReader {
  #buffer: Uint8Array = new Uint8Array(0)

  readonly #maxPayload: number

  constructor(maxPayload: number) {
    this.#maxPayload = maxPayload
  }

  /** Adds bytes from the socket; returns the frames now complete, in order. */
  push(data: Uint8Array): Frame[] {
    this.#buffer = this.#buffer.length === 0 ? data : concatTwo(this.#buffer, data)
    const frames: Frame[] = []
    for (;;) {
      const header = this.#header()
      if (!header || this.#buffer.length < header.headerLength + header.payloadLength) break
      const end = header.headerLength + header.payloadLength
      const payload = this.#buffer.slice(header.headerLength, end)
      if (header.mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= header.mask[i & 3]!
      frames.push({ fin: header.fin, opcode: header.opcode, payload })
      this.#buffer = this.#buffer.subarray(end)
    }
    return frames
  }

  /** The header at the front of the buffer, checked, or undefined while it is incomplete. */
  #header(): Header | undefined {
    const b = this.#buffer
    if (b.length < 2) return undefined
    const fin = (b[0]! & 0x80) !== 0
    const opcode = b[0]! & 0x0f
    if ((b[0]! & 0x70) !== 0) throw new WebSocketProtocolError(CloseCode.protocolError, 'reserved bits set without an extension')
    if (!knownOpcodes.has(opcode)) throw new WebSocketProtocolError(CloseCode.protocolError, `reserved opcode ${opcode}`)
    if ((b[1]! & 0x80) === 0) throw new WebSocketProtocolError(CloseCode.protocolError, 'a client frame is not masked')
    const shortLength = b[1]! & 0x7f
    const lengthBytes = shortLength === 126 ? 2 : shortLength === 127 ? 8 : 0
    const headerLength = 2 + lengthBytes + 4
    if (b.length < headerLength) return undefined
    const payloadLength = lengthBytes === 0 ? shortLength : readLength(b.subarray(2, 2 + lengthBytes))
    if (isControl(opcode) && (!fin || payloadLength > MAX_CONTROL_PAYLOAD)) throw new WebSocketProtocolError(CloseCode.protocolError, 'a control frame is fragmented or longer than 125 bytes')
    if (payloadLength > this.#maxPayload) throw new WebSocketProtocolError(CloseCode.messageTooBig, `a frame of ${payloadLength} bytes is over the limit of ${this.#maxPayload}`)
    return { fin, opcode, headerLength, payloadLength, mask: b.slice(headerLength - 4, headerLength) }
  }
}

/** A 16- or 64-bit big-endian payload length; lengths past 2^53 are refused (they exceed any limit anyway). */
function readLength(bytes: Uint8Array): number {
  let length = 0
  for (const byte of bytes) length = length * 256 + byte
  if (bytes.length === 8 && bytes[0]! & 0x80) throw new WebSocketProtocolError(CloseCode.protocolError, 'a 64-bit length with its top bit set')
  return length
}

function concatTwo(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

/** A server frame (unmasked, section 5.1), final unless `fin` is false. */
export function encodeFrame(opcode: number, payload: Uint8Array, fin = true): Uint8Array {
  const lengthBytes = payload.length < 126 ? 0 : payload.length <= 0xffff ? 2 : 8
  const out = new Uint8Array(2 + lengthBytes + payload.length)
  out[0] = (fin ? 0x80 : 0) | opcode
  if (lengthBytes === 0) out[1] = payload.length
  else {
    out[1] = lengthBytes === 2 ? 126 : 127
    for (let i = 0, n = payload.length; i < lengthBytes; i++, n = Math.floor(n / 256)) out[1 + lengthBytes - i] = n & 0xff
  }
  out.set(payload, 2 + lengthBytes)
  return out
}

/** A close frame's payload: the code, then a UTF-8 reason cut to fit a control frame (section 5.5.1). */
export function closePayload(code: number, reason: string): Uint8Array {
  let text = new TextEncoder().encode(reason)
  if (text.length > MAX_CLOSE_REASON) text = new TextEncoder().encode(new TextDecoder().decode(text.subarray(0, MAX_CLOSE_REASON)).replace(/\uFFFD+$/, ''))
  const out = new Uint8Array(2 + text.length)
  out[0] = code >> 8
  out[1] = code & 0xff
  out.set(text, 2)
  return out
}

/** The code and reason of a received close frame; no payload means 1005 (section 7.1.5). */
export function parseClose(payload: Uint8Array): { code: number; reason: string } {
  if (payload.length === 0) return { code: CloseCode.noStatus, reason: '' }
  if (payload.length === 1) throw new WebSocketProtocolError(CloseCode.protocolError, 'a close frame with a 1-byte payload')
  const code = (payload[0]! << 8) | payload[1]!
  const valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)
  if (!valid) throw new WebSocketProtocolError(CloseCode.protocolError, `close code ${code} may not be sent`)
  let reason: string
  try {
    reason = new TextDecoder('utf-8', { fatal: true }).decode(payload.subarray(2))
  } catch {
    throw new WebSocketProtocolError(CloseCode.invalidPayload, 'a close reason that is not UTF-8')
  }
  return { code, reason }
}
