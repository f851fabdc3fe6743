// ML-KEM-768 known answers (NIST ACVP, FIPS 203) for @noble/post-quantum, and the X25519MLKEM768 server side built from them with RFC 7748's X25519 vector.
import { readFileSync } from 'node:fs'
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js'
import { sha3_256, shake256 } from '@noble/hashes/sha3.js'
import { describe, expect, it } from 'vitest'
import { hybridEncapsulate } from '../src/crypto/hybrid.js'
import { nobleProvider } from '../src/crypto/noble.js'
import type { SyncCryptoProvider } from '../src/crypto/provider.js'

interface AcvpEncapDecap {
  source: string
  tcId: number
  ek: string
  dkPke: string
  h: string
  z: string
  m: string
  c: string
  k: string
}

const vector = JSON.parse(readFileSync(new URL('./data/ml-kem-768-acvp.json', import.meta.url), 'utf8')) as AcvpEncapDecap
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase()
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts))

/** FIPS 203 algorithm 16: dk = dkPKE ‖ ek ‖ H(ek) ‖ z. */
const dk = concat(hex(vector.dkPke), hex(vector.ek), hex(vector.h), hex(vector.z))

describe(`ML-KEM-768, ACVP encapDecap tcId ${vector.tcId}`, () => {
  it('has FIPS 203 table 3 sizes, and h is H(ek) = SHA3-256(ek)', () => {
    expect([hex(vector.ek).length, dk.length, hex(vector.c).length, hex(vector.k).length]).toEqual([1184, 2400, 1088, 32])
    expect(toHex(sha3_256(hex(vector.ek)))).toBe(vector.h)
  })

  it('encapsulation with the vector’s m gives its ciphertext and shared secret', () => {
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(hex(vector.ek), hex(vector.m))
    expect(toHex(cipherText)).toBe(vector.c)
    expect(toHex(sharedSecret)).toBe(vector.k)
  })

  it('decapsulation recovers the shared secret', () => {
    expect(toHex(ml_kem768.decapsulate(hex(vector.c), dk))).toBe(vector.k)
  })

  it('a modified ciphertext is rejected implicitly: K̄ = J(z ‖ c) = SHAKE256(z ‖ c, 32) (FIPS 203 algorithm 18)', () => {
    const tampered = hex(vector.c)
    tampered[500]! ^= 0x40
    const expected = shake256(concat(hex(vector.z), tampered), { dkLen: 32 })
    expect(toHex(ml_kem768.decapsulate(tampered, dk))).toBe(toHex(expected))
  })
})

/** RFC 7748 section 6.1: Alice's and Bob's X25519 keys and their shared secret. */
const rfc7748 = {
  alicePrivate: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
  alicePublic: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
  bobPublic: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
  shared: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
}

describe('X25519MLKEM768 server side from known answers (draft-ietf-tls-ecdhe-mlkem)', () => {
  it('client share ek ‖ Bob → server share c ‖ Alice and shared secret K(ML-KEM) ‖ K(X25519)', () => {
    // A provider whose only randomness is the vector's m and whose X25519 share is Alice's.
    const fixed: SyncCryptoProvider = {
      ...nobleProvider,
      randomBytes: (n) => {
        expect(n).toBe(32)
        return hex(vector.m)
      },
      generateKeyShare: (group, privateKey) => nobleProvider.generateKeyShare(group, privateKey ?? hex(rfc7748.alicePrivate)),
    }
    const answer = hybridEncapsulate(fixed, 'X25519MLKEM768', concat(hex(vector.ek), hex(rfc7748.bobPublic)))
    expect(toHex(answer.keyExchange)).toBe(vector.c + rfc7748.alicePublic.toUpperCase())
    expect(toHex(answer.sharedSecret)).toBe(vector.k + rfc7748.shared.toUpperCase())
  })
})
