// The keyed AES-GCM: the GCM specification's test case 4, agreement with noble's one-shot gcm over many records of
// one key (the reused schedule and GHASH table must not carry state between them), unaligned inputs, and tampering.
import { gcm } from '@noble/ciphers/aes.js'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { AesGcmKey } from './noble-gcm.js'

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'))
const bytes = (length: number): Uint8Array => Uint8Array.from(randomBytes(length))

/**
 * `data` copied to an odd offset of a larger node Buffer, as a record's payload sits inside the bytes a socket
 * delivered (Buffer's own slice() is a view, so a copy must not be made with it).
 */
function atOddOffset(data: Uint8Array): Uint8Array {
  const buffer = Buffer.alloc(data.length + 3)
  buffer.set(data, 1)
  return buffer.subarray(1, 1 + data.length)
}

describe('AesGcmKey', () => {
  it('seals and opens test case 4 of the GCM specification (McGrew and Viega; 60-byte plaintext, 20-byte AAD)', () => {
    const key = new AesGcmKey(hex('feffe9928665731c6d6a8f9467308308'))
    const iv = hex('cafebabefacedbaddecaf888')
    const aad = hex('feedfacedeadbeeffeedfacedeadbeefabaddad2')
    const plaintext = hex(`d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
      1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39`)
    const sealed = hex(`42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e
      21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091 5bc94fbc3221a5db94fae95ae7121a47`)
    expect(Buffer.from(key.seal(iv, plaintext, aad)).toString('hex')).toBe(Buffer.from(sealed).toString('hex'))
    expect(key.open(iv, sealed, aad)).toEqual(plaintext)
  })

  for (const keyLength of [16, 32]) {
    it(`agrees with noble's gcm both ways, record after record under one ${keyLength * 8}-bit key`, () => {
      const keyBytes = bytes(keyLength)
      const key = new AesGcmKey(keyBytes)
      const lengths = [0, 1, 15, 16, 17, 31, 32, 150, 1000, 16384, 16385, 16401]
      for (const [index, length] of lengths.entries()) {
        const iv = bytes(12)
        const aad = bytes(index % 3 === 0 ? 0 : index % 3 === 1 ? 5 : 13)
        const plaintext = bytes(length)
        const expected = gcm(keyBytes, iv, aad).encrypt(plaintext)
        expect(key.seal(iv, plaintext, aad), `seal of ${length} bytes`).toEqual(expected)
        expect(key.seal(atOddOffset(iv), atOddOffset(plaintext), atOddOffset(aad)), `unaligned seal of ${length}`).toEqual(expected)
        expect(key.open(iv, expected, aad), `open of ${length} bytes`).toEqual(plaintext)
        expect(key.open(atOddOffset(iv), atOddOffset(expected), atOddOffset(aad)), `unaligned open of ${length}`).toEqual(plaintext)
      }
    })
  }

  it('refuses a flipped bit anywhere in the ciphertext, the tag or the AAD, a wrong IV, and a record shorter than a tag', () => {
    const key = new AesGcmKey(bytes(16))
    const [iv, aad, plaintext] = [bytes(12), bytes(13), bytes(40)]
    const sealed = key.seal(iv, plaintext, aad)
    for (const position of [0, 17, plaintext.length - 1, plaintext.length, sealed.length - 1]) {
      const tampered = sealed.slice()
      tampered[position]! ^= 0x01
      expect(key.open(iv, tampered, aad), `bit flipped at ${position}`).toBeNull()
    }
    const tamperedAad = aad.slice()
    tamperedAad[4]! ^= 0x80
    expect(key.open(iv, sealed, tamperedAad)).toBeNull()
    const otherIv = iv.slice()
    otherIv[11]! ^= 0x01
    expect(key.open(otherIv, sealed, aad)).toBeNull()
    expect(key.open(iv, sealed.subarray(0, 15), aad)).toBeNull()
    // A failure leaves no state behind: the genuine record still opens.
    expect(key.open(iv, sealed, aad)).toEqual(plaintext)
  })

  it('refuses keys that are not 128 or 256 bits and IVs that are not 96 bits', () => {
    expect(() => new AesGcmKey(bytes(24))).toThrow(RangeError)
    expect(() => new AesGcmKey(bytes(16)).seal(bytes(16), bytes(1), bytes(0))).toThrow(RangeError)
  })
})
