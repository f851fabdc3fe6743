// The CryptoProvider interface: every primitive the TLS stack uses, passed as a value (rustls' model).
import type { MaybePromise } from '../pending.js'

/** The hashes the suites and signatures use (FIPS 180-4 names). */
export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512'
/** The AEADs of the implemented suites (RFC 5116, RFC 8439). */
export type AeadName = 'AES-128-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305'
/** The ML-KEM-768 hybrids of draft-ietf-tls-ecdhe-mlkem, by their IANA names: KEMs, TLS 1.3 only. */
export type HybridGroupName = 'X25519MLKEM768' | 'SecP256r1MLKEM768'
/** Key-exchange groups, by their RFC 8446 (and IANA) names: (EC)DH groups and the hybrid KEMs. */
export type NamedGroupName = ClassicalGroupName | HybridGroupName
/** The (EC)DH groups: one key pair each side, a Diffie-Hellman agreement. */
export type ClassicalGroupName = 'x25519' | 'secp256r1' | 'secp384r1'
/** The NIST curves of ECDSA keys (FIPS 186-4). */
export type CurveName = 'P-256' | 'P-384'

/** An incremental hash whose state can be forked (the transcript needs that). */
export interface HashState {
  /** Absorbs more data; returns this state. */
  update(data: Uint8Array): HashState
  /** Digest of everything so far; the state stays usable. */
  digest(): Uint8Array
  /** An independent copy of the state so far. */
  clone(): HashState
}

/** A hash function: one-shot or incremental. */
export interface HashAlgorithm {
  /** Which hash this is. */
  readonly name: HashName
  /** The digest length in bytes (32, 48 or 64). */
  readonly outputLength: number
  /** A fresh incremental state. */
  create(): HashState
  /** The digest of `data` in one call. */
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

/** An AEAD algorithm, before it is keyed. */
export interface AeadAlgorithm {
  /** Which AEAD this is. */
  readonly name: AeadName
  /** The key length in bytes (16 or 32). */
  readonly keyLength: number
  /** The nonce length in bytes: 12 for every implemented suite. */
  readonly nonceLength: 12
  /** The authentication tag length in bytes: 16. */
  readonly tagLength: 16
  /** Keys the AEAD; synchronous (an implementation whose import is asynchronous awaits it inside seal/open). */
  importKey(key: Uint8Array): AeadKey
}

/**
 * An ephemeral key share: `publicKey` is what goes on the wire in key_share / ServerKeyExchange. For a hybrid group
 * it is the client's share (an ML-KEM encapsulation key beside the classical public value).
 */
export interface KeyShare {
  /** The group this share is for. */
  readonly group: NamedGroupName
  /** Our public value as sent on the wire (X25519: 32 bytes; NIST curves: an uncompressed point). */
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
  /**
   * The server's key_exchange (RFC 8446 §4.2.8), the ML-KEM-768 ciphertext (1088 bytes) and the server's (EC)DH share
   * concatenated in the group's order (draft-ietf-tls-ecdhe-mlkem): ML-KEM first in X25519MLKEM768, ECDH first in
   * SecP256r1MLKEM768.
   */
  readonly keyExchange: Uint8Array
  /** The secret fed to the key schedule: the ML-KEM and (EC)DH shared secrets concatenated in the same order (64 bytes). */
  readonly sharedSecret: Uint8Array
}

/** A public key from a certificate's SubjectPublicKeyInfo. */
export type PublicKey =
  | {
      /** An elliptic-curve key. */
      readonly type: 'ec'
      /** Its curve. */
      readonly curve: CurveName
      /** The uncompressed point (0x04 || X || Y). */
      readonly point: Uint8Array
    }
  | {
      /** An Ed25519 key (RFC 8032). */
      readonly type: 'ed25519'
      /** The 32-byte public key. */
      readonly key: Uint8Array
    }
  | {
      /** An RSA key (RFC 8017). */
      readonly type: 'rsa'
      /** The modulus. */
      readonly n: bigint
      /** The public exponent. */
      readonly e: bigint
      /** The modulus length in bits. */
      readonly bits: number
    }

/** A private key as importPrivateKey() returns it (from PKCS#8, SEC1 or PKCS#1 PEM/DER). */
export type PrivateKey =
  | {
      /** An elliptic-curve key. */
      readonly type: 'ec'
      /** Its curve. */
      readonly curve: CurveName
      /** The private scalar, big-endian. */
      readonly d: Uint8Array
      /** The matching public key. */
      readonly publicKey: PublicKey
    }
  | {
      /** An Ed25519 key (RFC 8032). */
      readonly type: 'ed25519'
      /** The 32-byte seed. */
      readonly seed: Uint8Array
      /** The matching public key. */
      readonly publicKey: PublicKey
    }
  | {
      /** An RSA key (RFC 8017 section 3.2, the CRT form). */
      readonly type: 'rsa'
      /** The modulus. */
      readonly n: bigint
      /** The public exponent. */
      readonly e: bigint
      /** The private exponent. */
      readonly d: bigint
      /** The first prime factor. */
      readonly p: bigint
      /** The second prime factor. */
      readonly q: bigint
      /** d mod (p - 1). */
      readonly dp: bigint
      /** d mod (q - 1). */
      readonly dq: bigint
      /** q^-1 mod p. */
      readonly qi: bigint
      /** The modulus length in bits. */
      readonly bits: number
      /** The matching public key. */
      readonly publicKey: PublicKey
    }

/**
 * A signature algorithm as certificates and TLS both need it. TLS SignatureSchemes map onto these
 * (src/crypto/schemes.ts); X.509 signatureAlgorithm OIDs map onto these too.
 */
export type SignatureAlgorithm =
  | {
      /** ECDSA (FIPS 186-4), DER-encoded signatures. */
      readonly type: 'ecdsa'
      /** The hash applied to the message. */
      readonly hash: HashName
    }
  | {
      /** Ed25519 (RFC 8032), pure: no pre-hash. */
      readonly type: 'ed25519'
    }
  | {
      /** RSASSA-PKCS1-v1_5 (RFC 8017 section 8.2). */
      readonly type: 'rsa-pkcs1'
      /** The hash applied to the message. */
      readonly hash: HashName
    }
  | {
      /** RSASSA-PSS with MGF1 over the same hash (RFC 8017 section 8.1). */
      readonly type: 'rsa-pss'
      /** The hash of the message and of MGF1. */
      readonly hash: HashName
      /** The salt length in bytes (TLS: the hash length). */
      readonly saltLength: number
    }

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

/** What `provider.describe()` says about where each operation runs. */
export interface ProviderDescription {
  /** The provider's name. */
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
  /** A short name for messages and benchmarks, e.g. `'noble'`. */
  readonly name: string
  /** Every random byte the stack uses comes from here (key shares, randoms, salts, blinding, tickets). */
  randomBytes(length: number): Uint8Array
  /** The hash `name` (SHA-256 and SHA-384 for the suites, SHA-512 for signatures). */
  hash(name: HashName): HashAlgorithm
  /** HMAC (RFC 2104) of `data` under `key`. */
  hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array
  /** HKDF-Extract (RFC 5869 section 2.2): the pseudorandom key. */
  hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array
  /** HKDF-Expand (RFC 5869 section 2.3): `length` bytes of output keying material. */
  hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array
  /** The AEAD `name`, to key with importKey(). */
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

/** An AeadAlgorithm whose keys are SyncAeadKeys. */
export interface SyncAeadAlgorithm extends AeadAlgorithm {
  importKey(key: Uint8Array): SyncAeadKey
}

/** A KeyShare whose agree() returns at once. */
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
