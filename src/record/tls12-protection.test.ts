// Tests of TLS 1.2 AEAD record protection: the GCM explicit nonce, ChaCha20-Poly1305's implicit one, and the refusals.
import { describe, expect, it } from 'vitest'
import type { AeadName } from '../crypto/provider.js'
import { nobleProvider } from '../crypto/noble.js'
import { fromHex, toHex } from '../bytes.js'
import { ContentType, MAX_PLAINTEXT } from './content.js'
import type { AeadProtectionOptions } from './aead-protection.js'
import { Tls12RecordProtection } from './tls12-protection.js'
import { now, openedNow } from '../../test/helpers/sync.js'

const tlsError = (alert: string) => expect.objectContaining({ name: 'TlsError', alert })

const key = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i)
const ivFor = (aead: AeadName) => Uint8Array.from({ length: aead === 'CHACHA20-POLY1305' ? 12 : 4 }, (_, i) => 0x10 + i)

function protection(aead: AeadName, options: AeadProtectionOptions = {}): Tls12RecordProtection {
  return new Tls12RecordProtection(nobleProvider, aead, key.subarray(0, nobleProvider.aead(aead).keyLength), ivFor(aead), options)
}

function openRecord(p: Tls12RecordProtection, record: Uint8Array) {
  return openedNow(p.open(record[0] as ContentType, record.subarray(5), record.subarray(0, 5)))
}

describe('Tls12RecordProtection with AES-GCM (RFC 5288)', () => {
  it.each(['AES-128-GCM', 'AES-256-GCM'] as const)('%s: writes the sequence number as the 8-byte explicit nonce', (aead) => {
    const p = protection(aead, { initialSequence: 0x1122334455667788n })
    const record = now(p.seal(ContentType.application_data, fromHex('cafe')))
    expect(toHex(record.subarray(0, 5))).toBe('170303' + (8 + 2 + 16).toString(16).padStart(4, '0'))
    expect(toHex(record.subarray(5, 13))).toBe('1122334455667788')
    expect(toHex(now(p.seal(ContentType.application_data, fromHex('cafe'))).subarray(5, 13))).toBe('1122334455667789')
  })

  it('opens using the explicit nonce on the wire, whatever the peer chose', () => {
    const aead = 'AES-128-GCM'
    const salt = ivFor(aead)
    const explicit = fromHex('0badc0ffee000001')
    // seq_num 0 || handshake || 0x0303 || length 3
    const additionalData = fromHex('0000000000000000 16 0303 0003')
    const sealed = nobleProvider.aead(aead).importKey(key.subarray(0, 16)).seal(new Uint8Array([...salt, ...explicit]), fromHex('aabbcc'), additionalData)
    const fragment = new Uint8Array([...explicit, ...sealed])
    const opened = openedNow(protection(aead).open(ContentType.handshake, fragment, fromHex('1603030000')))
    expect(toHex(opened.fragment)).toBe('aabbcc')
  })

  it('refuses a fragment shorter than explicit nonce plus tag with bad_record_mac', () => {
    expect(() => openedNow(protection('AES-128-GCM').open(ContentType.application_data, new Uint8Array(23), fromHex('1703030017')))).toThrow(tlsError('bad_record_mac'))
  })
})

describe('Tls12RecordProtection with ChaCha20-Poly1305 (RFC 7905)', () => {
  it('carries no explicit nonce: the record is header, ciphertext and tag', () => {
    const record = now(protection('CHACHA20-POLY1305').seal(ContentType.handshake, fromHex('01020304')))
    expect(record.length).toBe(5 + 4 + 16)
    expect(toHex(record.subarray(0, 5))).toBe('1603030014')
  })

  it('refuses a fragment shorter than the tag with bad_record_mac', () => {
    expect(() => openedNow(protection('CHACHA20-POLY1305').open(ContentType.application_data, new Uint8Array(15), fromHex('170303000f')))).toThrow(
      tlsError('bad_record_mac'),
    )
  })
})

