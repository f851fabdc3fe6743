// Tests for every typed extension codec: round trips, and the malformed or illegal bodies each must refuse.
import { describe, expect, test } from 'vitest'
import type { AlertName } from '../../errors.js'
import { fromHex, toHex } from '../../bytes.js'
import { ExtensionType, NamedGroup } from '../registry.js'
import { alpnProtocols, alpnSelected } from './alpn.js'
import { certificateAuthorities } from './certificate-authorities.js'
import { cookie } from './cookie.js'
import { earlyDataIndication, earlyDataMaxSize } from './early-data.js'
import { ecPointFormats } from './ec-point-formats.js'
import { decodeExtensionData, encodeExtension, type ExtensionCodec } from './extension.js'
import { checkKeyExchangeShape, keyShareClientHello, keyShareHelloRetryRequest, keyShareServerHello } from './key-share.js'
import { bindersWireLength, preSharedKeyClientHello, preSharedKeyServerHello } from './pre-shared-key.js'
import { pskKeyExchangeModes } from './psk-key-exchange-modes.js'
import { recordSizeLimit } from './record-size-limit.js'
import { renegotiationInfo } from './renegotiation-info.js'
import { checkHostName, serverNameAck, serverNameList } from './server-name.js'
import { signatureAlgorithms, signatureAlgorithmsCert } from './signature-algorithms.js'
import { encryptThenMac, extendedMasterSecret, padding, postHandshakeAuth, sessionTicket, sessionTicketAck, statusRequest } from './simple.js'
import { supportedGroups } from './supported-groups.js'
import { supportedVersionSelected, supportedVersionsList } from './supported-versions.js'

const alert = (name: AlertName) => expect.objectContaining({ name: 'TlsError', alert: name })

interface RoundTrip {
  readonly codec: ExtensionCodec<unknown>
  readonly value: unknown
  readonly hex?: string
}

/** A typed round-trip case; `hex` pins the wire form where it is worth pinning. */
function rt<T>(codec: ExtensionCodec<T>, value: T, hex?: string): RoundTrip {
  return { codec: codec as ExtensionCodec<unknown>, value, hex }
}

const x25519 = { group: NamedGroup.x25519, keyExchange: new Uint8Array(32).fill(1) }
const p256 = { group: NamedGroup.secp256r1, keyExchange: new Uint8Array(65).fill(4) }
const offeredPsks = {
  identities: [
    { identity: new Uint8Array([1]), obfuscatedTicketAge: 0xffffffff },
    { identity: new Uint8Array(40).fill(2), obfuscatedTicketAge: 5 },
  ],
  binders: [new Uint8Array(32).fill(3), new Uint8Array(48).fill(4)],
}

const roundTrips: Record<string, RoundTrip> = {
  'server_name list': rt(serverNameList, 'www.example.com', '001200000f7777772e6578616d706c652e636f6d'),
  'server_name ack': rt(serverNameAck, true, ''),
  supported_groups: rt(supportedGroups, [0x1d, 0x17, 0x18], '0006001d00170018'),
  signature_algorithms: rt(signatureAlgorithms, [0x0403, 0x0804], '000404030804'),
  signature_algorithms_cert: rt(signatureAlgorithmsCert, [0x0401]),
  'supported_versions list': rt(supportedVersionsList, [0x0304, 0x0303], '0403040303'),
  'supported_versions selected': rt(supportedVersionSelected, 0x0304, '0304'),
  'key_share ClientHello': rt(keyShareClientHello, [x25519, p256]),
  'key_share ClientHello, empty': rt(keyShareClientHello, [], '0000'),
  'key_share ServerHello': rt(keyShareServerHello, x25519),
  'key_share HelloRetryRequest': rt(keyShareHelloRetryRequest, NamedGroup.secp384r1, '0018'),
  'ALPN list': rt(alpnProtocols, ['h2', 'http/1.1'], '000c02683208687474702f312e31'),
  'ALPN selected': rt(alpnSelected, 'h2', '0003026832'),
  psk_key_exchange_modes: rt(pskKeyExchangeModes, [1, 0], '020100'),
  cookie: rt(cookie, new Uint8Array([9, 8, 7]), '0003090807'),
  'pre_shared_key ClientHello': rt(preSharedKeyClientHello, offeredPsks),
  'pre_shared_key ServerHello': rt(preSharedKeyServerHello, 1, '0001'),
  'early_data indication': rt(earlyDataIndication, true, ''),
  'early_data max size': rt(earlyDataMaxSize, 0x4000, '00004000'),
  extended_master_secret: rt(extendedMasterSecret, true, ''),
  post_handshake_auth: rt(postHandshakeAuth, true, ''),
  encrypt_then_mac: rt(encryptThenMac, true, ''),
  'renegotiation_info, initial': rt(renegotiationInfo, new Uint8Array(0), '00'),
  'renegotiation_info, renegotiating': rt(renegotiationInfo, new Uint8Array(12).fill(5)),
  ec_point_formats: rt(ecPointFormats, [0], '0100'),
  status_request: rt(statusRequest, fromHex('0100000000')),
  'session_ticket, ClientHello': rt(sessionTicket, new Uint8Array([1, 2, 3])),
  'session_ticket, ServerHello': rt(sessionTicketAck, true, ''),
  padding: rt(padding, new Uint8Array(10)),
  record_size_limit: rt(recordSizeLimit, 16385, '4001'),
  certificate_authorities: rt(certificateAuthorities, [fromHex('3000'), fromHex('300a310830060603550403')]),
}

