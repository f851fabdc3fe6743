// Tests of Alert encoding and decoding.
import { describe, expect, it } from 'vitest'
import { AlertDescription } from '../errors.js'
import { AlertLevel, decodeAlert, encodeAlert } from './alert.js'
import { fromHex, toHex } from '../bytes.js'

const tlsError = (alert: string) => expect.objectContaining({ name: 'TlsError', alert })

describe('Alert', () => {
  it('encodes level then description', () => {
    expect(toHex(encodeAlert(AlertLevel.fatal, AlertDescription.bad_record_mac))).toBe('0214')
    expect(toHex(encodeAlert(AlertLevel.warning, AlertDescription.close_notify))).toBe('0100')
  })

  it('round-trips every alert description at both levels', () => {
    for (const description of Object.values(AlertDescription)) {
      for (const level of [AlertLevel.warning, AlertLevel.fatal]) {
        expect(decodeAlert(encodeAlert(level, description))).toEqual({ level, description })
      }
    }
  })

  it('keeps description codes no RFC we implement defines', () => {
    expect(decodeAlert(fromHex('02fe'))).toEqual({ level: AlertLevel.fatal, description: 254 })
  })

  it('refuses anything but exactly two bytes with decode_error (alerts are never fragmented or coalesced)', () => {
    for (const bad of ['', '02', '022800', '02280100']) expect(() => decodeAlert(fromHex(bad))).toThrow(tlsError('decode_error'))
  })

  it('refuses levels other than warning and fatal with decode_error', () => {
    for (const level of [0, 3, 255]) expect(() => decodeAlert(Uint8Array.of(level, 0))).toThrow(tlsError('decode_error'))
  })
})
