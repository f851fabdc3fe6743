// A provider whose public-key operations are stubbed (hashes, HKDF, HMAC and AEADs stay real): what is left is our own cost.
import type { CryptoProvider, KeyShare, NamedGroupName, SignatureAlgorithm } from '../../src/crypto/provider.js'

/** Key-share lengths as on the wire: 32 bytes for X25519, an uncompressed point for the NIST curves. */
const shareLength: Record<NamedGroupName, number> = { x25519: 32, secp256r1: 65, secp384r1: 97, X25519MLKEM768: 1216, SecP256r1MLKEM768: 1249 }
/** Signature lengths as on the wire (DER ECDSA about 71 bytes; RSA-2048 256 bytes). */
const signatureLength = (algorithm: SignatureAlgorithm) => (algorithm.type === 'rsa-pkcs1' || algorithm.type === 'rsa-pss' ? 256 : algorithm.type === 'ed25519' ? 64 : 71)

/**
 * `base` with instant key exchange, signing and verification. Both ends still agree on a secret (XOR of the two
 * public values, so the rest of the handshake is real), every signature "verifies". Never for anything but measuring.
 */
export function stubPublicKeyProvider(base: CryptoProvider): CryptoProvider {
  return {
    ...base,
    name: `${base.name} with public-key operations stubbed`,
    generateKeyShare(group: NamedGroupName): KeyShare {
      const publicKey = base.randomBytes(shareLength[group])
      if (group !== 'x25519') publicKey[0] = 4
      return {
        group,
        publicKey,
        agree(peer) {
          const shared = new Uint8Array(32)
          for (let i = 0; i < 32; i++) shared[i] = publicKey[publicKey.length - 32 + i]! ^ peer[peer.length - 32 + i]!
          return shared
        },
      }
    },
    sign: (algorithm) => new Uint8Array(signatureLength(algorithm)).fill(0x30),
    verify: () => true,
  }
}
