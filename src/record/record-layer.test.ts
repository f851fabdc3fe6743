// Tests of the RecordLayer: fragmentation, pulling records one at a time across key changes, and the rules on delivered records.
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../crypto/noble.js'
import { concat, fromHex, toHex } from '../bytes.js'
import { ContentType, MAX_PLAINTEXT, MAX_TLS13_CIPHERTEXT, TLS12, writeRecordHeader } from './content.js'
import { PlaintextProtection, type OpenedRecord } from './protection.js'
import { RecordLayer } from './record-layer.js'
import { Tls12RecordProtection } from './tls12-protection.js'
import { Tls13RecordProtection } from './tls13-protection.js'
import { now } from '../../test/helpers/sync.js'

const tlsError = (alert: string) => expect.objectContaining({ name: 'TlsError', alert })

const key = Uint8Array.from({ length: 32 }, (_, i) => i)
const iv = Uint8Array.from({ length: 12 }, (_, i) => 100 + i)
const tls13 = () => new Tls13RecordProtection(nobleProvider, 'CHACHA20-POLY1305', key, iv)

function drain(layer: RecordLayer): OpenedRecord[] {
  const out: OpenedRecord[] = []
  for (let r = now(layer.nextRecord()); r !== undefined; r = now(layer.nextRecord())) out.push(r)
  return out
}

function plaintextRecord(type: number, fragment: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + fragment.length)
  writeRecordHeader(out, 0, type as ContentType, TLS12, fragment.length)
  out.set(fragment, 5)
  return out
}

describe('RecordLayer sending', () => {
  it('starts with plaintext records carrying version 0x0303', () => {
    const layer = new RecordLayer()
    layer.send(ContentType.handshake, fromHex('01000000'))
    expect(toHex(layer.takeOutgoing())).toBe('160303000401000000')
    expect(layer.takeOutgoing().length).toBe(0)
  })

  it('writes the initial ClientHello record version a plaintext protection is given', () => {
    const layer = new RecordLayer()
    layer.setWriteProtection(new PlaintextProtection(0x0301))
    layer.send(ContentType.handshake, fromHex('01000000'))
    expect(toHex(layer.takeOutgoing().subarray(0, 3))).toBe('160301')
  })

  it('fragments at 2^14 and queues records until taken', () => {
    const layer = new RecordLayer()
    layer.send(ContentType.handshake, new Uint8Array(2 * MAX_PLAINTEXT + 1))
    layer.send(ContentType.alert, fromHex('0100'))
    expect(layer.outgoingLength).toBe(3 * 5 + 2 * MAX_PLAINTEXT + 1 + 7)
    const receiver = new RecordLayer()
    receiver.receive(layer.takeOutgoing())
    expect(drain(receiver).map((r) => [r.type, r.fragment.length])).toEqual([
      [ContentType.handshake, MAX_PLAINTEXT],
      [ContentType.handshake, MAX_PLAINTEXT],
      [ContentType.handshake, 1],
      [ContentType.alert, 2],
    ])
    expect(layer.outgoingLength).toBe(0)
  })

  it('honours a smaller send limit (record_size_limit) and refuses limits outside 1..2^14', () => {
    const layer = new RecordLayer({ maxSendFragment: 100 })
    layer.setWriteProtection(tls13())
    layer.send(ContentType.application_data, new Uint8Array(250))
    const receiver = new RecordLayer()
    receiver.setReadProtection(tls13())
    receiver.receive(layer.takeOutgoing())
    expect(drain(receiver).map((r) => r.fragment.length)).toEqual([100, 100, 50])
    expect(() => layer.setMaxSendFragment(0)).toThrow(tlsError('internal_error'))
    expect(() => layer.setMaxSendFragment(MAX_PLAINTEXT + 1)).toThrow(tlsError('internal_error'))
  })

  it('sends nothing for empty data and refuses plaintext application data', () => {
    const layer = new RecordLayer()
    layer.send(ContentType.handshake, new Uint8Array(0))
    expect(layer.outgoingLength).toBe(0)
    expect(() => layer.send(ContentType.application_data, fromHex('00'))).toThrow(tlsError('internal_error'))
  })
})

