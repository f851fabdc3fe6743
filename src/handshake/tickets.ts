// The server's session tickets (TLS 1.3, RFC 8446 4.6.1; TLS 1.2, RFC 5077): its own resumption state, sealed with an AEAD under a random per-context key.
import type { AeadKey, CryptoProvider } from '../crypto/provider.js'
import { bytesEqual, utf8 } from '../bytes.js'
import { TlsConfigError } from '../errors.js'
import { type MaybePromise, whenSettled } from '../pending.js'
import { Reader, Writer } from '../record/codec.js'
import { MAX_TICKET_LIFETIME_SECONDS } from './messages/new-session-ticket.js'

/** The lifetime our server gives a session, from its full handshake. */
export const TICKET_LIFETIME_SECONDS = 7200
/** How far the server's clock may have gone back since it issued a ticket (and, in TLS 1.3, how far the client's ticket age may be from ours: RFC 8446 8.3). */
export const TICKET_AGE_TOLERANCE_MS = 60_000

/** What a ticket of either version carries: everything the server needs to resume the session without keeping it. */
interface TicketStateCommon {
  readonly cipherSuite: number
  /** When the session's ticket was issued, in milliseconds since the epoch (the server's `now`). */
  readonly issuedAt: number
  readonly lifetimeSeconds: number
  readonly alpnProtocol: string | undefined
  readonly serverName: string | undefined
  /** The client's certificates in the original handshake, and whether they were verified. */
  readonly peerCertificates: readonly Uint8Array[]
  readonly peerVerified: boolean
}

/** A TLS 1.3 ticket's state. */
export interface Tls13TicketState extends TicketStateCommon {
  readonly version: 'TLSv1.3'
  /** The resumption PSK: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length). */
  readonly psk: Uint8Array
  readonly ageAdd: number
  /**
   * When this very ticket was issued, for the client's ticket age (RFC 8446 4.2.11.1); `issuedAt` stays the full
   * handshake's, so a ticket renewed on resumption never extends the session.
   */
  readonly ticketIssuedAt: number
}

/** A TLS 1.2 ticket's state (RFC 5077 4's StatePlaintext, our way): the session's master secret and how it was made. */
export interface Tls12TicketState extends TicketStateCommon {
  readonly version: 'TLSv1.2'
  readonly masterSecret: Uint8Array
  /** Whether the master secret is the extended one (RFC 7627); a session without it is never resumed. */
  readonly extendedMasterSecret: boolean
}

export type TicketState = Tls13TicketState | Tls12TicketState

/** The layout of the sealed state; tickets of another layout do not open (a full handshake). */
const FORMAT_VERSION = 3
const TLS13_STATE = 4
const TLS12_STATE = 3
const KEY_NAME_LENGTH = 16
/** A ChaCha20-Poly1305 key. */
const TICKET_KEY_LENGTH = 32
export const TICKET_KEYS_LENGTH = KEY_NAME_LENGTH + TICKET_KEY_LENGTH
const NONCE_LENGTH = 12
/** The ticket field of NewSessionTicket is `opaque ticket<1..2^16-1>` in both versions. */
const MAX_TICKET_LENGTH = 0xffff

/** A TLS 1.2 master secret is always 48 bytes (RFC 5246 8.1). */
const MASTER_SECRET_LENGTH = 48

function encodeState(state: TicketState): Uint8Array {
  const w = new Writer(512)
  w.u8(FORMAT_VERSION).u8(state.version === 'TLSv1.3' ? TLS13_STATE : TLS12_STATE).u16(state.cipherSuite)
  w.u32(Math.floor(state.issuedAt / 2 ** 32)).u32(state.issuedAt % 2 ** 32)
  w.u32(state.lifetimeSeconds)
  w.vec8(utf8.encode(state.alpnProtocol ?? '')).vec16(utf8.encode(state.serverName ?? ''))
  w.u8(state.peerVerified ? 1 : 0)
  w.block(3, (list) => state.peerCertificates.forEach((der) => list.vec24(der)))
  if (state.version === 'TLSv1.3') w.vec8(state.psk).u32(state.ageAdd).u32(Math.floor(state.ticketIssuedAt / 2 ** 32)).u32(state.ticketIssuedAt % 2 ** 32)
  else w.bytes(state.masterSecret).u8(state.extendedMasterSecret ? 1 : 0)
  return w.finish()
}

