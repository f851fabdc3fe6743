// What every AEAD record protection shares: the imported key, its sequence number, reused buffers and the RFC 8446 5.5 limits.
import type { AeadKey, AeadName, CryptoProvider } from '../crypto/provider.js'
import { TlsError } from '../errors.js'
import { isPending, type MaybePromise } from '../pending.js'
import { type ContentType, MIN_RECORD_SIZE_LIMIT } from './content.js'
import type { OpenedRecord, RecordProtection } from './protection.js'
import { SequenceNumber } from './sequence.js'

export const AEAD_TAG_LENGTH = 16

/**
 * RFC 8446 5.5: AES-GCM may protect at most 2^24.5 full-size records under one key; ChaCha20-Poly1305's
 * limit lies past 2^64, where the sequence number stops the key first.
 */
export function aeadConfidentialityLimit(aead: AeadName): number {
  return aead === 'CHACHA20-POLY1305' ? Infinity : Math.floor(2 ** 24.5)
}

export interface AeadProtectionOptions {
  /** The sequence number of the first record (default 0); lets tests start next to 2^64. */
  initialSequence?: bigint
}

/** A version's record sizes, in the terms of RFC 8449 4. */
export interface RecordSizes {
  /** The protocol's plaintext maximum: 2^14 + 1 for TLSInnerPlaintext (TLS 1.3), 2^14 for the fragment (TLS 1.2). */
  readonly plaintext: number
  /** The protocol's TLSCiphertext.length maximum: 2^14 + 256 (TLS 1.3), 2^14 + 2048 (TLS 1.2). */
  readonly fragment: number
  /** What protection adds to the plaintext: the tag, and TLS 1.2 AES-GCM's explicit nonce. */
  readonly expansion: number
  /** Plaintext bytes that are not content: the TLS 1.3 content type. */
  readonly contentOverhead: number
}

/** The common half of the TLS 1.2 and TLS 1.3 AEAD protections. */
export abstract class AeadProtection implements RecordProtection {
  readonly aeadName: AeadName
  readonly confidentialityLimit: number
  protected readonly key: AeadKey
  protected readonly sequence: SequenceNumber
  /** The per-record nonce, rewritten in place for each record. */
  protected readonly nonce: Uint8Array
  /**
   * The most plaintext per record as RFC 8449 counts it (TLSInnerPlaintext in TLS 1.3, the fragment in TLS 1.2):
   * the protocol's own limit until `limitRecordSize` lowers it.
   */
  protected plaintextLimit: number
  /** Whether a record_size_limit is in force. */
  #limited = false

  readonly #sizes: RecordSizes

  protected constructor(
    provider: CryptoProvider,
    aeadName: AeadName,
    key: Uint8Array,
    options: AeadProtectionOptions,
    sizes: RecordSizes,
  ) {
    this.#sizes = sizes
    const aead = provider.aead(aeadName)
    this.aeadName = aeadName
    this.key = aead.importKey(key)
    this.confidentialityLimit = aeadConfidentialityLimit(aeadName)
    this.sequence = new SequenceNumber(options.initialSequence)
    this.nonce = new Uint8Array(aead.nonceLength)
    this.plaintextLimit = sizes.plaintext
  }

  limitRecordSize(limit: number): void {
    if (!Number.isInteger(limit) || limit < MIN_RECORD_SIZE_LIMIT) throw new TlsError('internal_error', `record_size_limit ${limit} is not an integer of at least 64`)
    this.plaintextLimit = Math.min(limit, this.#sizes.plaintext)
    this.#limited = true
  }

  /** The protocol's ciphertext limit, or under a record_size_limit exactly what a record at that limit takes. */
  get maxFragmentLength(): number {
    return this.#limited ? this.plaintextLimit + this.#sizes.expansion : this.#sizes.fragment
  }

  get maxContentLength(): number {
    return this.plaintextLimit - this.#sizes.contentOverhead
  }

  /** record_overflow for a record whose plaintext (the fragment less the expansion) would exceed the limit in force. */
  protected checkPlaintextLength(fragment: Uint8Array): void {
    if (fragment.length > this.#sizes.fragment)
      throw new TlsError('record_overflow', `TLSCiphertext of ${fragment.length} bytes exceeds ${this.#sizes.fragment}`)
    // An AEAD's plaintext is exactly its ciphertext less the expansion: refuse an oversized one before decrypting it.
    const plaintext = fragment.length - this.#sizes.expansion
    if (plaintext > this.plaintextLimit) {
      const limit = this.#limited ? 'our record_size_limit' : 'the protocol limit'
      throw new TlsError('record_overflow', `record would decrypt to ${plaintext} bytes, over ${limit} of ${this.plaintextLimit}`)
    }
  }

  get recordsProtected(): number {
    return this.sequence.count
  }

  /** The sequence number the next record will use. */
  get nextSequenceNumber(): bigint {
    return this.sequence.value
  }

  abstract seal(type: ContentType, fragment: Uint8Array): MaybePromise<Uint8Array>
  abstract open(type: ContentType, fragment: Uint8Array, header: Uint8Array): MaybePromise<OpenedRecord | undefined>

  /** Decrypts and authenticates under the nonce the subclass just prepared, or fails with bad_record_mac (RFC 8446 5.2, RFC 5246 6.2.3.3). */
  protected decrypt(ciphertext: Uint8Array, additionalData: Uint8Array): MaybePromise<Uint8Array> {
    const plaintext = this.tryDecrypt(ciphertext, additionalData)
    return isPending(plaintext) ? plaintext.then(authenticated) : authenticated(plaintext)
  }

  /** The plaintext, or null when the record does not authenticate under this key. */
  protected tryDecrypt(ciphertext: Uint8Array, additionalData: Uint8Array): MaybePromise<Uint8Array | null> {
    return ciphertext.length < AEAD_TAG_LENGTH ? null : this.key.open(this.nonce, ciphertext, additionalData)
  }

  /**
   * Encrypts under the nonce the subclass just prepared and prepends the first `prefixLength` bytes of `prefix`
   * (header, explicit nonce). An asynchronous AEAD gets a copy of the prefix, which the next record rewrites.
   */
  protected encrypt(plaintext: Uint8Array, additionalData: Uint8Array, prefix: Uint8Array, prefixLength: number): MaybePromise<Uint8Array> {
    const sealed = this.key.seal(this.nonce, plaintext, additionalData)
    if (!isPending(sealed)) return join(prefix, prefixLength, sealed)
    const kept = prefix.slice(0, prefixLength)
    return sealed.then((bytes) => join(kept, prefixLength, bytes))
  }
}

function authenticated(plaintext: Uint8Array | null): Uint8Array {
  if (plaintext === null) throw new TlsError('bad_record_mac', 'record failed authentication')
  return plaintext
}

/** The record: the first `prefixLength` bytes of `prefix` (header, explicit nonce), then the sealed bytes. */
function join(prefix: Uint8Array, prefixLength: number, sealed: Uint8Array): Uint8Array {
  const record = new Uint8Array(prefixLength + sealed.length)
  record.set(prefix.subarray(0, prefixLength))
  record.set(sealed, prefixLength)
  return record
}
