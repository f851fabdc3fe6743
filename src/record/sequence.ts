// The 64-bit record sequence number of one direction and one key (RFC 8446 5.3, RFC 5246 6.1), refusing to wrap.
import { TlsError } from '../errors.js'

const TWO_32 = 2 ** 32
const LAST_SEQUENCE = 2n ** 64n - 1n

/** A per-key record counter kept as two 32-bit halves; `start` exists so tests can begin near the end. */
export class SequenceNumber {
  #high: number
  #low: number
  #exhausted = false

  constructor(start = 0n) {
    if (start < 0n || start > LAST_SEQUENCE) throw new TlsError('internal_error', `sequence number ${start} is out of range`)
    this.#high = Number(start >> 32n)
    this.#low = Number(start & 0xffffffffn)
  }

  /** The number the next record will use. */
  get value(): bigint {
    return (BigInt(this.#high) << 32n) | BigInt(this.#low)
  }

  /** How many records this key has protected (exact below 2^53, which no connection reaches). */
  get count(): number {
    return this.#high * TWO_32 + this.#low
  }

  /** Throws before a number would be used twice: after 2^64 - 1 the key must not protect another record. */
  assertAvailable(): void {
    if (this.#exhausted) throw new TlsError('internal_error', 'record sequence number would wrap; the key must be replaced', 'ERR_TLS_SEQUENCE_EXHAUSTED')
  }

  /** Writes the current number big-endian as 8 bytes at `offset`. */
  writeTo(out: Uint8Array, offset: number): void {
    writeU32(out, offset, this.#high)
    writeU32(out, offset + 4, this.#low)
  }

  /** Moves to the next number; the last one (2^64 - 1) leaves the counter exhausted. */
  advance(): void {
    this.assertAvailable()
    if (this.#low !== 0xffffffff) {
      this.#low++
    } else if (this.#high !== 0xffffffff) {
      this.#high++
      this.#low = 0
    } else {
      this.#exhausted = true
    }
  }
}

function writeU32(out: Uint8Array, offset: number, v: number): void {
  out[offset] = v >>> 24
  out[offset + 1] = (v >>> 16) & 0xff
  out[offset + 2] = (v >>> 8) & 0xff
  out[offset + 3] = v & 0xff
}

/**
 * The per-record nonce of RFC 8446 5.3 (also RFC 7905 for TLS 1.2 ChaCha20-Poly1305): the 64-bit
 * sequence number, left-padded to the IV length, XORed with the static IV. `out` is reused per record.
 */
export function xorSequenceIntoIv(iv: Uint8Array, sequence: SequenceNumber, out: Uint8Array): Uint8Array {
  const at = iv.length - 8
  out.set(iv)
  sequence.writeTo(out, at)
  for (let i = at; i < iv.length; i++) out[i] = out[i]! ^ iv[i]!
  return out
}