describe('RecordLayer receiving', () => {
  it('lets the caller change read keys between two records that arrived in one chunk', () => {
    const peer = new RecordLayer()
    peer.send(ContentType.handshake, fromHex('02000000'))
    peer.setWriteProtection(tls13())
    peer.send(ContentType.handshake, fromHex('08000000'))
    peer.send(ContentType.application_data, fromHex('68656c6c6f'))
    const layer = new RecordLayer()
    layer.receive(peer.takeOutgoing())
    expect(toHex(now(layer.nextRecord())!.fragment)).toBe('02000000')
    layer.setReadProtection(tls13())
    expect(drain(layer).map((r) => [r.type, toHex(r.fragment)])).toEqual([
      [ContentType.handshake, '08000000'],
      [ContentType.application_data, '68656c6c6f'],
    ])
    expect(layer.currentReadProtection.recordsProtected).toBe(2)
  })

  it('round-trips TLS 1.2 records through two layers, split into three-byte chunks', () => {
    const salt = fromHex('01020304')
    const sender = new RecordLayer()
    sender.setWriteProtection(new Tls12RecordProtection(nobleProvider, 'AES-128-GCM', key.subarray(0, 16), salt))
    const data = Uint8Array.from({ length: 40_000 }, (_, i) => i & 0xff)
    sender.send(ContentType.application_data, data)
    const receiver = new RecordLayer()
    receiver.setReadProtection(new Tls12RecordProtection(nobleProvider, 'AES-128-GCM', key.subarray(0, 16), salt))
    const wire = sender.takeOutgoing()
    const got: Uint8Array[] = []
    for (let at = 0; at < wire.length; at += 3) {
      receiver.receive(wire.subarray(at, at + 3))
      got.push(...drain(receiver).map((r) => r.fragment))
    }
    expect(toHex(concat(...got))).toBe(toHex(data))
    expect(receiver.bufferedInput).toBe(0)
  })

  it('passes an unprotected change_cipher_spec up in TLS 1.3, and only the single byte 1', () => {
    const layer = new RecordLayer()
    layer.setReadProtection(tls13())
    layer.receive(fromHex('140303000101'))
    expect(now(layer.nextRecord())).toEqual({ type: ContentType.change_cipher_spec, fragment: fromHex('01') })
    const bad = new RecordLayer()
    bad.setReadProtection(tls13())
    bad.receive(fromHex('140303000102'))
    expect(() => now(bad.nextRecord())).toThrow(tlsError('unexpected_message'))
  })

  it('refuses zero-length handshake and alert records (unexpected_message, as OpenSSL), allows empty application data', () => {
    for (const [type, alert] of [
      [ContentType.handshake, 'unexpected_message'],
      [ContentType.alert, 'unexpected_message'],
      [ContentType.change_cipher_spec, 'unexpected_message'],
    ] as const) {
      const layer = new RecordLayer()
      layer.receive(plaintextRecord(type, new Uint8Array(0)))
      expect(() => now(layer.nextRecord())).toThrow(tlsError(alert))
    }
    const sealer = tls13()
    const wire = concat(now(sealer.seal(ContentType.handshake, fromHex('0b'))), now(sealer.seal(ContentType.application_data, new Uint8Array(0))))
    const layer = new RecordLayer()
    layer.setReadProtection(tls13())
    layer.receive(wire)
    expect(drain(layer).map((r) => r.fragment.length)).toEqual([1, 0])
    const refusing = new RecordLayer()
    refusing.setReadProtection(tls13())
    refusing.receive(now(tls13().seal(ContentType.handshake, new Uint8Array(0))))
    expect(() => now(refusing.nextRecord())).toThrow(tlsError('unexpected_message'))
  })

  it('refuses unprotected application data with unexpected_message', () => {
    const layer = new RecordLayer()
    layer.receive(plaintextRecord(ContentType.application_data, fromHex('00')))
    expect(() => now(layer.nextRecord())).toThrow(tlsError('unexpected_message'))
  })

  it('applies the read protection size limit: 2^14 + 1 overflows in plaintext; TLS 1.3 ciphertext that could not fit is refused before decryption', () => {
    const layer = new RecordLayer()
    layer.receive(plaintextRecord(ContentType.handshake, new Uint8Array(MAX_PLAINTEXT + 1)))
    expect(() => now(layer.nextRecord())).toThrow(tlsError('record_overflow'))
    // 2^14 + 1 inner plaintext bytes plus the tag: the largest that may decrypt, so the AEAD decides.
    const largest = new RecordLayer()
    largest.setReadProtection(tls13())
    largest.receive(plaintextRecord(ContentType.application_data, new Uint8Array(MAX_PLAINTEXT + 1 + 16)))
    expect(() => now(largest.nextRecord())).toThrow(tlsError('bad_record_mac'))
    // Within the deframer's 2^14 + 256, but it could only decrypt to too much: record_overflow, no decryption.
    const oversized = new RecordLayer()
    oversized.setReadProtection(tls13())
    oversized.receive(plaintextRecord(ContentType.application_data, new Uint8Array(MAX_TLS13_CIPHERTEXT)))
    expect(() => now(oversized.nextRecord())).toThrow(tlsError('record_overflow'))
  })

  it('stays failed after an error, while sending (the alert) still works', () => {
    const layer = new RecordLayer()
    layer.receive(fromHex('ff'))
    expect(() => now(layer.nextRecord())).toThrow(tlsError('protocol_version'))
    layer.receive(plaintextRecord(ContentType.handshake, fromHex('01')))
    expect(() => now(layer.nextRecord())).toThrow(tlsError('protocol_version'))
    layer.send(ContentType.alert, fromHex('0246'))
    expect(toHex(layer.takeOutgoing())).toBe('15030300020246')
  })
})

/** The length field of each record in `wire`. */
function recordLengths(wire: Uint8Array): number[] {
  const lengths: number[] = []
  for (let at = 0; at < wire.length; at += 5 + ((wire[at + 3]! << 8) | wire[at + 4]!)) lengths.push((wire[at + 3]! << 8) | wire[at + 4]!)
  return lengths
}

