// Tests for the generic extensions block, the placement table and the offered-extensions check.
import { describe, expect, test } from 'vitest'
import type { AlertName } from '../../errors.js'
import { Reader, Writer } from '../../record/codec.js'
import { toHex } from '../../bytes.js'
import { ExtensionType } from '../registry.js'
import { cookie } from './cookie.js'
import {
  decodeExtensionData,
  encodeExtension,
  findExtension,
  hasExtension,
  readExtension,
  readExtensions,
  requireExtension,
  writeExtensions,
  type Extension,
} from './extension.js'
import { checkExtensionPlacement, checkOfferedExtensions, isRecognisedExtension, offeredExtensionTypes, type ExtensionContext } from './placement.js'
import { supportedGroups } from './supported-groups.js'
import { extensionForm, readMessageExtensions, validateExtensions } from './validate.js'

const alert = (name: AlertName) => expect.objectContaining({ name: 'TlsError', alert: name })

const empty = (type: number): Extension => ({ type, data: new Uint8Array(0) })

function block(extensions: Extension[]): Uint8Array {
  const w = new Writer()
  writeExtensions(w, extensions)
  return w.finish()
}

describe('extensions block', () => {
  test('round trip keeps order and bytes', () => {
    const extensions = [{ type: 0x1234, data: new Uint8Array([1, 2]) }, empty(0xff01), { type: 0, data: new Uint8Array(5) }]
    const bytes = block(extensions)
    expect(toHex(bytes.subarray(0, 6))).toBe('001312340002')
    const r = new Reader(bytes)
    expect(readExtensions(r)).toEqual(extensions)
    expect(r.remaining).toBe(0)
  })

  test('duplicates are illegal_parameter, also among thousands (found in linear time); any number is read', () => {
    expect(() => readExtensions(new Reader(block([empty(7), empty(8), empty(7)])))).toThrow(alert('illegal_parameter'))
    const many = Array.from({ length: 16_000 }, (_, i) => empty(0x4000 + i))
    expect(readExtensions(new Reader(block(many)))).toHaveLength(16_000)
    expect(() => readExtensions(new Reader(block([...many, empty(0x4000)])))).toThrow(alert('illegal_parameter'))
  })

  test('bad lengths are decode_errors', () => {
    const bytes = block([{ type: 1, data: new Uint8Array([9, 9, 9]) }])
    for (let cut = 0; cut < bytes.length; cut++) expect(() => readExtensions(new Reader(bytes.subarray(0, cut)))).toThrow(alert('decode_error'))
    const inner = bytes.slice()
    inner[5] = 4
    expect(() => readExtensions(new Reader(inner))).toThrow(alert('decode_error'))
    expect(() => readExtensions(new Reader(new Uint8Array([0, 3, 0, 1, 0])))).toThrow(alert('decode_error'))
  })

  test('an extension body must be consumed exactly', () => {
    const groups = encodeExtension(supportedGroups, [0x1d])
    expect(decodeExtensionData(supportedGroups, groups.data)).toEqual([0x1d])
    expect(() => decodeExtensionData(supportedGroups, new Uint8Array([...groups.data, 0]))).toThrow(alert('decode_error'))
    expect(() => decodeExtensionData(cookie, new Uint8Array([0, 1, 5, 6]))).toThrow(alert('decode_error'))
  })

  test('find, has, read and require', () => {
    const extensions = [encodeExtension(supportedGroups, [0x17]), empty(0x9999)]
    expect(findExtension(extensions, 0x9999)).toBe(extensions[1])
    expect(hasExtension(extensions, ExtensionType.cookie)).toBe(false)
    expect(readExtension(extensions, supportedGroups)).toEqual([0x17])
    expect(readExtension(extensions, cookie)).toBeUndefined()
    expect(requireExtension(extensions, supportedGroups, 'ClientHello')).toEqual([0x17])
    expect(() => requireExtension(extensions, cookie, 'ClientHello')).toThrow(alert('missing_extension'))
  })
})

