// TLS 1.3 record protection (RFC 8446 5.2-5.4): TLSInnerPlaintext with padding, per-record nonce, the header as additional data.
import type { AeadName, CryptoProvider } from '../crypto/provider.js'
import { TlsError } from '../errors.js'
import {
  ContentType,
  contentTypeName,
  isContentType,
  MAX_TLS13_CIPHERTEXT,
  MAX_TLS13_INNER_PLAINTEXT,
  RECORD_HEADER_LENGTH,
  TLS12,
  writeRecordHeader,
} from './content.js'
import { AEAD_TAG_LENGTH, AeadProtection, type AeadProtectionOptions } from './aead-protection.js'
import { isPending, type MaybePromise } from '../pending.js'
import type { EarlyDataSkip, OpenedRecord } from './protection.js'
import { xorSequenceIntoIv } from './sequence.js'

/** AlertLevel.fatal (RFC 8446 6), the only level an unprotected alert may carry where one is accepted. */
const ALERT_LEVEL_FATAL = 2

/** How many zero bytes to pad a record of `type` carrying `length` content bytes with (RFC 8446 5.4). */
export type PaddingPolicy = (type: ContentType, length: number) => number

export interface Tls13ProtectionOptions extends AeadProtectionOptions {
  /** Record padding; none by default. Clamped so TLSInnerPlaintext stays within 2^14 + 1 bytes (or the record_size_limit). */
  padding?: PaddingPolicy
  /**
   * Accept an unprotected fatal alert until the first record opens under this key: the server's read key for
   * the client's handshake flight, since a client that refuses the ServerHello has no keys to protect its alert
   * with (OpenSSL's ENC_READ_STATE_ALLOW_PLAIN_ALERTS).
   */
  acceptPlaintextAlerts?: boolean
  /**
   * Discard records that fail to decrypt until the first one opens, within this budget: the server's read key for
   * the client's handshake flight when the client sent 0-RTT data we do not accept (RFC 8446 4.2.10).
   */
  earlyData?: EarlyDataSkip
}

/** TLS 1.3 sizes: TLSInnerPlaintext up to 2^14 + 1 (its content type included), the tag added to it. */
const TLS13_LIMITS = { plaintext: MAX_TLS13_INNER_PLAINTEXT, fragment: MAX_TLS13_CIPHERTEXT, expansion: AEAD_TAG_LENGTH, contentOverhead: 1 }

export class Tls13RecordProtection extends AeadProtection {
  readonly #iv: Uint8Array
  readonly #padding: PaddingPolicy | undefined
  readonly #acceptPlaintextAlerts: boolean
  readonly #earlyData: EarlyDataSkip | undefined
  /** The record header, which is also the additional data; rewritten per record. */
  readonly #header = new Uint8Array(RECORD_HEADER_LENGTH)
  /** Reused for every TLSInnerPlaintext sealed; grows to the largest record sent. */
  #innerBuffer = new Uint8Array(0)

  /** `key` and `iv` are the traffic key and IV of RFC 8446 7.3 (`iv` is 12 bytes). */
  constructor(provider: CryptoProvider, aeadName: AeadName, key: Uint8Array, iv: Uint8Array, options: Tls13ProtectionOptions = {}) {
    super(provider, aeadName, key, options, TLS13_LIMITS)
    if (iv.length !== this.nonce.length) throw new TlsError('internal_error', `TLS 1.3 ${aeadName} IV must be ${this.nonce.length} bytes`)
    this.#iv = iv.slice()
    this.#padding = options.padding
    this.#acceptPlaintextAlerts = options.acceptPlaintextAlerts ?? false
    this.#earlyData = options.earlyData
  }

