// WebSocket frames: masked client frames read back exactly, whatever the split; every protocol violation refused with its code.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CloseCode, closePayload, encodeFrame, FrameReader, Opcode, parseClose, WebSocketProtocolError } from './websocket-frames.js'

/** A client frame as RFC 6455 section 5.2 lays it out: masked, with the length in 7, 16 or 64 bits. */
function clientFrame(opcode: number, payload: Uint8Array, { fin = true, mask = Uint8Array.of(1, 2, 3, 4), rsv = 0, masked = true } = {}): Uint8Array {
  const server = encodeFrame(opcode, payload, fin)
  const headerLength = server.length - payload.length
  const out = new Uint8Array(server.length + (masked ? 4 : 0))
  out.set(server.subarray(0, headerLength))
  out[0]! |= rsv << 4
  if (masked) {
    out[1]! |= 0x80
    out.set(mask, headerLength)
  }
  const body = out.subarray(headerLength + (masked ? 4 : 0))
  for (let i = 0; i < payload.length; i++) body[i] = payload[i]! ^ (masked ? mask[i & 3]! : 0)
  return out
}

function protocolError(push: () => unknown): WebSocketProtocolError {
  try {
    push()
  } catch (error) {
    if (error instanceof WebSocketProtocolError) return error
    throw error
  }
  throw new Error('no error')
}

describe('FrameReader', () => {
  it('reads masked frames of every length class back exactly, however the bytes are split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), fc.integer({ min: 1, max: 5000 }), (payload, split) => {
        const wire = clientFrame(Opcode.binary, payload)
        const reader = new FrameReader(1 << 20)
        const frames = []
        for (let at = 0; at < wire.length; at += split) frames.push(...reader.push(wire.subarray(at, at + split)))
        expect(frames).toHaveLength(1)
        expect(frames[0]!.opcode).toBe(Opcode.binary)
        expect(Buffer.compare(frames[0]!.payload, payload)).toBe(0)
      }),
      { numRuns: 60 },
    )
  })

  it('returns several frames from one read, in order', () => {
    const wire = Buffer.concat([clientFrame(Opcode.binary, Uint8Array.of(1), { fin: false }), clientFrame(Opcode.ping, Uint8Array.of(9)), clientFrame(Opcode.continuation, Uint8Array.of(2))])
    expect(new FrameReader(100).push(wire).map((f) => [f.opcode, f.fin, [...f.payload]])).toEqual([
      [Opcode.binary, false, [1]],
      [Opcode.ping, true, [9]],
      [Opcode.continuation, true, [2]],
    ])
  })

  it('refuses what a client may not send, each with its close code', () => {
    const cases: [Uint8Array, number, RegExp][] = [
      [clientFrame(Opcode.binary, Uint8Array.of(1), { masked: false }), CloseCode.protocolError, /not masked/],
      [clientFrame(Opcode.binary, Uint8Array.of(1), { rsv: 4 }), CloseCode.protocolError, /reserved bits/],
      [clientFrame(0x3, Uint8Array.of(1)), CloseCode.protocolError, /reserved opcode 3/],
      [clientFrame(Opcode.ping, new Uint8Array(126)), CloseCode.protocolError, /control frame/],
      [clientFrame(Opcode.close, new Uint8Array(2), { fin: false }), CloseCode.protocolError, /control frame/],
      [clientFrame(Opcode.binary, new Uint8Array(101)), CloseCode.messageTooBig, /101 bytes is over the limit of 100/],
      [Uint8Array.of(0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4), CloseCode.protocolError, /top bit/],
    ]
    for (const [wire, code, message] of cases) {
      const error = protocolError(() => new FrameReader(100).push(wire))
      expect(error.code).toBe(code)
      expect(error.message).toMatch(message)
    }
  })

  it('turns any byte string into frames or a WebSocketProtocolError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          new FrameReader(200).push(bytes)
        } catch (error) {
          expect(error).toBeInstanceOf(WebSocketProtocolError)
        }
      }),
      { numRuns: 3000 },
    )
  })
})

describe('close frames', () => {
  it('carry the code and a reason cut on a character boundary to fit 125 bytes', () => {
    const payload = closePayload(CloseCode.policyViolation, 'é'.repeat(100))
    expect(payload.length).toBeLessThanOrEqual(125)
    const { code, reason } = parseClose(payload)
    expect(code).toBe(1008)
    expect(reason).toBe('é'.repeat(61))
  })

  it('read an empty close as 1005 and refuse codes a peer may not send', () => {
    expect(parseClose(new Uint8Array(0))).toEqual({ code: 1005, reason: '' })
    for (const code of [999, 1004, 1005, 1006, 1015, 2000, 5000]) expect(protocolError(() => parseClose(Uint8Array.of(code >> 8, code & 0xff))).code).toBe(1002)
    expect(protocolError(() => parseClose(Uint8Array.of(3, 232, 0xff))).code).toBe(1007)
    expect(protocolError(() => parseClose(Uint8Array.of(3))).code).toBe(1002)
  })
})
