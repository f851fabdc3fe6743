// The RecordProtection interface (one direction, one key) and the null protection of epoch 0.
import { TlsError } from '../errors.js'
import type { MaybePromise } from '../pending.js'
import { ContentType, MAX_PLAINTEXT, MAX_TLS13_CIPHERTEXT, RECORD_HEADER_LENGTH, TLS12, writeRecordHeader } from './content.js'

/** A record with its protection removed. */
export interface OpenedRecord {
  readonly type: ContentType
  readonly fragment: Uint8Array
}

/**
 * How records are protected in one direction under one key. An instance holds that key's sequence
 * number, so a connection uses one instance per direction and replaces it at every key change.
 */
export interface RecordProtection {
  /** The largest fragment (the record's length field) `open` accepts; the deframer enforces it. */
  readonly maxFragmentLength: number
  /** The most content bytes `seal` takes per record: 2^14, or less under the peer's record_size_limit. */
  readonly maxContentLength: number
  /** Records sealed or opened with this key so far. */
  readonly recordsProtected: number
  /** RFC 8446 5.5: records after which the key must be updated (Infinity when no limit applies). */
  readonly confidentialityLimit: number
  /**
   * The whole record, header included, carrying `fragment` (at most 2^14 bytes) as `type`; a promise of it when
   * the provider's AEAD answers asynchronously. The sequence number is taken at the call, so records sealed one
   * after another keep their order however their promises settle.
   */
  seal(type: ContentType, fragment: Uint8Array): MaybePromise<Uint8Array>
  /**
   * Removes the protection of one record; a TlsError (bad_record_mac, record_overflow, ...) when it cannot,
   * thrown or as the rejection of the promise an asynchronous AEAD makes; undefined for a record it discards
   * (rejected 0-RTT data, RFC 8446 4.2.10). Records are opened one at a time.
   */
  open(type: ContentType, fragment: Uint8Array, header: Uint8Array): MaybePromise<OpenedRecord | undefined>
  /**
   * Applies a record_size_limit (RFC 8449 4) to the records this protection seals or opens: their plaintext as the
   * RFC counts it (TLSInnerPlaintext in TLS 1.3, the fragment in TLS 1.2) stays within `limit`, which is clamped to
   * the protocol's own limit. Unprotected records are not subject to it: the plaintext protection ignores it.
   */
  limitRecordSize(limit: number): void
}

/**
 * How much of a client's 0-RTT data a server that does not accept it may discard (RFC 8446 4.2.10): the
 * record bytes skipped in all, counted across the records that fail to decrypt (or arrive encrypted before
 * the second ClientHello). Past it, the next such record is refused as usual.
 */
export class EarlyDataSkip {
  #skipped = 0
  constructor(readonly limit: number) {}

  /** Counts `bytes` more as skipped; false once that would pass the limit. */
  skip(bytes: number): boolean {
    if (this.#skipped + bytes > this.limit) return false
    this.#skipped += bytes
    return true
  }
}

/** The `plaintext` protection of the initial epoch: records carry TLSPlaintext as is (RFC 8446 5.1). */
export class PlaintextProtection implements RecordProtection {
  readonly maxContentLength = MAX_PLAINTEXT
  readonly recordsProtected = 0
  readonly confidentialityLimit = Infinity

  readonly #earlyData: EarlyDataSkip | undefined

  /**
   * `recordVersion` is what sealed records carry: 0x0303, or 0x0301 for an initial ClientHello (RFC 8446 5.1).
   * With `earlyData`, encrypted records (a rejected client's 0-RTT data, before its second ClientHello) are
   * discarded within that budget instead of refused.
   */
  constructor(
    readonly recordVersion: number = TLS12,
    earlyData?: EarlyDataSkip,
  ) {
    this.#earlyData = earlyData
  }

  /** 2^14; while skipping 0-RTT data, what a TLS 1.3 ciphertext may be (the early records are protected). */
  get maxFragmentLength(): number {
    return this.#earlyData ? MAX_TLS13_CIPHERTEXT : MAX_PLAINTEXT
  }

  seal(type: ContentType, fragment: Uint8Array): Uint8Array {
    if (type === ContentType.application_data) throw new TlsError('internal_error', 'application data must not be sent before keys are established')
    if (fragment.length > MAX_PLAINTEXT) throw new TlsError('internal_error', `record fragment of ${fragment.length} bytes exceeds 2^14`)
    const record = new Uint8Array(RECORD_HEADER_LENGTH + fragment.length)
    writeRecordHeader(record, 0, type, this.recordVersion, fragment.length)
    record.set(fragment, RECORD_HEADER_LENGTH)
    return record
  }

  open(type: ContentType, fragment: Uint8Array): OpenedRecord | undefined {
    if (type === ContentType.application_data) {
      if (this.#earlyData?.skip(RECORD_HEADER_LENGTH + fragment.length)) return undefined
      throw new TlsError('unexpected_message', 'unprotected application data record')
    }
    if (fragment.length > MAX_PLAINTEXT) throw new TlsError('record_overflow', `plaintext record of ${fragment.length} bytes exceeds 2^14`)
    return { type, fragment }
  }

  /** RFC 8449 4: records sent without protection are outside the limit. */
  limitRecordSize(): void {}
}
