// Tests of the wire codec: Reader bounds and vectors, Writer length prefixes, hex and constant-time helpers.
import { describe, expect, it } from 'vitest'
import { Reader, Writer } from './codec.js'
import { concat, constantTimeEqual, fromHex, toHex } from '../bytes.js'

/** Matches a thrown TlsError carrying `alert`. */
const tlsError = (alert: string) => expect.objectContaining({ name: 'TlsError', alert })

describe('Reader', () => {
  it('reads big-endian integers of every width', () => {
    const r = new Reader(fromHex('01 0203 040506 fffffffe'))
    expect(r.u8()).toBe(1)
    expect(r.u16()).toBe(0x0203)
    expect(r.u24()).toBe(0x040506)
    expect(r.u32()).toBe(0xfffffffe)
    expect(r.remaining).toBe(0)
    r.expectEnd()
  })

  it('refuses to read past the end with decode_error, at every width', () => {
    expect(() => new Reader(new Uint8Array(0)).u8()).toThrow(tlsError('decode_error'))
    expect(() => new Reader(new Uint8Array(1)).u16()).toThrow(tlsError('decode_error'))
    expect(() => new Reader(new Uint8Array(2)).u24()).toThrow(tlsError('decode_error'))
    expect(() => new Reader(new Uint8Array(3)).u32()).toThrow(tlsError('decode_error'))
    expect(() => new Reader(new Uint8Array(3)).take(4)).toThrow(tlsError('decode_error'))
  })

  it('honours start and end bounds of a window into a larger buffer', () => {
    const r = new Reader(fromHex('aa 0102 bb'), 1, 3)
    expect(r.u16()).toBe(0x0102)
    expect(() => r.u8()).toThrow(tlsError('decode_error'))
  })

  it('reads vectors at their exact length and refuses one byte short', () => {
    expect(toHex(new Reader(fromHex('02 abcd')).vec8())).toBe('abcd')
    expect(toHex(new Reader(fromHex('0001 ff')).vec16())).toBe('ff')
    expect(new Reader(fromHex('000000')).vec24().length).toBe(0)
    expect(() => new Reader(fromHex('03 abcd')).vec8()).toThrow(tlsError('decode_error'))
    expect(() => new Reader(fromHex('0002 ab')).vec16()).toThrow(tlsError('decode_error'))
  })

  it('enforces a vector minimum length', () => {
    expect(() => new Reader(fromHex('00')).vec8('names', 1)).toThrow(tlsError('decode_error'))
    expect(new Reader(fromHex('01 00')).vec8('names', 1).length).toBe(1)
  })

  it('copies with take and shares with bytesView', () => {
    const source = fromHex('010203')
    const taken = new Reader(source).take(2)
    const view = new Reader(source).bytesView(2)
    source[0] = 9
    expect(taken[0]).toBe(1)
    expect(view[0]).toBe(9)
  })

  it('requires a block to be consumed exactly', () => {
    expect(new Reader(fromHex('02 0102')).block(1, 'pair', (r) => r.u16())).toBe(0x0102)
    expect(() => new Reader(fromHex('03 010203')).block(1, 'pair', (r) => r.u16())).toThrow(tlsError('decode_error'))
    expect(() => new Reader(fromHex('01 01')).block(1, 'pair', (r) => r.u16())).toThrow(tlsError('decode_error'))
  })

  it('reports trailing bytes', () => {
    const r = new Reader(fromHex('0102'))
    r.u8()
    expect(() => r.expectEnd()).toThrow(tlsError('decode_error'))
    expect(r.rest().length).toBe(1)
  })
})

describe('Writer', () => {
  it('writes integers and grows past its initial capacity', () => {
    const w = new Writer(1)
    w.u8(1).u16(0x0203).u24(0x040506).u32(0xfffffffe)
    for (let i = 0; i < 100; i++) w.u8(i)
    const out = w.finish()
    expect(toHex(out.subarray(0, 10))).toBe('010203040506fffffffe')
    expect(out.length).toBe(110)
    expect(w.size).toBe(110)
  })

  it('patches length prefixes, nested', () => {
    const w = new Writer()
    w.block(2, (outer) => outer.vec8(fromHex('aabb')).vec24(fromHex('cc')))
    expect(toHex(w.finish())).toBe('0007' + '02aabb' + '000001cc')
  })

  it('accepts a vector of exactly 2^8 - 1 bytes and refuses 2^8 with internal_error', () => {
    expect(new Writer().vec8(new Uint8Array(255)).finish().length).toBe(256)
    expect(() => new Writer().vec8(new Uint8Array(256))).toThrow(tlsError('internal_error'))
  })

  it('round-trips through Reader', () => {
    const bytes = new Writer().u16(0x0303).vec16(fromHex('deadbeef')).finish()
    const r = new Reader(bytes)
    expect(r.u16()).toBe(0x0303)
    expect(toHex(r.vec16())).toBe('deadbeef')
    r.expectEnd()
  })
})

describe('helpers', () => {
  it('concat joins, including empty parts', () => {
    expect(toHex(concat(fromHex('01'), new Uint8Array(0), fromHex('0203')))).toBe('010203')
    expect(concat().length).toBe(0)
  })

  it('constantTimeEqual compares content and length', () => {
    expect(constantTimeEqual(fromHex('0102'), fromHex('0102'))).toBe(true)
    expect(constantTimeEqual(fromHex('0102'), fromHex('0103'))).toBe(false)
    expect(constantTimeEqual(fromHex('0102'), fromHex('01'))).toBe(false)
  })

  it('fromHex ignores spaces and colons and rejects odd or non-hex input', () => {
    expect(toHex(fromHex('0a:0B 0c'))).toBe('0a0b0c')
    expect(() => fromHex('abc')).toThrow()
    expect(() => fromHex('zz')).toThrow()
  })
})