function decodeState(bytes: Uint8Array): TicketState {
  const r = new Reader(bytes)
  if (r.u8('ticket format') !== FORMAT_VERSION) throw new Error('unknown ticket format')
  const kind = r.u8('ticket version')
  const common: TicketStateCommon = {
    cipherSuite: r.u16(),
    issuedAt: r.u32() * 2 ** 32 + r.u32(),
    lifetimeSeconds: r.u32(),
    alpnProtocol: utf8.decode(r.vec8()) || undefined,
    serverName: utf8.decode(r.vec16()) || undefined,
    peerVerified: r.u8() === 1,
    peerCertificates: decodeCertificates(r.vec24()),
  }
  let state: TicketState
  if (kind === TLS13_STATE) state = { version: 'TLSv1.3', ...common, psk: r.vec8('psk', 1), ageAdd: r.u32(), ticketIssuedAt: r.u32() * 2 ** 32 + r.u32() }
  else if (kind === TLS12_STATE) state = { version: 'TLSv1.2', ...common, masterSecret: r.take(MASTER_SECRET_LENGTH, 'master secret'), extendedMasterSecret: r.u8() === 1 }
  else throw new Error('unknown ticket version')
  r.expectEnd('ticket')
  return state
}

function decodeCertificates(bytes: Uint8Array): Uint8Array[] {
  const list = new Reader(bytes)
  const certificates: Uint8Array[] = []
  while (list.remaining > 0) certificates.push(list.vec24('certificate', 1))
  return certificates
}

/** Whether a ticket we issued is within its lifetime (never more than 7 days) by our clock at `nowMs`. */
export function withinLifetime(state: TicketState, nowMs: number): boolean {
  const age = nowMs - state.issuedAt
  return age >= -TICKET_AGE_TOLERANCE_MS && age < Math.min(state.lifetimeSeconds, MAX_TICKET_LIFETIME_SECONDS) * 1000
}

/**
 * Seals and opens our tickets: key_name (16) || nonce (12) || ChaCha20-Poly1305(state), with the key name as
 * additional data. The key is random and lives as long as the context, so a ticket from another context (or
 * another process) never opens: that client gets a full handshake.
 */
export class TicketSealer {
  readonly #provider: CryptoProvider
  #keyName: Uint8Array
  #rawKey: Uint8Array
  #key: AeadKey

  constructor(provider: CryptoProvider) {
    this.#provider = provider
    this.#keyName = provider.randomBytes(KEY_NAME_LENGTH)
    this.#rawKey = provider.randomBytes(TICKET_KEY_LENGTH)
    this.#key = provider.aead('CHACHA20-POLY1305').importKey(this.#rawKey)
  }

  /** key_name || key (48 bytes, node's ticket-key size): what servers sharing tickets must share. */
  get keys(): Uint8Array {
    const keys = new Uint8Array(TICKET_KEYS_LENGTH)
    keys.set(this.#keyName)
    keys.set(this.#rawKey, KEY_NAME_LENGTH)
    return keys
  }

  /** Seals from now on with `keys` (from `keys` here or elsewhere); tickets sealed before no longer open. */
  setKeys(keys: Uint8Array): void {
    if (!(keys instanceof Uint8Array) || keys.length !== TICKET_KEYS_LENGTH) throw new TlsConfigError('ticketKeys', `must be ${TICKET_KEYS_LENGTH} bytes`)
    this.#keyName = keys.slice(0, KEY_NAME_LENGTH)
    this.#rawKey = keys.slice(KEY_NAME_LENGTH)
    this.#key = this.#provider.aead('CHACHA20-POLY1305').importKey(this.#rawKey)
  }

  /** The sealed ticket, or undefined when it would not fit a NewSessionTicket (a huge client chain). */
  seal(state: TicketState): MaybePromise<Uint8Array | undefined> {
    const nonce = this.#provider.randomBytes(NONCE_LENGTH)
    const keyName = this.#keyName
    return whenSettled(this.#key.seal(nonce, encodeState(state), keyName), (sealed) => {
      const ticket = new Uint8Array(KEY_NAME_LENGTH + NONCE_LENGTH + sealed.length)
      ticket.set(keyName)
      ticket.set(nonce, KEY_NAME_LENGTH)
      ticket.set(sealed, KEY_NAME_LENGTH + NONCE_LENGTH)
      return ticket.length <= MAX_TICKET_LENGTH ? ticket : undefined
    })
  }

  /** The state in one of our tickets; undefined for anything else (another key, tampered, malformed): never an error. */
  open(ticket: Uint8Array): MaybePromise<TicketState | undefined> {
    if (ticket.length < KEY_NAME_LENGTH + NONCE_LENGTH + 16) return undefined
    // The key name is public (it is sent in clear): a plain comparison only skips tickets of other keys early.
    if (!bytesEqual(ticket.subarray(0, KEY_NAME_LENGTH), this.#keyName)) return undefined
    const nonce = ticket.subarray(KEY_NAME_LENGTH, KEY_NAME_LENGTH + NONCE_LENGTH)
    return whenSettled(this.#key.open(nonce, ticket.subarray(KEY_NAME_LENGTH + NONCE_LENGTH), this.#keyName), openedState)
  }
}

/** The state a ticket's plaintext carries; undefined when it did not authenticate or does not decode. */
function openedState(plaintext: Uint8Array | null): TicketState | undefined {
  if (plaintext === null) return undefined
  try {
    return decodeState(plaintext)
  } catch {
    return undefined
  }
}
