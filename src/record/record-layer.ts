// The record layer a Connection drives: bytes in, records out one at a time; data in, protected records out.
import { TlsError } from '../errors.js'
import { ContentType, MAX_PLAINTEXT } from './content.js'
import { RecordDeframer } from './deframer.js'
import { PlaintextProtection, type OpenedRecord, type RecordProtection } from './protection.js'
import { concatAll } from '../bytes.js'
import { isPending } from '../pending.js'

export interface RecordLayerOptions {
  /** The largest content sent per record (default 2^14); see `setMaxSendFragment`. */
  maxSendFragment?: number
}

/** A record whose sealing is in flight (an asynchronous AEAD): its place in the outgoing queue is kept. */
interface SealingRecord {
  record: Uint8Array | undefined
}

/**
 * Frames, protects and unprotects records; knows keys, never what the handshake means. Both
 * directions start with the plaintext protection. After a receive-side error the layer stays failed
 * (every later `nextRecord` throws the same error) while sending stays possible, for the alert.
 * With an asynchronous AEAD, records are opened one at a time (the caller waits for each) and sealed
 * concurrently, each keeping its place in the outgoing queue.
 */
export class RecordLayer {
  readonly #deframer = new RecordDeframer()
  #readProtection: RecordProtection = new PlaintextProtection()
  #writeProtection: RecordProtection = new PlaintextProtection()
  readonly #outgoing: (Uint8Array | SealingRecord)[] = []
  #outgoingBytes = 0
  /** SealingRecord entries in `outgoing`, and how many of them are still being sealed. */
  #slots = 0
  #sealing = 0
  #maxSendFragment = MAX_PLAINTEXT
  /** record_size_limit (RFC 8449): the peer's, for what we send, and ours, for what we accept; none until negotiated. */
  #sendLimit: number | undefined
  #receiveLimit: number | undefined
  #failure: TlsError | undefined
  /** Called when a record sealed asynchronously is ready (or failed: then with its error). */
  onSealed: ((error?: unknown) => void) | undefined

  constructor(options: RecordLayerOptions = {}) {
    if (options.maxSendFragment !== undefined) this.setMaxSendFragment(options.maxSendFragment)
  }

  /** Queues bytes from the peer; they are held by reference until `nextRecord` returns undefined. */
  receive(bytes: Uint8Array): void {
    this.#deframer.push(bytes)
  }