describe('every extension codec round trips', () => {
  test.each(Object.entries(roundTrips))('%s', (_name, { codec, value, hex }) => {
    const ext = encodeExtension(codec, value)
    expect(ext.type).toBe(codec.type)
    if (hex !== undefined) expect(toHex(ext.data)).toBe(hex)
    expect(decodeExtensionData(codec, ext.data)).toEqual(value)
  })
})

/** Bodies each codec must refuse, with the alert. */
const refusals: [string, ExtensionCodec<unknown>, string, AlertName][] = [
  ['server_name: empty list', serverNameList, '0000', 'decode_error'],
  ['server_name: empty host name', serverNameList, '0003000000', 'decode_error'],
  ['server_name: two names', serverNameList, '000c000003616263000003646566', 'illegal_parameter'],
  ['server_name: name type 1', serverNameList, '0006010003616263', 'illegal_parameter'],
  ['server_name: NUL byte', serverNameList, '0006000003610062', 'illegal_parameter'],
  ['server_name: non-ASCII', serverNameList, '00060000036162e9', 'illegal_parameter'],
  ['server_name: list length short', serverNameList, '0005000003616263', 'decode_error'],
  ['server_name ack: not empty', serverNameAck, '00', 'decode_error'],
  ['supported_groups: empty', supportedGroups, '0000', 'decode_error'],
  ['supported_groups: odd length', supportedGroups, '0003001d00', 'decode_error'],
  ['signature_algorithms: empty', signatureAlgorithms, '0000', 'decode_error'],
  ['supported_versions: empty list', supportedVersionsList, '00', 'decode_error'],
  ['supported_versions: odd list', supportedVersionsList, '03030403', 'decode_error'],
  ['supported_versions: selects TLS 1.2', supportedVersionSelected, '0303', 'illegal_parameter'],
  ['supported_versions: selected too long', supportedVersionSelected, '030400', 'decode_error'],
  ['key_share: duplicate group', keyShareClientHello, `0048${'001d0020' + '01'.repeat(32)}${'001d0020' + '02'.repeat(32)}`, 'illegal_parameter'],
  ['key_share: empty key_exchange', keyShareClientHello, '0004001d0000', 'decode_error'],
  ['key_share: x25519 of 31 bytes', keyShareServerHello, `001d001f${'01'.repeat(31)}`, 'illegal_parameter'],
  ['key_share: compressed P-256 point', keyShareServerHello, `00170041${'02'.repeat(65)}`, 'illegal_parameter'],
  ['key_share: HRR group with trailing byte', keyShareHelloRetryRequest, '001700', 'decode_error'],
  ['ALPN: empty list', alpnProtocols, '0000', 'decode_error'],
  ['ALPN: empty name', alpnProtocols, '0003000168', 'decode_error'],
  ['ALPN: name overruns', alpnProtocols, '0002056832', 'decode_error'],
  ['ALPN selected: two names', alpnSelected, '0006026832026833', 'decode_error'],
  ['psk_key_exchange_modes: empty', pskKeyExchangeModes, '00', 'decode_error'],
  ['cookie: empty', cookie, '0000', 'decode_error'],
  ['pre_shared_key: no identities', preSharedKeyClientHello, `00000021${'20' + '00'.repeat(32)}`, 'decode_error'],
  ['pre_shared_key: binder of 31 bytes', preSharedKeyClientHello, `00070001610000000000201f${'00'.repeat(31)}`, 'decode_error'],
  ['pre_shared_key: two binders for one identity', preSharedKeyClientHello, `000700016100000000004220${'00'.repeat(32)}20${'00'.repeat(32)}`, 'illegal_parameter'],
  ['early_data indication: not empty', earlyDataIndication, '00', 'decode_error'],
  ['early_data max size: short', earlyDataMaxSize, '000040', 'decode_error'],
  ['extended_master_secret: not empty', extendedMasterSecret, '00', 'decode_error'],
  ['renegotiation_info: overruns', renegotiationInfo, '0501', 'decode_error'],
  ['ec_point_formats: empty', ecPointFormats, '00', 'decode_error'],
  ['session_ticket ServerHello: not empty', sessionTicketAck, '01', 'decode_error'],
  ['record_size_limit: 63', recordSizeLimit, '003f', 'illegal_parameter'],
  ['certificate_authorities: empty list', certificateAuthorities, '0000', 'decode_error'],
  ['certificate_authorities: empty name', certificateAuthorities, '00020000', 'decode_error'],
]

