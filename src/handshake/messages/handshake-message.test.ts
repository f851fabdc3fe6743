// Tests for the handshake frame and the deframer that reassembles messages across records.
import { describe, expect, test } from 'vitest'
import type { AlertName } from '../../errors.js'
import { concat, toHex } from '../../bytes.js'
import { HandshakeType } from '../registry.js'
import { decodeHandshakeMessage, encodeHandshakeMessage } from './handshake-message.js'
import { HandshakeLimits } from './limits.js'

const alert = (name: AlertName) => expect.objectContaining({ name: 'TlsError', alert: name })

const finished = encodeHandshakeMessage(HandshakeType.finished, (w) => w.bytes(new Uint8Array(32).fill(0xaa)))
const keyUpdate = encodeHandshakeMessage(HandshakeType.key_update, (w) => w.u8(1))

describe('handshake message frame', () => {
  test('encode writes type and a u24 length; decode splits them', () => {
    expect(toHex(keyUpdate)).toBe('1800000101')
    const message = decodeHandshakeMessage(finished)
    expect(message.type).toBe(HandshakeType.finished)
    expect(message.body).toEqual(new Uint8Array(32).fill(0xaa))
    expect(message.bytes).toEqual(finished)
  })

  test('short, long and oversized frames', () => {
    expect(() => decodeHandshakeMessage(finished.subarray(0, 3))).toThrow(alert('decode_error'))
    expect(() => decodeHandshakeMessage(finished.subarray(0, 35))).toThrow(alert('decode_error'))
    expect(() => decodeHandshakeMessage(concat(finished, new Uint8Array(1)))).toThrow(alert('decode_error'))
    const tooBig = HandshakeLimits.maxMessageSize + 1
    expect(() => decodeHandshakeMessage(new Uint8Array([HandshakeType.finished, tooBig >> 16, (tooBig >> 8) & 0xff, tooBig & 0xff]))).toThrow(
      alert('illegal_parameter'),
    )
  })
})
