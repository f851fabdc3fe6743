// The sans-I/O Connection: bytes in, bytes out, application data both ways; it owns no socket and no timer.
import { AlertDescription, TlsAlertReceivedError, TlsError } from '../errors.js'
import { LIMITS, TLS13, type TlsVersion } from '../policy/defaults.js'
import { decodeAlert, encodeAlert, AlertLevel } from '../record/alert.js'
import { ContentType, MAX_PLAINTEXT } from '../record/content.js'
import { HANDSHAKE_HEADER_LENGTH, HandshakeReassembler } from '../record/handshake-reassembler.js'
import type { RecordProtection } from '../record/protection.js'
import { RecordLayer } from '../record/record-layer.js'
import { type BytesLike, concat, concatAll, toBytes } from '../bytes.js'
import { isPending, type Waiting } from '../pending.js'
import { clientHandshake } from './client.js'
import type { HandshakeMessageIn, Step, StepResult } from './flow.js'
import { maxHandshakeBodySize } from './messages/limits.js'
import { handshakeTypeName } from './registry.js'
import { serverHandshake } from './server.js'
import { cachedTicket } from './session-cache.js'
import { encodeSession } from './session-export.js'
import type { ConnectionInfo, Established, HandshakeConfig, HandshakeSession, SessionTicketInfo, StoredTicket } from './session.js'

/**
 * Where a Connection is in its life: 'handshaking' until the handshake completes, then 'open'; 'closed' once
 * close_notify went both ways (RFC 8446 §6.1); 'failed' once an error ended it (see `error`).
 */
export type ConnectionState = 'handshaking' | 'open' | 'closed' | 'failed'

/** The one ChangeCipherSpec input the TLS 1.2 state machines see (it carries nothing). */
const CHANGE_CIPHER_SPEC = { kind: 'change_cipher_spec' } as const

function rethrow(error: unknown): never {
  throw error
}

/** Someone waiting in `settled()`. */
interface SettledWaiter {
  resolve(): void
  reject(error: TlsError): void
}

/**
 * A TLS connection without I/O (rustls' Connection, Python's SSLObject): feed it what arrived with
 * `receive`, put `takeOutgoing()` on the wire, exchange application data with `write` and `read`.
 *
 * With a synchronous provider (the default) each call does all the work it causes before it returns. With an
 * asynchronous one, work stops at the first provider operation still in flight (`busy`); what arrives meanwhile
 * waits in order, and when the operation settles the connection carries on by itself, then calls `onProgress`
 * and resolves `settled()`.
 */
export class Connection {
  /** Which side of the handshake this connection plays: made by context.client() or context.server(). */
  readonly role: 'client' | 'server'
  /** Replaced once on a server whose SNI selects another context's configuration. */
  #config: HandshakeConfig
  /** TypeScript-private, not `#`: tests reach the record layer to forge records and to watch key updates. */
  private readonly records: RecordLayer
  readonly #reassembler: HandshakeReassembler
  #handshake: Step | undefined
  #established: Established | undefined
  #version: TlsVersion | undefined
  readonly #received: Uint8Array[] = []
  #receivedBytes = 0
  readonly #pendingWrites: Uint8Array[] = []
  /** Handshake messages of the flight being written: sent together, in as few records as fit (RFC 8446 5.1). */
  readonly #flight: Uint8Array[] = []
  #failure: TlsError | undefined
  #sentCloseNotify = false
  #receivedCloseNotify = false
  #nonDataInARow = 0
  /** Post-handshake messages completed by the last handshake record. */
  #messagesInRecord = 0
  /** The provider operation the connection waits on before it processes anything else. */
  #inFlight: PromiseLike<unknown> | undefined
  readonly #settledWaiters: SettledWaiter[] = []
  #exportedSession: { readonly ticket: StoredTicket; readonly bytes: Uint8Array } | undefined

