// nodeCryptoProvider on its own: synchronous everywhere, plain Uint8Arrays out (never Buffers), every operation native.
import { describe, expect, it } from 'vitest'
import { toHex } from '../bytes.js'
import { isPending } from '../pending.js'
import { generatePrivateKey } from './keys.js'
import { nobleProvider } from './noble.js'
import { nodeCryptoProvider } from './node-crypto.js'

const provider = nodeCryptoProvider()

/** A plain Uint8Array: Buffer's slice() is a view, and the stack relies on slice() copying. */
const isPlain = (b: unknown) => b instanceof Uint8Array && Object.getPrototypeOf(b) === Uint8Array.prototype

describe('nodeCryptoProvider', () => {
  it('says every operation is native but the ML-KEM hybrids, and AES is hardware on x64 and arm64', () => {
    const description = provider.describe!()
    expect(description.name).toBe('node:crypto')
    const { X25519MLKEM768, SecP256r1MLKEM768, ...classical } = description.operations
    expect(new Set(Object.values(classical))).toEqual(new Set(['native']))
    expect([X25519MLKEM768, SecP256r1MLKEM768]).toEqual(['javascript', 'javascript'])
    expect(Object.keys(description.operations)).toHaveLength(16)
    expect(provider.hasHardwareAes).toBe(process.arch === 'x64' || process.arch === 'arm64')
  })

  it('answers synchronously: key shares, agreement, signatures and AEADs never return a promise', () => {
    const share = provider.generateKeyShare('x25519')
    expect(isPending(share)).toBe(false)
    expect(isPending(share.agree(nobleProvider.generateKeyShare('x25519').publicKey))).toBe(false)
    const key = generatePrivateKey('ecdsa-p256')
    const signature = provider.sign({ type: 'ecdsa', hash: 'SHA-256' }, key, Uint8Array.of(1))
    expect(isPending(signature)).toBe(false)
    expect(provider.verify({ type: 'ecdsa', hash: 'SHA-256' }, key.publicKey, Uint8Array.of(1), signature)).toBe(true)
    const aead = provider.aead('CHACHA20-POLY1305').importKey(new Uint8Array(32))
    expect(isPending(aead.seal(new Uint8Array(12), Uint8Array.of(1), new Uint8Array(0)))).toBe(false)
  })

  it('hands out plain Uint8Arrays whose slice() copies', () => {
    const aead = provider.aead('AES-128-GCM').importKey(new Uint8Array(16))
    const sealed = aead.seal(new Uint8Array(12), Uint8Array.of(1, 2, 3), new Uint8Array(0))
    const outputs = {
      randomBytes: provider.randomBytes(16),
      digest: provider.hash('SHA-256').digest(Uint8Array.of(1)),
      incremental: provider.hash('SHA-384').create().update(Uint8Array.of(1)).digest(),
      hmac: provider.hmac('SHA-256', Uint8Array.of(1), Uint8Array.of(2)),
      hkdfExtract: provider.hkdfExtract('SHA-256', new Uint8Array(0), Uint8Array.of(1)),
      hkdfExpand: provider.hkdfExpand('SHA-256', new Uint8Array(32), new Uint8Array(0), 42),
      sealed,
      opened: aead.open(new Uint8Array(12), sealed, new Uint8Array(0))!,
      publicKey: provider.generateKeyShare('secp256r1').publicKey,
      shared: provider.generateKeyShare('x25519').agree(nobleProvider.generateKeyShare('x25519').publicKey),
      signature: provider.sign({ type: 'ed25519' }, generatePrivateKey('ed25519'), Uint8Array.of(1)),
    }
    for (const [what, bytes] of Object.entries(outputs)) {
      expect(isPlain(bytes), what).toBe(true)
      const copy = bytes.slice()
      copy[0]! ^= 0xff
      expect(copy[0], `${what}: slice() copies`).not.toBe(bytes[0])
    }
  })

  it('does not keep the caller’s key or input buffers', () => {
    const key = new Uint8Array(32).fill(3)
    const aead = provider.aead('AES-256-GCM').importKey(key)
    const expected = toHex(nobleProvider.aead('AES-256-GCM').importKey(new Uint8Array(32).fill(3)).seal(new Uint8Array(12), Uint8Array.of(9), new Uint8Array(0)))
    key.fill(0)
    expect(toHex(aead.seal(new Uint8Array(12), Uint8Array.of(9), new Uint8Array(0)))).toBe(expected)
  })
})
