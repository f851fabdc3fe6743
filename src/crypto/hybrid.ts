// Hybrid post-quantum key shares (draft-ietf-tls-ecdhe-mlkem): ML-KEM-768 (FIPS 203) beside X25519 or P-256, built on any provider.
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js'
import { concat } from '../bytes.js'
import { TlsError } from '../errors.js'
import { drive, settle, type Waiting } from '../pending.js'
import type {
  CryptoProvider,
  HybridGroupName,
  KemEncapsulation,
  KeyShare,
  NamedGroupName,
  SyncCryptoProvider,
  SyncKeyShare,
} from './provider.js'

/** FIPS 203 table 3, ML-KEM-768: encapsulation key, ciphertext; keygen seed d‖z; encapsulation randomness m. */
const ENCAPSULATION_KEY_LENGTH = 1184
const CIPHERTEXT_LENGTH = 1088
const SEED_LENGTH = 64
const MESSAGE_LENGTH = 32
/** An X25519 or P-256 private key, as generateKeyShare takes it. */
const CLASSICAL_PRIVATE_KEY_LENGTH = 32
/** ML-KEM's q, and the bytes of t̂ (k = 3 polynomials of 256 12-bit coefficients) at the start of the key. */
const Q = 3329
const T_HAT_LENGTH = 1152

/** How one hybrid group lays out its shares and its shared secret. */
interface Layout {
  /** The (EC)DH half, a group the provider does on its own. */
  readonly classical: 'x25519' | 'secp256r1'
  /** The classical share's length: an X25519 u-coordinate or an uncompressed P-256 point. */
  readonly classicalLength: number
  /**
   * Whether ML-KEM comes first in the client share, the server share and the shared secret alike. The draft puts the
   * FIPS-approved part first: ML-KEM in X25519MLKEM768, ECDH in SecP256r1MLKEM768.
   */
  readonly mlKemFirst: boolean
}

const layouts: Readonly<Record<HybridGroupName, Layout>> = {
  X25519MLKEM768: { classical: 'x25519', classicalLength: 32, mlKemFirst: true },
  SecP256r1MLKEM768: { classical: 'secp256r1', classicalLength: 65, mlKemFirst: false },
}

/** Whether a group is one of the ML-KEM hybrids (a KEM: the server encapsulates to the client's share). */
export function isHybridGroup(group: NamedGroupName): group is HybridGroupName {
  return Object.hasOwn(layouts, group)
}

/** The two halves in the group's order. */
function ordered(layout: Layout, mlKem: Uint8Array, classical: Uint8Array): Uint8Array {
  return layout.mlKemFirst ? concat(mlKem, classical) : concat(classical, mlKem)
}

/** Splits a share (or private key) whose ML-KEM part is `mlKemLength` bytes; anything but the exact length is illegal_parameter. */
function split(group: HybridGroupName, what: string, bytes: Uint8Array, mlKemLength: number, classicalLength: number): { mlKem: Uint8Array; classical: Uint8Array } {
  const expected = mlKemLength + classicalLength
  if (bytes.length !== expected) throw new TlsError('illegal_parameter', `${group} ${what} is ${bytes.length} bytes, not ${expected}`)
  const { mlKemFirst } = layouts[group]
  const mlKemAt = mlKemFirst ? 0 : classicalLength
  const classicalAt = mlKemFirst ? mlKemLength : 0
  return { mlKem: bytes.subarray(mlKemAt, mlKemAt + mlKemLength), classical: bytes.subarray(classicalAt, classicalAt + classicalLength) }
}

/**
 * FIPS 203 section 7.2, the encapsulation key check: ByteEncode12(ByteDecode12(t̂)) = t̂, that is, every 12-bit
 * coefficient (two per three bytes, little-endian) is below q.
 */
export function encapsulationKeyModulusOk(encapsulationKey: Uint8Array): boolean {
  for (let i = 0; i < T_HAT_LENGTH; i += 3) {
    const b0 = encapsulationKey[i]!
    const b1 = encapsulationKey[i + 1]!
    const b2 = encapsulationKey[i + 2]!
    if ((b0 | ((b1 & 0x0f) << 8)) >= Q || ((b1 >> 4) | (b2 << 4)) >= Q) return false
  }
  return true
}

/** The client's side: decapsulate the server's ciphertext, agree on the classical half, combine in the group's order. */
function* agreeSteps(group: HybridGroupName, decapsulationKey: Uint8Array, classical: KeyShare, serverShare: Uint8Array): Waiting<Uint8Array> {
  const layout = layouts[group]
  // The draft: a ciphertext of the wrong length is illegal_parameter (split checks the whole share's length).
  const parts = split(group, 'server share', serverShare, CIPHERTEXT_LENGTH, layout.classicalLength)
  const classicalSecret = yield* settle(classical.agree(parts.classical))
  let mlKemSecret: Uint8Array
  try {
    mlKemSecret = ml_kem768.decapsulate(parts.mlKem, decapsulationKey).slice()
  } catch {
    // Decapsulation rejects implicitly and never fails on a well-formed ciphertext: anything else is ours.
    throw new TlsError('internal_error', `${group}: ML-KEM-768 decapsulation failed`)
  }
  return ordered(layout, mlKemSecret, classicalSecret)
}

