// Unit tests of the TLS 1.3 key schedule: SHA-384, KeyUpdate, external binders, and every refusal (stage order, lengths, labels).
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../crypto/noble.js'
import { TlsError } from '../errors.js'
import { fromHex, toHex } from '../bytes.js'
import {
  checkFinished,
  deriveSecret,
  finishedVerifyData,
  hkdfExpandLabel,
  hkdfLabel,
  KeySchedule13,
  nextApplicationTrafficSecret,
  trafficKeys,
} from './key-schedule.js'

const provider = nobleProvider

/*
 * Expected values computed with OpenSSL 3.0, which builds the HkdfLabel itself:
 *   openssl kdf -keylen N -kdfopt digest:D -kdfopt mode:EXPAND_ONLY -kdfopt hexkey:SECRET -kdfopt "prefix:tls13 "
 *     -kdfopt label:LABEL -kdfopt hexdata:CONTEXT TLS13-KDF
 * and `openssl kdf ... -kdfopt mode:EXTRACT_ONLY ... HKDF` for the extracts, `openssl dgst -mac HMAC` for verify_data.
 */
const sharedSecret = fromHex('8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d')
const helloHash384 = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f')

describe('KeySchedule13 with SHA-384 (TLS_AES_256_GCM_SHA384)', () => {
  const schedule = new KeySchedule13(provider, 'SHA-384')
  schedule.addSharedSecret(sharedSecret)
  const clientHandshakeTrafficSecret = schedule.clientHandshakeTrafficSecret(helloHash384)

  it('early secret with no PSK', () =>
    expect(toHex(schedule.earlySecret)).toBe('7ee8206f5570023e6dc7519eb1073bc4e791ad37b5c382aa10ba18e2357e716971f9362f2c2fe2a76bfd78dfec4ea9b5'))
  it('handshake secret', () =>
    expect(toHex(schedule.handshakeSecret)).toBe('984e65f4ea6ac0dece14762ac3752b71867a045c60d3fe7808b31949d2ce27d3142e6da6d92a68437f77c26509ce0b2b'))
  it('client_handshake_traffic_secret', () =>
    expect(toHex(clientHandshakeTrafficSecret)).toBe('f694d59708b79b9cccd2a5d194e8975889c75ee31d46a520e4990ed018f110c020abfecf54aed29952a2a9dbcb55417e'))
  it('AES-256 key and iv', () => {
    const keys = trafficKeys(provider, 'SHA-384', clientHandshakeTrafficSecret, 32)
    expect(toHex(keys.key)).toBe('6ded722b7856057ed5a1325900623076a00d5136d40db97153202e0e2a84d696')
    expect(toHex(keys.iv)).toBe('0fedc3fb271bedf43be600e8')
  })
  it('Finished verify_data', () =>
    expect(toHex(finishedVerifyData(provider, 'SHA-384', clientHandshakeTrafficSecret, helloHash384))).toBe(
      'f55246619c02de9dd1e3d6ab7dc5ec176f175034ceeb4ccfedad3b76e7ec09207f391042eb71e132c00dd74c15b106ac',
    ))
})

describe('KeyUpdate (RFC 8446 7.2)', () => {
  it('application_traffic_secret_1 from RFC 8448 client_application_traffic_secret_0', () => {
    const secret0 = fromHex('9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5')
    expect(toHex(nextApplicationTrafficSecret(provider, 'SHA-256', secret0))).toBe('fcdfcc72725aaee48bf64e4fd8b749cdbdbab39d90da0b26e2245ca6ea167207')
  })
})

describe('binder keys (RFC 8446 7.1)', () => {
  const psk = fromHex('101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f')
  const schedule = new KeySchedule13(provider, 'SHA-256', psk)
  it('early secret from a PSK', () => expect(toHex(schedule.earlySecret)).toBe('4527fa543b2d045433c8d7091f821742f79916491a1823e21bcba7023508c488'))
  it('"ext binder"', () => expect(toHex(schedule.binderKey('external'))).toBe('50def5227fa3fbb39907b6e9784265fce50e97dade95ebfd57a6e3db8d7851f8'))
  it('"res binder"', () => expect(toHex(schedule.binderKey('resumption'))).toBe('d100aa9e1fbbe50b819273678da8965a02fd99c8c3a6c05b92ba6e20e0d109e6'))
})

describe('HkdfLabel (RFC 8446 7.1)', () => {
  it('is uint16 length, opaque label<7..255> with "tls13 ", opaque context<0..255>', () => {
    expect(toHex(hkdfLabel('key', new Uint8Array(0), 16))).toBe('001009746c733133206b657900')
    expect(toHex(hkdfLabel('derived', new Uint8Array([0xaa, 0xbb]), 32))).toBe('00200d746c7331332064657269766564' + '02aabb')
  })
})

