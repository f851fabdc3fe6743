// Tests of TLS 1.3 record protection: trace vectors, padding, tampering, inner-plaintext rules, limits and wrap refusal.
import { describe, expect, it } from 'vitest'
import type { AeadName } from '../crypto/provider.js'
import { nobleProvider } from '../crypto/noble.js'
import { fromHex, toHex } from '../bytes.js'
import { ContentType, MAX_PLAINTEXT, writeRecordHeader } from './content.js'
import { Tls13RecordProtection, type Tls13ProtectionOptions } from './tls13-protection.js'
import { now, openedNow } from '../../test/helpers/sync.js'

const tlsError = (alert: string) => expect.objectContaining({ name: 'TlsError', alert })

// draft-ietf-tls-tls13-vectors (the rebuild of RFC 8448 in ../shared/vectors), section 3, application traffic.
const trace = {
  client: {
    key: fromHex('d92b3e9a88ea7fe2ed69aa9c8b629e91'),
    iv: fromHex('37a828161ead2b6813ad0b13'),
    appData: fromHex(
      '17030300436f75483d5af74e8419fadfd21404a9b5eba36b5170c504366f2da8ddc2bd7bfcaf3cbee33d8c0172f0f8485a1fa52d1364257cf5c509eaf35c39189b5278b5861b019f',
    ),
    closeNotify: fromHex('170303001391e43d71d625149c7e221ca954b6a8958f12c0'),
  },
  server: {
    key: fromHex('bbe6b3fc9c068c6fb331eca8aa919bfd'),
    iv: fromHex('8057dc46846821a1bea306e0'),
    /** Sequence 1: the server's sequence 0 under this key is its NewSessionTicket. */
    appData: fromHex(
      '1703030043cc8a45078c6c81b7461ff5624f6312aa44c3c101eb700e6248042f40baca0d988fefd11e945d27c7c364b5068580571908646e59a85e12690df143671095b3c93d705c',
    ),
    closeNotify: fromHex('1703030013487b8fbbf30c49dd4817e394fa6c6f95816846'),
  },
}
const tracePayload = Uint8Array.from({ length: 50 }, (_, i) => i)

const key32 = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
const iv12 = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i)

function pair(aead: AeadName = 'CHACHA20-POLY1305', options: Tls13ProtectionOptions = {}) {
  const key = key32.subarray(0, nobleProvider.aead(aead).keyLength)
  return {
    writer: new Tls13RecordProtection(nobleProvider, aead, key, iv12, options),
    reader: new Tls13RecordProtection(nobleProvider, aead, key, iv12, { initialSequence: options.initialSequence }),
  }
}

function openRecord(p: Tls13RecordProtection, record: Uint8Array) {
  return openedNow(p.open(record[0] as ContentType, record.subarray(5), record.subarray(0, 5)))
}

/** Seals an arbitrary TLSInnerPlaintext under key32/iv12 at sequence 0, bypassing the protection's own checks. */
function sealInnerDirectly(inner: Uint8Array): Uint8Array {
  const record = new Uint8Array(5 + inner.length + 16)
  writeRecordHeader(record, 0, ContentType.application_data, 0x0303, inner.length + 16)
  const sealed = now(nobleProvider.aead('CHACHA20-POLY1305').importKey(key32).seal(iv12, inner, record.subarray(0, 5)))
  record.set(sealed, 5)
  return record
}