const salt = fromHex('01020304')
const tls12Gcm = () => new Tls12RecordProtection(nobleProvider, 'AES-128-GCM', key.subarray(0, 16), salt)

describe('RecordLayer record_size_limit (RFC 8449)', () => {
  it('TLS 1.3: the peer limit counts the content type, so 100 carries 99 content bytes per record (116 on the wire)', () => {
    const layer = new RecordLayer()
    layer.setWriteProtection(tls13())
    layer.setRecordSizeLimits({ send: 100 })
    layer.send(ContentType.application_data, new Uint8Array(250))
    const wire = layer.takeOutgoing()
    expect(recordLengths(wire)).toEqual([116, 116, 52 + 1 + 16])
    const receiver = new RecordLayer()
    receiver.setReadProtection(tls13())
    receiver.setRecordSizeLimits({ receive: 100 })
    receiver.receive(wire)
    expect(drain(receiver).map((r) => r.fragment.length)).toEqual([99, 99, 52])
  })

  it('TLS 1.2: the limit is the fragment itself (AES-GCM adds 8 + 16 on the wire)', () => {
    const layer = new RecordLayer()
    layer.setWriteProtection(tls12Gcm())
    layer.setRecordSizeLimits({ send: 100 })
    layer.send(ContentType.application_data, new Uint8Array(250))
    expect(recordLengths(layer.takeOutgoing())).toEqual([124, 124, 74])
  })

  it('refuses a protected record over our limit with record_overflow from its header, before decrypting it', () => {
    for (const [protection, atLimit] of [
      [tls13, 100 + 16],
      [tls12Gcm, 100 + 24],
    ] as const) {
      const receiver = new RecordLayer()
      receiver.setReadProtection(protection())
      receiver.setRecordSizeLimits({ receive: 100 })
      // One byte over what a record at the limit takes: refused at the header, whatever the bytes.
      receiver.receive(plaintextRecord(ContentType.application_data, new Uint8Array(atLimit + 1)).subarray(0, 5))
      expect(() => now(receiver.nextRecord())).toThrow(tlsError('record_overflow'))
      // At the limit the AEAD decides (these bytes are not a valid record).
      const atTheLimit = new RecordLayer()
      atTheLimit.setReadProtection(protection())
      atTheLimit.setRecordSizeLimits({ receive: 100 })
      atTheLimit.receive(plaintextRecord(ContentType.application_data, new Uint8Array(atLimit)))
      expect(() => now(atTheLimit.nextRecord())).toThrow(tlsError('bad_record_mac'))
    }
  })

  it('opens a record the peer sealed over our limit as record_overflow when handed straight to the protection', () => {
    const sealed = now(tls13().seal(ContentType.application_data, new Uint8Array(100)))
    const opener = tls13()
    opener.limitRecordSize(100)
    expect(() => now(opener.open(ContentType.application_data, sealed.subarray(5), sealed.subarray(0, 5)))).toThrow(tlsError('record_overflow'))
  })

  it('leaves unprotected records alone and applies the limits to protections installed later', () => {
    const layer = new RecordLayer()
    layer.setRecordSizeLimits({ send: 64, receive: 64 })
    layer.send(ContentType.handshake, new Uint8Array(300))
    expect(recordLengths(layer.takeOutgoing())).toEqual([300])
    layer.receive(plaintextRecord(ContentType.handshake, new Uint8Array(300)))
    expect(now(layer.nextRecord())!.fragment.length).toBe(300)
    layer.setWriteProtection(tls13())
    layer.send(ContentType.handshake, new Uint8Array(300))
    expect(recordLengths(layer.takeOutgoing())).toEqual([64 + 16, 64 + 16, 64 + 16, 64 + 16, 300 - 4 * 63 + 1 + 16])
    layer.setReadProtection(tls13())
    layer.receive(plaintextRecord(ContentType.application_data, new Uint8Array(64 + 16 + 1)).subarray(0, 5))
    expect(() => now(layer.nextRecord())).toThrow(tlsError('record_overflow'))
  })

  it('keeps TLS 1.3 padding within the limit', () => {
    const padded = new Tls13RecordProtection(nobleProvider, 'CHACHA20-POLY1305', key, iv, { padding: () => 1000 })
    padded.limitRecordSize(200)
    const record = now(padded.seal(ContentType.application_data, new Uint8Array(10)))
    expect(recordLengths(record)).toEqual([200 + 16])
  })

  it('clamps a limit over the protocol maximum and refuses one below 64', () => {
    const generous = tls13()
    generous.limitRecordSize(65535)
    expect(generous.maxContentLength).toBe(MAX_PLAINTEXT)
    const tls12 = tls12Gcm()
    tls12.limitRecordSize(MAX_PLAINTEXT + 1)
    expect(tls12.maxContentLength).toBe(MAX_PLAINTEXT)
    expect(() => tls13().limitRecordSize(63)).toThrow(tlsError('internal_error'))
    expect(() => tls13().limitRecordSize(100.5)).toThrow(tlsError('internal_error'))
  })
})