describe('placement (RFC 8446 section 4.2)', () => {
  const cases: [string, number, ExtensionContext[], ExtensionContext[]][] = [
    ['server_name', ExtensionType.server_name, ['client_hello', 'encrypted_extensions', 'server_hello_tls12'], ['server_hello', 'certificate_request']],
    ['key_share', ExtensionType.key_share, ['client_hello', 'server_hello', 'hello_retry_request'], ['encrypted_extensions', 'server_hello_tls12']],
    ['pre_shared_key', ExtensionType.pre_shared_key, ['client_hello', 'server_hello'], ['hello_retry_request', 'encrypted_extensions']],
    ['early_data', ExtensionType.early_data, ['client_hello', 'encrypted_extensions', 'new_session_ticket'], ['server_hello', 'certificate']],
    ['cookie', ExtensionType.cookie, ['client_hello', 'hello_retry_request'], ['server_hello', 'encrypted_extensions']],
    ['status_request', ExtensionType.status_request, ['client_hello', 'certificate_request', 'certificate'], ['encrypted_extensions']],
    ['signature_algorithms', ExtensionType.signature_algorithms, ['client_hello', 'certificate_request'], ['server_hello_tls12', 'certificate']],
    ['oid_filters', ExtensionType.oid_filters, ['certificate_request'], ['client_hello']],
    ['extended_master_secret', ExtensionType.extended_master_secret, ['client_hello', 'server_hello_tls12'], ['server_hello', 'encrypted_extensions']],
    ['renegotiation_info', ExtensionType.renegotiation_info, ['client_hello', 'server_hello_tls12'], ['encrypted_extensions']],
    ['ec_point_formats', ExtensionType.ec_point_formats, ['client_hello', 'server_hello_tls12'], ['server_hello']],
    ['psk_key_exchange_modes', ExtensionType.psk_key_exchange_modes, ['client_hello'], ['server_hello']],
  ]

  test.each(cases)('%s', (_name, type, allowedIn, refusedIn) => {
    for (const context of allowedIn) expect(() => checkExtensionPlacement([empty(type)], context), context).not.toThrow()
    for (const context of refusedIn) expect(() => checkExtensionPlacement([empty(type)], context), context).toThrow(alert('illegal_parameter'))
  })

  test('unrecognised extensions are never placement errors', () => {
    expect(isRecognisedExtension(0x0a0a)).toBe(false)
    for (const context of ['client_hello', 'server_hello', 'encrypted_extensions', 'certificate_request', 'new_session_ticket'] as const) {
      expect(() => checkExtensionPlacement([empty(0x0a0a)], context)).not.toThrow()
    }
  })

  test('pre_shared_key must be last in a ClientHello only', () => {
    const psk = empty(ExtensionType.pre_shared_key)
    expect(() => checkExtensionPlacement([empty(0), psk], 'client_hello')).not.toThrow()
    expect(() => checkExtensionPlacement([psk, empty(0)], 'client_hello')).toThrow(alert('illegal_parameter'))
    expect(() => checkExtensionPlacement([psk, empty(ExtensionType.supported_versions)], 'server_hello')).not.toThrow()
  })
})

describe('offered check', () => {
  const offered = offeredExtensionTypes([empty(ExtensionType.server_name), empty(ExtensionType.key_share)])

  test('responses may only carry what was offered', () => {
    expect(() => checkOfferedExtensions([empty(ExtensionType.server_name)], offered, 'encrypted_extensions')).not.toThrow()
    expect(() => checkOfferedExtensions([empty(ExtensionType.application_layer_protocol_negotiation)], offered, 'encrypted_extensions')).toThrow(
      alert('unsupported_extension'),
    )
    expect(() => checkOfferedExtensions([empty(0x5555)], offered, 'server_hello')).toThrow(alert('unsupported_extension'))
  })

  test('cookie is exempt in a HelloRetryRequest only', () => {
    expect(() => checkOfferedExtensions([empty(ExtensionType.cookie)], offered, 'hello_retry_request')).not.toThrow()
    expect(() => checkOfferedExtensions([empty(ExtensionType.cookie)], offered, 'server_hello')).toThrow(alert('unsupported_extension'))
  })
})

describe('validation of bodies by message', () => {
  test('each message parses the forms it defines', () => {
    expect(extensionForm('client_hello', ExtensionType.key_share)).toBeDefined()
    expect(extensionForm('certificate', ExtensionType.status_request)).toBeUndefined()
    const badGroups = { type: ExtensionType.supported_groups, data: new Uint8Array([0, 0]) }
    expect(() => validateExtensions([badGroups], 'client_hello')).toThrow(alert('decode_error'))
    expect(() => validateExtensions([badGroups], 'certificate_request')).toThrow(alert('illegal_parameter'))
  })

  test('readMessageExtensions reads, checks duplicates, placement and bodies', () => {
    const good = block([encodeExtension(supportedGroups, [0x1d])])
    expect(readMessageExtensions(new Reader(good), 'encrypted_extensions')).toEqual([encodeExtension(supportedGroups, [0x1d])])
    expect(() => readMessageExtensions(new Reader(good), 'server_hello')).toThrow(alert('illegal_parameter'))
  })
})
