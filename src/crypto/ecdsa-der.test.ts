// ECDSA DER <-> r || s: what noble encodes we encode, what is not strict DER (or not in range) is refused, high S comes out low.
import { p256, p384 } from '@noble/curves/nist.js'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { ecdsaDerToRaw, ecdsaRawToDer } from './ecdsa-der.js'
import type { CurveName } from './provider.js'

const curves: readonly (readonly [CurveName, typeof p256])[] = [
  ['P-256', p256],
  ['P-384', p384],
]

/** A raw r || s whose r and s start with the given bytes (so the sign byte and leading zeros are exercised). */
function raw(size: number, rHead: number[], sHead: number[]): Uint8Array {
  const out = new Uint8Array(2 * size).fill(0x11)
  out.set(rHead, 0)
  out.set(sHead, size)
  return out
}

describe('ecdsaRawToDer / ecdsaDerToRaw', () => {
  for (const [curve, noble] of curves) {
    const size = curve === 'P-256' ? 32 : 48
    it(`${curve}: encodes as noble does and decodes back, for high-bit, leading-zero and short integers`, () => {
      const cases = [raw(size, [0x80], [0x01]), raw(size, [0x00, 0x00, 0x7f], [0x00, 0x80]), raw(size, [0x00], [0x7f]), raw(size, new Array(size - 1).fill(0), [0x42])]
      for (const rs of cases) {
        const der = ecdsaRawToDer(curve, rs)
        expect(toHex(der)).toBe(toHex(noble.Signature.fromBytes(rs, 'compact').toBytes('der')))
        expect(toHex(ecdsaDerToRaw(curve, der)!)).toBe(toHex(rs))
      }
    })

    it(`${curve}: a high S is written as n − S`, () => {
      const n = noble.Point.Fn.ORDER
      const rs = raw(size, [0x12], [0xff, 0xff])
      const s = BigInt(`0x${toHex(rs.subarray(size))}`)
      const der = ecdsaRawToDer(curve, rs)
      const back = ecdsaDerToRaw(curve, der)!
      expect(BigInt(`0x${toHex(back.subarray(size))}`)).toBe(n - s)
      expect(toHex(back.subarray(0, size))).toBe(toHex(rs.subarray(0, size)))
    })
  }

  it('refuses everything that is not one minimal SEQUENCE of two minimal non-negative INTEGERs that fit', () => {
    expect(ecdsaDerToRaw('P-256', fromHex('3006020101020101')), 'r = s = 1, the well-formed base of the cases below').toBeDefined()
    const bad = {
      empty: '',
      'not a SEQUENCE': '3106020101020101',
      'long-form SEQUENCE length': '308106020101020101',
      'SEQUENCE length too long': '3007020101020101',
      'SEQUENCE length too short': '3005020101020101',
      'trailing byte': '300602010102010100',
      'one INTEGER': '3003020101',
      'three INTEGERs': '3009020101020101020101',
      'empty INTEGER': '30050200020101',
      'negative INTEGER': '3006020181020101',
      'long-form INTEGER length': '300702810101020101',
      'non-minimal 00 01': '300702020001020101',
      'non-minimal 00 00 80': '30080203000080020101',
      'BIT STRING for s': '3006020101030101',
      'r longer than the curve': `3026022101${'11'.repeat(32)}020101`,
    }
    for (const [what, hex] of Object.entries(bad)) expect(ecdsaDerToRaw('P-256', fromHex(hex)), what).toBeUndefined()
  })

  it('takes a 33-byte INTEGER with its sign byte for a value that needs the whole size, and refuses r or s out of 1..n-1', () => {
    const n = p256.Point.Fn.ORDER
    const big = (n - 1n).toString(16)
    expect(toHex(ecdsaDerToRaw('P-256', fromHex(`3026022100${big}020101`))!)).toBe(`${big}${'00'.repeat(31)}01`)
    const outOfRange = { 'r = n': `3026022100${n.toString(16)}020101`, 'r = 2^256 - 1': `3026022100${'ff'.repeat(32)}020101`, 's = 0': '3006020101020100' }
    for (const [what, hex] of Object.entries(outOfRange)) expect(ecdsaDerToRaw('P-256', fromHex(hex)), what).toBeUndefined()
  })
})
