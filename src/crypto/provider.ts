// The CryptoProvider interface: every primitive the TLS stack uses, passed as a value (rustls' model).
import type { MaybePromise } from '../pending.js'

export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512'
export type AeadName = 'AES-128-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305'
/** The ML-KEM-768 hybrids of draft-ietf-tls-ecdhe-mlkem, by their IANA names: KEMs, TLS 1.3 only. */
export type HybridGroupName = 'X25519MLKEM768' | 'SecP256r1MLKEM768'
/** Key-exchange groups, by their RFC 8446 (and IANA) names: (EC)DH groups and the hybrid KEMs. */
export type NamedGroupName = 'x25519' | 'secp256r1' | 'secp384r1' | HybridGroupName
export type CurveName = 'P-256' | 'P-384'

/** An incremental hash whose state can be forked (the transcript needs that). */
export interface HashState {
  update(data: Uint8Array): HashState
  /** Digest of everything so far; the state stays usable. */
  digest(): Uint8Array
  clone(): HashState
}

export interface HashAlgorithm {
  readonly name: HashName
  readonly outputLength: number
  create(): HashState
  digest(data: Uint8Array): Uint8Array
}

/**
 * An AEAD keyed once; nonces are 12 bytes and tags 16 bytes for every suite we implement. Either method may
 * return a promise (WebCrypto does). The caller reuses its nonce, plaintext and additional-data buffers as
 * soon as a call returns, so an asynchronous implementation copies what it needs first (SubtleCrypto does).
 */
export interface AeadKey {
  /** ciphertext || tag */
  seal(nonce: Uint8Array, plaintext: Uint8Array, additionalData: Uint8Array): MaybePromise<Uint8Array>
  /** The plaintext, or null when authentication fails (never a throw or a rejection for a bad tag). */
  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, additionalData: Uint8Array): MaybePromise<Uint8Array | null>
}

export interface AeadAlgorithm {
  readonly name: AeadName
  readonly keyLength: number
  readonly nonceLength: 12
  readonly tagLength: 16
  /** Keys the AEAD; synchronous (an implementation whose import is asynchronous awaits it inside seal/open). */
  importKey(key: Uint8Array): AeadKey
}

/**
 * An ephemeral key share: `publicKey` is what goes on the wire in key_share / ServerKeyExchange. For a hybrid group
 * it is the client's share (an ML-KEM encapsulation key beside the classical public value).
 */
export interface KeyShare {
  readonly group: NamedGroupName
  readonly publicKey: Uint8Array
  /**
   * The shared secret with the peer's public value (for a hybrid group, the server's share: ciphertext and classical
   * value); throws (or rejects with) TlsError(illegal_parameter) for an invalid point, an all-zero X25519 result or
   * a share of the wrong length.
   */
  agree(peerPublicKey: Uint8Array): MaybePromise<Uint8Array>
}

/** A server's answer to a client's hybrid share: its own key_exchange for the ServerHello and the shared secret. */
export interface KemEncapsulation {
  readonly keyExchange: Uint8Array
  readonly sharedSecret: Uint8Array
}

export type PublicKey =
  | { readonly type: 'ec'; readonly curve: CurveName; readonly point: Uint8Array }
  | { readonly type: 'ed25519'; readonly key: Uint8Array }
  | { readonly type: 'rsa'; readonly n: bigint; readonly e: bigint; readonly bits: number }

export type PrivateKey =
  | { readonly type: 'ec'; readonly curve: CurveName; readonly d: Uint8Array; readonly publicKey: PublicKey }
  | { readonly type: 'ed25519'; readonly seed: Uint8Array; readonly publicKey: PublicKey }
  | {
      readonly type: 'rsa'
      readonly n: bigint
      readonly e: bigint
      readonly d: bigint
      readonly p: bigint
      readonly q: bigint
      readonly dp: bigint
      readonly dq: bigint
      readonly qi: bigint
      readonly bits: number
      readonly publicKey: PublicKey
    }

/**
 * A signature algorithm as certificates and TLS both need it. TLS SignatureSchemes map onto these
 * (src/crypto/schemes.ts); X.509 signatureAlgorithm OIDs map onto these too.
 */