function expectTlsError(fn: () => unknown, alert: string, message: RegExp): void {
  let thrown: unknown
  try {
    fn()
  } catch (e) {
    thrown = e
  }
  expect(thrown).toBeInstanceOf(TlsError)
  expect((thrown as TlsError).alert).toBe(alert)
  expect((thrown as TlsError).message).toMatch(message)
}

describe('key schedule refusals', () => {
  const hash32 = new Uint8Array(32)

  it('handshake and master secrets before the (EC)DHE shared secret', () => {
    const schedule = new KeySchedule13(provider, 'SHA-256')
    expectTlsError(() => schedule.handshakeSecret, 'internal_error', /before the \(EC\)DHE shared secret/)
    expectTlsError(() => schedule.clientHandshakeTrafficSecret(hash32), 'internal_error', /before the \(EC\)DHE shared secret/)
    expectTlsError(() => schedule.masterSecret, 'internal_error', /before the \(EC\)DHE shared secret/)
    expectTlsError(() => schedule.serverApplicationTrafficSecret(hash32), 'internal_error', /before the \(EC\)DHE shared secret/)
  })

  it('a second or empty shared secret', () => {
    const schedule = new KeySchedule13(provider, 'SHA-256')
    expectTlsError(() => schedule.addSharedSecret(new Uint8Array(0)), 'internal_error', /empty/)
    schedule.addSharedSecret(sharedSecret)
    expectTlsError(() => schedule.addSharedSecret(sharedSecret), 'internal_error', /already added/)
  })

  it('early-data secrets and binders without a PSK, and an empty PSK', () => {
    const schedule = new KeySchedule13(provider, 'SHA-256')
    expectTlsError(() => schedule.binderKey('resumption'), 'internal_error', /only in a handshake with a PSK/)
    expectTlsError(() => schedule.clientEarlyTrafficSecret(hash32), 'internal_error', /only in a handshake with a PSK/)
    expectTlsError(() => schedule.earlyExporterMasterSecret(hash32), 'internal_error', /only in a handshake with a PSK/)
    expectTlsError(() => new KeySchedule13(provider, 'SHA-256', new Uint8Array(0)), 'internal_error', /PSK cannot be empty/)
  })

  it('a transcript hash of the wrong length (messages passed instead of their hash, or the wrong hash)', () => {
    const schedule = new KeySchedule13(provider, 'SHA-256')
    schedule.addSharedSecret(sharedSecret)
    expectTlsError(() => schedule.clientHandshakeTrafficSecret(new Uint8Array(48)), 'internal_error', /SHA-256 transcript hash of 32 bytes, got 48/)
    expectTlsError(() => deriveSecret(provider, 'SHA-384', hash32, 'c hs traffic', hash32), 'internal_error', /48 bytes, got 32/)
    expectTlsError(() => finishedVerifyData(provider, 'SHA-256', hash32, new Uint8Array(5)), 'internal_error', /Finished needs/)
  })

  it('labels, contexts and lengths HKDF-Expand-Label cannot encode', () => {
    expectTlsError(() => hkdfLabel('', new Uint8Array(0), 16), 'internal_error', /cannot be empty/)
    expectTlsError(() => hkdfLabel('x'.repeat(250), new Uint8Array(0), 16), 'internal_error', /longer than 249/)
    expect(() => hkdfLabel('x'.repeat(249), new Uint8Array(0), 16)).not.toThrow()
    expectTlsError(() => hkdfLabel('key', new Uint8Array(256), 16), 'internal_error', /context is 256 bytes/)
    expectTlsError(() => hkdfLabel('key', new Uint8Array(0), 65536), 'internal_error', /does not fit a uint16/)
    expectTlsError(() => hkdfExpandLabel(provider, 'SHA-256', hash32, 'key', new Uint8Array(0), 255 * 32 + 1), 'internal_error', /at most 8160 bytes/)
  })

  it('a Finished that does not match is a decrypt_error', () => {
    const verifyData = finishedVerifyData(provider, 'SHA-256', hash32, hash32)
    expect(() => checkFinished(provider, 'SHA-256', hash32, hash32, verifyData)).not.toThrow()
    const wrong = verifyData.slice()
    wrong[31]! ^= 1
    expectTlsError(() => checkFinished(provider, 'SHA-256', hash32, hash32, wrong), 'decrypt_error', /Finished verify_data does not match/)
    expectTlsError(() => checkFinished(provider, 'SHA-256', hash32, hash32, verifyData.subarray(0, 12)), 'decrypt_error', /does not match/)
  })
})
