// Tests for the TLS 1.2 messages: round trips and malformed inputs (the OpenSSL-captured handshake is in vectors.test.ts).
import { describe, expect, test } from 'vitest'
import type { AlertName } from '../../errors.js'
import { toHex } from '../../bytes.js'
import { HandshakeType, NamedGroup } from '../registry.js'
import { decodeCertificateRequestTls12, encodeCertificateRequestTls12 } from './certificate-request-tls12.js'
import { decodeCertificateTls12, encodeCertificateTls12 } from './certificate-tls12.js'
import { decodeClientKeyExchangeEcdhe } from './client-key-exchange.js'
import { decodeEmptyMessage, encodeEmptyMessage } from './empty-messages.js'
import { decodeFinished } from './finished.js'
import { decodeHandshakeMessage } from './handshake-message.js'
import { HandshakeLimits } from './limits.js'
import { decodeNewSessionTicketTls12, encodeNewSessionTicketTls12 } from './new-session-ticket-tls12.js'
import { decodeServerKeyExchangeEcdhe, encodeServerKeyExchangeEcdhe } from './server-key-exchange.js'

const alert = (name: AlertName) => expect.objectContaining({ name: 'TlsError', alert: name })

describe('TLS 1.2 messages, constructed', () => {
  test('Certificate: round trip, empty list, empty entry, too many entries', () => {
    const list = [new Uint8Array(10).fill(1), new Uint8Array(20).fill(2)]
    const decode = (certificateList: Uint8Array[]) =>
      decodeCertificateTls12(decodeHandshakeMessage(encodeCertificateTls12({ certificateList })).body)
    expect(decode(list)).toEqual({ certificateList: list })
    expect(decode([])).toEqual({ certificateList: [] })
    expect(() => decode([new Uint8Array(0)])).toThrow(alert('decode_error'))
    expect(() => decode(Array.from({ length: HandshakeLimits.maxCertificateEntries + 1 }, () => new Uint8Array([1])))).toThrow(alert('illegal_parameter'))
    expect(() => decodeCertificateTls12(new Uint8Array([0, 0, 4, 0, 0, 5, 1]))).toThrow(alert('decode_error'))
  })

  test('ServerKeyExchange: curve type, point shape, trailing bytes', () => {
    const params = { namedCurve: NamedGroup.secp256r1, publicKey: new Uint8Array(65).fill(4) }
    const body = decodeHandshakeMessage(encodeServerKeyExchangeEcdhe({ params, algorithm: 0x0403, signature: new Uint8Array(70) })).body
    expect(decodeServerKeyExchangeEcdhe(body).params).toEqual(params)
    const explicitPrime = body.slice()
    explicitPrime[0] = 1
    expect(() => decodeServerKeyExchangeEcdhe(explicitPrime)).toThrow(alert('illegal_parameter'))
    const compressed = body.slice()
    compressed[4] = 2
    expect(() => decodeServerKeyExchangeEcdhe(compressed)).toThrow(alert('illegal_parameter'))
    const shortPoint = decodeHandshakeMessage(
      encodeServerKeyExchangeEcdhe({ params: { namedCurve: NamedGroup.x25519, publicKey: new Uint8Array(31) }, algorithm: 0x0403, signature: new Uint8Array(1) }),
    ).body
    expect(() => decodeServerKeyExchangeEcdhe(shortPoint)).toThrow(alert('illegal_parameter'))
    expect(() => decodeServerKeyExchangeEcdhe(new Uint8Array([...body, 0]))).toThrow(alert('decode_error'))
    expect(() => decodeServerKeyExchangeEcdhe(body.subarray(0, body.length - 1))).toThrow(alert('decode_error'))
  })

  test('ClientKeyExchange: empty point and trailing bytes', () => {
    expect(() => decodeClientKeyExchangeEcdhe(new Uint8Array([0]))).toThrow(alert('decode_error'))
    expect(() => decodeClientKeyExchangeEcdhe(new Uint8Array([1, 5, 0]))).toThrow(alert('decode_error'))
  })

  test('CertificateRequest: round trip with authorities; empty types or schemes', () => {
    const value = { certificateTypes: [64], supportedSignatureAlgorithms: [0x0403, 0x0804], certificateAuthorities: [new Uint8Array([0x30, 0])] }
    expect(decodeCertificateRequestTls12(decodeHandshakeMessage(encodeCertificateRequestTls12(value)).body)).toEqual(value)
    expect(() => decodeCertificateRequestTls12(new Uint8Array([0, 0, 2, 4, 3, 0, 0]))).toThrow(alert('decode_error'))
    expect(() => decodeCertificateRequestTls12(new Uint8Array([1, 64, 0, 0, 0, 0]))).toThrow(alert('decode_error'))
    expect(() => decodeCertificateRequestTls12(new Uint8Array([1, 64, 0, 2, 4, 3, 0, 2, 0, 0]))).toThrow(alert('decode_error'))
  })

  test('NewSessionTicket: round trip, empty ticket allowed', () => {
    const value = { ticketLifetimeHint: 300, ticket: new Uint8Array(50).fill(6) }
    const decode = (v: typeof value) => decodeNewSessionTicketTls12(decodeHandshakeMessage(encodeNewSessionTicketTls12(v)).body)
    expect(decode(value)).toEqual(value)
    expect(decode({ ticketLifetimeHint: 0, ticket: new Uint8Array(0) }).ticket.length).toBe(0)
    expect(() => decodeNewSessionTicketTls12(new Uint8Array([0, 0, 1]))).toThrow(alert('decode_error'))
  })

  test('HelloRequest and ServerHelloDone are empty; Finished is 12 bytes', () => {
    expect(toHex(encodeEmptyMessage(HandshakeType.hello_request))).toBe('00000000')
    expect(() => decodeEmptyMessage(HandshakeType.hello_request, new Uint8Array(1))).toThrow(alert('decode_error'))
    expect(() => decodeEmptyMessage(HandshakeType.server_hello_done, new Uint8Array(2))).toThrow(alert('decode_error'))
    expect(() => decodeFinished(new Uint8Array(13), 12)).toThrow(alert('decode_error'))
  })
})