describe.each(['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'] as const)('Tls12RecordProtection %s', (aead) => {
  it('round-trips every content type and the size extremes, keeping the type in the clear', () => {
    const writer = protection(aead)
    const reader = protection(aead)
    const cases: [ContentType, number][] = [
      [ContentType.handshake, 1],
      [ContentType.alert, 2],
      [ContentType.application_data, 0],
      [ContentType.application_data, MAX_PLAINTEXT],
    ]
    for (const [type, length] of cases) {
      const content = Uint8Array.from({ length }, (_, i) => (i * 7) & 0xff)
      const record = now(writer.seal(type, content))
      expect(record[0]).toBe(type)
      const opened = openRecord(reader, record)
      expect(opened.type).toBe(type)
      expect(toHex(opened.fragment)).toBe(toHex(content))
    }
    expect(reader.recordsProtected).toBe(cases.length)
  })

  it('authenticates the sequence number, type, version and length: any change is bad_record_mac', () => {
    const record = now(protection(aead).seal(ContentType.application_data, fromHex('00112233')))
    expect(() => openRecord(protection(aead, { initialSequence: 1n }), record)).toThrow(tlsError('bad_record_mac'))
    const retyped = record.slice()
    retyped[0] = ContentType.handshake
    expect(() => openRecord(protection(aead), retyped)).toThrow(tlsError('bad_record_mac'))
    const flipped = record.slice()
    flipped[flipped.length - 1]! ^= 0x80
    expect(() => openRecord(protection(aead), flipped)).toThrow(tlsError('bad_record_mac'))
    expect(() => openRecord(protection(aead), record.subarray(0, record.length - 1))).toThrow(tlsError('bad_record_mac'))
  })

  it('refuses a record version other than TLS 1.2 with protocol_version', () => {
    const record = now(protection(aead).seal(ContentType.application_data, fromHex('00')))
    record[2] = 0x01
    expect(() => openRecord(protection(aead), record)).toThrow(tlsError('protocol_version'))
  })

  it('refuses a decrypted fragment over 2^14 with record_overflow', () => {
    // Seal 2^14 + 1 bytes with the AEAD directly, as a misbehaving peer would.
    const big = new Uint8Array(MAX_PLAINTEXT + 1)
    const k = nobleProvider.aead(aead).importKey(key.subarray(0, nobleProvider.aead(aead).keyLength))
    const gcm = aead !== 'CHACHA20-POLY1305'
    const nonce = gcm ? new Uint8Array([...ivFor(aead), 0, 0, 0, 0, 0, 0, 0, 0]) : ivFor(aead)
    const additionalData = fromHex('0000000000000000 17 0303 4001')
    const fragment = new Uint8Array([...(gcm ? new Uint8Array(8) : []), ...now(k.seal(nonce, big, additionalData))])
    expect(() => openedNow(protection(aead).open(ContentType.application_data, fragment, fromHex('1703030000')))).toThrow(tlsError('record_overflow'))
  })

  it('refuses to seal or open after sequence number 2^64 - 1', () => {
    const writer = protection(aead, { initialSequence: 2n ** 64n - 1n })
    const reader = protection(aead, { initialSequence: 2n ** 64n - 1n })
    const last = now(writer.seal(ContentType.application_data, fromHex('01')))
    expect(toHex(openRecord(reader, last).fragment)).toBe('01')
    expect(() => now(writer.seal(ContentType.application_data, fromHex('01')))).toThrow(tlsError('internal_error'))
    expect(() => openRecord(reader, last)).toThrow(expect.objectContaining({ code: 'ERR_TLS_SEQUENCE_EXHAUSTED' }))
  })
})

describe('Tls12RecordProtection construction', () => {
  it('requires a 4-byte salt for GCM and a 12-byte IV for ChaCha20-Poly1305', () => {
    expect(() => new Tls12RecordProtection(nobleProvider, 'AES-128-GCM', key.subarray(0, 16), new Uint8Array(12))).toThrow(tlsError('internal_error'))
    expect(() => new Tls12RecordProtection(nobleProvider, 'CHACHA20-POLY1305', key, new Uint8Array(4))).toThrow(tlsError('internal_error'))
  })

  it('refuses to seal more than 2^14 bytes', () => {
    expect(() => now(protection('AES-128-GCM').seal(ContentType.application_data, new Uint8Array(MAX_PLAINTEXT + 1)))).toThrow(tlsError('internal_error'))
  })
})
