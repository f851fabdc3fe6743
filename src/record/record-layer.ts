// The record layer a Connection drives: bytes in, records out one at a time; data in, protected records out.
import { TlsError } from '../errors.js'
import { ContentType, MAX_PLAINTEXT } from './content.js'
import { RecordDeframer } from './deframer.js'
import { PlaintextProtection, type OpenedRecord, type RecordProtection } from './protection.js'
import { concatAll } from '../bytes.js'

export interface RecordLayerOptions {
  /** The largest content sent per record (default 2^14); see `setMaxSendFragment`. */
  maxSendFragment?: number
}

/**
 * Frames, protects and unprotects records; knows keys, never what the handshake means. Both
 * directions start with the plaintext protection. After a receive-side error the layer stays failed
 * (every later `nextRecord` throws the same error) while sending stays possible, for the alert.
 */
export class RecordLayer {
  private readonly deframer = new RecordDeframer()
  private readProtection: RecordProtection = new PlaintextProtection()
  private writeProtection: RecordProtection = new PlaintextProtection()
  private readonly outgoing: Uint8Array[] = []
  private outgoingBytes = 0
  private maxSendFragment = MAX_PLAINTEXT
  private failure: TlsError | undefined

  constructor(options: RecordLayerOptions = {}) {
    if (options.maxSendFragment !== undefined) this.setMaxSendFragment(options.maxSendFragment)
  }

  /** Queues bytes from the peer; they are held by reference until `nextRecord` returns undefined. */
  receive(bytes: Uint8Array): void {
    this.deframer.push(bytes)
  }

  /**
   * The next record, unprotected with the current read protection, or undefined when more bytes are
   * needed. Pull one record, act on it (perhaps changing the read protection), then pull the next.
   * A change_cipher_spec record is delivered only as the single byte 1.
   */
  nextRecord(): OpenedRecord | undefined {
    if (this.failure !== undefined) throw this.failure
    try {
      const raw = this.deframer.next()
      if (raw === undefined) return undefined
      const record = this.readProtection.open(raw.type, raw.fragment, raw.header)
      checkDeliveredRecord(record)
      return record
    } catch (error) {
      if (error instanceof TlsError) this.failure = error
      throw error
    }
  }

  /** Bytes received and not yet delivered in a record. */
  get bufferedInput(): number {
    return this.deframer.bufferedBytes
  }

  get currentReadProtection(): RecordProtection {
    return this.readProtection
  }

  get currentWriteProtection(): RecordProtection {
    return this.writeProtection
  }

  /** Installs the protection for records read from now on (its size limit applies to the next header). */
  setReadProtection(protection: RecordProtection): void {
    this.readProtection = protection
    this.deframer.maxFragmentLength = protection.maxFragmentLength
  }

  /** Installs the protection for records sent from now on; records already queued keep theirs. */
  setWriteProtection(protection: RecordProtection): void {
    this.writeProtection = protection
  }

  /**
   * The largest content per sent record, 1 to 2^14: the peer's record_size_limit (RFC 8449 4) as
   * plaintext bytes, so for TLS 1.3 the caller passes the limit minus one for the content type.
   */
  setMaxSendFragment(bytes: number): void {
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_PLAINTEXT) {
      throw new TlsError('internal_error', `record fragment limit ${bytes} is outside 1..2^14`)
    }
    this.maxSendFragment = bytes
  }

  /** Splits `data` into records of at most the fragment limit, sealed with the current write protection. */
  send(type: ContentType, data: Uint8Array): void {
    for (let at = 0; at < data.length; at += this.maxSendFragment) {
      const record = this.writeProtection.seal(type, data.subarray(at, at + this.maxSendFragment))
      this.outgoing.push(record)
      this.outgoingBytes += record.length
    }
  }

  /** Bytes waiting to go on the wire. */
  get outgoingLength(): number {
    return this.outgoingBytes
  }

  /** Everything queued for the wire, emptying the queue (an empty array when nothing is queued). */
  takeOutgoing(): Uint8Array {
    const records = this.outgoing.splice(0)
    this.outgoingBytes = 0
    return records.length === 1 ? records[0]! : concatAll(records)
  }
}

/** RFC 8446 5.1 rules that hold whatever the protection: no empty handshake or alert records; CCS is the byte 1. */
function checkDeliveredRecord({ type, fragment }: OpenedRecord): void {
  if (type === ContentType.handshake && fragment.length === 0) throw new TlsError('unexpected_message', 'zero-length handshake record')
  if (type === ContentType.alert && fragment.length === 0) throw new TlsError('decode_error', 'zero-length alert record')
  if (type === ContentType.change_cipher_spec && (fragment.length !== 1 || fragment[0] !== 1)) {
    throw new TlsError('unexpected_message', 'change_cipher_spec record is not the single byte 1')
  }
}
