// The TLS presentation-language wire codec: integers, length-prefixed vectors, and a bounds-checked reader.
import { TlsError } from '../errors.js'

/** Reads TLS wire structures; every overrun or leftover is a `decode_error`, never a RangeError. */
export class Reader {
  readonly #bytes: Uint8Array
  #offset = 0
  readonly #end: number

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.#bytes = bytes
    this.#offset = start
    this.#end = end
  }

  get remaining(): number {
    return this.#end - this.#offset
  }

  get position(): number {
    return this.#offset
  }

  #need(n: number, what: string): number {
    if (n > this.#end - this.#offset) throw new TlsError('decode_error', `truncated ${what}: need ${n} bytes, have ${this.#end - this.#offset}`)
    const at = this.#offset
    this.#offset += n
    return at
  }

  u8(what = 'uint8'): number {
    return this.#bytes[this.#need(1, what)]!
  }

  u16(what = 'uint16'): number {
    const at = this.#need(2, what)
    return (this.#bytes[at]! << 8) | this.#bytes[at + 1]!
  }

  u24(what = 'uint24'): number {
    const at = this.#need(3, what)
    return (this.#bytes[at]! << 16) | (this.#bytes[at + 1]! << 8) | this.#bytes[at + 2]!
  }

  u32(what = 'uint32'): number {
    const at = this.#need(4, what)
    return ((this.#bytes[at]! << 24) >>> 0) + ((this.#bytes[at + 1]! << 16) | (this.#bytes[at + 2]! << 8) | this.#bytes[at + 3]!)
  }

  /** `n` raw bytes, as a view (no copy). */
  bytesView(n: number, what = 'bytes'): Uint8Array {
    const at = this.#need(n, what)
    return this.#bytes.subarray(at, at + n)
  }

  /** `n` raw bytes, copied. */
  take(n: number, what = 'bytes'): Uint8Array {
    return this.bytesView(n, what).slice()
  }

  /** The rest of the input. */
  rest(): Uint8Array {
    return this.bytesView(this.remaining, 'rest')
  }

  /** opaque<min..2^8-1> */
  vec8(what = 'vector', min = 0): Uint8Array {
    return this.#checkedVector(this.u8(`${what} length`), what, min)
  }

  /** opaque<min..2^16-1> */
  vec16(what = 'vector', min = 0): Uint8Array {
    return this.#checkedVector(this.u16(`${what} length`), what, min)
  }

  /** opaque<min..2^24-1> */
  vec24(what = 'vector', min = 0): Uint8Array {
    return this.#checkedVector(this.u24(`${what} length`), what, min)
  }

  #checkedVector(length: number, what: string, min: number): Uint8Array {
    if (length < min) throw new TlsError('decode_error', `${what} is ${length} bytes, shorter than its minimum ${min}`)
    return this.take(length, what)
  }

  /** A sub-reader over a u8/u16/u24-prefixed block, which must be consumed by `fn` exactly. */
  block<T>(lengthBytes: 1 | 2 | 3, what: string, fn: (r: Reader) => T): T {
    const length = lengthBytes === 1 ? this.u8(`${what} length`) : lengthBytes === 2 ? this.u16(`${what} length`) : this.u24(`${what} length`)
    const at = this.#need(length, what)
    const sub = new Reader(this.#bytes, at, at + length)
    const result = fn(sub)
    sub.expectEnd(what)
    return result
  }

  /** Asserts that nothing is left over. */
  expectEnd(what = 'message'): void {
    if (this.#offset !== this.#end) throw new TlsError('decode_error', `${this.#end - this.#offset} trailing bytes after ${what}`)
  }
}

/** Builds TLS wire structures; lengths are checked against their prefix size when a block closes. */
export class Writer {
  #buf: Uint8Array
  #length = 0

  constructor(initialCapacity = 256) {
    this.#buf = new Uint8Array(initialCapacity)
  }

  #reserve(n: number): void {
    if (this.#length + n <= this.#buf.length) return
    let cap = this.#buf.length * 2
    while (cap < this.#length + n) cap *= 2
    const next = new Uint8Array(cap)
    next.set(this.#buf.subarray(0, this.#length))
    this.#buf = next
  }

  u8(v: number): this {
    this.#reserve(1)
    this.#buf[this.#length++] = v & 0xff
    return this
  }

  u16(v: number): this {
    this.#reserve(2)
    this.#buf[this.#length++] = (v >>> 8) & 0xff
    this.#buf[this.#length++] = v & 0xff
    return this
  }

  u24(v: number): this {
    this.#reserve(3)
    this.#buf[this.#length++] = (v >>> 16) & 0xff
    this.#buf[this.#length++] = (v >>> 8) & 0xff
    this.#buf[this.#length++] = v & 0xff
    return this
  }

  u32(v: number): this {
    this.#reserve(4)
    this.#buf[this.#length++] = (v >>> 24) & 0xff
    this.#buf[this.#length++] = (v >>> 16) & 0xff
    this.#buf[this.#length++] = (v >>> 8) & 0xff
    this.#buf[this.#length++] = v & 0xff
    return this
  }

  bytes(b: Uint8Array): this {
    this.#reserve(b.length)
    this.#buf.set(b, this.#length)
    this.#length += b.length
    return this
  }

  vec8(b: Uint8Array): this {
    return this.block(1, (w) => w.bytes(b))
  }

  vec16(b: Uint8Array): this {
    return this.block(2, (w) => w.bytes(b))
  }

  vec24(b: Uint8Array): this {
    return this.block(3, (w) => w.bytes(b))
  }

  /** Writes a length prefix of `lengthBytes` bytes, then whatever `fn` writes, then patches the length. */
  block(lengthBytes: 1 | 2 | 3, fn: (w: this) => void): this {
    this.#reserve(lengthBytes)
    const at = this.#length
    this.#length += lengthBytes
    fn(this)
    const n = this.#length - at - lengthBytes
    if (n >= 2 ** (8 * lengthBytes)) throw new TlsError('internal_error', `vector of ${n} bytes exceeds its ${lengthBytes}-byte length prefix`)
    for (let i = 0; i < lengthBytes; i++) this.#buf[at + i] = (n >>> (8 * (lengthBytes - 1 - i))) & 0xff
    return this
  }

  get size(): number {
    return this.#length
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#length)
  }
}
