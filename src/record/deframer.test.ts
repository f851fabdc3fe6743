// Tests of the record deframer: framing across chunks, header validation, and the size limits at their exact boundaries.
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { ContentType, MAX_PLAINTEXT, MAX_TLS12_CIPHERTEXT, MAX_TLS13_CIPHERTEXT, writeRecordHeader } from './content.js'
import { RecordDeframer } from './deframer.js'

const tlsError = (alert: string) => expect.objectContaining({ name: 'TlsError', alert })

function record(type: number, length: number, fill = 0xab, version = 0x0303): Uint8Array {
  const out = new Uint8Array(5 + length).fill(fill)
  writeRecordHeader(out, 0, type as ContentType, version, length)
  return out
}

function deframerWith(...chunks: Uint8Array[]): RecordDeframer {
  const d = new RecordDeframer()
  for (const c of chunks) d.push(c)
  return d
}

describe('RecordDeframer framing', () => {
  it('returns one record with its header, type, version and fragment', () => {
    const d = deframerWith(fromHex('16 0301 0003 010203'))
    const r = d.next()!
    expect(r.type).toBe(ContentType.handshake)
    expect(r.version).toBe(0x0301)
    expect(toHex(r.header)).toBe('1603010003')
    expect(toHex(r.fragment)).toBe('010203')
    expect(d.next()).toBeUndefined()
    expect(d.bufferedBytes).toBe(0)
  })

  it('returns several records from one chunk one at a time', () => {
    const d = deframerWith(fromHex('16 0303 0001 aa 15 0303 0002 0100 17 0303 0000'))
    expect(d.next()!.type).toBe(ContentType.handshake)
    expect(d.next()!.type).toBe(ContentType.alert)
    const empty = d.next()!
    expect(empty.type).toBe(ContentType.application_data)
    expect(empty.fragment.length).toBe(0)
    expect(d.next()).toBeUndefined()
  })

  it('reassembles a record fed one byte at a time, answering "need more" until the last byte', () => {
    const bytes = record(ContentType.handshake, 300, 0x5a)
    const d = new RecordDeframer()
    for (let i = 0; i < bytes.length - 1; i++) {
      d.push(bytes.subarray(i, i + 1))
      expect(d.next()).toBeUndefined()
    }
    expect(d.bufferedBytes).toBe(bytes.length - 1)
    d.push(bytes.subarray(bytes.length - 1))
    const r = d.next()!
    expect(r.fragment.length).toBe(300)
    expect(r.fragment.every((b) => b === 0x5a)).toBe(true)
  })

  it('frames two records split across two chunks at every position', () => {
    const both = new Uint8Array([...record(ContentType.handshake, 20, 1), ...record(ContentType.alert, 2, 2)])
    for (let cut = 0; cut <= both.length; cut++) {
      const d = new RecordDeframer()
      const fragments: string[] = []
      for (const chunk of [both.subarray(0, cut), both.subarray(cut)]) {
        d.push(chunk)
        for (let r = d.next(); r !== undefined; r = d.next()) fragments.push(toHex(r.fragment))
      }
      expect(fragments).toEqual(['01'.repeat(20), '0202'])
    }
  })

  it('copies what it keeps, so a caller may reuse its chunk once next() returned undefined', () => {
    const bytes = record(ContentType.handshake, 10, 7)
    const chunk = bytes.slice(0, 8)
    const d = deframerWith(chunk)
    expect(d.next()).toBeUndefined()
    chunk.fill(0xee)
    d.push(bytes.subarray(8))
    expect(toHex(d.next()!.header)).toBe('160303000a')
  })

  it('accepts any major-3 record version (legacy_record_version is not checked here)', () => {
    for (const version of [0x0300, 0x0301, 0x0303, 0x0304, 0x03ff]) {
      expect(deframerWith(record(ContentType.handshake, 1, 0, version)).next()!.version).toBe(version)
    }
  })
})

describe('RecordDeframer refusals', () => {
  it('refuses unknown content types with unexpected_message, from the first byte alone', () => {
    for (const type of [0, 19, 24, 25, 0x7f]) {
      expect(() => deframerWith(Uint8Array.of(type)).next()).toThrow(tlsError('unexpected_message'))
    }
  })

  it('refuses a major version other than 3 with protocol_version, before the length arrives', () => {
    expect(() => deframerWith(fromHex('16 02')).next()).toThrow(tlsError('protocol_version'))
    expect(() => deframerWith(fromHex('16 0403 0001 00')).next()).toThrow(tlsError('protocol_version'))
  })

  it('refuses an SSL 2.0-style hello (high bit set in the first byte) with protocol_version', () => {
    expect(() => deframerWith(fromHex('80 2e 01 0301')).next()).toThrow(tlsError('protocol_version'))
  })

  it('treats a high-bit first byte after the first record as an unknown content type', () => {
    const d = deframerWith(record(ContentType.handshake, 1), fromHex('80'))
    d.next()
    expect(() => d.next()).toThrow(tlsError('unexpected_message'))
  })

  it('allows 2^14 bytes for plaintext and refuses 2^14 + 1 with record_overflow as soon as the header is in', () => {
    expect(deframerWith(record(ContentType.handshake, MAX_PLAINTEXT)).next()!.fragment.length).toBe(MAX_PLAINTEXT)
    expect(() => deframerWith(record(ContentType.handshake, MAX_PLAINTEXT + 1).subarray(0, 5)).next()).toThrow(tlsError('record_overflow'))
  })

  it('applies the TLS 1.3 and TLS 1.2 ciphertext limits at their exact boundaries', () => {
    for (const limit of [MAX_TLS13_CIPHERTEXT, MAX_TLS12_CIPHERTEXT]) {
      const ok = deframerWith(record(ContentType.application_data, limit))
      ok.maxFragmentLength = limit
      expect(ok.next()!.fragment.length).toBe(limit)
      const over = deframerWith(record(ContentType.application_data, limit + 1).subarray(0, 5))
      over.maxFragmentLength = limit
      expect(() => over.next()).toThrow(tlsError('record_overflow'))
    }
  })

  it('applies a changed limit to the next record even when it arrived in the same chunk', () => {
    const d = deframerWith(new Uint8Array([...record(ContentType.handshake, 1), ...record(ContentType.application_data, MAX_PLAINTEXT + 10)]))
    d.next()
    d.maxFragmentLength = MAX_TLS13_CIPHERTEXT
    expect(d.next()!.fragment.length).toBe(MAX_PLAINTEXT + 10)
  })

  it('keeps no more than one maximum record however the input trickles in', () => {
    const d = new RecordDeframer()
    d.maxFragmentLength = MAX_TLS12_CIPHERTEXT
    const big = record(ContentType.application_data, MAX_TLS12_CIPHERTEXT)
    for (let at = 0; at < big.length - 1; at += 1000) {
      d.push(big.subarray(at, Math.min(at + 1000, big.length - 1)))
      expect(d.next()).toBeUndefined()
      expect(d.bufferedBytes).toBeLessThanOrEqual(5 + MAX_TLS12_CIPHERTEXT)
    }
  })
})
