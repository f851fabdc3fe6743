// Tests of handshake message reassembly: split across records, coalesced in one, size limits, pending bytes.
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { DEFAULT_MAX_HANDSHAKE_MESSAGE, HandshakeReassembler, type HandshakeMessage } from './handshake-reassembler.js'

const tlsError = (alert: string) => expect.objectContaining({ name: 'TlsError', alert })

function message(msgType: number, bodyLength: number): Uint8Array {
  const out = new Uint8Array(4 + bodyLength)
  out[0] = msgType
  out[1] = bodyLength >>> 16
  out[2] = (bodyLength >>> 8) & 0xff
  out[3] = bodyLength & 0xff
  for (let i = 0; i < bodyLength; i++) out[4 + i] = (i * 13 + msgType) & 0xff
  return out
}

function drain(r: HandshakeReassembler): HandshakeMessage[] {
  const out: HandshakeMessage[] = []
  for (let m = r.next(); m !== undefined; m = r.next()) out.push(m)
  return out
}

describe('HandshakeReassembler', () => {
  it('returns type, body and raw bytes of one message', () => {
    const r = new HandshakeReassembler()
    r.push(fromHex('14 000003 aabbcc'))
    const m = r.next()!
    expect(m.msgType).toBe(20)
    expect(toHex(m.body)).toBe('aabbcc')
    expect(toHex(m.raw)).toBe('14000003aabbcc')
    expect(r.next()).toBeUndefined()
    expect(r.hasPending).toBe(false)
  })

  it('returns a message with an empty body (ServerHelloDone)', () => {
    const r = new HandshakeReassembler()
    r.push(fromHex('0e 000000'))
    expect(r.next()).toEqual({ msgType: 14, body: new Uint8Array(0), raw: fromHex('0e000000') })
  })

  it('reassembles a message delivered one byte per record', () => {
    const whole = message(11, 5000)
    const r = new HandshakeReassembler()
    for (let i = 0; i < whole.length - 1; i++) {
      r.push(whole.subarray(i, i + 1))
      expect(r.next()).toBeUndefined()
      expect(r.hasPending).toBe(true)
    }
    r.push(whole.subarray(whole.length - 1))
    expect(toHex(r.next()!.raw)).toBe(toHex(whole))
    expect(r.hasPending).toBe(false)
  })

  it('splits many messages coalesced into one record, in order', () => {
    const messages = Array.from({ length: 50 }, (_, i) => message(i % 25, i * 3))
    const r = new HandshakeReassembler()
    r.push(new Uint8Array(messages.flatMap((m) => [...m])))
    expect(drain(r).map((m) => toHex(m.raw))).toEqual(messages.map(toHex))
  })

  it('handles messages straddling record boundaries at every split point', () => {
    const stream = new Uint8Array([...message(2, 7), ...message(8, 0), ...message(15, 3)])
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b++) {
        const r = new HandshakeReassembler()
        const got: string[] = []
        for (const part of [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)]) {
          r.push(part)
          got.push(...drain(r).map((m) => toHex(m.raw)))
        }
        expect(got).toEqual([toHex(message(2, 7)), toHex(message(8, 0)), toHex(message(15, 3))])
      }
    }
  })

  it('returns copies: later pushes do not change a delivered message', () => {
    const r = new HandshakeReassembler()
    const record = new Uint8Array([...message(1, 4), ...message(2, 4).subarray(0, 2)])
    r.push(record)
    const first = r.next()!
    const before = toHex(first.raw)
    record.fill(0)
    r.push(message(2, 4).subarray(2))
    r.push(new Uint8Array(1000))
    expect(toHex(first.raw)).toBe(before)
  })

  it('accepts exactly the 64 KiB default and refuses one byte more from the header alone', () => {
    const r = new HandshakeReassembler()
    r.push(message(1, DEFAULT_MAX_HANDSHAKE_MESSAGE))
    expect(r.next()!.body.length).toBe(DEFAULT_MAX_HANDSHAKE_MESSAGE)
    const over = new HandshakeReassembler()
    expect(() => over.push(message(1, DEFAULT_MAX_HANDSHAKE_MESSAGE + 1).subarray(0, 4))).toThrow(tlsError('illegal_parameter'))
  })

  it('applies a per-type limit, such as a larger one for Certificate', () => {
    const r = new HandshakeReassembler({ maxMessageSize: (type) => (type === 11 ? 200_000 : 100) })
    r.push(message(11, 150_000))
    expect(r.next()!.body.length).toBe(150_000)
    r.push(message(1, 100))
    expect(r.next()!.body.length).toBe(100)
    expect(() => r.push(message(1, 101))).toThrow(expect.objectContaining({ code: 'ERR_TLS_HANDSHAKE_MESSAGE_TOO_LARGE' }))
  })

  it('checks the limit of a message that follows a complete one in the same record', () => {
    const r = new HandshakeReassembler({ maxMessageSize: () => 10 })
    r.push(new Uint8Array([...message(1, 2), ...message(2, 11).subarray(0, 4)]))
    r.next()
    expect(() => r.next()).toThrow(tlsError('illegal_parameter'))
  })

  it('reports pending bytes for a partial header, a partial body, and an untaken whole message', () => {
    const r = new HandshakeReassembler()
    r.push(fromHex('14 00'))
    expect(r.hasPending).toBe(true)
    r.push(fromHex('0002 aa'))
    expect(r.pendingBytes).toBe(5)
    r.push(fromHex('bb'))
    expect(r.hasPending).toBe(true)
    r.next()
    expect(r.hasPending).toBe(false)
  })
})
