// AES-GCM (NIST SP 800-38D) with 96-bit IVs, keyed once: the AES key schedule, the hash subkey H and H's GHASH table
// are built when the key is imported, so a record pays only for its CTR blocks and its GHASH blocks.
//
// noble's one-shot gcm(key, nonce, aad) rebuilds all three on every call (about 20 µs of a 150-byte seal); TLS keeps a
// key for thousands of records. This composes noble's own primitives (`unsafe.expandKeyLE`, `unsafe.ctr32`, GHASH),
// which @noble/ciphers exports for this and which we pin to one exact version; the construction is SP 800-38D §7.
import { unsafe } from '@noble/ciphers/aes.js'
import { GHASH } from '@noble/ciphers/_polyval.js'
import { constantTimeEqual } from '../bytes.js'

const BLOCK = 16
const TAG_LENGTH = 16
const IV_LENGTH = 12
/** GHASH table window in bits: 4 makes a 512-entry table per key (some 20 KB), twice as fast per block as noble's default 2. */
const GHASH_EXPECTED_LENGTH = 16 * 1024

/** A GHASH over a fixed subkey whose table is kept between messages (restart() clears only the running state). */
class ReusableGhash extends GHASH {
  restart(): this {
    this.s0 = this.s1 = this.s2 = this.s3 = 0
    this.finished = false
    return this
  }
}

/**
 * `bytes` itself when its offset allows the 32-bit views ctr32 reads through; otherwise a copy in a buffer of its own
 * (not bytes.slice(): on a node Buffer that is a view at the same offset).
 */
function aligned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes)
}

/** len(A) || len(C) in bits, each a 64-bit big-endian integer (SP 800-38D §7.1 step 5). */
function lengthBlock(aadLength: number, ciphertextLength: number): Uint8Array {
  const block = new Uint8Array(BLOCK)
  const view = new DataView(block.buffer)
  // Record lengths are far below 2^32 bytes; the high words of the bit counts come from the byte counts' top bits.
  view.setUint32(0, Math.floor(aadLength / 0x20000000))
  view.setUint32(4, (aadLength * 8) >>> 0)
  view.setUint32(8, Math.floor(ciphertextLength / 0x20000000))
  view.setUint32(12, (ciphertextLength * 8) >>> 0)
  return block
}

/** One AES key (16 or 32 bytes) ready for GCM: seal returns ciphertext || tag; open returns null on any failure. */
export class AesGcmKey {
  readonly #roundKeys: Uint32Array
  readonly #ghash: ReusableGhash

  constructor(key: Uint8Array) {
    if (key.length !== 16 && key.length !== 32) throw new RangeError('AES-GCM key must be 16 or 32 bytes')
    this.#roundKeys = unsafe.expandKeyLE(key)
    // H = CIPH_K(0^128) (§6.4).
    const hashSubkey = unsafe.ctr32(this.#roundKeys, false, new Uint8Array(BLOCK), new Uint8Array(BLOCK))
    this.#ghash = new ReusableGhash(hashSubkey, GHASH_EXPECTED_LENGTH)
    hashSubkey.fill(0)
  }

  seal(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    const counter = this.#firstCounter(iv)
    const tagMask = unsafe.ctr32(this.#roundKeys, false, counter, new Uint8Array(BLOCK))
    const out = new Uint8Array(plaintext.length + TAG_LENGTH)
    const ciphertext = out.subarray(0, plaintext.length)
    unsafe.ctr32(this.#roundKeys, false, counter, aligned(plaintext), ciphertext)
    out.set(this.#tag(aad, ciphertext, tagMask), plaintext.length)
    return out
  }

  /** The plaintext, or null when the tag does not verify; nothing is decrypted before it does (§7.2). */
  open(iv: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | null {
    if (ciphertextAndTag.length < TAG_LENGTH) return null
    const input = aligned(ciphertextAndTag)
    const ciphertext = input.subarray(0, input.length - TAG_LENGTH)
    const counter = this.#firstCounter(iv)
    const tagMask = unsafe.ctr32(this.#roundKeys, false, counter, new Uint8Array(BLOCK))
    if (!constantTimeEqual(this.#tag(aad, ciphertext, tagMask), input.subarray(ciphertext.length))) return null
    return unsafe.ctr32(this.#roundKeys, false, counter, ciphertext)
  }

  /** J0 = IV || 0^31 || 1 for a 96-bit IV (§7.1 step 2); ctr32 advances it past each block it encrypts. */
  #firstCounter(iv: Uint8Array): Uint8Array {
    if (iv.length !== IV_LENGTH) throw new RangeError('AES-GCM IV must be 12 bytes')
    const counter = new Uint8Array(BLOCK)
    counter.set(iv)
    counter[BLOCK - 1] = 1
    return counter
  }

  /** T = GHASH_H(A padded || C padded || len(A) || len(C)) XOR CIPH_K(J0) (§7.1 steps 5-6). */
  #tag(aad: Uint8Array, ciphertext: Uint8Array, tagMask: Uint8Array): Uint8Array {
    const ghash = this.#ghash.restart()
    if (aad.length > 0) ghash.update(aad)
    if (ciphertext.length > 0) ghash.update(ciphertext)
    ghash.update(lengthBlock(aad.length, ciphertext.length))
    const tag = new Uint8Array(BLOCK)
    ghash.digestInto(tag)
    for (let i = 0; i < BLOCK; i++) tag[i] = tag[i]! ^ tagMask[i]!
    return tag
  }
}
