// A CryptoProvider that counts what it is asked to do: the crypto a real handshake performs, and its transcript's messages.
import type { CryptoProvider, HashAlgorithm, HashName, HashState, KeyShare } from '../../src/crypto/provider.js'
import { isPending } from '../../src/pending.js'

/** What one run through the provider did. */
export interface CryptoLog {
  /** Bytes hashed per incremental hash state (the handshake transcripts), one entry per update, in order. */
  readonly hashStates: number[][]
  digests: number
  oneShotHashes: number
  hmacs: number
  hkdfExtracts: number
  hkdfExpands: number
  aeadKeys: number
  seals: number
  sealedBytes: number
  opens: number
  openedBytes: number
  keyShares: number
  agreements: number
  signatures: number
  verifications: number
}

export function emptyLog(): CryptoLog {
  return {
    hashStates: [],
    digests: 0,
    oneShotHashes: 0,
    hmacs: 0,
    hkdfExtracts: 0,
    hkdfExpands: 0,
    aeadKeys: 0,
    seals: 0,
    sealedBytes: 0,
    opens: 0,
    openedBytes: 0,
    keyShares: 0,
    agreements: 0,
    signatures: 0,
    verifications: 0,
  }
}

function recordingState(state: HashState, sizes: number[], log: CryptoLog): HashState {
  return {
    update(data) {
      sizes.push(data.length)
      state.update(data)
      return this
    },
    digest() {
      log.digests++
      return state.digest()
    },
    clone: () => recordingState(state.clone(), [...sizes], log),
  }
}

/** `base`, with every call it serves counted in `log` (reset it by assigning a fresh emptyLog()). */
export function recordingProvider(base: CryptoProvider): { provider: CryptoProvider; log: () => CryptoLog; reset: () => void } {
  let log = emptyLog()
  const hashes = new Map<HashName, HashAlgorithm>()
  const hash = (name: HashName): HashAlgorithm => {
    let algorithm = hashes.get(name)
    if (!algorithm) {
      const inner = base.hash(name)
      algorithm = {
        name,
        outputLength: inner.outputLength,
        create() {
          const sizes: number[] = []
          log.hashStates.push(sizes)
          return recordingState(inner.create(), sizes, log)
        },
        digest(data) {
          log.oneShotHashes++
          return inner.digest(data)
        },
      }
      hashes.set(name, algorithm)
    }
    return algorithm
  }
  const provider: CryptoProvider = {
    name: `recording(${base.name})`,
    hasHardwareAes: base.hasHardwareAes,
    randomBytes: (n) => base.randomBytes(n),
    hash,
    hmac(h, key, data) {
      log.hmacs++
      return base.hmac(h, key, data)
    },
    hkdfExtract(h, salt, ikm) {
      log.hkdfExtracts++
      return base.hkdfExtract(h, salt, ikm)
    },
    hkdfExpand(h, prk, info, length) {
      log.hkdfExpands++
      return base.hkdfExpand(h, prk, info, length)
    },
    aead(name) {
      const inner = base.aead(name)
      return {
        ...inner,
        importKey(key) {
          log.aeadKeys++
          const k = inner.importKey(key)
          return {
            seal(nonce, plaintext, aad) {
              log.seals++
              log.sealedBytes += plaintext.length
              return k.seal(nonce, plaintext, aad)
            },
            open(nonce, ciphertext, aad) {
              log.opens++
              log.openedBytes += ciphertext.length
              return k.open(nonce, ciphertext, aad)
            },
          }
        },
      }
    },
    generateKeyShare(group, privateKey) {
      log.keyShares++
      const counted = (share: KeyShare): KeyShare => ({
        group: share.group,
        publicKey: share.publicKey,
        agree(peer) {
          log.agreements++
          return share.agree(peer)
        },
      })
      const share = base.generateKeyShare(group, privateKey)
      return isPending(share) ? Promise.resolve(share).then(counted) : counted(share)
    },
    encapsulate(group, clientShare) {
      log.agreements++
      return base.encapsulate(group, clientShare)
    },
    sign(algorithm, key, message) {
      log.signatures++
      return base.sign(algorithm, key, message)
    },
    verify(algorithm, key, message, signature) {
      log.verifications++
      return base.verify(algorithm, key, message, signature)
    },
  }
  return { provider, log: () => log, reset: () => (log = emptyLog()) }
}
