// The TLS 1.3 key schedule (RFC 8446 7.1, 7.3, 7.5, 4.4.4, 4.6.3): HKDF-Expand-Label, the secrets, traffic keys, Finished, exporters.
import { Writer } from '../record/codec.js'
import { constantTimeEqual, utf8 } from '../bytes.js'
import type { CryptoProvider, HashName } from '../crypto/provider.js'
import { TlsError } from '../errors.js'

/** The HkdfLabel structure (RFC 8446 7.1): length, "tls13 " + label, context. */
export function hkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  const fullLabel = utf8.encode(`tls13 ${label}`)
  if (label.length === 0) throw new TlsError('internal_error', 'HKDF label cannot be empty')
  if (fullLabel.length > 255) throw new TlsError('internal_error', `HKDF label "${label}" is longer than 249 bytes`)
  if (context.length > 255) throw new TlsError('internal_error', `HKDF context is ${context.length} bytes, more than 255`)
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) throw new TlsError('internal_error', `HKDF output length ${length} does not fit a uint16`)
  return new Writer(2 + 1 + fullLabel.length + 1 + context.length).u16(length).vec8(fullLabel).vec8(context).finish()
}

/** HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel, Length). */
export function hkdfExpandLabel(
  provider: CryptoProvider,
  hash: HashName,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const info = hkdfLabel(label, context, length)
  const limit = 255 * provider.hash(hash).outputLength
  if (length > limit) throw new TlsError('internal_error', `HKDF-Expand with ${hash} yields at most ${limit} bytes, asked for ${length}`)
  return provider.hkdfExpand(hash, secret, info, length)
}

function requireTranscriptHash(provider: CryptoProvider, hash: HashName, transcriptHash: Uint8Array, what: string): void {
  const expected = provider.hash(hash).outputLength
  if (transcriptHash.length !== expected) {
    throw new TlsError('internal_error', `${what} needs a ${hash} transcript hash of ${expected} bytes, got ${transcriptHash.length} bytes`)
  }
}

/** Derive-Secret(Secret, Label, Messages), given Transcript-Hash(Messages) rather than the messages. */
export function deriveSecret(provider: CryptoProvider, hash: HashName, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  requireTranscriptHash(provider, hash, transcriptHash, `Derive-Secret "${label}"`)
  return hkdfExpandLabel(provider, hash, secret, label, transcriptHash, provider.hash(hash).outputLength)
}

/** Hash("") : the transcript hash of no messages, used by Derive-Secret(., "derived", "") and the binder keys. */
const emptyHashes = new WeakMap<CryptoProvider, Map<HashName, Uint8Array>>()

/** Hash(""), which Derive-Secret needs several times per handshake: computed once per provider and hash. */
export function emptyHash(provider: CryptoProvider, hash: HashName): Uint8Array {
  let byHash = emptyHashes.get(provider)
  if (!byHash) emptyHashes.set(provider, (byHash = new Map()))
  let digest = byHash.get(hash)
  if (!digest) byHash.set(hash, (digest = provider.hash(hash).digest(new Uint8Array(0))))
  return digest
}

/** A record protection key and its write_iv (RFC 8446 7.3). */
export interface TrafficKeys {
  readonly key: Uint8Array
  readonly iv: Uint8Array
}

/** [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length); [sender]_write_iv = HKDF-Expand-Label(Secret, "iv", "", iv_length). */
export function trafficKeys(provider: CryptoProvider, hash: HashName, trafficSecret: Uint8Array, keyLength: number, ivLength = 12): TrafficKeys {
  const none = new Uint8Array(0)
  return {
    key: hkdfExpandLabel(provider, hash, trafficSecret, 'key', none, keyLength),
    iv: hkdfExpandLabel(provider, hash, trafficSecret, 'iv', none, ivLength),
  }
}

/** KeyUpdate (RFC 8446 7.2): application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length). */
export function nextApplicationTrafficSecret(provider: CryptoProvider, hash: HashName, applicationTrafficSecret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(provider, hash, applicationTrafficSecret, 'traffic upd', new Uint8Array(0), provider.hash(hash).outputLength)
}

/** finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (RFC 8446 4.4.4). */
export function finishedKey(provider: CryptoProvider, hash: HashName, baseKey: Uint8Array): Uint8Array {
  return hkdfExpandLabel(provider, hash, baseKey, 'finished', new Uint8Array(0), provider.hash(hash).outputLength)
}

/**
 * verify_data = HMAC(finished_key, Transcript-Hash(...)) (RFC 8446 4.4.4). The BaseKey is a handshake
 * traffic secret for Finished, or a binder key for a PSK binder (RFC 8446 4.2.11.2).
 */
export function finishedVerifyData(provider: CryptoProvider, hash: HashName, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  requireTranscriptHash(provider, hash, transcriptHash, 'Finished')
  return provider.hmac(hash, finishedKey(provider, hash, baseKey), transcriptHash)
}

/** Checks a peer's Finished verify_data (or PSK binder) in constant time; a mismatch is a decrypt_error (RFC 8446 4.4.4). */
export function checkFinished(
  provider: CryptoProvider,
  hash: HashName,
  baseKey: Uint8Array,
  transcriptHash: Uint8Array,
  received: Uint8Array,
  what = 'Finished',
): void {
  if (!constantTimeEqual(finishedVerifyData(provider, hash, baseKey, transcriptHash), received)) {
    throw new TlsError('decrypt_error', `${what} verify_data does not match the transcript`)
  }
}

/** The PSK a NewSessionTicket stands for: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length) (RFC 8446 4.6.1). */
export function resumptionPsk(provider: CryptoProvider, hash: HashName, resumptionMasterSecret: Uint8Array, ticketNonce: Uint8Array): Uint8Array {
  return hkdfExpandLabel(provider, hash, resumptionMasterSecret, 'resumption', ticketNonce, provider.hash(hash).outputLength)
}

/**
 * TLS-Exporter(label, context_value, key_length) (RFC 8446 7.5):
 * HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length),
 * where Secret is the exporter_master_secret (or the early one, for early exporters). No context and an
 * empty context give the same output in TLS 1.3.
 */
export function tls13ExportKeyingMaterial(
  provider: CryptoProvider,
  hash: HashName,
  exporterMasterSecret: Uint8Array,
  label: string,
  context: Uint8Array | undefined,
  length: number,
): Uint8Array {
  const algorithm = provider.hash(hash)
  const perLabelSecret = deriveSecret(provider, hash, exporterMasterSecret, label, emptyHash(provider, hash))
  return hkdfExpandLabel(provider, hash, perLabelSecret, 'exporter', algorithm.digest(context ?? new Uint8Array(0)), length)
}

/** Which kind of PSK a binder is for (RFC 8446 7.1): "res binder" for tickets, "ext binder" for external PSKs. */
export type PskKind = 'resumption' | 'external'

/**
 * The secrets of RFC 8446 7.1, in the order a handshake reaches them. Early secrets exist from the start;
 * the handshake secrets once the (EC)DHE shared secret is in; the master-secret ones after that.
 * Asking for a secret before its stage is an internal_error. Transcript hashes are passed in, never messages.
 */
export class KeySchedule13 {
  readonly hash: HashName
  /** Early Secret = HKDF-Extract(0, PSK), with PSK = Hash.length zeros when there is none. */
  readonly earlySecret: Uint8Array
  readonly #provider: CryptoProvider
  readonly #hasPsk: boolean
  #handshake: Uint8Array | undefined
  #master: Uint8Array | undefined

