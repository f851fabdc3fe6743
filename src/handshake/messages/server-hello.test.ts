// Tests for ServerHello / HelloRetryRequest: which kind a hello is, its extension rules, and the special randoms.
import { describe, expect, test } from 'vitest'
import type { AlertName } from '../../errors.js'
import { alpnSelected } from '../extensions/alpn.js'
import { cookie } from '../extensions/cookie.js'
import { ecPointFormats } from '../extensions/ec-point-formats.js'
import { encodeExtension, readExtension, type Extension } from '../extensions/extension.js'
import { keyShareHelloRetryRequest, keyShareServerHello } from '../extensions/key-share.js'
import { checkOfferedExtensions } from '../extensions/placement.js'
import { extendedMasterSecret } from '../extensions/simple.js'
import { supportedVersionSelected } from '../extensions/supported-versions.js'
import { ExtensionType, NamedGroup } from '../registry.js'
import { decodeHandshakeMessage } from './handshake-message.js'
import {
  DOWNGRADE_TLS11,
  DOWNGRADE_TLS12,
  HELLO_RETRY_REQUEST_RANDOM,
  downgradeSentinel,
  isHelloRetryRequestRandom,
  withDowngradeSentinel,
} from './hello-random.js'
import { decodeServerHello, encodeHelloRetryRequest, encodeServerHello, type ServerHello } from './server-hello.js'

const alert = (name: AlertName) => expect.objectContaining({ name: 'TlsError', alert: name })

const tls13 = encodeExtension(supportedVersionSelected, 0x0304)
const share = encodeExtension(keyShareServerHello, { group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(5) })

function serverHello(extensions: Extension[], overrides: Partial<ServerHello> = {}): ServerHello {
  return { legacyVersion: 0x0303, random: new Uint8Array(32).fill(7), legacySessionIdEcho: new Uint8Array(0), cipherSuite: 0x1301, extensions, ...overrides }
}

const decode = (bytes: Uint8Array) => decodeServerHello(decodeHandshakeMessage(bytes).body)

describe('ServerHello kinds', () => {
  test('TLS 1.3 ServerHello', () => {
    const original = serverHello([share, tls13])
    const decoded = decode(encodeServerHello(original))
    expect(decoded).toEqual({ ...original, kind: 'server_hello', version: 0x0304 })
    expect(readExtension(decoded.extensions, keyShareServerHello)?.group).toBe(NamedGroup.x25519)
  })

  test('HelloRetryRequest', () => {
    const extensions = [encodeExtension(keyShareHelloRetryRequest, NamedGroup.secp256r1), tls13, encodeExtension(cookie, new Uint8Array([1, 2]))]
    const bytes = encodeHelloRetryRequest({ legacyVersion: 0x0303, legacySessionIdEcho: new Uint8Array(0), cipherSuite: 0x1301, extensions })
    const decoded = decode(bytes)
    expect(decoded.kind).toBe('hello_retry_request')
    expect(isHelloRetryRequestRandom(decoded.random)).toBe(true)
    expect(readExtension(decoded.extensions, keyShareHelloRetryRequest)).toBe(NamedGroup.secp256r1)
  })

  test('a HelloRetryRequest may not carry a full key share entry or pre_shared_key', () => {
    const hrr = (extensions: Extension[]) => encodeServerHello(serverHello(extensions, { random: HELLO_RETRY_REQUEST_RANDOM }))
    expect(() => decode(hrr([share, tls13]))).toThrow(alert('decode_error'))
    expect(() => decode(hrr([tls13, { type: ExtensionType.pre_shared_key, data: new Uint8Array([0, 0]) }]))).toThrow(alert('illegal_parameter'))
  })

  test('TLS 1.2 ServerHello with its extensions, and one without any', () => {
    const extensions = [encodeExtension(extendedMasterSecret, true), encodeExtension(ecPointFormats, [0]), encodeExtension(alpnSelected, 'h2')]
    const decoded = decode(encodeServerHello(serverHello(extensions, { cipherSuite: 0xc02f, legacySessionIdEcho: new Uint8Array(32).fill(3) })))
    expect(decoded.kind).toBe('server_hello_tls12')
    expect(decoded.version).toBe(0x0303)
    expect(decoded.legacySessionIdEcho).toEqual(new Uint8Array(32).fill(3))
    expect(readExtension(decoded.extensions, alpnSelected)).toBe('h2')
    expect(decode(encodeServerHello(serverHello([]))).extensions).toEqual([])
  })
})

