// The shared byte helpers: toBytes over every BufferSource and strings, and the plain-ECMAScript UTF-8 against the platform's.
import fc from 'fast-check'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { type BytesLike, toBytes, utf8 } from './bytes.js'
import { TlsError } from './errors.js'

const eight = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)

describe('toBytes', () => {
  it('views every kind of BufferSource over the same memory, without copying', () => {
    const buffer = eight.slice().buffer
    const cases: [string, BytesLike, number[]][] = [
      ['ArrayBuffer', buffer, [1, 2, 3, 4, 5, 6, 7, 8]],
      ['Uint8Array subarray', new Uint8Array(buffer).subarray(2, 5), [3, 4, 5]],
      ['DataView with an offset', new DataView(buffer, 1, 3), [2, 3, 4]],
      ['Uint16Array', new Uint16Array(buffer, 2, 2), [3, 4, 5, 6]],
      ['Float64Array', new Float64Array(buffer), [1, 2, 3, 4, 5, 6, 7, 8]],
      ['BigInt64Array', new BigInt64Array(buffer), [1, 2, 3, 4, 5, 6, 7, 8]],
      ['Uint8ClampedArray', new Uint8ClampedArray(buffer, 6), [7, 8]],
      ['Int8Array', new Int8Array(buffer, 7, 1), [8]],
      ['Buffer', Buffer.from(buffer, 4, 2), [5, 6]],
    ]
    for (const [name, input, expected] of cases) {
      const bytes = toBytes(input, 'test')
      expect([...bytes], name).toEqual(expected)
      expect(bytes.buffer, name).toBe(buffer)
    }
  })

  it('takes a SharedArrayBuffer and views over one', () => {
    const shared = new SharedArrayBuffer(4)
    new Uint8Array(shared).set([9, 8, 7, 6])
    expect([...toBytes(shared, 'test')]).toEqual([9, 8, 7, 6])
    expect([...toBytes(new DataView(shared, 2), 'test')]).toEqual([7, 6])
  })

  it('takes buffers and views made in another realm (a frame, a worker, a vm context)', () => {
    const foreign = runInNewContext('({ buffer: new Uint8Array([1, 2, 3]).buffer, view: new Uint16Array([0x0201]) })') as {
      buffer: ArrayBuffer
      view: Uint16Array
    }
    expect(foreign.buffer instanceof ArrayBuffer).toBe(false)
    expect([...toBytes(foreign.buffer, 'test')]).toEqual([1, 2, 3])
    expect([...toBytes(foreign.view, 'test')]).toEqual([1, 2])
  })

  it('encodes strings as UTF-8', () => {
    expect([...toBytes('aé€😀', 'test')]).toEqual([0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80])
    expect(toBytes('', 'test').length).toBe(0)
  })

  it('refuses anything else with ERR_TLS_INVALID_ARGUMENT naming the argument and what it was', () => {
    const wrong: [unknown, RegExp][] = [
      [42, /write\(\) takes bytes .* not number/],
      [null, /not null/],
      [undefined, /not undefined/],
      [[1, 2, 3], /not an Array/],
      [{ length: 3 }, /not an Object/],
      [Object.create(null), /not an object/],
      [new Blob(['x']), /not a Blob/],
    ]
    for (const [value, message] of wrong) {
      let caught: unknown
      try {
        toBytes(value as string, 'write()')
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(TlsError)
      expect(caught).toMatchObject({ code: 'ERR_TLS_INVALID_ARGUMENT' })
      expect((caught as Error).message).toMatch(message)
    }
  })

  it('refuses a detached buffer with a typed error, not a TypeError', () => {
    const buffer = new ArrayBuffer(8)
    const view = new DataView(buffer, 2)
    structuredClone(buffer, { transfer: [buffer] })
    for (const detached of [buffer, view]) {
      expect(() => toBytes(detached, 'receive()')).toThrow(expect.objectContaining({ code: 'ERR_TLS_INVALID_ARGUMENT', message: expect.stringMatching(/detached/) }))
    }
  })
})

describe('utf8', () => {
  const encoder = new TextEncoder()
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
  const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  const strictly = (b: Uint8Array) => {
    try {
      return fatal.decode(b)
    } catch {
      return undefined
    }
  }

  it('encodes every string as TextEncoder does, lone surrogates included', () => {
    const units = fc.array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0xd800, 0xdbff, 0xdc00, 0xdfff, 0x7f, 0x80, 0x7ff, 0x800)), { maxLength: 64 })
    fc.assert(
      fc.property(units, (codes) => {
        const s = String.fromCharCode(...codes)
        expect([...utf8.encode(s)]).toEqual([...encoder.encode(s)])
      }),
      { numRuns: 2000 },
    )
    expect([...utf8.encode('\u{10ffff}\u{10000}')]).toEqual([...encoder.encode('\u{10ffff}\u{10000}')])
  })

  it('decodes every byte string as TextDecoder does: the same replacements, the same refusals when strict', () => {
    const interesting = fc.constantFrom(0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x9f, 0xa0, 0x8f, 0x90)
    const bytes = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), interesting), { maxLength: 48 })
    fc.assert(
      fc.property(bytes, (list) => {
        const b = Uint8Array.from(list)
        expect(utf8.decode(b)).toBe(decoder.decode(b))
        expect(utf8.decodeStrict(b)).toBe(strictly(b))
      }),
      { numRuns: 5000 },
    )
  })

  it('keeps a byte order mark, and a literal U+FFFD is well formed', () => {
    expect(utf8.decode(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61))).toBe('\ufeffa')
    expect(utf8.decodeStrict(utf8.encode('\ufffd'))).toBe('\ufffd')
    expect(utf8.decodeStrict(Uint8Array.of(0xc0, 0x80))).toBeUndefined()
  })

  it('round-trips long text (past the chunk size of the decoder)', () => {
    const text = 'päß €😀 '.repeat(5000)
    expect(utf8.decode(utf8.encode(text))).toBe(text)
  })
})