  seal(type: ContentType, content: Uint8Array): MaybePromise<Uint8Array> {
    this.sequence.assertAvailable()
    if (content.length > this.maxContentLength) throw new TlsError('internal_error', `record content of ${content.length} bytes exceeds ${this.maxContentLength}`)
    const inner = this.#buildInnerPlaintext(type, content)
    writeRecordHeader(this.#header, 0, ContentType.application_data, TLS12, inner.length + AEAD_TAG_LENGTH)
    xorSequenceIntoIv(this.#iv, this.sequence, this.nonce)
    const record = this.encrypt(inner, this.#header, this.#header, RECORD_HEADER_LENGTH)
    this.sequence.advance()
    return record
  }

  open(type: ContentType, fragment: Uint8Array, header: Uint8Array): MaybePromise<OpenedRecord | undefined> {
    // RFC 8446 5: an unprotected change_cipher_spec may arrive during the handshake; the handshake decides.
    if (type === ContentType.change_cipher_spec) return { type, fragment }
    if (type === ContentType.alert && this.#acceptPlaintextAlerts && this.sequence.count === 0 && fragment.length === 2 && fragment[0] === ALERT_LEVEL_FATAL) {
      return { type, fragment }
    }
    if (type !== ContentType.application_data) {
      throw new TlsError('unexpected_message', `unprotected ${contentTypeName(type)} record after keys were established`)
    }
    this.checkPlaintextLength(fragment)
    this.sequence.assertAvailable()
    xorSequenceIntoIv(this.#iv, this.sequence, this.nonce)
    if (this.#earlyData !== undefined && this.sequence.count === 0) return this.#openOrSkip(fragment, header)
    const inner = this.decrypt(fragment, header)
    this.sequence.advance()
    return isPending(inner) ? inner.then(parseInnerPlaintext) : parseInnerPlaintext(inner)
  }

  /**
   * Before the first record opens, one that fails to is a rejected client's 0-RTT data: discarded within the
   * budget, and the sequence number stays where it is (RFC 8446 4.2.10).
   */
  #openOrSkip(fragment: Uint8Array, header: Uint8Array): MaybePromise<OpenedRecord | undefined> {
    const opened = (plaintext: Uint8Array | null): OpenedRecord | undefined => {
      if (plaintext === null) {
        if (this.#earlyData!.skip(RECORD_HEADER_LENGTH + fragment.length)) return undefined
        throw new TlsError('bad_record_mac', 'record failed authentication (past the 0-RTT data we discard)')
      }
      this.sequence.advance()
      return parseInnerPlaintext(plaintext)
    }
    const plaintext = this.tryDecrypt(fragment, header)
    return isPending(plaintext) ? plaintext.then(opened) : opened(plaintext)
  }

  /** TLSInnerPlaintext = content || ContentType || zeros, written into a buffer kept across records. */
  #buildInnerPlaintext(type: ContentType, content: Uint8Array): Uint8Array {
    const length = content.length + 1 + this.#paddingLength(type, content.length)
    if (this.#innerBuffer.length < length) this.#innerBuffer = new Uint8Array(length)
    const inner = this.#innerBuffer.subarray(0, length)
    inner.set(content)
    inner[content.length] = type
    inner.fill(0, content.length + 1)
    return inner
  }

  #paddingLength(type: ContentType, length: number): number {
    if (this.#padding === undefined) return 0
    const wanted = Math.floor(this.#padding(type, length))
    return wanted > 0 ? Math.min(wanted, this.plaintextLimit - 1 - length) : 0
  }
}

/** Strips the zero padding and the content type from a decrypted TLSInnerPlaintext (RFC 8446 5.4). */
function parseInnerPlaintext(inner: Uint8Array): OpenedRecord {
  if (inner.length > MAX_TLS13_INNER_PLAINTEXT) throw new TlsError('record_overflow', `TLSInnerPlaintext of ${inner.length} bytes exceeds 2^14 + 1`)
  let end = inner.length - 1
  while (end >= 0 && inner[end] === 0) end--
  if (end < 0) throw new TlsError('unexpected_message', 'TLSInnerPlaintext has no non-zero content type')
  const type = inner[end]!
  if (!isContentType(type)) throw new TlsError('unexpected_message', `protected record of unknown content type ${contentTypeName(type)}`)
  if (type === ContentType.change_cipher_spec) throw new TlsError('unexpected_message', 'protected change_cipher_spec record')
  return { type, fragment: inner.subarray(0, end) }
}