describe('ServerHello rules', () => {
  test('a compression method other than null is an illegal_parameter', () => {
    const bytes = encodeServerHello(serverHello([tls13]))
    bytes[4 + 2 + 32 + 1 + 2] = 1
    expect(() => decode(bytes)).toThrow(alert('illegal_parameter'))
  })

  test('supported_versions selecting a version before TLS 1.3 is an illegal_parameter', () => {
    expect(() => decode(encodeServerHello(serverHello([{ type: ExtensionType.supported_versions, data: new Uint8Array([3, 3]) }])))).toThrow(
      alert('illegal_parameter'),
    )
  })

  test('TLS 1.3-only extensions in a TLS 1.2 ServerHello, and TLS 1.2-only ones in a TLS 1.3 one, are illegal_parameters', () => {
    expect(() => decode(encodeServerHello(serverHello([share])))).toThrow(alert('illegal_parameter'))
    expect(() => decode(encodeServerHello(serverHello([tls13, encodeExtension(extendedMasterSecret, true)])))).toThrow(alert('illegal_parameter'))
    expect(() => decode(encodeServerHello(serverHello([tls13, encodeExtension(alpnSelected, 'h2')])))).toThrow(alert('illegal_parameter'))
  })

  test('duplicated extensions and a long session id', () => {
    expect(() => decode(encodeServerHello(serverHello([tls13, tls13])))).toThrow(alert('illegal_parameter'))
    expect(() => decode(encodeServerHello(serverHello([tls13], { legacySessionIdEcho: new Uint8Array(33) })))).toThrow(alert('decode_error'))
  })

  test('a response extension the client did not offer is an unsupported_extension', () => {
    const decoded = decode(encodeServerHello(serverHello([share, tls13])))
    const offered = new Set<number>([ExtensionType.supported_versions])
    expect(() => checkOfferedExtensions(decoded.extensions, offered, decoded.kind)).toThrow(alert('unsupported_extension'))
    offered.add(ExtensionType.key_share)
    expect(() => checkOfferedExtensions(decoded.extensions, offered, decoded.kind)).not.toThrow()
    const unknown = decode(encodeServerHello(serverHello([{ type: 0x7777, data: new Uint8Array(0) }])))
    expect(() => checkOfferedExtensions(unknown.extensions, offered, unknown.kind)).toThrow(alert('unsupported_extension'))
  })
})

describe('special randoms', () => {
  test('the HelloRetryRequest random is SHA-256("HelloRetryRequest")', () => {
    expect(HELLO_RETRY_REQUEST_RANDOM.length).toBe(32)
    expect(isHelloRetryRequestRandom(new Uint8Array(32))).toBe(false)
  })

  test('downgrade sentinels', () => {
    expect(new TextDecoder().decode(DOWNGRADE_TLS12.subarray(0, 7))).toBe('DOWNGRD')
    const random = new Uint8Array(32).fill(0x11)
    expect(downgradeSentinel(random)).toBeNull()
    const to12 = withDowngradeSentinel(random, 'tls12')
    expect(downgradeSentinel(to12)).toBe('tls12')
    expect(to12.subarray(0, 24)).toEqual(random.subarray(0, 24))
    expect(downgradeSentinel(withDowngradeSentinel(random, 'tls11'))).toBe('tls11')
    expect(withDowngradeSentinel(random, 'tls11').subarray(24)).toEqual(DOWNGRADE_TLS11)
    expect(random).toEqual(new Uint8Array(32).fill(0x11))
  })
})
