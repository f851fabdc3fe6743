// Known-answer tests: records built independently with node:crypto from the RFC definitions must equal what the protections seal and open.
import { createCipheriv, type CipherGCMTypes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { AeadName } from '../crypto/provider.js'
import { nobleProvider } from '../crypto/noble.js'
import { toHex } from '../bytes.js'
import { ContentType } from './content.js'
import { Tls12RecordProtection } from './tls12-protection.js'
import { Tls13RecordProtection } from './tls13-protection.js'
import { now, openedNow } from '../../test/helpers/sync.js'

const nodeCipher: Record<AeadName, CipherGCMTypes | 'chacha20-poly1305'> = {
  'AES-128-GCM': 'aes-128-gcm',
  'AES-256-GCM': 'aes-256-gcm',
  'CHACHA20-POLY1305': 'chacha20-poly1305',
}

/** ciphertext || tag from OpenSSL via node:crypto. */
function nodeSeal(aead: AeadName, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const cipher = createCipheriv(nodeCipher[aead] as 'chacha20-poly1305', key, nonce, { authTagLength: 16 })
  cipher.setAAD(aad, { plaintextLength: plaintext.length })
  return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]))
}

const u64 = (n: bigint) => Buffer.from(n.toString(16).padStart(16, '0'), 'hex')
const u16 = (n: number) => Buffer.of(n >> 8, n & 0xff)
const xor = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.map((x, i) => x ^ b[i]!))

/** RFC 8446 5.2-5.3, written out directly. */
function tls13RecordByHand(aead: AeadName, key: Uint8Array, iv: Uint8Array, seq: bigint, type: number, content: Uint8Array): Uint8Array {
  const nonce = xor(iv, Buffer.concat([Buffer.alloc(4), u64(seq)]))
  const inner = Buffer.concat([content, Buffer.of(type)])
  const header = Buffer.concat([Buffer.of(23, 3, 3), u16(inner.length + 16)])
  return Buffer.concat([header, nodeSeal(aead, key, nonce, inner, header)])
}

/** RFC 5246 6.2.3.3 with the nonce of RFC 5288 3 (explicit = sequence number) or RFC 7905 2. */
function tls12RecordByHand(aead: AeadName, key: Uint8Array, iv: Uint8Array, seq: bigint, type: number, content: Uint8Array): Uint8Array {
  const additionalData = Buffer.concat([u64(seq), Buffer.of(type, 3, 3), u16(content.length)])
  const gcm = aead !== 'CHACHA20-POLY1305'
  const nonce = gcm ? Buffer.concat([iv, u64(seq)]) : xor(iv, Buffer.concat([Buffer.alloc(4), u64(seq)]))
  const explicit = gcm ? u64(seq) : Buffer.alloc(0)
  const sealed = nodeSeal(aead, key, nonce, content, additionalData)
  const header = Buffer.concat([Buffer.of(type, 3, 3), u16(explicit.length + sealed.length)])
  return Buffer.concat([header, explicit, sealed])
}

const aeads = ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'] as const
const forms = [
  { name: 'TLS 1.3', ivLength: () => 12, make: Tls13RecordProtection, byHand: tls13RecordByHand },
  { name: 'TLS 1.2', ivLength: (a: AeadName) => (a === 'CHACHA20-POLY1305' ? 12 : 4), make: Tls12RecordProtection, byHand: tls12RecordByHand },
]
// A sequence number with bytes in both 32-bit halves, so both halves of the nonce XOR are exercised.
const start = 0x0102030405060708n

describe.each(forms)('$name records match node:crypto', ({ ivLength, make, byHand }) => {
  it.each(aeads)('%s: sealed bytes equal the independent construction, and its records open', (aead) => {
    const key = Uint8Array.from({ length: nobleProvider.aead(aead).keyLength }, (_, i) => 7 * i + 3)
    const iv = Uint8Array.from({ length: ivLength(aead) }, (_, i) => 0xf0 - i)
    const writer = new make(nobleProvider, aead, key, iv, { initialSequence: start })
    const reader = new make(nobleProvider, aead, key, iv, { initialSequence: start })
    const messages: [ContentType, number][] = [
      [ContentType.handshake, 40],
      [ContentType.application_data, 0],
      [ContentType.application_data, 1000],
      [ContentType.alert, 2],
    ]
    messages.forEach(([type, length], i) => {
      const content = Uint8Array.from({ length }, (_, j) => (j * 31 + i) & 0xff)
      const expected = byHand(aead, key, iv, start + BigInt(i), type, content)
      expect(toHex(now(writer.seal(type, content)))).toBe(toHex(expected))
      const opened = openedNow(reader.open(expected[0] as ContentType, expected.subarray(5), expected.subarray(0, 5)))
      expect(opened.type).toBe(type)
      expect(toHex(opened.fragment)).toBe(toHex(content))
    })
  })
})