describe('malformed and illegal bodies', () => {
  test.each(refusals)('%s', (_name, codec, hex, expected) => {
    expect(() => decodeExtensionData(codec, fromHex(hex))).toThrow(alert(expected))
  })
})

describe('limits and helpers', () => {
  test('as many key shares, PSK identities and CA names as the u16 vectors hold are read (duplicate groups refused)', () => {
    const shares = Array.from({ length: 8000 }, (_, i) => ({ group: 0x7000 + i, keyExchange: new Uint8Array([i & 0xff]) }))
    expect(decodeExtensionData(keyShareClientHello, encodeExtension(keyShareClientHello, shares).data)).toHaveLength(8000)
    const twice = [...shares.slice(0, 3), shares[1]!]
    expect(() => decodeExtensionData(keyShareClientHello, encodeExtension(keyShareClientHello, twice).data)).toThrow(alert('illegal_parameter'))
    const n = 1000
    const psks = {
      identities: Array.from({ length: n }, () => ({ identity: new Uint8Array([1]), obfuscatedTicketAge: 0 })),
      binders: Array.from({ length: n }, () => new Uint8Array(32)),
    }
    expect(decodeExtensionData(preSharedKeyClientHello, encodeExtension(preSharedKeyClientHello, psks).data).identities).toHaveLength(n)
    const names = Array.from({ length: 10_000 }, () => new Uint8Array([0x30, 0]))
    expect(decodeExtensionData(certificateAuthorities, encodeExtension(certificateAuthorities, names).data)).toHaveLength(10_000)
  })

  test('host names: limits, and what we refuse to send', () => {
    const longest = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.')
    expect(longest).toHaveLength(253)
    expect(() => checkHostName(longest, 'illegal_parameter')).not.toThrow()
    expect(() => checkHostName(`${longest}e`, 'illegal_parameter')).toThrow(alert('illegal_parameter'))
    for (const bad of ['a'.repeat(64) + '.test', '*.test', '127.0.0.1', '::1', 'a..b', '-a.test', 'a-.test', 'a.test.', 'a/b.test'])
      expect(() => checkHostName(bad, 'illegal_parameter'), bad).toThrow(alert('illegal_parameter'))
    for (const good of ['under_score.example', 'xn--bcher-kva.example', 'a-b.c0.test', 'LOCALHOST'])
      expect(() => checkHostName(good, 'illegal_parameter'), good).not.toThrow()
    expect(() => encodeExtension(serverNameList, 'bad name')).toThrow(alert('internal_error'))
    expect(() => encodeExtension(serverNameList, 'ünicode.example')).toThrow(alert('internal_error'))
    expect(() => encodeExtension(alpnProtocols, [''])).toThrow(alert('internal_error'))
    expect(() => encodeExtension(alpnProtocols, ['\u0100'])).toThrow(alert('internal_error'))
  })

  test('key exchange shapes of known groups; unknown groups pass', () => {
    expect(() => checkKeyExchangeShape(NamedGroup.secp384r1, new Uint8Array(97).fill(4))).not.toThrow()
    expect(() => checkKeyExchangeShape(NamedGroup.secp384r1, new Uint8Array(65).fill(4))).toThrow(alert('illegal_parameter'))
    expect(() => checkKeyExchangeShape(NamedGroup.ffdhe2048, new Uint8Array(255))).toThrow(alert('illegal_parameter'))
    expect(() => checkKeyExchangeShape(0x6399, new Uint8Array(1))).not.toThrow()
  })

  test('binders wire length counts the prefix and each binder length byte', () => {
    expect(bindersWireLength(offeredPsks.binders)).toBe(2 + 33 + 49)
    expect(ExtensionType.pre_shared_key).toBe(41)
  })
})
