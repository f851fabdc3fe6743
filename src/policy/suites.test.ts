// Unit tests of the cipher suite table: codes, names, parameters, and how unknown or refused codes are described.
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../crypto/noble.js'
import { cipherSuiteByCode, cipherSuiteByName, cipherSuites, describeCipherSuite, isTls12Suite, isTls13Suite } from './suites.js'

describe('cipher suites', () => {
  it('holds the three TLS 1.3 and six TLS 1.2 suites, by IANA code and name', () => {
    expect(cipherSuites.map((s) => [s.code, s.name])).toEqual([
      [0x1301, 'TLS_AES_128_GCM_SHA256'],
      [0x1302, 'TLS_AES_256_GCM_SHA384'],
      [0x1303, 'TLS_CHACHA20_POLY1305_SHA256'],
      [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
      [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
      [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
      [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
      [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
      [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'],
    ])
  })

  it('names TLS 1.2 suites as OpenSSL does', () => {
    expect(cipherSuites.filter(isTls12Suite).map((s) => s.openSslName)).toEqual([
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-RSA-CHACHA20-POLY1305',
    ])
    expect(cipherSuites.filter(isTls13Suite).every((s) => s.openSslName === s.name)).toBe(true)
  })

  it('finds a suite by either name', () => {
    expect(cipherSuiteByName('ECDHE-RSA-CHACHA20-POLY1305')?.code).toBe(0xcca8)
    expect(cipherSuiteByName('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256')?.code).toBe(0xcca8)
    expect(cipherSuiteByName('AES128-SHA')).toBeUndefined()
  })

  it('carries the record parameters of RFC 8446 5.3, RFC 5288 and RFC 7905', () => {
    const params = (code: number) => {
      const s = cipherSuiteByCode(code)!
      return [s.aead, s.hash, s.keyLength, s.ivLength, isTls12Suite(s) ? s.explicitNonceLength : null]
    }
    expect(params(0x1301)).toEqual(['AES-128-GCM', 'SHA-256', 16, 12, null])
    expect(params(0x1302)).toEqual(['AES-256-GCM', 'SHA-384', 32, 12, null])
    expect(params(0x1303)).toEqual(['CHACHA20-POLY1305', 'SHA-256', 32, 12, null])
    expect(params(0xc02b)).toEqual(['AES-128-GCM', 'SHA-256', 16, 4, 8])
    expect(params(0xc030)).toEqual(['AES-256-GCM', 'SHA-384', 32, 4, 8])
    expect(params(0xcca9)).toEqual(['CHACHA20-POLY1305', 'SHA-256', 32, 12, 0])
  })

  it("matches the provider's AEAD key lengths", () => {
    for (const s of cipherSuites) expect(nobleProvider.aead(s.aead).keyLength, s.name).toBe(s.keyLength)
  })

  it('says who authenticates a TLS 1.2 suite', () => {
    expect(cipherSuites.filter(isTls12Suite).map((s) => s.authentication)).toEqual(['ecdsa', 'ecdsa', 'ecdsa', 'rsa', 'rsa', 'rsa'])
  })

  it('describes codes it does not implement', () => {
    expect(cipherSuiteByCode(0x002f)).toBeUndefined()
    expect(describeCipherSuite(0x1301)).toBe('TLS_AES_128_GCM_SHA256')
    expect(describeCipherSuite(0x002f)).toBe('TLS_RSA_WITH_AES_128_CBC_SHA (0x002f, refused: RSA key exchange, CBC)')
    expect(describeCipherSuite(0xc013)).toBe('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (0xc013, refused: CBC)')
    expect(describeCipherSuite(0x00ff)).toBe('TLS_EMPTY_RENEGOTIATION_INFO_SCSV')
    expect(describeCipherSuite(0x5600)).toBe('TLS_FALLBACK_SCSV')
    expect(describeCipherSuite(0x0a0a)).toBe('unknown cipher suite 0x0a0a')
  })
})
