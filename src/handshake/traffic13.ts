// TLS 1.3 traffic keys: record protection from a traffic secret, and the Finished checks both roles make.
import type { CryptoProvider } from '../crypto/provider.js'
import { Tls13RecordProtection, type Tls13ProtectionOptions } from '../record/tls13-protection.js'
import { checkFinished, finishedVerifyData, trafficKeys } from './key-schedule.js'
import { decodeFinished, encodeFinished } from './messages/finished.js'
import type { Tls13CipherSuite } from '../policy/suites.js'

/** Record protection keyed from a traffic secret (RFC 8446 7.3). */
export function protectionFor(
  provider: CryptoProvider,
  suite: Tls13CipherSuite,
  trafficSecret: Uint8Array,
  options?: Tls13ProtectionOptions,
): Tls13RecordProtection {
  const { key, iv } = trafficKeys(provider, suite.hash, trafficSecret, suite.keyLength, suite.ivLength)
  return new Tls13RecordProtection(provider, suite.aead, key, iv, options)
}

/** Our Finished message (header included) over the transcript so far. */
export function finishedMessage(provider: CryptoProvider, suite: Tls13CipherSuite, baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
  return encodeFinished({ verifyData: finishedVerifyData(provider, suite.hash, baseKey, transcriptHash) })
}

/** Checks the peer's Finished message body in constant time; a mismatch is decrypt_error (RFC 8446 4.4.4). */
export function checkPeerFinished(provider: CryptoProvider, suite: Tls13CipherSuite, baseKey: Uint8Array, transcriptHash: Uint8Array, body: Uint8Array): void {
  const { verifyData } = decodeFinished(body, provider.hash(suite.hash).outputLength)
  checkFinished(provider, suite.hash, baseKey, transcriptHash, verifyData)
}
