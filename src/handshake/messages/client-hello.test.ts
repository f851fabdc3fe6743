// Tests for the ClientHello codec: round trips, extension rules, bad lengths and limits.
import { describe, expect, test } from 'vitest'
import type { AlertName } from '../../errors.js'
import { Writer } from '../../record/codec.js'
import { alpnProtocols } from '../extensions/alpn.js'
import { encodeExtension, readExtension, type Extension } from '../extensions/extension.js'
import { keyShareClientHello } from '../extensions/key-share.js'
import { preSharedKeyClientHello } from '../extensions/pre-shared-key.js'
import { serverNameList } from '../extensions/server-name.js'
import { supportedVersionsList } from '../extensions/supported-versions.js'
import { ExtensionType, HandshakeType, NamedGroup } from '../registry.js'
import { decodeClientHello, encodeClientHello, type ClientHello } from './client-hello.js'
import { decodeHandshakeMessage } from './handshake-message.js'

const alert = (name: AlertName) => expect.objectContaining({ name: 'TlsError', alert: name })

const x25519Share = { group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(9) }
const psk = encodeExtension(preSharedKeyClientHello, {
  identities: [{ identity: new Uint8Array([1, 2, 3]), obfuscatedTicketAge: 77 }],
  binders: [new Uint8Array(32)],
})

function hello(extensions: Extension[], overrides: Partial<ClientHello> = {}): ClientHello {
  return {
    legacyVersion: 0x0303,
    random: new Uint8Array(32).fill(0xab),
    legacySessionId: new Uint8Array(32).fill(1),
    cipherSuites: [0x1301, 0x1302, 0xc02f],
    legacyCompressionMethods: [0],
    extensions,
    ...overrides,
  }
}

/** Encodes and decodes again, the way a peer would see it. */
function throughWire(value: ClientHello): ClientHello {
  const message = decodeHandshakeMessage(encodeClientHello(value))
  expect(message.type).toBe(HandshakeType.client_hello)
  return decodeClientHello(message.body)
}

/** A body with arbitrary bytes in place of a field, for the cases encode cannot produce. */
function bodyWith(write: (w: Writer) => void): Uint8Array {
  const w = new Writer()
  w.u16(0x0303).bytes(new Uint8Array(32))
  write(w)
  return w.finish()
}

describe('ClientHello', () => {
  test('round trips with typed extensions in order', () => {
    const original = hello([
      encodeExtension(serverNameList, 'example.com'),
      encodeExtension(supportedVersionsList, [0x0304, 0x0303]),
      encodeExtension(keyShareClientHello, [x25519Share]),
      encodeExtension(alpnProtocols, ['h2', 'http/1.1']),
      psk,
    ])
    const decoded = throughWire(original)
    expect(decoded).toEqual(original)
    expect(readExtension(decoded.extensions, serverNameList)).toBe('example.com')
    expect(readExtension(decoded.extensions, alpnProtocols)).toEqual(['h2', 'http/1.1'])
    expect(readExtension(decoded.extensions, preSharedKeyClientHello)?.identities[0]?.obfuscatedTicketAge).toBe(77)
  })

  test('a TLS 1.2 hello without an extensions block', () => {
    const decoded = throughWire(hello([], { legacySessionId: new Uint8Array(0) }))
    expect(decoded.extensions).toEqual([])
    expect(decoded.legacySessionId.length).toBe(0)
  })

  test('an unrecognised extension is kept and ignored', () => {
    const grease = { type: 0x0a0a, data: new Uint8Array([0]) }
    expect(throughWire(hello([grease])).extensions).toEqual([grease])
  })

  test('a duplicated extension is an illegal_parameter', () => {
    const sni = encodeExtension(serverNameList, 'a.example')
    expect(() => throughWire(hello([sni, sni]))).toThrow(alert('illegal_parameter'))
  })

  test('pre_shared_key must be the last extension', () => {
    expect(() => throughWire(hello([psk, encodeExtension(serverNameList, 'a.example')]))).toThrow(alert('illegal_parameter'))
  })

  test('an extension not allowed in a ClientHello is an illegal_parameter', () => {
    expect(() => throughWire(hello([{ type: ExtensionType.oid_filters, data: new Uint8Array([0, 0]) }]))).toThrow(alert('illegal_parameter'))
  })

  test('a malformed extension body fails while decoding the hello', () => {
    const badShare = { type: ExtensionType.key_share, data: new Uint8Array([0, 4, 0, 0x1d, 0, 5]) }
    expect(() => throughWire(hello([badShare]))).toThrow(alert('decode_error'))
  })

  test('cipher_suites: empty and odd are decode_errors; as many as the vector holds are read', () => {
    expect(() => throughWire(hello([], { cipherSuites: [] }))).toThrow(alert('decode_error'))
    expect(() => decodeClientHello(bodyWith((w) => w.u8(0).vec16(new Uint8Array(3)).vec8(new Uint8Array(1))))).toThrow(alert('decode_error'))
    const many = Array.from({ length: 32_000 }, (_, i) => i)
    expect(throughWire(hello([], { cipherSuites: many })).cipherSuites).toHaveLength(32_000)
  })

  test('legacy_session_id longer than 32 bytes is a decode_error', () => {
    expect(() => throughWire(hello([], { legacySessionId: new Uint8Array(33) }))).toThrow(alert('decode_error'))
  })

  test('compression methods: empty is a decode_error, lacking null an illegal_parameter', () => {
    expect(() => throughWire(hello([], { legacyCompressionMethods: [] }))).toThrow(alert('decode_error'))
    expect(() => throughWire(hello([], { legacyCompressionMethods: [1] }))).toThrow(alert('illegal_parameter'))
  })

  test('a random of the wrong length is refused when encoding', () => {
    expect(() => encodeClientHello(hello([], { random: new Uint8Array(31) }))).toThrow(alert('internal_error'))
  })

  test('bad extension block lengths and trailing bytes are decode_errors', () => {
    const body = decodeHandshakeMessage(encodeClientHello(hello([encodeExtension(serverNameList, 'a.example')]))).body
    const extensionsLengthAt = 2 + 32 + 1 + 32 + 2 + 6 + 2
    const longer = body.slice()
    longer[extensionsLengthAt + 1]! += 1
    expect(() => decodeClientHello(longer)).toThrow(alert('decode_error'))
    const shorter = body.slice()
    shorter[extensionsLengthAt + 1]! -= 1
    expect(() => decodeClientHello(shorter)).toThrow(alert('decode_error'))
    const innerLonger = body.slice()
    innerLonger[extensionsLengthAt + 5]! += 1
    expect(() => decodeClientHello(innerLonger)).toThrow(alert('decode_error'))
    expect(() => decodeClientHello(new Uint8Array([...body, 0]))).toThrow(alert('decode_error'))
  })

  test('thousands of unknown extensions are read', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ type: 0x1000 + i, data: new Uint8Array(0) }))
    expect(throughWire(hello(many)).extensions).toHaveLength(10_000)
  })
})
