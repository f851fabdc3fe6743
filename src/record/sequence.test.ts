// Tests of the 64-bit sequence number and the RFC 8446 5.3 per-record nonce.
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { SequenceNumber, xorSequenceIntoIv } from './sequence.js'

const tlsError = (alert: string) => expect.objectContaining({ name: 'TlsError', alert })

describe('SequenceNumber', () => {
  it('starts at 0, counts, and writes 8 bytes big-endian', () => {
    const s = new SequenceNumber()
    s.advance()
    s.advance()
    const out = new Uint8Array(10)
    s.writeTo(out, 1)
    expect(toHex(out)).toBe('00' + '0000000000000002' + '00')
    expect(s.value).toBe(2n)
    expect(s.count).toBe(2)
  })

  it('carries from the low 32 bits into the high 32 bits', () => {
    const s = new SequenceNumber(0xffffffffn)
    s.advance()
    expect(s.value).toBe(0x100000000n)
    const out = new Uint8Array(8)
    s.writeTo(out, 0)
    expect(toHex(out)).toBe('0000000100000000')
  })

  it('uses 2^64 - 1 once, then refuses before the number would repeat', () => {
    const s = new SequenceNumber(2n ** 64n - 2n)
    s.advance()
    expect(s.value).toBe(2n ** 64n - 1n)
    s.assertAvailable()
    s.advance()
    expect(() => s.assertAvailable()).toThrow(tlsError('internal_error'))
    expect(() => s.advance()).toThrow(expect.objectContaining({ code: 'ERR_TLS_SEQUENCE_EXHAUSTED' }))
  })

  it('refuses a start outside 0..2^64 - 1', () => {
    expect(() => new SequenceNumber(-1n)).toThrow(tlsError('internal_error'))
    expect(() => new SequenceNumber(2n ** 64n)).toThrow(tlsError('internal_error'))
  })
})

describe('xorSequenceIntoIv (RFC 8446 5.3)', () => {
  /** The RFC's words, computed independently: pad the sequence number to iv_length, then XOR with the IV. */
  function nonceByHand(iv: Uint8Array, sequence: bigint): string {
    const padded = new Uint8Array(iv.length)
    for (let i = 0; i < 8; i++) padded[iv.length - 1 - i] = Number((sequence >> BigInt(8 * i)) & 0xffn)
    return toHex(padded.map((b, i) => b ^ iv[i]!))
  }

  it('matches the definition for small, carrying and maximal sequence numbers', () => {
    const iv = fromHex('5d313eb2671276ee13000b30')
    const out = new Uint8Array(12)
    for (const n of [0n, 1n, 255n, 256n, 0xffffffffn, 0x123456789abcdef0n, 2n ** 64n - 1n]) {
      expect(toHex(xorSequenceIntoIv(iv, new SequenceNumber(n), out))).toBe(nonceByHand(iv, n))
    }
  })

  it('gives the RFC 8448 3 server handshake nonce for sequence 0 (the IV itself) and 1', () => {
    const iv = fromHex('5d313eb2671276ee13000b30')
    expect(toHex(xorSequenceIntoIv(iv, new SequenceNumber(0n), new Uint8Array(12)))).toBe('5d313eb2671276ee13000b30')
    expect(toHex(xorSequenceIntoIv(iv, new SequenceNumber(1n), new Uint8Array(12)))).toBe('5d313eb2671276ee13000b31')
  })
})
