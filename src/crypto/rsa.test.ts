// RSA on BigInt: the arithmetic, the key limits, the fault check, and how fast 2048-bit verify and sign are.
import * as nodeCrypto from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TlsError } from '../errors.js'
import { importPrivateKey } from './keys.js'
import type { PrivateKey } from './provider.js'
import {
  bigIntToBytes,
  bytesToBigInt,
  modInverse,
  modPow,
  rsaPkcs1Sign,
  rsaPkcs1Verify,
  rsaPssSign,
  rsaPssVerify,
  rsaPublicKeyProblem,
  type RsaPrivateKey,
} from './rsa.js'

const random = (length: number) => new Uint8Array(nodeCrypto.randomBytes(length))

function rsaKey(bits: number, publicExponent = 65537): RsaPrivateKey {
  const { privateKey } = nodeCrypto.generateKeyPairSync('rsa', { modulusLength: bits, publicExponent })
  const key: PrivateKey = importPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)
  if (key.type !== 'rsa') throw new Error('not an RSA key')
  return key
}

/** Plain right-to-left square-and-multiply, as the reference for the windowed version. */
function referenceModPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n % modulus
  let b = base % modulus
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus
    b = (b * b) % modulus
  }
  return result
}

const message = new TextEncoder().encode('an RSA test message')

describe('arithmetic', () => {
  it('modPow agrees with plain square-and-multiply for exponents of every size', () => {
    const big = fc.bigInt({ min: 0n, max: (1n << 1100n) - 1n })
    fc.assert(
      fc.property(big, big, fc.bigInt({ min: 1n, max: (1n << 1100n) - 1n }), (b, e, m) => {
        expect(modPow(b, e, m)).toBe(referenceModPow(b, e, m))
      }),
      { numRuns: 300 },
    )
    expect(modPow(5n, 0n, 7n)).toBe(1n)
    expect(modPow(5n, 3n, 1n)).toBe(0n)
  })

  it('modInverse inverts, and says when there is no inverse', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1n << 600n }), (a) => {
        const m = (1n << 607n) - 1n // a Mersenne prime
        expect((a * modInverse(a, m)!) % m).toBe(a % m === 0n ? 0n : 1n)
      }),
      { numRuns: 100 },
    )
    expect(modInverse(6n, 9n)).toBeUndefined()
  })

  it('I2OSP / OS2IP round-trip, and I2OSP refuses an integer too large for its length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (b) => {
        expect(bigIntToBytes(bytesToBigInt(b), b.length)).toEqual(b)
      }),
    )
    expect(bigIntToBytes(256n, 1)).toBeUndefined()
    expect(bigIntToBytes(-1n, 4)).toBeUndefined()
    expect(bytesToBigInt(new Uint8Array(0))).toBe(0n)
  })
})