function* keyShareSteps(provider: CryptoProvider, group: HybridGroupName, privateKey: Uint8Array | undefined): Waiting<KeyShare> {
  const layout = layouts[group]
  if (privateKey && privateKey.length !== SEED_LENGTH + CLASSICAL_PRIVATE_KEY_LENGTH)
    throw new TlsError('internal_error', `a fixed ${group} private key is ${SEED_LENGTH + CLASSICAL_PRIVATE_KEY_LENGTH} bytes, not ${privateKey.length}`)
  const fixed = privateKey && split(group, 'private key', privateKey, SEED_LENGTH, CLASSICAL_PRIVATE_KEY_LENGTH)
  const { publicKey: encapsulationKey, secretKey: decapsulationKey } = ml_kem768.keygen(fixed?.mlKem ?? provider.randomBytes(SEED_LENGTH))
  const classical = yield* settle(provider.generateKeyShare(layout.classical, fixed?.classical))
  return {
    group,
    publicKey: ordered(layout, encapsulationKey, classical.publicKey),
    agree: (serverShare) => drive(agreeSteps(group, decapsulationKey, classical, serverShare)),
  }
}

/**
 * The client's hybrid share: a fresh ML-KEM-768 key pair (its seed from `provider.randomBytes`) and the provider's own
 * share of the classical group, as one key_exchange. `privateKey` (test vectors only) is the ML-KEM seed d‖z and the
 * classical private key, in the group's order.
 */
export function hybridKeyShare(provider: SyncCryptoProvider, group: HybridGroupName, privateKey?: Uint8Array): SyncKeyShare
export function hybridKeyShare(provider: CryptoProvider, group: HybridGroupName, privateKey?: Uint8Array): KeyShare | PromiseLike<KeyShare>
export function hybridKeyShare(provider: CryptoProvider, group: HybridGroupName, privateKey?: Uint8Array): KeyShare | PromiseLike<KeyShare> {
  return drive(keyShareSteps(provider, group, privateKey))
}

function* encapsulateSteps(provider: CryptoProvider, group: HybridGroupName, clientShare: Uint8Array): Waiting<KemEncapsulation> {
  const layout = layouts[group]
  const parts = split(group, 'client share', clientShare, ENCAPSULATION_KEY_LENGTH, layout.classicalLength)
  if (!encapsulationKeyModulusOk(parts.mlKem)) throw new TlsError('illegal_parameter', `${group} client share fails the ML-KEM encapsulation key check (FIPS 203 7.2)`)
  // The classical half first: an invalid point or an all-zero X25519 secret is refused before any ML-KEM work.
  const classical = yield* settle(provider.generateKeyShare(layout.classical))
  const classicalSecret = yield* settle(classical.agree(parts.classical))
  let encapsulation: { cipherText: Uint8Array; sharedSecret: Uint8Array }
  try {
    encapsulation = ml_kem768.encapsulate(parts.mlKem, provider.randomBytes(MESSAGE_LENGTH))
  } catch {
    throw new TlsError('illegal_parameter', `${group} client share is not a valid ML-KEM-768 encapsulation key`)
  }
  return {
    keyExchange: ordered(layout, encapsulation.cipherText, classical.publicKey),
    sharedSecret: ordered(layout, encapsulation.sharedSecret.slice(), classicalSecret),
  }
}

/**
 * The server's answer to a client's hybrid share: encapsulation to its ML-KEM-768 key (randomness from
 * `provider.randomBytes`) and the provider's classical agreement, as the ServerHello key_exchange and the shared
 * secret. Every check the draft asks for comes first: exact lengths, the encapsulation key check, the classical
 * point (and the all-zero X25519 result); each failure is illegal_parameter.
 */
export function hybridEncapsulate(provider: SyncCryptoProvider, group: HybridGroupName, clientShare: Uint8Array): KemEncapsulation
export function hybridEncapsulate(provider: CryptoProvider, group: HybridGroupName, clientShare: Uint8Array): KemEncapsulation | PromiseLike<KemEncapsulation>
export function hybridEncapsulate(provider: CryptoProvider, group: HybridGroupName, clientShare: Uint8Array): KemEncapsulation | PromiseLike<KemEncapsulation> {
  return drive(encapsulateSteps(provider, group, clientShare))
}
