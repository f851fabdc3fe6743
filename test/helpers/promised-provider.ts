// A CryptoProvider whose key shares, signatures and AEAD answer through Promises (as WebCrypto does), for testing the async paths.
import type { AeadAlgorithm, AeadName, CryptoProvider, KeyShare, NamedGroupName, SyncCryptoProvider, SyncKeyShare } from '../../src/crypto/provider.js'

/** When a promised answer arrives: on a later macrotask (setTimeout) or after a few microtasks, chosen per call. */
export type Delay = () => Promise<void>

/** Alternates macrotask and microtask delays, so answers come back in varied orders relative to I/O. */
export function mixedDelays(): Delay {
  let call = 0
  return () => (call++ % 3 === 0 ? new Promise((resolve) => setTimeout(resolve, 0)) : Promise.resolve().then(() => undefined))
}

/**
 * `inner`'s operations answered later: every input is copied at once (the caller may reuse its buffers as soon as
 * the call returns, per the AeadKey contract), the result is computed, and handed over after `delay`.
 */
export function promisedProvider(inner: SyncCryptoProvider, delay: Delay = mixedDelays()): CryptoProvider {
  const later = async <T>(compute: () => T): Promise<T> => {
    const result = compute()
    await delay()
    return result
  }
  const copy = (b: Uint8Array) => b.slice()
  const aead = (name: AeadName): AeadAlgorithm => {
    const algorithm = inner.aead(name)
    return {
      ...algorithm,
      importKey(key) {
        const k = algorithm.importKey(key)
        return {
          seal: (nonce, plaintext, aad) => {
            const [n, p, a] = [copy(nonce), copy(plaintext), copy(aad)]
            return later(() => k.seal(n, p, a))
          },
          open: (nonce, ciphertext, aad) => {
            const [n, c, a] = [copy(nonce), copy(ciphertext), copy(aad)]
            return later(() => k.open(n, c, a))
          },
        }
      },
    }
  }
  const keyShare = (share: SyncKeyShare): KeyShare => ({
    group: share.group,
    publicKey: share.publicKey,
    agree: (peer) => {
      const p = copy(peer)
      return later(() => share.agree(p))
    },
  })
  return {
    ...inner,
    name: `${inner.name}, promised`,
    aead,
    generateKeyShare: (group: NamedGroupName, privateKey?: Uint8Array) => later(() => keyShare(inner.generateKeyShare(group, privateKey))),
    sign: (algorithm, key, message) => {
      const m = copy(message)
      return later(() => inner.sign(algorithm, key, m))
    },
    verify: (algorithm, key, message, signature) => {
      const [m, s] = [copy(message), copy(signature)]
      return later(() => inner.verify(algorithm, key, m, s))
    },
  }
}
