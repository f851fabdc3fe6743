// A bounded cache of parsed certificates keyed by their exact DER bytes (cheap hash to find, full compare to hit).
import type { Certificate } from './certificate.js'
import { bytesEqual } from '../bytes.js'

/** FNV-1a over every byte; collisions only cost a compare, never a wrong hit. */
function fingerprint(der: Uint8Array): number {
  let h = 0x811c9dc5
  for (let i = 0; i < der.length; i++) h = Math.imul(h ^ der[i]!, 0x01000193)
  return h >>> 0
}

/**
 * Bounded by count and by bytes, and certificates larger than `maxEntryBytes` are never kept: a peer's
 * chain is parsed before it is verified, so a hostile peer must not be able to pin much memory here.
 */
export class CertificateCache {
  /** When false, lookups miss and nothing is stored (the bench's "cold" mode). */
  enabled = true
  readonly #buckets = new Map<number, Certificate[]>()
  #entries = 0
  #bytes = 0

  constructor(
    readonly maxEntries = 1000,
    readonly maxBytes = 4 * 1024 * 1024,
    readonly maxEntryBytes = 16 * 1024,
  ) {}

  get size(): number {
    return this.#entries
  }

  get(der: Uint8Array): Certificate | undefined {
    if (!this.enabled) return undefined
    const key = fingerprint(der)
    const bucket = this.#buckets.get(key)
    const hit = bucket?.find((cert) => bytesEqual(cert.der, der))
    if (hit !== undefined) {
      // Re-insert so that eviction drops the least recently used bucket first.
      this.#buckets.delete(key)
      this.#buckets.set(key, bucket!)
    }
    return hit
  }

  /** Stores a certificate; its `der` must be a private copy that nobody else can mutate. */
  set(cert: Certificate): void {
    if (!this.enabled || this.maxEntries <= 0 || cert.der.length > this.maxEntryBytes) return
    const key = fingerprint(cert.der)
    const bucket = this.#buckets.get(key) ?? []
    if (bucket.some((c) => bytesEqual(c.der, cert.der))) return
    bucket.push(cert)
    this.#buckets.delete(key)
    this.#buckets.set(key, bucket)
    this.#entries++
    this.#bytes += cert.der.length
    while (this.#entries > this.maxEntries || this.#bytes > this.maxBytes) {
      const [oldestKey, oldest] = this.#buckets.entries().next().value as [number, Certificate[]]
      this.#buckets.delete(oldestKey)
      this.#entries -= oldest.length
      for (const c of oldest) this.#bytes -= c.der.length
    }
  }

  clear(): void {
    this.#buckets.clear()
    this.#entries = 0
    this.#bytes = 0
  }
}

/** The process-wide cache `parseCertificate` uses unless told otherwise. */
export const defaultCertificateCache = new CertificateCache()
