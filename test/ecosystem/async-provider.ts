// A crypto provider whose key shares, signatures and AEAD answer through Promises (a later turn of the event loop), over noble.
import { nobleProvider } from '../../src/crypto/noble.js'
import type { AeadAlgorithm, AeadName, CryptoProvider, KeyShare, NamedGroupName } from '../../src/crypto/provider.js'

/** Runs `work` in a later turn of the event loop: a throw becomes a rejection, as an asynchronous backend's would. */
function later<T>(work: () => T): Promise<T> {
  return new Promise((resolve, reject) =>
    setImmediate(() => {
      try {
        resolve(work())
      } catch (error) {
        reject(error)
      }
    }),
  )
}

function asyncShare(share: KeyShare): KeyShare {
  return { group: share.group, publicKey: share.publicKey, agree: (peer) => later(() => share.agree(peer.slice()) as Uint8Array) }
}

function asyncAead(algorithm: AeadAlgorithm): AeadAlgorithm {
  return {
    name: algorithm.name,
    keyLength: algorithm.keyLength,
    nonceLength: algorithm.nonceLength,
    tagLength: algorithm.tagLength,
    importKey(key) {
      const inner = algorithm.importKey(key)
      // The caller reuses its buffers once a call returns: copy first, as SubtleCrypto does.
      return {
        seal: (nonce, plaintext, aad) => {
          const [n, p, a] = [nonce.slice(), plaintext.slice(), aad.slice()]
          return later(() => inner.seal(n, p, a) as Uint8Array)
        },
        open: (nonce, ciphertext, aad) => {
          const [n, c, a] = [nonce.slice(), ciphertext.slice(), aad.slice()]
          return later(() => inner.open(n, c, a) as Uint8Array | null)
        },
      }
    },
  }
}

/** noble behind Promises for generateKeyShare, agree, sign, verify, seal and open; the rest stays synchronous, as the interface says. */
export function asyncProvider(base: CryptoProvider = nobleProvider): CryptoProvider {
  return {
    name: `async(${base.name})`,
    hasHardwareAes: base.hasHardwareAes,
    randomBytes: (length) => base.randomBytes(length),
    hash: (name) => base.hash(name),
    hmac: (hash, key, data) => base.hmac(hash, key, data),
    hkdfExtract: (hash, salt, ikm) => base.hkdfExtract(hash, salt, ikm),
    hkdfExpand: (hash, prk, info, length) => base.hkdfExpand(hash, prk, info, length),
    aead: (name: AeadName) => asyncAead(base.aead(name)),
    generateKeyShare: (group: NamedGroupName, privateKey?: Uint8Array) => later(() => base.generateKeyShare(group, privateKey) as KeyShare).then(asyncShare),
    sign: (algorithm, key, message) => {
      const copy = message.slice()
      return later(() => base.sign(algorithm, key, copy) as Uint8Array)
    },
    verify: (algorithm, key, message, signature) => {
      const [m, s] = [message.slice(), signature.slice()]
      return later(() => base.verify(algorithm, key, m, s) as boolean)
    },
  }
}
