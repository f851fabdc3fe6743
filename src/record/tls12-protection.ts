// TLS 1.2 AEAD record protection: RFC 5246 6.2.3.3 with the GCM nonce of RFC 5288 and the ChaCha20-Poly1305 nonce of RFC 7905.
import type { AeadName, CryptoProvider } from '../crypto/provider.js'
import { TlsError } from '../errors.js'
import { MAX_PLAINTEXT, MAX_TLS12_CIPHERTEXT, RECORD_HEADER_LENGTH, TLS12, versionName, writeRecordHeader, type ContentType } from './content.js'
import { AEAD_TAG_LENGTH, AeadProtection, type AeadProtectionOptions } from './aead-protection.js'
import { isPending, type MaybePromise } from '../pending.js'
import type { OpenedRecord } from './protection.js'
import { xorSequenceIntoIv } from './sequence.js'

/** GenericAEADCipher.nonce_explicit of RFC 5288 3: 8 bytes on the wire before the ciphertext. */
const EXPLICIT_NONCE_LENGTH = 8
/** GCMNonce.salt, the implicit part derived with the keys (RFC 5288 3). */
const GCM_SALT_LENGTH = 4
/** additional_data = seq_num (8) || type (1) || version (2) || length (2), RFC 5246 6.2.3.3. */
const ADDITIONAL_DATA_LENGTH = 13

export class Tls12RecordProtection extends AeadProtection {
  /** AES-GCM carries an explicit nonce; ChaCha20-Poly1305 derives it from the sequence number. */
  readonly #explicitNonceLength: number
  /** The 4-byte GCM salt or the 12-byte ChaCha20-Poly1305 IV. */
  readonly #iv: Uint8Array
  /** header (5) || nonce_explicit (0 or 8): the bytes before the ciphertext, rewritten per record. */
  readonly #prefix = new Uint8Array(RECORD_HEADER_LENGTH + EXPLICIT_NONCE_LENGTH)
  readonly #additionalData = new Uint8Array(ADDITIONAL_DATA_LENGTH)

  /** `iv` is the client/server_write_IV of RFC 5246 6.3: 4 bytes for AES-GCM, 12 for ChaCha20-Poly1305. */
  constructor(provider: CryptoProvider, aeadName: AeadName, key: Uint8Array, iv: Uint8Array, options: AeadProtectionOptions = {}) {
    const isGcm = aeadName !== 'CHACHA20-POLY1305'
    const explicitNonceLength = isGcm ? EXPLICIT_NONCE_LENGTH : 0
    // TLS 1.2 sizes: the fragment up to 2^14, with the explicit nonce and the tag added to it.
    super(provider, aeadName, key, options, {
      plaintext: MAX_PLAINTEXT,
      fragment: MAX_TLS12_CIPHERTEXT,
      expansion: explicitNonceLength + AEAD_TAG_LENGTH,
      contentOverhead: 0,
    })
    const ivLength = isGcm ? GCM_SALT_LENGTH : this.nonce.length
    if (iv.length !== ivLength) throw new TlsError('internal_error', `TLS 1.2 ${aeadName} IV must be ${ivLength} bytes`)
    this.#iv = iv.slice()
    this.#explicitNonceLength = explicitNonceLength
    if (isGcm) this.nonce.set(this.#iv)
  }

  seal(type: ContentType, fragment: Uint8Array): MaybePromise<Uint8Array> {
    this.sequence.assertAvailable()
    if (fragment.length > this.maxContentLength) throw new TlsError('internal_error', `record fragment of ${fragment.length} bytes exceeds ${this.maxContentLength}`)
    const prefixLength = RECORD_HEADER_LENGTH + this.#explicitNonceLength
    writeRecordHeader(this.#prefix, 0, type, TLS12, this.#explicitNonceLength + fragment.length + AEAD_TAG_LENGTH)
    // RFC 5288 3 lets the explicit nonce be the sequence number, which makes it unique per key.
    if (this.#explicitNonceLength > 0) this.sequence.writeTo(this.#prefix, RECORD_HEADER_LENGTH)
    this.#prepareNonce(this.#prefix.subarray(RECORD_HEADER_LENGTH, prefixLength))
    const record = this.encrypt(fragment, this.#prepareAdditionalData(type, TLS12, fragment.length), this.#prefix, prefixLength)
    this.sequence.advance()
    return record
  }

  open(type: ContentType, fragment: Uint8Array, header: Uint8Array): MaybePromise<OpenedRecord | undefined> {
    const version = (header[1]! << 8) | header[2]!
    if (version !== TLS12) throw new TlsError('protocol_version', `${versionName(version)} record in a TLS 1.2 connection`)
    this.checkPlaintextLength(fragment)
    if (fragment.length < this.#explicitNonceLength + AEAD_TAG_LENGTH) throw new TlsError('bad_record_mac', 'record too short for its AEAD')
    this.sequence.assertAvailable()
    this.#prepareNonce(fragment.subarray(0, this.#explicitNonceLength))
    const ciphertext = fragment.subarray(this.#explicitNonceLength)
    const plaintext = this.decrypt(ciphertext, this.#prepareAdditionalData(type, version, ciphertext.length - AEAD_TAG_LENGTH))
    this.sequence.advance()
    return isPending(plaintext) ? plaintext.then((bytes) => openedRecord(type, bytes)) : openedRecord(type, plaintext)
  }

  /** GCM: salt || nonce_explicit (RFC 5288 3). ChaCha20-Poly1305: IV XOR padded sequence number (RFC 7905 2). */
  #prepareNonce(explicitNonce: Uint8Array): void {
    if (this.#explicitNonceLength > 0) this.nonce.set(explicitNonce, GCM_SALT_LENGTH)
    else xorSequenceIntoIv(this.#iv, this.sequence, this.nonce)
  }

  #prepareAdditionalData(type: ContentType, version: number, plaintextLength: number): Uint8Array {
    this.sequence.writeTo(this.#additionalData, 0)
    writeRecordHeader(this.#additionalData, 8, type, version, plaintextLength)
    return this.#additionalData
  }
}

/** The decrypted record, refused when it is over 2^14 bytes (RFC 5246 6.2.3). */
function openedRecord(type: ContentType, fragment: Uint8Array): OpenedRecord {
  if (fragment.length > MAX_PLAINTEXT) throw new TlsError('record_overflow', `decrypted record of ${fragment.length} bytes exceeds 2^14`)
  return { type, fragment }
}
