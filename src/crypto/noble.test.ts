// The noble provider's one source of randomness: a user's randomBytes, checked, or crypto.getRandomValues with a clear error.
import { generateKeyPairSync } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { TlsConfigError, TlsError } from '../errors.js'
import { generatePrivateKey, importPrivateKey } from './keys.js'
import { createNobleProvider, nobleProvider } from './noble.js'
import type { NamedGroupName, SignatureAlgorithm } from './provider.js'

/** A deterministic byte stream (SHA-256 in counter mode over a seed): reproducible "randomness" for tests. */
function seededRandom(seed: string) {
  let counter = 0
  return (length: number) => {
    const out = new Uint8Array(length)
    for (let at = 0; at < length; at += 32) {
      const block = sha256(new TextEncoder().encode(`${seed}/${counter++}`))
      out.set(block.subarray(0, Math.min(32, length - at)), at)
    }
    return out
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const groups: NamedGroupName[] = ['x25519', 'secp256r1', 'secp384r1']
const message = new TextEncoder().encode('signed by a seeded provider')

describe('createNobleProvider({ randomBytes })', () => {
  it('takes key shares from the given source only: the same seed gives the same shares, another seed others', () => {
    for (const group of groups) {
      const a = createNobleProvider({ randomBytes: seededRandom('one') }).generateKeyShare(group)
      const b = createNobleProvider({ randomBytes: seededRandom('one') }).generateKeyShare(group)
      const c = createNobleProvider({ randomBytes: seededRandom('two') }).generateKeyShare(group)
      expect(hex(a.publicKey), group).toBe(hex(b.publicKey))
      expect(hex(a.publicKey), group).not.toBe(hex(c.publicKey))
      expect(hex(a.agree(c.publicKey)), group).toBe(hex(c.agree(a.publicKey)))
    }
  })

  it('takes PSS salts, RSA blinding and hedged ECDSA entropy from the given source', () => {
    const rsa = generateRsaKey()
    const p256 = generatePrivateKey('ecdsa-p256', seededRandom('key'))
    const cases: [SignatureAlgorithm, typeof rsa][] = [
      [{ type: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }, rsa],
      [{ type: 'ecdsa', hash: 'SHA-256' }, p256],
    ]
    for (const [algorithm, key] of cases) {
      const sign = (seed: string) => createNobleProvider({ randomBytes: seededRandom(seed) }).sign(algorithm, key, message)
      expect(hex(sign('one')), algorithm.type).toBe(hex(sign('one')))
      expect(hex(sign('one')), algorithm.type).not.toBe(hex(sign('two')))
      expect(nobleProvider.verify(algorithm, key.publicKey, message, sign('two'))).toBe(true)
    }
  })

  it('hands out exactly the bytes of the source', () => {
    const provider = createNobleProvider({ randomBytes: seededRandom('x') })
    expect(hex(provider.randomBytes(40))).toBe(hex(seededRandom('x')(40)))
  })

  it('fails closed, with a typed error, when the source returns the wrong thing', () => {
    const short = createNobleProvider({ randomBytes: (n) => new Uint8Array(n - 1) })
    expect(() => short.randomBytes(32)).toThrow(expect.objectContaining({ code: 'ERR_TLS_NO_RANDOM_SOURCE', message: 'randomBytes(32) returned 31 bytes, not 32 bytes' }))
    const wrongType = createNobleProvider({ randomBytes: () => [1, 2, 3] as unknown as Uint8Array })
    expect(() => wrongType.generateKeyShare('x25519')).toThrow(TlsError)
    expect(() => createNobleProvider({ randomBytes: 'no' as never })).toThrow(TlsConfigError)
  })
})

describe('nobleProvider (crypto.getRandomValues)', () => {
  const original = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!
  afterEach(() => {
    Object.defineProperty(globalThis, 'crypto', original)
  })

  it('draws from crypto.getRandomValues, more than its 65536-byte limit at once too', () => {
    expect(nobleProvider.randomBytes(100_000).length).toBe(100_000)
    expect(hex(nobleProvider.randomBytes(16))).not.toBe(hex(nobleProvider.randomBytes(16)))
  })

  it('says what is missing, and what to do, where the runtime has no crypto', () => {
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true })
    expect(() => nobleProvider.generateKeyShare('x25519')).toThrow(
      expect.objectContaining({ code: 'ERR_TLS_NO_RANDOM_SOURCE', message: expect.stringMatching(/crypto\.getRandomValues.*createNobleProvider\(\{ randomBytes \}\)/) }),
    )
  })
})

/** A 2048-bit RSA key made by node:crypto (signing with it then needs no randomness of node's). */
function generateRsaKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return importPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)
}