  /**
   * The next record, unprotected with the current read protection, or undefined when more bytes are
   * needed; a promise of it when the AEAD answers asynchronously (wait for it before pulling the next).
   * Pull one record, act on it (perhaps changing the read protection), then pull the next.
   * A change_cipher_spec record is delivered only as the single byte 1.
   */
  nextRecord(): OpenedRecord | PromiseLike<OpenedRecord | undefined> | undefined {
    if (this.#failure !== undefined) throw this.#failure
    try {
      for (;;) {
        const raw = this.#deframer.next()
        if (raw === undefined) return undefined
        const record = this.#readProtection.open(raw.type, raw.fragment, raw.header)
        if (isPending(record)) return record.then((opened) => opened && checkDeliveredRecord(opened), (error: unknown) => this.#fail(error))
        // A record the protection discards (rejected 0-RTT data) is passed over.
        if (record !== undefined) return checkDeliveredRecord(record)
      }
    } catch (error) {
      return this.#fail(error)
    }
  }

  #fail(error: unknown): never {
    if (error instanceof TlsError) this.#failure = error
    throw error
  }

  /** Copies what is held by reference: records are left unread (a provider operation is in flight) and the caller may reuse its buffers. */
  detachInput(): void {
    this.#deframer.detach()
  }

  /** Bytes received and not yet delivered in a record. */
  get bufferedInput(): number {
    return this.#deframer.bufferedBytes
  }

  get currentReadProtection(): RecordProtection {
    return this.#readProtection
  }

  get currentWriteProtection(): RecordProtection {
    return this.#writeProtection
  }

  /** Installs the protection for records read from now on (its size limit applies to the next header). */
  setReadProtection(protection: RecordProtection): void {
    if (this.#receiveLimit !== undefined) protection.limitRecordSize(this.#receiveLimit)
    this.#readProtection = protection
    this.#deframer.maxFragmentLength = protection.maxFragmentLength
  }

  /** Installs the protection for records sent from now on; records already queued keep theirs. */
  setWriteProtection(protection: RecordProtection): void {
    if (this.#sendLimit !== undefined) protection.limitRecordSize(this.#sendLimit)
    this.#writeProtection = protection
  }

  /**
   * The record_size_limits a handshake negotiated (RFC 8449 4): `send` the peer's (our protected records carry at
   * most that much plaintext), `receive` ours (a protected record from the peer with more is record_overflow).
   * They apply to the protections in place (from their next record) and to every protection installed later;
   * unprotected records are not subject to them.
   */
  setRecordSizeLimits(limits: { readonly send?: number; readonly receive?: number }): void {
    this.#sendLimit = limits.send
    this.#receiveLimit = limits.receive
    if (limits.send !== undefined) this.#writeProtection.limitRecordSize(limits.send)
    if (limits.receive !== undefined) this.setReadProtection(this.#readProtection)
  }

  /**
   * The largest content per sent record, 1 to 2^14, whatever the protection (the peer's record_size_limit is
   * `setRecordSizeLimits`' business: it applies to protected records only, and counts the TLS 1.3 content type).
   */
  setMaxSendFragment(bytes: number): void {
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_PLAINTEXT) {
      throw new TlsError('internal_error', `record fragment limit ${bytes} is outside 1..2^14`)
    }
    this.#maxSendFragment = bytes
  }

  /** Splits `data` into records of at most the fragment limit (and the peer's record_size_limit), sealed with the current write protection. */
  send(type: ContentType, data: Uint8Array): void {
    const fragment = Math.min(this.#maxSendFragment, this.#writeProtection.maxContentLength)
    for (let at = 0; at < data.length; at += fragment) {
      const record = this.#writeProtection.seal(type, data.subarray(at, at + fragment))
      if (isPending(record)) this.#queueSealing(record)
      else {
        this.#outgoing.push(record)
        this.#outgoingBytes += record.length
      }
    }
  }

  /** Holds the record's place in the queue until its sealing settles. */
  #queueSealing(record: PromiseLike<Uint8Array>): void {
    const slot: SealingRecord = { record: undefined }
    this.#outgoing.push(slot)
    this.#slots++
    this.#sealing++
    record.then(
      (sealed) => {
        slot.record = sealed
        this.#sealing--
        this.onSealed?.()
      },
      (error: unknown) => {
        // The connection fails on this error; the slot goes out empty, the alert after it.
        slot.record = new Uint8Array(0)
        this.#sealing--
        this.onSealed?.(error)
      },
    )
  }

  /** Records still being sealed by an asynchronous AEAD. */
  get recordsSealing(): number {
    return this.#sealing
  }

  /** Bytes ready for the wire (records still being sealed, and those after them, not counted). */
  get outgoingLength(): number {
    return this.#outgoingBytes
  }

  /**
   * What is ready for the wire, in order, emptying that part of the queue (an empty array when nothing is):
   * a record still being sealed holds back itself and everything queued after it.
   */
  takeOutgoing(): Uint8Array {
    if (this.#slots === 0) {
      const records = this.#outgoing.splice(0) as Uint8Array[]
      this.#outgoingBytes = 0
      return records.length === 1 ? records[0]! : concatAll(records)
    }
    const ready: Uint8Array[] = []
    for (const entry of this.#outgoing) {
      const record = entry instanceof Uint8Array ? entry : entry.record
      if (record === undefined) break
      ready.push(record)
      if (!(entry instanceof Uint8Array)) this.#slots--
    }
    this.#outgoing.splice(0, ready.length)
    this.#outgoingBytes = 0
    for (const entry of this.#outgoing) if (entry instanceof Uint8Array) this.#outgoingBytes += entry.length
    return concatAll(ready)
  }
}

/** RFC 8446 5.1 rules that hold whatever the protection: no empty handshake or alert records; CCS is the byte 1. */
function checkDeliveredRecord(record: OpenedRecord): OpenedRecord {
  const { type, fragment } = record
  if (type === ContentType.handshake && fragment.length === 0) throw new TlsError('unexpected_message', 'zero-length handshake record')
  // OpenSSL answers an empty alert record the same way.
  if (type === ContentType.alert && fragment.length === 0) throw new TlsError('unexpected_message', 'zero-length alert record')
  if (type === ContentType.change_cipher_spec && (fragment.length !== 1 || fragment[0] !== 1)) {
    throw new TlsError('unexpected_message', 'change_cipher_spec record is not the single byte 1')
  }
  return record
}
