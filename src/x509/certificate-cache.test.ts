// The parsed-certificate cache stays bounded in entries and in bytes, and never keeps oversized certificates.
import { describe, expect, it } from 'vitest'
import type { Certificate } from './certificate.js'
import { CertificateCache } from './certificate-cache.js'

function fakeCertificate(size: number, fill: number): Certificate {
  return { der: new Uint8Array(size).fill(fill) } as unknown as Certificate
}

describe('CertificateCache', () => {
  it('evicts the least recently used entries to stay within its byte budget', () => {
    const cache = new CertificateCache(1000, 10_000, 4_000)
    for (let i = 0; i < 5; i++) cache.set(fakeCertificate(3_000, i))
    expect(cache.size).toBe(3)
    expect(cache.get(new Uint8Array(3_000).fill(0))).toBeUndefined()
    expect(cache.get(new Uint8Array(3_000).fill(4))).toBeDefined()
  })

  it('never keeps a certificate larger than maxEntryBytes, so a peer cannot pin large blobs', () => {
    const cache = new CertificateCache(1000, 10_000, 4_000)
    cache.set(fakeCertificate(5_000, 1))
    expect(cache.size).toBe(0)
  })

  it('evicts by count as well', () => {
    const cache = new CertificateCache(2)
    for (let i = 0; i < 3; i++) cache.set(fakeCertificate(100, i))
    expect(cache.size).toBe(2)
  })
})