describe('limits', () => {
  const n2048 = (1n << 2047n) + 1n
  it('refuses moduli under 2048 or over 8192 bits, even moduli, and even, tiny or huge exponents', () => {
    expect(rsaPublicKeyProblem({ n: n2048, e: 65537n })).toBeUndefined()
    expect(rsaPublicKeyProblem({ n: n2048, e: 3n })).toBeUndefined()
    expect(rsaPublicKeyProblem({ n: (1n << 2046n) + 1n, e: 65537n })).toMatch(/2047 bits/)
    expect(rsaPublicKeyProblem({ n: (1n << 8192n) + 1n, e: 65537n })).toMatch(/8193 bits/)
    expect(rsaPublicKeyProblem({ n: n2048 + 1n, e: 65537n })).toMatch(/even/)
    expect(rsaPublicKeyProblem({ n: n2048, e: 65536n })).toMatch(/exponent/)
    expect(rsaPublicKeyProblem({ n: n2048, e: 1n })).toMatch(/exponent/)
    expect(rsaPublicKeyProblem({ n: n2048, e: (1n << 32n) - 1n })).toBeUndefined()
    expect(rsaPublicKeyProblem({ n: n2048, e: (1n << 32n) + 1n })).toMatch(/longer than 32 bits/)
  })

  it('verification with an out-of-limits key is false, and a signature not below n is refused', () => {
    const key = rsaKey(2048)
    const sig = rsaPkcs1Sign(key, 'SHA-256', message, random)
    expect(rsaPkcs1Verify(key, 'SHA-256', message, sig)).toBe(true)
    expect(rsaPkcs1Verify({ n: key.n, e: 2n }, 'SHA-256', message, sig)).toBe(false)
    expect(rsaPkcs1Verify(key, 'SHA-256', message, bigIntToBytes(key.n, 256)!)).toBe(false)
  })

  it('refuses 1024-bit keys, for import and for verification, whatever verifier the connection uses', () => {
    const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync('rsa', { modulusLength: 1024 })
    const jwk = publicKey.export({ format: 'jwk' })
    const n = bytesToBigInt(Buffer.from(jwk.n!, 'base64url'))
    const e = bytesToBigInt(Buffer.from(jwk.e!, 'base64url'))
    const signature = nodeCrypto.sign('sha256', message, { key: privateKey, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
    // node:crypto itself accepts it, so only our floor refuses it.
    expect(nodeCrypto.verify('sha256', message, { key: publicKey, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature)).toBe(true)
    expect(rsaPssVerify({ n, e }, 'SHA-256', 32, message, signature)).toBe(false)
    expect(() => importPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)).toThrow(/2048/)
  })

  it('PSS round-trips with a modulus whose bit length is 1 mod 8 (emLen = k - 1)', () => {
    const key = rsaKey(2049)
    for (const salt of [0, 32, 64]) expect(rsaPssVerify(key, 'SHA-512', salt, message, rsaPssSign(key, 'SHA-512', salt, message, random))).toBe(true)
    expect(rsaPssVerify(key, 'SHA-512', 32, message, rsaPssSign(key, 'SHA-512', 33, message, random))).toBe(false)
  })
})

describe('signing protections', () => {
  it('refuses to release a signature from an inconsistent key (the fault check)', () => {
    const key = rsaKey(2048)
    const broken: RsaPrivateKey = { ...key, dp: key.dp ^ 2n }
    expect(() => rsaPkcs1Sign(broken, 'SHA-256', message, random)).toThrow(TlsError)
    expect(() => rsaPkcs1Sign(broken, 'SHA-256', message, random)).toThrow(/own verification/)
  })

  it('blinding: two PSS signatures differ, two PKCS#1 signatures are equal (deterministic scheme, blinded computation)', () => {
    const key = rsaKey(2048)
    expect(rsaPkcs1Sign(key, 'SHA-384', message, random)).toEqual(rsaPkcs1Sign(key, 'SHA-384', message, random))
    expect(rsaPssSign(key, 'SHA-384', 48, message, random)).not.toEqual(rsaPssSign(key, 'SHA-384', 48, message, random))
  })

  it('refuses to sign with a key outside the limits', () => {
    const key = rsaKey(2048)
    expect(() => rsaPkcs1Sign({ ...key, e: 65536n }, 'SHA-256', message, random)).toThrow(TlsError)
  })
})

describe('speed', () => {
  function averageMs(runs: number, fn: () => unknown): number {
    for (let i = 0; i < 3; i++) fn()
    const start = performance.now()
    for (let i = 0; i < runs; i++) fn()
    return (performance.now() - start) / runs
  }

  it('2048-bit verify well under a millisecond, CRT sign in tens of milliseconds (measured and printed)', () => {
    const lines: string[] = []
    const results: Record<number, { verify: number; sign: number }> = {}
    for (const bits of [2048, 3072, 4096]) {
      const key = rsaKey(bits)
      const sig = rsaPssSign(key, 'SHA-256', 32, message, random)
      const verify = averageMs(50, () => rsaPssVerify(key, 'SHA-256', 32, message, sig))
      const sign = averageMs(bits === 2048 ? 20 : 5, () => rsaPssSign(key, 'SHA-256', 32, message, random))
      results[bits] = { verify, sign }
      lines.push(`RSA-${bits}: verify ${verify.toFixed(3)} ms, sign (CRT, blinded, fault-checked) ${sign.toFixed(2)} ms`)
    }
    console.log(lines.join('\n'))
    // Loose bounds so a loaded CI machine does not flake; the printed numbers are the measurement.
    expect(results[2048]!.verify).toBeLessThan(5)
    expect(results[2048]!.sign).toBeLessThan(100)
  })
})