export type SignatureAlgorithm =
  | { readonly type: 'ecdsa'; readonly hash: HashName }
  | { readonly type: 'ed25519' }
  | { readonly type: 'rsa-pkcs1'; readonly hash: HashName }
  | { readonly type: 'rsa-pss'; readonly hash: HashName; readonly saltLength: number }

/** The operations a provider describes: which run natively in this runtime and which in JavaScript. */
export type ProviderOperation =
  | 'random'
  | 'hash'
  | 'hmac'
  | 'hkdf'
  | AeadName
  | NamedGroupName
  | 'ecdsa'
  | 'ed25519'
  | 'rsa-pkcs1'
  | 'rsa-pss'

export interface ProviderDescription {
  readonly name: string
  /** 'native' when the runtime's own crypto does it (WebCrypto, node:crypto), 'javascript' when noble or ours does. */
  readonly operations: Readonly<Record<ProviderOperation, 'native' | 'javascript'>>
}

/**
 * Every primitive the TLS stack uses. The public-key operations (key shares, sign, verify) and the AEAD may
 * return promises, so a native asynchronous backend (WebCrypto) fits; the handshake waits only when one does.
 * Randomness, hashes (the transcript hashes incrementally), HMAC and HKDF are synchronous: they are cheap in
 * JavaScript, and a WebCrypto round trip costs more than the work (bench/README.md has the figures).
 */
export interface CryptoProvider {
  readonly name: string
  /** Every random byte the stack uses comes from here (key shares, randoms, salts, blinding, tickets). */
  randomBytes(length: number): Uint8Array
  hash(name: HashName): HashAlgorithm
  hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array
  hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array
  hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array
  aead(name: AeadName): AeadAlgorithm
  /** Does AES run in hardware here? Decides whether the default suite order puts ChaCha20 first. */
  readonly hasHardwareAes: boolean
  /** A fresh ephemeral share; `privateKey` fixes the secret (test vectors only). */
  generateKeyShare(group: NamedGroupName, privateKey?: Uint8Array): MaybePromise<KeyShare>
  /**
   * The server's side of a hybrid (KEM) group: encapsulates to the client's share and agrees on its classical half.
   * Throws (or rejects with) TlsError(illegal_parameter) for a bad client share: a wrong length, an encapsulation key
   * that fails FIPS 203's check, an invalid point or an all-zero X25519 result. (EC)DH groups need no such call:
   * the server makes its share with generateKeyShare and agrees, as the client does. src/crypto/hybrid.ts builds
   * both sides of a hybrid from a provider's classical groups and randomness.
   */
  encapsulate(group: HybridGroupName, clientShare: Uint8Array): MaybePromise<KemEncapsulation>
  /** Signs `message` (the hash is computed inside); ECDSA signatures are DER. */
  sign(algorithm: SignatureAlgorithm, key: PrivateKey, message: Uint8Array): MaybePromise<Uint8Array>
  /** Verifies; false for any bad signature or mismatched key, never a throw or a rejection. ECDSA accepts DER with high S. */
  verify(algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): MaybePromise<boolean>
  /** Which operations are native here; absent means all JavaScript. */
  describe?(): ProviderDescription
}

/** An AeadKey whose operations always return at once (noble, node:crypto). */
export interface SyncAeadKey extends AeadKey {
  seal(nonce: Uint8Array, plaintext: Uint8Array, additionalData: Uint8Array): Uint8Array
  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, additionalData: Uint8Array): Uint8Array | null
}

export interface SyncAeadAlgorithm extends AeadAlgorithm {
  importKey(key: Uint8Array): SyncAeadKey
}

export interface SyncKeyShare extends KeyShare {
  agree(peerPublicKey: Uint8Array): Uint8Array
}

/** A provider that never returns a promise: the whole handshake then runs synchronously inside receive(). */
export interface SyncCryptoProvider extends CryptoProvider {
  aead(name: AeadName): SyncAeadAlgorithm
  generateKeyShare(group: NamedGroupName, privateKey?: Uint8Array): SyncKeyShare
  encapsulate(group: HybridGroupName, clientShare: Uint8Array): KemEncapsulation
  sign(algorithm: SignatureAlgorithm, key: PrivateKey, message: Uint8Array): Uint8Array
  verify(algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean
}