  constructor(provider: CryptoProvider, hash: HashName, psk?: Uint8Array) {
    if (psk !== undefined && psk.length === 0) throw new TlsError('internal_error', 'a PSK cannot be empty')
    this.#provider = provider
    this.hash = hash
    this.#hasPsk = psk !== undefined
    this.earlySecret = provider.hkdfExtract(hash, this.#zeros(), psk ?? this.#zeros())
  }

  /** binder_key = Derive-Secret(Early Secret, "res binder" | "ext binder", ""). */
  binderKey(kind: PskKind): Uint8Array {
    this.#requirePsk('binder_key')
    return this.#derive(this.earlySecret, kind === 'resumption' ? 'res binder' : 'ext binder', this.#emptyHash())
  }

  /** The PSK binder: HMAC over Transcript-Hash(Truncate(ClientHello)) with the binder key's finished_key (RFC 8446 4.2.11.2). */
  binder(kind: PskKind, truncatedTranscriptHash: Uint8Array): Uint8Array {
    return finishedVerifyData(this.#provider, this.hash, this.binderKey(kind), truncatedTranscriptHash)
  }

  /** client_early_traffic_secret = Derive-Secret(Early Secret, "c e traffic", ClientHello). */
  clientEarlyTrafficSecret(clientHelloHash: Uint8Array): Uint8Array {
    this.#requirePsk('client_early_traffic_secret')
    return this.#derive(this.earlySecret, 'c e traffic', clientHelloHash)
  }

  /** early_exporter_master_secret = Derive-Secret(Early Secret, "e exp master", ClientHello). */
  earlyExporterMasterSecret(clientHelloHash: Uint8Array): Uint8Array {
    this.#requirePsk('early_exporter_master_secret')
    return this.#derive(this.earlySecret, 'e exp master', clientHelloHash)
  }

  /** Handshake Secret = HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE). Called once. */
  addSharedSecret(sharedSecret: Uint8Array): void {
    if (this.#handshake !== undefined) throw new TlsError('internal_error', 'the (EC)DHE shared secret was already added to the key schedule')
    if (sharedSecret.length === 0) throw new TlsError('internal_error', 'the (EC)DHE shared secret is empty')
    this.#handshake = this.#provider.hkdfExtract(this.hash, this.#derive(this.earlySecret, 'derived', this.#emptyHash()), sharedSecret)
  }

  get handshakeSecret(): Uint8Array {
    if (this.#handshake === undefined) throw new TlsError('internal_error', 'handshake secret asked for before the (EC)DHE shared secret was added')
    return this.#handshake
  }

  /** client_handshake_traffic_secret = Derive-Secret(Handshake Secret, "c hs traffic", ClientHello...ServerHello). */
  clientHandshakeTrafficSecret(helloHash: Uint8Array): Uint8Array {
    return this.#derive(this.handshakeSecret, 'c hs traffic', helloHash)
  }

  /** server_handshake_traffic_secret = Derive-Secret(Handshake Secret, "s hs traffic", ClientHello...ServerHello). */
  serverHandshakeTrafficSecret(helloHash: Uint8Array): Uint8Array {
    return this.#derive(this.handshakeSecret, 's hs traffic', helloHash)
  }

  /** Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0). */
  get masterSecret(): Uint8Array {
    this.#master ??= this.#provider.hkdfExtract(this.hash, this.#derive(this.handshakeSecret, 'derived', this.#emptyHash()), this.#zeros())
    return this.#master
  }

  /** client_application_traffic_secret_0 = Derive-Secret(Master Secret, "c ap traffic", ClientHello...server Finished). */
  clientApplicationTrafficSecret(handshakeHash: Uint8Array): Uint8Array {
    return this.#derive(this.masterSecret, 'c ap traffic', handshakeHash)
  }

  /** server_application_traffic_secret_0 = Derive-Secret(Master Secret, "s ap traffic", ClientHello...server Finished). */
  serverApplicationTrafficSecret(handshakeHash: Uint8Array): Uint8Array {
    return this.#derive(this.masterSecret, 's ap traffic', handshakeHash)
  }

  /** exporter_master_secret = Derive-Secret(Master Secret, "exp master", ClientHello...server Finished). */
  exporterMasterSecret(handshakeHash: Uint8Array): Uint8Array {
    return this.#derive(this.masterSecret, 'exp master', handshakeHash)
  }

  /** resumption_master_secret = Derive-Secret(Master Secret, "res master", ClientHello...client Finished). */
  resumptionMasterSecret(clientFinishedHash: Uint8Array): Uint8Array {
    return this.#derive(this.masterSecret, 'res master', clientFinishedHash)
  }

  #derive(secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
    return deriveSecret(this.#provider, this.hash, secret, label, transcriptHash)
  }

  #emptyHash(): Uint8Array {
    return emptyHash(this.#provider, this.hash)
  }

  #zeros(): Uint8Array {
    return new Uint8Array(this.#provider.hash(this.hash).outputLength)
  }

  #requirePsk(what: string): void {
    if (!this.#hasPsk) throw new TlsError('internal_error', `${what} exists only in a handshake with a PSK`)
  }
}
