// TLS 1.2 keys: the master secret (extended, RFC 7627, or classic, or a resumed session's), record protection from the key block, Finished.
import type { CryptoProvider } from '../crypto/provider.js'
import { Tls12RecordProtection } from '../record/tls12-protection.js'
import { decodeFinished, encodeFinished } from './messages/finished.js'
import { type Tls12KeyBlock, tls12CheckFinished, tls12ExtendedMasterSecret, tls12KeyBlock, tls12MasterSecret, tls12VerifyData } from './prf.js'
import type { Tls12CipherSuite } from '../policy/suites.js'
import type { Transcript } from './transcript.js'

/** The secrets of one TLS 1.2 connection. */
export interface Tls12Session {
  readonly suite: Tls12CipherSuite
  readonly masterSecret: Uint8Array
  readonly clientRandom: Uint8Array
  readonly serverRandom: Uint8Array
  readonly extendedMasterSecret: boolean
  /** The write keys of both directions, expanded once (RFC 5246 6.3). */
  readonly keyBlock: Tls12KeyBlock
}

/**
 * The master secret from the ECDHE pre-master secret; with EMS the session hash is the transcript
 * through ClientKeyExchange, which must already be in `transcript`.
 */
export function deriveTls12Session(
  provider: CryptoProvider,
  suite: Tls12CipherSuite,
  preMasterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  extendedMasterSecret: boolean,
  transcript: Transcript,
): Tls12Session {
  const masterSecret = extendedMasterSecret
    ? tls12ExtendedMasterSecret(provider, suite.hash, preMasterSecret, transcript.hash())
    : tls12MasterSecret(provider, suite.hash, preMasterSecret, clientRandom, serverRandom)
  return tls12SessionKeys(provider, suite, masterSecret, clientRandom, serverRandom, extendedMasterSecret)
}

/**
 * The connection's secrets from a session's master secret and this handshake's randoms: what a full handshake
 * derives, and what an abbreviated one (RFC 5246 7.3, RFC 5077 3.1) resumes from.
 */
export function tls12SessionKeys(
  provider: CryptoProvider,
  suite: Tls12CipherSuite,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  extendedMasterSecret: boolean,
): Tls12Session {
  const keyBlock = tls12KeyBlock(provider, suite, masterSecret, clientRandom, serverRandom)
  return { suite, masterSecret, clientRandom, serverRandom, extendedMasterSecret, keyBlock }
}

/** Record protection for one direction, from the key block (RFC 5246 6.3). */
export function protection12(provider: CryptoProvider, session: Tls12Session, writer: 'client' | 'server'): Tls12RecordProtection {
  const keys = session.keyBlock
  return writer === 'client'
    ? new Tls12RecordProtection(provider, session.suite.aead, keys.clientWriteKey, keys.clientWriteIv)
    : new Tls12RecordProtection(provider, session.suite.aead, keys.serverWriteKey, keys.serverWriteIv)
}

/** Our Finished over the transcript so far. */
export function finished12(provider: CryptoProvider, session: Tls12Session, sender: 'client' | 'server', transcript: Transcript): Uint8Array {
  return encodeFinished({ verifyData: tls12VerifyData(provider, session.suite.hash, session.masterSecret, sender, transcript.hash()) })
}

/** Checks the peer's Finished body in constant time (decrypt_error on mismatch). */
export function checkFinished12(provider: CryptoProvider, session: Tls12Session, sender: 'client' | 'server', transcript: Transcript, body: Uint8Array): void {
  const { verifyData } = decodeFinished(body, 12)
  tls12CheckFinished(provider, session.suite.hash, session.masterSecret, sender, transcript.hash(), verifyData)
}
