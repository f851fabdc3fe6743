// The handshake transcript: a running hash over the raw handshake messages, forkable, with HelloRetryRequest's message_hash.
import { concat } from '../bytes.js'
import { encodeMessageHash } from './messages/message-hash.js'
import type { CryptoProvider, HashName, HashState } from '../crypto/provider.js'
import { TlsError } from '../errors.js'

/**
 * The transcript of handshake messages (each one header + body, exactly as on the wire).
 *
 * The hash may be unknown when the first messages go by (a client sends its ClientHello before the
 * server picks the suite): until `setHash` is called the messages are only kept, then they are hashed.
 * The raw messages are kept throughout, because a TLS 1.2 CertificateVerify signs them, not their hash.
 */
export class Transcript {
  readonly #provider: CryptoProvider
  /** The chosen hash and its running state; undefined while messages are only buffered. */
  #hashed: { readonly name: HashName; readonly state: HashState } | undefined
  #messages: Uint8Array[]

  constructor(provider: CryptoProvider, hash?: HashName) {
    this.#provider = provider
    this.#messages = []
    if (hash !== undefined) this.setHash(hash)
  }

  /** The transcript hash's name, once chosen. */
  get hashAlgorithm(): HashName | undefined {
    return this.#hashed?.name
  }

  /** How many messages the transcript holds (a message_hash counts as one). */
  get messageCount(): number {
    return this.#messages.length
  }

  /** Chooses the hash (the negotiated suite's) and hashes everything buffered so far; choosing it again is an error. */
  setHash(hash: HashName): void {
    if (this.#hashed !== undefined) {
      if (this.#hashed.name === hash) return
      throw new TlsError('internal_error', `transcript hash is already ${this.#hashed.name}, cannot switch to ${hash}`)
    }
    this.#hashed = { name: hash, state: this.#hashOf(hash, this.#messages) }
  }

  /** Adds one complete handshake message. */
  update(message: Uint8Array): this {
    const copy = message.slice()
    this.#messages.push(copy)
    this.#hashed?.state.update(copy)
    return this
  }

  /** Transcript-Hash of the messages so far (the transcript stays usable). */
  hash(): Uint8Array {
    return this.#requireHash('hash').state.digest()
  }

  /** The raw messages so far, concatenated (what a TLS 1.2 CertificateVerify signs). */
  bytes(): Uint8Array {
    return concat(...this.#messages)
  }

  /** An independent copy: updates to one do not reach the other. */
  fork(): Transcript {
    const copy = new Transcript(this.#provider)
    if (this.#hashed !== undefined) copy.#hashed = { name: this.#hashed.name, state: this.#hashed.state.clone() }
    copy.#messages = [...this.#messages]
    return copy
  }

  /**
   * RFC 8446 4.4.1: on a HelloRetryRequest, ClientHello1 is replaced by message_hash(Hash(ClientHello1)).
   * Call it when the transcript holds ClientHello1 alone, before the HelloRetryRequest is added.
   */
  replaceWithMessageHash(): void {
    const { name, state } = this.#requireHash('replaceWithMessageHash')
    if (this.#messages.length !== 1) {
      throw new TlsError('internal_error', `message_hash replaces ClientHello1 alone, but the transcript holds ${this.#messages.length} messages`)
    }
    const synthetic = encodeMessageHash(state.digest())
    this.#messages = [synthetic]
    this.#hashed = { name, state: this.#hashOf(name, this.#messages) }
  }

  #hashOf(hash: HashName, messages: readonly Uint8Array[]): HashState {
    const state = this.#provider.hash(hash).create()
    for (const message of messages) state.update(message)
    return state
  }

  #requireHash(operation: string): { readonly name: HashName; readonly state: HashState } {
    if (this.#hashed === undefined) throw new TlsError('internal_error', `transcript ${operation} before the hash was chosen`)
    return this.#hashed
  }
}
