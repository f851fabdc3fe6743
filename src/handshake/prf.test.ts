// Unit tests of the TLS 1.2 PRF helpers: output lengths and the refusals (random sizes, session_hash size, reserved exporter labels).
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../crypto/noble.js'
import { TlsError } from '../errors.js'
import { pHash, tls12ExportKeyingMaterial, tls12ExtendedMasterSecret, tls12CheckFinished, tls12MasterSecret, tls12Prf, tls12VerifyData } from './prf.js'

const provider = nobleProvider
const random = new Uint8Array(32)
const secret = new Uint8Array(48).fill(7)

describe('TLS 1.2 PRF', () => {
  it('yields exactly the asked length, a prefix of any longer output', () => {
    const long = tls12Prf(provider, 'SHA-256', secret, 'test label', random, 100)
    for (const n of [0, 1, 31, 32, 33, 64, 99]) {
      const short = tls12Prf(provider, 'SHA-256', secret, 'test label', random, n)
      expect(short.length).toBe(n)
      expect([...short]).toEqual([...long.subarray(0, n)])
    }
  })

  it('P_hash with an empty seed still works, and a bad length is refused', () => {
    expect(pHash(provider, 'SHA-384', secret, new Uint8Array(0), 10).length).toBe(10)
    expect(() => pHash(provider, 'SHA-256', secret, random, -1)).toThrow(TlsError)
    expect(() => pHash(provider, 'SHA-256', secret, random, 1.5)).toThrow(/not a byte count/)
  })

  it('refuses hello randoms that are not 32 bytes', () => {
    expect(() => tls12MasterSecret(provider, 'SHA-256', secret, new Uint8Array(31), random)).toThrow(/randoms must be 32 bytes/)
    expect(() => tls12ExportKeyingMaterial(provider, 'SHA-256', secret, random, new Uint8Array(33), 'EXPERIMENTAL x', undefined, 16)).toThrow(
      /randoms must be 32 bytes/,
    )
  })

  it('refuses a session_hash that is not a digest of the PRF hash', () => {
    expect(() => tls12ExtendedMasterSecret(provider, 'SHA-384', secret, new Uint8Array(32))).toThrow(/SHA-384 digest of 48 bytes, got 32/)
  })

  it('refuses exporter labels TLS itself uses, and oversized contexts', () => {
    for (const label of ['client finished', 'server finished', 'master secret', 'extended master secret', 'key expansion']) {
      expect(() => tls12ExportKeyingMaterial(provider, 'SHA-256', secret, random, random, label, undefined, 16), label).toThrow(/reserved/)
    }
    expect(() => tls12ExportKeyingMaterial(provider, 'SHA-256', secret, random, random, 'EXPERIMENTAL x', new Uint8Array(65536), 16)).toThrow(
      /more than 65535/,
    )
  })

  it('checks Finished in constant time and fails with decrypt_error', () => {
    const handshakeHash = new Uint8Array(32).fill(1)
    const verifyData = tls12VerifyData(provider, 'SHA-256', secret, 'server', handshakeHash)
    expect(verifyData.length).toBe(12)
    expect(() => tls12CheckFinished(provider, 'SHA-256', secret, 'server', handshakeHash, verifyData)).not.toThrow()
    let thrown: unknown
    try {
      tls12CheckFinished(provider, 'SHA-256', secret, 'client', handshakeHash, verifyData)
    } catch (e) {
      thrown = e
    }
    expect(thrown).toBeInstanceOf(TlsError)
    expect((thrown as TlsError).alert).toBe('decrypt_error')
  })
})
