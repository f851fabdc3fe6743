// Tests for the TLS 1.3 messages after the hellos: round trips, limits and the illegal values of each.
import { describe, expect, test } from 'vitest'
import type { AlertName } from '../../errors.js'
import { toHex } from '../../bytes.js'
import { alpnSelected } from '../extensions/alpn.js'
import { certificateAuthorities } from '../extensions/certificate-authorities.js'
import { earlyDataIndication, earlyDataMaxSize } from '../extensions/early-data.js'
import { encodeExtension, type Extension } from '../extensions/extension.js'
import { signatureAlgorithms, signatureAlgorithmsCert } from '../extensions/signature-algorithms.js'
import { statusRequest } from '../extensions/simple.js'
import { supportedGroups } from '../extensions/supported-groups.js'
import { ExtensionType, HandshakeType } from '../registry.js'
import { decodeCertificate, encodeCertificate, type Certificate } from './certificate.js'
import { decodeCertificateRequest, encodeCertificateRequest } from './certificate-request.js'
import { decodeCertificateVerify, encodeCertificateVerify } from './certificate-verify.js'
import { decodeEmptyMessage, encodeEmptyMessage } from './empty-messages.js'
import { decodeEncryptedExtensions, encodeEncryptedExtensions } from './encrypted-extensions.js'
import { decodeFinished, encodeFinished } from './finished.js'
import { decodeHandshakeMessage } from './handshake-message.js'
import { decodeKeyUpdate, encodeKeyUpdate } from './key-update.js'
import { HandshakeLimits } from './limits.js'
import { encodeMessageHash } from './message-hash.js'
import { decodeNewSessionTicket, encodeNewSessionTicket, maxEarlyDataSize, type NewSessionTicket } from './new-session-ticket.js'

const alert = (name: AlertName) => expect.objectContaining({ name: 'TlsError', alert: name })

/** Encodes, checks the header, and hands the body to `decode`. */
function wire<T>(bytes: Uint8Array, type: number, decode: (body: Uint8Array) => T): T {
  const message = decodeHandshakeMessage(bytes)
  expect(message.type).toBe(type)
  return decode(message.body)
}

const keyShareExt: Extension = { type: ExtensionType.key_share, data: new Uint8Array([0, 0x1d]) }

describe('EncryptedExtensions', () => {
  const decode = (extensions: Extension[]) =>
    wire(encodeEncryptedExtensions({ extensions }), HandshakeType.encrypted_extensions, decodeEncryptedExtensions)

  test('round trip, including an empty one', () => {
    const extensions = [encodeExtension(supportedGroups, [0x1d, 0x17]), encodeExtension(alpnSelected, 'http/1.1'), encodeExtension(earlyDataIndication, true)]
    expect(decode(extensions)).toEqual({ extensions })
    expect(decode([])).toEqual({ extensions: [] })
  })

  test('key_share or a two-name ALPN list is refused', () => {
    expect(() => decode([keyShareExt])).toThrow(alert('illegal_parameter'))
    const twoNames = { type: ExtensionType.application_layer_protocol_negotiation, data: new Uint8Array([0, 6, 2, 0x68, 0x32, 2, 0x68, 0x33]) }
    expect(() => decode([twoNames])).toThrow(alert('decode_error'))
  })
})

describe('Certificate', () => {
  const certificate = (certificateList: Certificate['certificateList'], context = new Uint8Array(0)): Certificate => ({
    certificateRequestContext: context,
    certificateList,
  })
  const decode = (value: Certificate) => wire(encodeCertificate(value), HandshakeType.certificate, decodeCertificate)

  test('round trip with entry extensions and a request context', () => {
    const value = certificate(
      [
        { certData: new Uint8Array(300).fill(1), extensions: [encodeExtension(statusRequest, new Uint8Array([1, 0, 0, 2, 9, 9]))] },
        { certData: new Uint8Array(200).fill(2), extensions: [] },
      ],
      new Uint8Array([5, 6, 7]),
    )
    expect(decode(value)).toEqual(value)
    expect(decode(certificate([]))).toEqual(certificate([]))
  })

  test('an empty cert_data is a decode_error; too many entries an illegal_parameter', () => {
    expect(() => decode(certificate([{ certData: new Uint8Array(0), extensions: [] }]))).toThrow(alert('decode_error'))
    const many = Array.from({ length: HandshakeLimits.maxCertificateEntries + 1 }, () => ({ certData: new Uint8Array([0x30]), extensions: [] }))
    expect(() => decode(certificate(many))).toThrow(alert('illegal_parameter'))
  })

  test('entry extensions: not allowed here, or duplicated, is an illegal_parameter', () => {
    expect(() => decode(certificate([{ certData: new Uint8Array([1]), extensions: [keyShareExt] }]))).toThrow(alert('illegal_parameter'))
    const ocsp = encodeExtension(statusRequest, new Uint8Array([1]))
    expect(() => decode(certificate([{ certData: new Uint8Array([1]), extensions: [ocsp, ocsp] }]))).toThrow(alert('illegal_parameter'))
  })

  test('a message over the size limit fails at the header', () => {
    const bytes = new Uint8Array([HandshakeType.certificate, 0x04, 0x00, 0x01])
    expect(() => decodeHandshakeMessage(bytes)).toThrow(alert('illegal_parameter'))
  })
})

