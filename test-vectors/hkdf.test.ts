// RFC 5869 appendix A.1-A.3: HKDF-SHA256 through the provider's hkdfExtract / hkdfExpand.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { TlsError } from '../src/errors.js'
import { nobleProvider as provider } from '../src/crypto/noble.js'

interface Rfc5869Case {
  tc: number
  IKM: string
  salt: string
  info: string
  L: number
  PRK: string
  OKM: string
}

const vectors = JSON.parse(readFileSync(new URL('./data/rfc5869-hkdf-sha256.json', import.meta.url), 'utf8')) as { cases: Rfc5869Case[] }
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('RFC 5869 HKDF-SHA256', () => {
  it('has the three SHA-256 cases of appendix A', () => {
    expect(vectors.cases.map((c) => c.tc)).toEqual([1, 2, 3])
  })

  for (const c of vectors.cases) {
    it(`test case ${c.tc}: PRK and OKM (L = ${c.L})`, () => {
      const prk = provider.hkdfExtract('SHA-256', hex(c.salt), hex(c.IKM))
      expect(toHex(prk)).toBe(c.PRK)
      expect(toHex(provider.hkdfExpand('SHA-256', prk, hex(c.info), c.L))).toBe(c.OKM)
    })
  }

  it('an empty salt is HashLen zero bytes (RFC 5869 section 2.2)', () => {
    const c = vectors.cases.find((v) => v.salt === '')!
    expect(toHex(provider.hkdfExtract('SHA-256', new Uint8Array(32), hex(c.IKM)))).toBe(c.PRK)
  })

  it('refuses L > 255·HashLen with a TlsError, and allows exactly 255·HashLen', () => {
    const prk = hex(vectors.cases[0]!.PRK)
    expect(provider.hkdfExpand('SHA-256', prk, new Uint8Array(0), 255 * 32)).toHaveLength(255 * 32)
    expect(() => provider.hkdfExpand('SHA-256', prk, new Uint8Array(0), 255 * 32 + 1)).toThrow(TlsError)
  })
})
