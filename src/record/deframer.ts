// Incremental record deframing (RFC 8446 5.1, RFC 5246 6.2.1): byte chunks of any size in, one validated record out at a time.
import { TlsError } from '../errors.js'
import { contentTypeName, isContentType, MAX_PLAINTEXT, RECORD_HEADER_LENGTH, type ContentType } from './content.js'

/** One record as framed on the wire, before its protection is removed. */
export interface RawRecord {
  readonly type: ContentType
  /** legacy_record_version as received. */
  readonly version: number
  /** The five header bytes as received (the additional data of TLS 1.3). */
  readonly header: Uint8Array
  /** TLSPlaintext.fragment or TLSCiphertext.encrypted_record. */
  readonly fragment: Uint8Array
}

/**
 * Splits a byte stream into records. `push` queues input by reference; `next` returns one record at
 * a time so the caller can change keys between two records that arrived in one chunk. Once `next`
 * returns undefined every byte pushed so far has been consumed or copied, so the caller may reuse
 * its chunks; what is copied is one incomplete record at most (its header is validated first, so a
 * bogus length is refused before anything is kept).
 */
export class RecordDeframer {
  /** The largest fragment the current read state accepts; the record layer sets it from the protection. */
  maxFragmentLength = MAX_PLAINTEXT

  /** Bytes of an incomplete record kept from earlier input; logically they precede `chunks`. */
  #kept: Uint8Array = new Uint8Array(0)
  #keptLength = 0
  /** Caller chunks not yet consumed; `chunkOffset` bytes of the first are already consumed. */
  readonly #chunks: Uint8Array[] = []
  #chunkOffset = 0
  #chunkBytes = 0
  #recordsFramed = 0

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    this.#chunks.push(chunk)
    this.#chunkBytes += chunk.length
  }

  /** Copies the input still held by reference, so the caller may reuse its chunks while records wait unread. */
  detach(): void {
    for (let i = 0; i < this.#chunks.length; i++) this.#chunks[i] = this.#chunks[i]!.slice(i === 0 ? this.#chunkOffset : 0)
    this.#chunkOffset = 0
  }

  /** Bytes received and not yet returned in a record. */
  get bufferedBytes(): number {
    return this.#keptLength + this.#chunkBytes
  }

  /** The next complete record, or undefined when more bytes are needed; a TlsError for a bad header. */
  next(): RawRecord | undefined {
    const available = this.bufferedBytes
    this.#checkHeaderPrefix(Math.min(available, RECORD_HEADER_LENGTH))
    if (available < RECORD_HEADER_LENGTH) return this.#keepRest(RECORD_HEADER_LENGTH)
    const length = (this.#byteAt(3) << 8) | this.#byteAt(4)
    if (length > this.maxFragmentLength) {
      throw new TlsError('record_overflow', `record of ${length} bytes exceeds the limit of ${this.maxFragmentLength} in this state`)
    }
    const total = RECORD_HEADER_LENGTH + length
    if (available < total) return this.#keepRest(total)
    const bytes = this.#take(total)
    this.#recordsFramed++
    return {
      type: bytes[0] as ContentType,
      version: (bytes[1]! << 8) | bytes[2]!,
      header: bytes.subarray(0, RECORD_HEADER_LENGTH),
      fragment: bytes.subarray(RECORD_HEADER_LENGTH),
    }
  }

  /** Validates as much of the header as has arrived, so garbage is refused without waiting for more. */
  #checkHeaderPrefix(present: number): void {
    if (present < 1) return
    const type = this.#byteAt(0)
    // An SSL 2.0 CLIENT-HELLO starts with a two-byte length whose top bit is set (RFC 6101 E.2, RFC 5246 E.2).
    if (this.#recordsFramed === 0 && (type & 0x80) !== 0) {
      throw new TlsError('protocol_version', 'SSL 2.0-style ClientHello refused')
    }
    if (!isContentType(type)) throw new TlsError('unexpected_message', `unknown record content type ${contentTypeName(type)}`)
    if (present < 2) return
    const major = this.#byteAt(1)
    if (major !== 3) throw new TlsError('protocol_version', `record version major byte ${major} is not 3`)
  }

  /** The byte at `index` of the buffered input. */
  #byteAt(index: number): number {
    if (index < this.#keptLength) return this.#kept[index]!
    let i = index - this.#keptLength + this.#chunkOffset
    for (const chunk of this.#chunks) {
      if (i < chunk.length) return chunk[i]!
      i -= chunk.length
    }
    throw new TlsError('internal_error', 'deframer read past its input')
  }

  /**
   * Removes the first `n` buffered bytes: a view into the caller's chunk when the record lies in one,
   * else the kept buffer (already sized for this record) completed from the chunks.
   */
  #take(n: number): Uint8Array {
    const first = this.#chunks[0]
    if (this.#keptLength === 0 && first !== undefined && first.length - this.#chunkOffset >= n) {
      const view = first.subarray(this.#chunkOffset, this.#chunkOffset + n)
      this.#consumeChunks(n)
      return view
    }
    const out = this.#ensureKeptCapacity(n)
    this.#copyChunksIntoKept(n - this.#keptLength)
    this.#kept = new Uint8Array(0)
    this.#keptLength = 0
    return out.subarray(0, n)
  }

  /** Copies every remaining chunk byte into the kept buffer (sized for `recordLength`) and reports "need more". */
  #keepRest(recordLength: number): undefined {
    if (this.#chunkBytes > 0) {
      this.#ensureKeptCapacity(recordLength)
      this.#copyChunksIntoKept(this.#chunkBytes)
    }
    return undefined
  }

  #ensureKeptCapacity(n: number): Uint8Array {
    if (this.#kept.length < n) {
      const grown = new Uint8Array(n)
      grown.set(this.#kept.subarray(0, this.#keptLength))
      this.#kept = grown
    }
    return this.#kept
  }

  /** Moves `n` bytes from the front of the chunk queue to the end of the kept buffer. */
  #copyChunksIntoKept(n: number): void {
    let left = n
    while (left > 0) {
      const chunk = this.#chunks[0]!
      const step = Math.min(left, chunk.length - this.#chunkOffset)
      this.#kept.set(chunk.subarray(this.#chunkOffset, this.#chunkOffset + step), this.#keptLength)
      this.#keptLength += step
      left -= step
      this.#consumeChunks(step)
    }
  }

  /** Drops `n` bytes from the front of the chunk queue. */
  #consumeChunks(n: number): void {
    this.#chunkBytes -= n
    let left = n
    while (left > 0) {
      const chunk = this.#chunks[0]!
      const inChunk = chunk.length - this.#chunkOffset
      if (left < inChunk) {
        this.#chunkOffset += left
        return
      }
      left -= inChunk
      this.#chunks.shift()
      this.#chunkOffset = 0
    }
  }
}