describe('Tls13RecordProtection against the TLS 1.3 example traces', () => {
  it('seals the client application data and close_notify records byte for byte', () => {
    const p = new Tls13RecordProtection(nobleProvider, 'AES-128-GCM', trace.client.key, trace.client.iv)
    expect(toHex(now(p.seal(ContentType.application_data, tracePayload)))).toBe(toHex(trace.client.appData))
    expect(toHex(now(p.seal(ContentType.alert, fromHex('0100'))))).toBe(toHex(trace.client.closeNotify))
    expect(p.recordsProtected).toBe(2)
  })

  it('opens the server records at sequence 1 and 2', () => {
    const p = new Tls13RecordProtection(nobleProvider, 'AES-128-GCM', trace.server.key, trace.server.iv, { initialSequence: 1n })
    const data = openRecord(p, trace.server.appData)
    expect(data.type).toBe(ContentType.application_data)
    expect(toHex(data.fragment)).toBe(toHex(tracePayload))
    const alert = openRecord(p, trace.server.closeNotify)
    expect(alert.type).toBe(ContentType.alert)
    expect(toHex(alert.fragment)).toBe('0100')
    expect(p.nextSequenceNumber).toBe(3n)
  })

  it('fails the same record at the wrong sequence number with bad_record_mac', () => {
    const p = new Tls13RecordProtection(nobleProvider, 'AES-128-GCM', trace.server.key, trace.server.iv)
    expect(() => openRecord(p, trace.server.appData)).toThrow(tlsError('bad_record_mac'))
  })
})

describe('Tls13RecordProtection round trips', () => {
  it.each(['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'] as const)('%s: seals and opens records of 0, 1 and 2^14 bytes', (aead) => {
    const { writer, reader } = pair(aead)
    for (const length of [0, 1, MAX_PLAINTEXT]) {
      const content = Uint8Array.from({ length }, (_, i) => i & 0xff)
      const record = now(writer.seal(ContentType.application_data, content))
      expect(toHex(record.subarray(0, 5))).toBe(toHex(Uint8Array.of(23, 3, 3, (length + 17) >> 8, (length + 17) & 0xff)))
      const opened = openRecord(reader, record)
      expect(opened.type).toBe(ContentType.application_data)
      expect(toHex(opened.fragment)).toBe(toHex(content))
    }
  })

  it('hides the content type: every record goes out as application_data', () => {
    const { writer, reader } = pair()
    const record = now(writer.seal(ContentType.handshake, fromHex('14000000')))
    expect(record[0]).toBe(ContentType.application_data)
    expect(openRecord(reader, record).type).toBe(ContentType.handshake)
  })

  it('pads as the policy asks, strips the padding, and clamps it to 2^14 + 1 inner bytes', () => {
    const { writer, reader } = pair('CHACHA20-POLY1305', { padding: (_type, length) => 256 - (length % 256) })
    const record = now(writer.seal(ContentType.application_data, fromHex('0102')))
    expect(record.length).toBe(5 + 2 + 1 + 254 + 16)
    expect(toHex(openRecord(reader, record).fragment)).toBe('0102')
    const full = now(writer.seal(ContentType.application_data, new Uint8Array(MAX_PLAINTEXT)))
    expect(full.length).toBe(5 + MAX_PLAINTEXT + 1 + 16)
    expect(openRecord(reader, full).fragment.length).toBe(MAX_PLAINTEXT)
  })

  it('ignores negative or fractional padding requests', () => {
    const { writer } = pair('CHACHA20-POLY1305', { padding: () => -5 })
    expect(now(writer.seal(ContentType.application_data, fromHex('01'))).length).toBe(5 + 2 + 16)
    const { writer: fractional } = pair('CHACHA20-POLY1305', { padding: () => 2.7 })
    expect(now(fractional.seal(ContentType.application_data, fromHex('01'))).length).toBe(5 + 2 + 2 + 16)
  })

  it('refuses to seal more than 2^14 content bytes', () => {
    expect(() => now(pair().writer.seal(ContentType.application_data, new Uint8Array(MAX_PLAINTEXT + 1)))).toThrow(tlsError('internal_error'))
  })

  it('states the RFC 8446 5.5 confidentiality limits', () => {
    expect(pair('AES-128-GCM').writer.confidentialityLimit).toBe(Math.floor(2 ** 24.5))
    expect(pair('CHACHA20-POLY1305').writer.confidentialityLimit).toBe(Infinity)
  })
})