describe('CertificateRequest', () => {
  const decode = (extensions: Extension[], context = new Uint8Array(0)) =>
    wire(encodeCertificateRequest({ certificateRequestContext: context, extensions }), HandshakeType.certificate_request, decodeCertificateRequest)

  test('round trip with the request extensions; unknown ones are kept', () => {
    const extensions = [
      encodeExtension(signatureAlgorithms, [0x0403, 0x0804]),
      encodeExtension(signatureAlgorithmsCert, [0x0403]),
      encodeExtension(certificateAuthorities, [new Uint8Array([0x30, 0x00])]),
      { type: 0x6666, data: new Uint8Array([1]) },
    ]
    expect(decode(extensions, new Uint8Array([1, 2]))).toEqual({ certificateRequestContext: new Uint8Array([1, 2]), extensions })
  })

  test('signature_algorithms is required; server-side extensions are refused', () => {
    expect(() => decode([])).toThrow(alert('missing_extension'))
    expect(() => decode([encodeExtension(signatureAlgorithms, [0x0403]), encodeExtension(supportedGroups, [0x1d])])).toThrow(alert('illegal_parameter'))
  })
})

describe('CertificateVerify and Finished', () => {
  test('CertificateVerify round trip and bad lengths', () => {
    const value = { algorithm: 0x0807, signature: new Uint8Array(64).fill(3) }
    expect(wire(encodeCertificateVerify(value), HandshakeType.certificate_verify, decodeCertificateVerify)).toEqual(value)
    expect(() => decodeCertificateVerify(new Uint8Array([8, 4, 0, 2, 1]))).toThrow(alert('decode_error'))
    expect(() => decodeCertificateVerify(new Uint8Array([8, 4, 0, 1, 1, 1]))).toThrow(alert('decode_error'))
    expect(() => decodeCertificateVerify(new Uint8Array([8]))).toThrow(alert('decode_error'))
  })

  test('Finished checks the length the caller expects', () => {
    const verifyData = new Uint8Array(48).fill(0xee)
    expect(wire(encodeFinished({ verifyData }), HandshakeType.finished, (b) => decodeFinished(b, 48))).toEqual({ verifyData })
    expect(() => decodeFinished(verifyData, 32)).toThrow(alert('decode_error'))
  })
})

describe('NewSessionTicket', () => {
  const ticket = (extensions: Extension[], overrides: Partial<NewSessionTicket> = {}): NewSessionTicket => ({
    ticketLifetime: 7200,
    ticketAgeAdd: 0xfedcba98,
    ticketNonce: new Uint8Array([0, 1]),
    ticket: new Uint8Array(100).fill(4),
    extensions,
    ...overrides,
  })
  const decode = (value: NewSessionTicket) => wire(encodeNewSessionTicket(value), HandshakeType.new_session_ticket, decodeNewSessionTicket)

  test('round trip; early_data carries max_early_data_size', () => {
    const value = ticket([encodeExtension(earlyDataMaxSize, 16384)])
    expect(decode(value)).toEqual(value)
    expect(maxEarlyDataSize(value)).toBe(16384)
    expect(maxEarlyDataSize(ticket([]))).toBe(0)
  })

  test('an empty ticket is a decode_error; a misplaced or malformed extension is refused', () => {
    expect(() => decode(ticket([], { ticket: new Uint8Array(0) }))).toThrow(alert('decode_error'))
    expect(() => decode(ticket([keyShareExt]))).toThrow(alert('illegal_parameter'))
    expect(() => decode(ticket([encodeExtension(earlyDataIndication, true)]))).toThrow(alert('decode_error'))
  })
})

describe('KeyUpdate, EndOfEarlyData, message_hash', () => {
  test('KeyUpdate values', () => {
    expect(toHex(encodeKeyUpdate({ requestUpdate: true }))).toBe('1800000101')
    expect(wire(encodeKeyUpdate({ requestUpdate: false }), HandshakeType.key_update, decodeKeyUpdate)).toEqual({ requestUpdate: false })
    expect(decodeKeyUpdate(new Uint8Array([1]))).toEqual({ requestUpdate: true })
    expect(() => decodeKeyUpdate(new Uint8Array([2]))).toThrow(alert('illegal_parameter'))
    expect(() => decodeKeyUpdate(new Uint8Array([0, 0]))).toThrow(alert('decode_error'))
    expect(() => decodeKeyUpdate(new Uint8Array(0))).toThrow(alert('decode_error'))
  })

  test('EndOfEarlyData is empty', () => {
    expect(toHex(encodeEmptyMessage(HandshakeType.end_of_early_data))).toBe('05000000')
    expect(() => decodeEmptyMessage(HandshakeType.end_of_early_data, new Uint8Array(1))).toThrow(alert('decode_error'))
  })

  test('message_hash frames the hash of ClientHello1 with type 254', () => {
    const hash = new Uint8Array(32).fill(0x42)
    expect(toHex(encodeMessageHash(hash))).toBe(`fe000020${toHex(hash)}`)
  })
})
