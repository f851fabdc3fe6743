// A CryptoProvider that answers like WebCrypto: the noble provider's results, delivered through promises after a turn of the event loop.
import { nobleProvider } from '../../src/crypto/noble.js'
import type { AeadAlgorithm, AeadName, CryptoProvider, KeyShare, NamedGroupName } from '../../src/crypto/provider.js'
import { isPending } from '../../src/pending.js'

/** The operations that can be made asynchronous. */
export type AsyncOperation = 'generateKeyShare' | 'agree' | 'encapsulate' | 'sign' | 'verify' | 'seal' | 'open'

export interface AsyncProviderOptions {
  /** Which operations answer through a promise (default: all of them). */
  readonly asynchronous?: readonly AsyncOperation[]
  /**
   * How long each answer takes: 'microtask' (a resolved promise), 'mixed' (every third a macrotask, the others
   * microtasks, so answers come back in varied orders relative to I/O), or a setTimeout delay in ms (default 0).
   */
  readonly delay?: 'microtask' | 'mixed' | number
  /** Counts each asynchronous answer given, by operation. */
  readonly counts?: Partial<Record<AsyncOperation, number>>
}

/**
 * Wraps `base` so that the chosen operations return promises of its results (and reject where it throws),
 * as a native asynchronous backend would.
 */
export function asyncProvider(base: CryptoProvider = nobleProvider, options: AsyncProviderOptions = {}): CryptoProvider {
  const asynchronous = new Set<AsyncOperation>(options.asynchronous ?? ['generateKeyShare', 'agree', 'encapsulate', 'sign', 'verify', 'seal', 'open'])
  const delay = options.delay ?? 0
  let calls = 0
  const later = <T>(operation: AsyncOperation, work: () => T | PromiseLike<T>): T | Promise<T> => {
    if (!asynchronous.has(operation)) return work() as T
    if (options.counts) options.counts[operation] = (options.counts[operation] ?? 0) + 1
    // Inputs are read now, as SubtleCrypto copies its arguments before it returns.
    let outcome: { value: T | PromiseLike<T> } | { error: unknown }
    try {
      outcome = { value: work() }
    } catch (error) {
      outcome = { error }
    }
    const answer = (): Promise<T> => ('error' in outcome ? Promise.reject(outcome.error) : Promise.resolve(outcome.value))
    if (delay === 'microtask' || (delay === 'mixed' && ++calls % 3 !== 0)) return answer()
    return new Promise<void>((resolve) => setTimeout(resolve, delay === 'mixed' ? 0 : delay)).then(answer)
  }
  const wrapShare = (share: KeyShare): KeyShare => ({
    group: share.group,
    publicKey: share.publicKey,
    agree: (peer) => later('agree', () => share.agree(peer)),
  })
  const wrapAead = (aead: AeadAlgorithm): AeadAlgorithm => ({
    name: aead.name,
    keyLength: aead.keyLength,
    nonceLength: aead.nonceLength,
    tagLength: aead.tagLength,
    importKey(key) {
      const imported = aead.importKey(key)
      return {
        seal: (nonce, plaintext, ad) => later('seal', () => imported.seal(nonce.slice(), plaintext.slice(), ad.slice())),
        open: (nonce, ciphertext, ad) => later('open', () => imported.open(nonce.slice(), ciphertext.slice(), ad.slice())),
      }
    },
  })
  return {
    ...base,
    name: `async(${base.name})`,
    aead: (name: AeadName) => wrapAead(base.aead(name)),
    generateKeyShare: (group: NamedGroupName, privateKey?: Uint8Array) =>
      later('generateKeyShare', () => {
        const share = base.generateKeyShare(group, privateKey)
        return isPending(share) ? Promise.resolve(share).then(wrapShare) : wrapShare(share)
      }),
    encapsulate: (group, clientShare) => later('encapsulate', () => base.encapsulate(group, clientShare)),
    sign: (algorithm, key, message) => later('sign', () => base.sign(algorithm, key, message)),
    verify: (algorithm, key, message, signature) => later('verify', () => base.verify(algorithm, key, message, signature)),
  }
}