  /**
   * Starts the handshake (a client's first flight is ready in takeOutgoing() at once).
   * @internal Connections are made by a TlsContext, with `context.client()` or `context.server()`.
   */
  constructor(role: 'client' | 'server', config: HandshakeConfig) {
    this.role = role
    this.#config = config
    this.records = new RecordLayer()
    this.records.onSealed = (error) => this.#recordSealed(error)
    this.#reassembler = new HandshakeReassembler({
      maxMessageSize: maxHandshakeBodySize,
    })
    const session = this.#handshakeSession()
    this.#handshake = role === 'client' ? clientHandshake(session) : serverHandshake(session)
    this.#guard(() => {
      this.#follow(this.#handshake!.next())
      this.#sendFlight()
    })
  }

  /** True once the handshake has finished and application data can flow both ways. */
  get handshakeComplete(): boolean {
    return this.#established !== undefined
  }

  /** What was negotiated and verified; undefined until the handshake completes. */
  get info(): ConnectionInfo | undefined {
    return this.#established?.info
  }

  /** The connection's state: handshaking, open, closed (close_notify sent and received) or failed (see ConnectionState). */
  get state(): ConnectionState {
    if (this.#failure) return 'failed'
    if (this.#sentCloseNotify && this.#receivedCloseNotify) return 'closed'
    return this.#established ? 'open' : 'handshaking'
  }

  /** The error that ended the connection, if one did. */
  get error(): TlsError | undefined {
    return this.#failure
  }

  /** The peer sent close_notify: no more application data will arrive. */
  get peerClosed(): boolean {
    return this.#receivedCloseNotify
  }

  /** Bytes of application data received and not yet taken by `read()`. */
  get bufferedPlaintext(): number {
    return this.#receivedBytes
  }

  /**
   * True while an operation of an asynchronous provider is in flight. Bytes received and data written
   * meanwhile wait, in order; `onProgress` is called and `settled()` resolves when the work is done.
   * Always false with a synchronous provider (the default): everything happens inside the call that caused it.
   */
  get busy(): boolean {
    return this.#inFlight !== undefined || this.records.recordsSealing > 0
  }

  /**
   * Called (never from inside `receive`, `write` or `close`) each time asynchronous provider work completes:
   * outgoing bytes, plaintext, `handshakeComplete` or `error` may have changed. Never called with a
   * synchronous provider.
   */
  onProgress: (() => void) | undefined = undefined

  /**
   * Resolves once no provider operation is in flight, so that `takeOutgoing()`, `read()` and the state are
   * current; at once with a synchronous provider. Rejects with the TlsError that ended the connection (once
   * its alert is ready in `takeOutgoing()`).
   */
  settled(): Promise<void> {
    if (!this.busy) return this.#failure ? Promise.reject(this.#failure) : Promise.resolve()
    return new Promise((resolve, reject) => this.#settledWaiters.push({ resolve, reject }))
  }

  /**
   * Feeds bytes from the network (any binary input, or a string as UTF-8; the caller may reuse its buffer once this returns).
   * Throws the TlsError that ended the connection (its alert is queued to send). While `busy`, the bytes
   * wait and are processed in order once the provider operation in flight settles.
   */
  receive(data: BytesLike): void {
    if (this.#failure) throw this.#failure
    const bytes = toBytes(data, 'receive()')
    // RFC 8446 6.1: whatever follows the peer's close_notify is ignored.
    if (this.#receivedCloseNotify) return
    if (this.#inFlight !== undefined) return this.records.receive(bytes.slice())
    this.records.receive(bytes)
    this.#guard(() => this.#processInput())
    // Processing stopped at a provider operation: what is left of the caller's buffer must outlive this call.
    if (this.#inFlight !== undefined) this.records.detachInput()
  }

  /** Bytes to put on the wire (possibly empty). */
  takeOutgoing(): Uint8Array {
    return this.records.takeOutgoing()
  }

  /**
   * Queues application data (binary, or a string sent as UTF-8); before the handshake completes it is held
   * and sent right after, in order.
   */
  write(data: BytesLike): void {
    if (this.#failure) throw this.#failure
    if (this.#sentCloseNotify) throw new TlsError('internal_error', 'write after close()', 'ERR_TLS_WRITE_AFTER_CLOSE')
    const bytes = toBytes(data, 'write()')
    if (bytes.length === 0) return
    if (!this.#established) {
      this.#pendingWrites.push(bytes.slice())
      return
    }
    this.#guard(() => this.#sendApplicationData(bytes))
  }

  /**
   * Sends in slices of at most 64 records, and in TLS 1.3 updates our keys before the AEAD's
   * confidentiality limit (RFC 8446 5.5) is reached; TLS 1.2 has no way to rekey.
   */
  #sendApplicationData(data: Uint8Array): void {
    const slice = 64 * MAX_PLAINTEXT
    for (let at = 0; at < data.length; at += slice) {
      const protection = this.records.currentWriteProtection
      if (this.#version === TLS13 && protection.recordsProtected + 64 >= protection.confidentialityLimit) this.#established!.updateKeys(false)
      this.records.send(ContentType.application_data, data.subarray(at, at + slice))
    }
  }

  /** Application data received so far (and not read before). */
  read(): Uint8Array {
    const out = this.#received.length === 1 ? this.#received[0]! : concatAll(this.#received)
    this.#received.length = 0
    this.#receivedBytes = 0
    return out
  }

  /**
   * Sends close_notify; reading stays possible until the peer's close_notify arrives. During the handshake
   * it is sent once the handshake completes, after the data already written.
   */
  close(): void {
    if (this.#sentCloseNotify || this.#failure) return
    this.#sentCloseNotify = true
    if (this.#established) this.#sendCloseNotify()
  }

  #sendCloseNotify(): void {
    this.records.send(ContentType.alert, encodeAlert(AlertLevel.warning, AlertDescription.close_notify))
  }

  /** TLS 1.3 KeyUpdate (RFC 8446 4.6.3); `requestPeerUpdate` asks the peer to update its keys too. */
  updateKeys(requestPeerUpdate = true): void {
    if (this.#failure) throw this.#failure
    if (!this.#established) throw new TlsError('internal_error', 'updateKeys() before the handshake completed', 'ERR_TLS_NOT_READY')
    // A misuse, not a protocol failure: the connection stays sound.
    if (this.#version !== TLS13) throw new TlsError('internal_error', 'KeyUpdate exists only in TLS 1.3', 'ERR_TLS_KEY_UPDATE_TLS12')
    if (this.#sentCloseNotify) throw new TlsError('internal_error', 'updateKeys() after close()', 'ERR_TLS_WRITE_AFTER_CLOSE')
    const established = this.#established
    this.#guard(() => established.updateKeys(requestPeerUpdate))
  }

  /**
   * TLS 1.3 server: asks the client for its certificate after the handshake (RFC 8446 4.6.2), which only a client that
   * offered post_handshake_auth allows, and only with a verifier (verifyMode 'optional' or 'required'). One request at a
   * time. Resolves with the new `info` (peerCertificates, peerVerified, signatureScheme of the answer) once the client's
   * Certificate, CertificateVerify and Finished are checked; under 'required' an empty answer ends the connection with
   * certificate_required. Rejects with the TlsError that ends the connection first, or when the client closes before
   * answering. A misuse throws at once and leaves the connection as it was.
   */
  requestClientCertificate(): Promise<ConnectionInfo> {
    if (this.#failure) throw this.#failure
    if (this.role !== 'server') throw new TlsError('internal_error', 'requestClientCertificate() is for servers', 'ERR_TLS_NOT_SERVER')
    if (!this.#established) throw new TlsError('internal_error', 'requestClientCertificate() before the handshake completed', 'ERR_TLS_NOT_READY')
    if (this.#sentCloseNotify) throw new TlsError('internal_error', 'requestClientCertificate() after close()', 'ERR_TLS_WRITE_AFTER_CLOSE')
    if (this.#receivedCloseNotify) throw new TlsError('internal_error', 'the client has closed: it can no longer answer', 'ERR_TLS_PEER_CLOSED')
    if (!this.#established.requestClientCertificate)
      throw new TlsError('internal_error', 'post-handshake authentication exists only in TLS 1.3', 'ERR_TLS_POST_HANDSHAKE_AUTH_TLS12')
    const authenticated = this.#established.requestClientCertificate()
    this.#guard(() => this.#sendFlight())
    return authenticated
  }

  /** Keying material exporter: RFC 8446 section 7.5 for TLS 1.3, RFC 5705 for TLS 1.2. */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    if (this.#failure) throw this.#failure
    if (!this.#established) throw new TlsError('internal_error', 'exportKeyingMaterial() before the handshake completed', 'ERR_TLS_NOT_READY')
    return this.#established.exportKeyingMaterial(label, context, length)
  }

  /**
   * The newest session this client can resume, as bytes to pass back as `context.client({ session })` (node's
   * getSession()); undefined until the server sent a ticket. The bytes hold the resumption secret: keep them secret.
   */
  get session(): Uint8Array | undefined {
    const established = this.#established
    const newest = established?.tickets[established.tickets.length - 1]
    if (!newest) return undefined
    // The same bytes until a newer ticket arrives: a caller can tell a new session from the one it already has.
    if (this.#exportedSession?.ticket !== newest) this.#exportedSession = { ticket: newest, bytes: encodeSession(cachedTicket(newest, established.info)) }
    return this.#exportedSession.bytes
  }

  /** Session tickets the server sent (kept for a later resumption; never an error). */
  get tickets(): readonly SessionTicketInfo[] {
    return (this.#established?.tickets ?? []).map(({ secret: _secret, ...visible }) => visible)
  }

  /**
   * Processes what has arrived, in order: whole handshake messages first, then the next record, until more
   * bytes are needed, the peer has closed, or a provider operation is in flight.
   */
  #processInput(): void {
    while (this.#inFlight === undefined && !this.#receivedCloseNotify) {
      const message = this.#reassembler.next()
      if (message) {
        if (!this.#handshake && ++this.#messagesInRecord > LIMITS.maxPostHandshakeMessagesPerRecord)
          throw new TlsError('unexpected_message', `more than ${LIMITS.maxPostHandshakeMessagesPerRecord} post-handshake messages in one record`)
        this.#handleHandshakeMessage({ kind: 'handshake', msgType: message.msgType, body: message.body, raw: message.raw })
        continue
      }
      const record = this.records.nextRecord()
      if (record === undefined) return
      if (isPending(record)) return this.#waitFor(record, (opened) => opened && this.#handleRecord(opened.type, opened.fragment))
      this.#handleRecord(record.type, record.fragment)
    }
  }

  #handleRecord(type: number, fragment: Uint8Array): void {
    switch (type) {
      case ContentType.handshake:
        // After the handshake, KeyUpdate, NewSessionTicket and refused renegotiations cost us work each: bounded (a
        // record that continues a message is bounded by the message size, and small record_size_limits make many).
        if (!this.#handshake && !this.#reassembler.hasPending) this.#countNonData('post-handshake record')
        this.#messagesInRecord = 0
        // The messages are taken out by processInput, one at a time (a message may wait on the provider).
        this.#reassembler.push(fragment)
        return
      case ContentType.change_cipher_spec:
        this.#refuseInsideHandshakeMessage('ChangeCipherSpec')
        return this.#handleChangeCipherSpec(fragment)
      case ContentType.alert:
        return this.#handleAlert(fragment)
      case ContentType.application_data:
        this.#refuseInsideHandshakeMessage('application data')
        return this.#handleApplicationData(fragment)
      default:
        throw new TlsError('unexpected_message', `unexpected record content type ${type}`)
    }
  }

  /** RFC 8446 5.1: a handshake message's fragments must not be interleaved with records of another type. */
  #refuseInsideHandshakeMessage(what: string): void {
    if (this.#reassembler.hasPending) throw new TlsError('unexpected_message', `${what} between the fragments of a handshake message`)
    // RFC 8446 4.6.2: the messages of a post-handshake authentication appear consecutively.
    if (this.#established?.peerMidFlight) throw new TlsError('unexpected_message', `${what} inside the client's answer to our CertificateRequest`)
  }

  #handleHandshakeMessage(message: HandshakeMessageIn): void {
    this.#config.onHandshakeMessage?.('received', handshakeTypeName(message.msgType), message.body.length)
    if (this.#handshake) this.#follow(this.#handshake.next(message))
    else this.#followPostHandshake(this.#established!.handlePostHandshake(message))
    this.#sendFlight()
  }

  /** Runs a post-handshake step (answering or checking a post-handshake authentication), if the message made one. */
  #followPostHandshake(step: Waiting<void> | void): void {
    if (step) this.#continuePostHandshake(step, step.next())
  }

  /** Done, or waiting on a provider operation that resumes the step with its result (or its error). */
  #continuePostHandshake(step: Waiting<void>, result: IteratorResult<PromiseLike<unknown>, void>): void {
    if (result.done) return
    this.#waitFor(
      result.value,
      (value) => this.#continuePostHandshake(step, step.next(value)),
      (error) => this.#continuePostHandshake(step, step.throw(error)),
    )
  }

  /** Puts the messages written so far into records under the current write keys. */
  #sendFlight(): void {
    if (this.#flight.length === 0) return
    this.records.send(ContentType.handshake, this.#flight.length === 1 ? this.#flight[0]! : concat(...this.#flight))
    this.#flight.length = 0
  }

  #handleChangeCipherSpec(fragment: Uint8Array): void {
    if (fragment.length !== 1 || fragment[0] !== 1) throw new TlsError('unexpected_message', 'malformed ChangeCipherSpec')
    this.#countNonData('ChangeCipherSpec')
    if (!this.#handshake) throw new TlsError('unexpected_message', 'ChangeCipherSpec outside a handshake')
    // TLS 1.3 middlebox compatibility (RFC 8446 5, D.4): an unprotected CCS received after our first ClientHello
    // (even before the ServerHello settles the version) and before the peer's Finished is dropped.
    if (this.#version === TLS13 || (this.#version === undefined && this.#offersTls13Client())) return
    if (this.#version === undefined) throw new TlsError('unexpected_message', 'ChangeCipherSpec before the hello messages')
    this.#follow(this.#handshake.next(CHANGE_CIPHER_SPEC))
  }

  #offersTls13Client(): boolean {
    return this.role === 'client' && this.#config.policy.maxVersion === TLS13
  }

  #handleAlert(fragment: Uint8Array): void {
    const alert = decodeAlert(fragment)
    // TLS 1.3: every alert but close_notify and user_canceled is fatal, whatever its level (RFC 8446 6).
    const closing = alert.description === AlertDescription.close_notify
    const fatal = !closing && (alert.level === AlertLevel.fatal || (this.#version === TLS13 && alert.description !== AlertDescription.user_canceled))
    // The peer's fatal alert is what ends the connection, wherever it falls; anything else inside a message is refused.
    if (fatal) throw new TlsAlertReceivedError(alert.description)
    this.#refuseInsideHandshakeMessage(closing ? 'close_notify' : 'a warning alert')
    if (closing) {
      // A handshake the peer closes will never complete: end it rather than wait forever.
      if (!this.#established) throw new TlsAlertReceivedError(AlertDescription.close_notify)
      this.#receivedCloseNotify = true
      this.#established.abandon?.(new TlsAlertReceivedError(AlertDescription.close_notify))
      return
    }
    this.#countNonData('warning alert')
  }

  #handleApplicationData(fragment: Uint8Array): void {
    if (!this.#established) throw new TlsError('unexpected_message', 'application data before the handshake completed')
    if (fragment.length === 0) return this.#countNonData('empty application data record')
    this.#nonDataInARow = 0
    this.#received.push(fragment)
    this.#receivedBytes += fragment.length
  }

  #countNonData(what: string): void {
    if (++this.#nonDataInARow > LIMITS.maxConsecutiveNonData)
      throw new TlsError('unexpected_message', `more than ${LIMITS.maxConsecutiveNonData} ${what}s in a row`)
  }

  /**
   * Follows the handshake's last step: done, waiting for the peer's next message (it yielded nothing), or
   * waiting on a provider operation (it yielded the promise), which resumes it with the result or the error.
   */
  #follow(step: StepResult): void {
    if (step.done) {
      this.#handshake = undefined
      if (!this.#established) throw new TlsError('internal_error', 'handshake ended without completing')
      return
    }
    if (step.value === undefined) return
    this.#waitFor(
      step.value,
      (result) => this.#follow(this.#handshake!.next(result)),
      (error) => this.#follow(this.#handshake!.throw(error)),
    )
  }

  /**
   * Stops processing until `operation` settles, then hands its result to `resume` (or its error to `fail`,
   * by default thrown as the connection's failure) and carries on with whatever input has arrived meanwhile.
   */
  #waitFor<T>(operation: PromiseLike<T>, resume: (result: T) => void, fail: (error: unknown) => void = rethrow): void {
    this.#inFlight = operation
    operation.then(
      (result) => this.#resumeAfter(operation, () => resume(result)),
      (error: unknown) => this.#resumeAfter(operation, () => fail(error)),
    )
  }

  #resumeAfter(operation: PromiseLike<unknown>, work: () => void): void {
    // A connection that failed meanwhile has dropped the operation.
    if (this.#inFlight !== operation) return
    this.#inFlight = undefined
    try {
      this.#guard(() => {
        work()
        this.#sendFlight()
        this.#processInput()
      })
    } catch {
      // Recorded as this.failure, with the alert queued: onProgress and settled() report it.
    }
    this.#progress()
  }

  /** A record sealed by an asynchronous AEAD is ready; a sealing error ends the connection. */
  #recordSealed(error: unknown): void {
    if (error !== undefined && !this.#failure) {
      try {
        this.#guard(() => rethrow(error))
      } catch {
        // Recorded as this.failure.
      }
    }
    this.#progress()
  }

  /** Tells the caller that asynchronous work completed: settles `settled()` once nothing is in flight, then onProgress. */
  #progress(): void {
    if (!this.busy) {
      for (const waiter of this.#settledWaiters.splice(0)) {
        if (this.#failure) waiter.reject(this.#failure)
        else waiter.resolve()
      }
    }
    this.onProgress?.()
  }

  #flushPendingWrites(): void {
    for (const data of this.#pendingWrites) this.#sendApplicationData(data)
    this.#pendingWrites.length = 0
  }

  /** Runs `fn`; any failure ends the connection with a fatal alert (never for a received one) and is rethrown. */
  #guard(fn: () => void): void {
    try {
      fn()
    } catch (cause) {
      const error =
        cause instanceof TlsError ? cause : new TlsError('internal_error', `internal error: ${cause instanceof Error ? cause.message : String(cause)}`)
      if (!(cause instanceof TlsError) && cause instanceof Error) error.cause = cause
      this.#failure = error
      this.#established?.abandon?.(error)
      this.#handshake = undefined
      this.#inFlight = undefined
      this.#flight.length = 0
      if (!(error instanceof TlsAlertReceivedError)) {
        try {
          this.records.send(ContentType.alert, encodeAlert(AlertLevel.fatal, AlertDescription[error.alert]))
        } catch {
          // The write side is unusable (e.g. sequence numbers exhausted): there is nothing more to send.
        }
      }
      throw error
    }
  }

  #handshakeSession(): HandshakeSession {
    const connection = this
    return {
      get config() {
        return connection.#config
      },
      useConfig: (config) => {
        this.#config = config
      },
      sendHandshake: (raw) => {
        this.#config.onHandshakeMessage?.('sent', handshakeTypeName(raw[0]!), raw.length - HANDSHAKE_HEADER_LENGTH)
        this.#flight.push(raw)
      },
      sendChangeCipherSpec: () => {
        this.#sendFlight()
        this.records.send(ContentType.change_cipher_spec, new Uint8Array([1]))
      },
      sendWarningAlert: (description) => {
        this.#sendFlight()
        this.records.send(ContentType.alert, encodeAlert(AlertLevel.warning, description))
      },
      setVersion: (version) => {
        this.#version = version
      },
      setReadProtection: (protection: RecordProtection) => {
        if (this.#reassembler.hasPending) throw new TlsError('unexpected_message', 'handshake message spans a key change')
        this.records.setReadProtection(protection)
      },
      setWriteProtection: (protection: RecordProtection) => {
        this.#sendFlight()
        this.records.setWriteProtection(protection)
      },
      setRecordSizeLimits: (limits) => this.records.setRecordSizeLimits(limits),
      complete: (established) => {
        this.#sendFlight()
        this.#established = established
        this.#nonDataInARow = 0
        this.#flushPendingWrites()
        if (this.#sentCloseNotify) this.#sendCloseNotify()
      },
      get writeClosed() {
        return connection.#sentCloseNotify
      },
    }
  }
}