describe('Tls13RecordProtection refusals', () => {
  it('refuses a tampered tag, ciphertext or header with bad_record_mac', () => {
    const record = now(pair().writer.seal(ContentType.application_data, fromHex('00112233')))
    for (const index of [record.length - 1, 5, 4, 2]) {
      const tampered = record.slice()
      tampered[index]! ^= 0x01
      expect(() => openRecord(pair().reader, tampered)).toThrow(tlsError('bad_record_mac'))
    }
  })

  it('refuses a record shorter than the tag with bad_record_mac', () => {
    expect(() => openedNow(pair().reader.open(ContentType.application_data, new Uint8Array(15), fromHex('170303000f')))).toThrow(tlsError('bad_record_mac'))
  })

  it('refuses an all-zero TLSInnerPlaintext with unexpected_message', () => {
    expect(() => openRecord(pair().reader, sealInnerDirectly(new Uint8Array(7)))).toThrow(tlsError('unexpected_message'))
    expect(() => openRecord(pair().reader, sealInnerDirectly(new Uint8Array(0)))).toThrow(tlsError('unexpected_message'))
  })

  it('refuses an inner plaintext of 2^14 + 2 bytes with record_overflow and accepts 2^14 + 1', () => {
    const ok = new Uint8Array(MAX_PLAINTEXT + 1)
    ok[MAX_PLAINTEXT] = ContentType.application_data
    expect(openRecord(pair().reader, sealInnerDirectly(ok)).fragment.length).toBe(MAX_PLAINTEXT)
    const over = new Uint8Array(MAX_PLAINTEXT + 2)
    over[MAX_PLAINTEXT + 1] = ContentType.application_data
    expect(() => openRecord(pair().reader, sealInnerDirectly(over))).toThrow(tlsError('record_overflow'))
  })

  it('refuses a protected change_cipher_spec and an unknown inner content type with unexpected_message', () => {
    expect(() => openRecord(pair().reader, sealInnerDirectly(fromHex('01 14')))).toThrow(tlsError('unexpected_message'))
    expect(() => openRecord(pair().reader, sealInnerDirectly(fromHex('01 18 0000')))).toThrow(tlsError('unexpected_message'))
  })

  it('refuses an outer type other than application_data, but passes an unprotected change_cipher_spec up', () => {
    const { reader } = pair()
    expect(() => openedNow(reader.open(ContentType.handshake, fromHex('01'), fromHex('1603030001')))).toThrow(tlsError('unexpected_message'))
    expect(() => openedNow(reader.open(ContentType.alert, fromHex('0100'), fromHex('1503030002')))).toThrow(tlsError('unexpected_message'))
    const ccs = openedNow(reader.open(ContentType.change_cipher_spec, fromHex('01'), fromHex('1403030001')))
    expect(ccs).toEqual({ type: ContentType.change_cipher_spec, fragment: fromHex('01') })
    expect(reader.recordsProtected).toBe(0)
  })

  it('refuses a ciphertext over 2^14 + 256 with record_overflow', () => {
    expect(() => openedNow(pair().reader.open(ContentType.application_data, new Uint8Array(MAX_PLAINTEXT + 257), fromHex('1703034101')))).toThrow(
      tlsError('record_overflow'),
    )
  })

  it('refuses to seal or open once sequence number 2^64 - 1 has been used', () => {
    const { writer, reader } = pair('CHACHA20-POLY1305', { initialSequence: 2n ** 64n - 1n })
    const last = now(writer.seal(ContentType.application_data, fromHex('ff')))
    expect(toHex(openRecord(reader, last).fragment)).toBe('ff')
    expect(() => now(writer.seal(ContentType.application_data, fromHex('ff')))).toThrow(tlsError('internal_error'))
    expect(() => openRecord(reader, last)).toThrow(expect.objectContaining({ code: 'ERR_TLS_SEQUENCE_EXHAUSTED' }))
  })

  it('refuses an IV of the wrong length', () => {
    expect(() => new Tls13RecordProtection(nobleProvider, 'AES-128-GCM', key32.subarray(0, 16), new Uint8Array(8))).toThrow(tlsError('internal_error'))
  })
})
