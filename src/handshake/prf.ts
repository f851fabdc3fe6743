// The TLS 1.2 PRF and what is built on it: master secret, extended master secret, key block, Finished, RFC 5705 exporter.
import { Writer } from '../record/codec.js'
import { concat, constantTimeEqual, utf8 } from '../bytes.js'
import type { CryptoProvider, HashName } from '../crypto/provider.js'
import { TlsError } from '../errors.js'

/** P_hash(secret, seed) (RFC 5246 section 5): HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ..., cut to `length`. */
export function pHash(provider: CryptoProvider, hash: HashName, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0) throw new TlsError('internal_error', `PRF output length ${length} is not a byte count`)
  const out = new Uint8Array(length)
  let a = seed
  for (let filled = 0; filled < length; ) {
    a = provider.hmac(hash, secret, a)
    const block = provider.hmac(hash, secret, concat(a, seed))
    const take = Math.min(block.length, length - filled)
    out.set(block.subarray(0, take), filled)
    filled += take
  }
  return out
}

/** PRF(secret, label, seed) = P_<hash>(secret, label + seed) (RFC 5246 section 5); the hash is the suite's (SHA-256 or SHA-384). */
export function tls12Prf(provider: CryptoProvider, hash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  return pHash(provider, hash, secret, concat(utf8.encode(label), seed), length)
}

const MASTER_SECRET_LENGTH = 48
const RANDOM_LENGTH = 32
const VERIFY_DATA_LENGTH = 12

function requireRandoms(clientRandom: Uint8Array, serverRandom: Uint8Array): void {
  if (clientRandom.length !== RANDOM_LENGTH || serverRandom.length !== RANDOM_LENGTH) {
    throw new TlsError('internal_error', `hello randoms must be ${RANDOM_LENGTH} bytes, got ${clientRandom.length} and ${serverRandom.length}`)
  }
}

/** master_secret = PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47] (RFC 5246 8.1). */
export function tls12MasterSecret(
  provider: CryptoProvider,
  hash: HashName,
  preMasterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): Uint8Array {
  requireRandoms(clientRandom, serverRandom)
  return tls12Prf(provider, hash, preMasterSecret, 'master secret', concat(clientRandom, serverRandom), MASTER_SECRET_LENGTH)
}

/**
 * master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47] (RFC 7627 4), where
 * session_hash is the transcript hash of every handshake message up to and including ClientKeyExchange.
 */
export function tls12ExtendedMasterSecret(provider: CryptoProvider, hash: HashName, preMasterSecret: Uint8Array, sessionHash: Uint8Array): Uint8Array {
  const expected = provider.hash(hash).outputLength
  if (sessionHash.length !== expected) throw new TlsError('internal_error', `session_hash must be a ${hash} digest of ${expected} bytes, got ${sessionHash.length}`)
  return tls12Prf(provider, hash, preMasterSecret, 'extended master secret', sessionHash, MASTER_SECRET_LENGTH)
}

/** The AEAD keys of a TLS 1.2 connection (RFC 5246 6.3, with no MAC keys: AEAD suites have mac_key_length 0). */
export interface Tls12KeyBlock {
  readonly clientWriteKey: Uint8Array
  readonly serverWriteKey: Uint8Array
  /** The implicit nonce part: 4-byte salt for GCM, 12-byte IV for ChaCha20-Poly1305. */
  readonly clientWriteIv: Uint8Array
  readonly serverWriteIv: Uint8Array
}

/**
 * key_block = PRF(master_secret, "key expansion", server_random + client_random), cut into
 * client_write_key, server_write_key, client_write_IV, server_write_IV (RFC 5246 6.3).
 */
export function tls12KeyBlock(
  provider: CryptoProvider,
  suite: { readonly hash: HashName; readonly keyLength: number; readonly ivLength: number },
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): Tls12KeyBlock {
  requireRandoms(clientRandom, serverRandom)
  const { keyLength, ivLength } = suite
  const block = tls12Prf(provider, suite.hash, masterSecret, 'key expansion', concat(serverRandom, clientRandom), 2 * keyLength + 2 * ivLength)
  let at = 0
  const next = (n: number): Uint8Array => block.slice(at, (at += n))
  return { clientWriteKey: next(keyLength), serverWriteKey: next(keyLength), clientWriteIv: next(ivLength), serverWriteIv: next(ivLength) }
}

/** verify_data = PRF(master_secret, "client finished" | "server finished", Hash(handshake_messages))[0..11] (RFC 5246 7.4.9). */
export function tls12VerifyData(
  provider: CryptoProvider,
  hash: HashName,
  masterSecret: Uint8Array,
  sender: 'client' | 'server',
  handshakeHash: Uint8Array,
): Uint8Array {
  return tls12Prf(provider, hash, masterSecret, `${sender} finished`, handshakeHash, VERIFY_DATA_LENGTH)
}

/** Checks the peer's Finished verify_data in constant time; a mismatch is a decrypt_error. */
export function tls12CheckFinished(
  provider: CryptoProvider,
  hash: HashName,
  masterSecret: Uint8Array,
  sender: 'client' | 'server',
  handshakeHash: Uint8Array,
  received: Uint8Array,
): void {
  if (!constantTimeEqual(tls12VerifyData(provider, hash, masterSecret, sender, handshakeHash), received)) {
    throw new TlsError('decrypt_error', `${sender} Finished verify_data does not match the transcript`)
  }
}

/** Labels the TLS 1.2 key derivation itself uses; an exporter must not reuse them (RFC 5705 4). */
const reservedLabels = new Set(['client finished', 'server finished', 'master secret', 'extended master secret', 'key expansion'])

/**
 * The RFC 5705 exporter: PRF(master_secret, label, client_random + server_random [+ uint16 context length + context])[length].
 * `context` undefined means "no context", which differs from an empty one.
 */
export function tls12ExportKeyingMaterial(
  provider: CryptoProvider,
  hash: HashName,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  label: string,
  context: Uint8Array | undefined,
  length: number,
): Uint8Array {
  requireRandoms(clientRandom, serverRandom)
  if (reservedLabels.has(label)) throw new TlsError('internal_error', `exporter label "${label}" is reserved for TLS itself`)
  const seed = new Writer().bytes(clientRandom).bytes(serverRandom)
  if (context !== undefined) {
    if (context.length > 0xffff) throw new TlsError('internal_error', `exporter context is ${context.length} bytes, more than 65535`)
    seed.vec16(context)
  }
  return tls12Prf(provider, hash, masterSecret, label, seed.finish(), length)
}
