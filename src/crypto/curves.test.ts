// Our curve constructions against noble's ready-made curves: the same parameters and results, blinding drawn from our source.
import { randomBytes } from 'node:crypto'
import { ed25519 as nobleEd25519, x25519 as nobleX25519 } from '@noble/curves/ed25519.js'
import { p256 as nobleP256, p384 as nobleP384 } from '@noble/curves/nist.js'
import { describe, expect, it } from 'vitest'
import { nobleCurves, publicCurves, randomSecretKey } from './curves.js'

/** A random source that counts what it is asked for. */
function countingSource() {
  const calls: number[] = []
  const source = (length: number) => {
    calls.push(length)
    return new Uint8Array(randomBytes(length))
  }
  return { source, calls }
}

const message = new Uint8Array(32).fill(7)
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('curves built from the standards', () => {
  it('have the domain parameters of noble’s ready-made curves', () => {
    expect(publicCurves.p256.Point.CURVE()).toEqual(nobleP256.Point.CURVE())
    expect(publicCurves.p384.Point.CURVE()).toEqual(nobleP384.Point.CURVE())
    expect(publicCurves.ed25519.Point.CURVE()).toEqual(nobleEd25519.Point.CURVE())
  })

  it('compute the same public keys, shared secrets and signatures', () => {
    const { source } = countingSource()
    const curves = nobleCurves(source)
    for (const [ours, theirs] of [
      [curves.p256, nobleP256],
      [curves.p384, nobleP384],
    ] as const) {
      const secret = randomSecretKey(ours, source)
      const peer = theirs.utils.randomSecretKey()
      expect(hex(ours.getPublicKey(secret))).toBe(hex(theirs.getPublicKey(secret)))
      expect(hex(ours.getSharedSecret(secret, theirs.getPublicKey(peer)))).toBe(hex(theirs.getSharedSecret(peer, theirs.getPublicKey(secret))))
      const signature = ours.sign(message, secret, { prehash: false })
      expect(theirs.verify(signature, message, theirs.getPublicKey(secret), { prehash: false })).toBe(true)
      // Without extra entropy ECDSA is RFC 6979's deterministic signature, noble's own byte for byte.
      expect(hex(signature)).toBe(hex(theirs.sign(message, secret, { prehash: false })))
    }
    const seed = new Uint8Array(randomBytes(32))
    expect(hex(curves.ed25519.getPublicKey(seed))).toBe(hex(nobleEd25519.getPublicKey(seed)))
    expect(hex(curves.ed25519.sign(message, seed))).toBe(hex(nobleEd25519.sign(message, seed)))
    // X25519's public key through the edwards25519 tables (RFC 7748 4.1's map) equals the ladder's.
    expect(hex(curves.x25519.getPublicKey(seed))).toBe(hex(nobleX25519.getPublicKey(seed)))
    expect(hex(curves.x25519.getPublicKey(seed))).toBe(hex(curves.x25519.scalarMult(seed, curves.x25519.GuBytes)))
  })

  it('blind secret-key work with randomness from the source they were given', () => {
    const { source, calls } = countingSource()
    const curves = nobleCurves(source)
    const secret = randomSecretKey(curves.p256, source)
    const operations: [string, () => unknown][] = [
      ['P-256 public key', () => curves.p256.getPublicKey(secret)],
      ['P-256 ECDH', () => curves.p256.getSharedSecret(secret, nobleP256.getPublicKey(nobleP256.utils.randomSecretKey()))],
      ['ECDSA P-256', () => curves.p256.sign(message, secret, { prehash: false })],
      ['Ed25519 signature', () => curves.ed25519.sign(message, new Uint8Array(32))],
      ['X25519 public key', () => curves.x25519.getPublicKey(new Uint8Array(32).fill(1))],
    ]
    for (const [name, operation] of operations) {
      const before = calls.length
      operation()
      expect(calls.length, name).toBeGreaterThan(before)
    }
  })

  it('work unblinded for public-key operations when given no source', () => {
    const secret = nobleP256.utils.randomSecretKey()
    expect(hex(publicCurves.p256.getPublicKey(secret))).toBe(hex(nobleP256.getPublicKey(secret)))
    const signature = nobleEd25519.sign(message, new Uint8Array(32))
    expect(publicCurves.ed25519.verify(signature, message, nobleEd25519.getPublicKey(new Uint8Array(32)))).toBe(true)
  })
})
