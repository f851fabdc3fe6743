// The trust anchors a verifier chains to: loaded from PEM bundles, DER or parsed certificates, indexed by subject Name.
import { pemDecode } from '../crypto/pem.js'
import { CertificateVerificationError, TlsConfigError } from '../errors.js'
import { bytesKey } from '../bytes.js'
import { Certificate, parseCertificate } from './certificate.js'
import { assertStrictDer, derHeaderAt } from '../crypto/der-strict.js'

/** An anchor is kept as DER and parsed on first use; `parsed` is null when that parse failed. */
interface AnchorEntry {
  readonly der: Uint8Array
  parsed: Certificate | null | undefined
}

const CONTEXT_0 = 0xa0

/**
 * The subject Name's DER, found by walking the headers of Certificate → tbsCertificate → fields
 * (version?, serialNumber, signature, issuer, validity, subject) without decoding the rest.
 */
function subjectDerOf(der: Uint8Array): Uint8Array {
  assertStrictDer(der)
  const certificate = derHeaderAt(der, 0)
  const tbs = derHeaderAt(der, certificate.start, certificate.end)
  let at = tbs.start
  if (der[at] === CONTEXT_0) at = derHeaderAt(der, at, tbs.end).end
  for (let field = 0; field < 4; field++) at = derHeaderAt(der, at, tbs.end).end
  const subject = derHeaderAt(der, at, tbs.end)
  return der.subarray(at, subject.end)
}

/** A trust anchor source: a PEM bundle, one DER certificate, or a parsed Certificate. */
export type TrustSource = string | Uint8Array | Certificate

/** A set of trust anchors (CA certificates), looked up by subject during path building. */
export class TrustStore {
  readonly #bySubject = new Map<string, AnchorEntry[]>()
  readonly #byDer = new Set<string>()
  #count = 0

  /** A store holding `sources` (PEM bundles, DER certificates or Certificates). */
  constructor(sources: readonly TrustSource[] = []) {
    for (const source of sources) this.add(source)
  }

  /** A store holding every CERTIFICATE block of a PEM bundle. */
  static fromPem(pem: string): TrustStore {
    return new TrustStore([pem])
  }

  /** A store holding these DER certificates. */
  static fromDer(certificates: readonly Uint8Array[]): TrustStore {
    return new TrustStore(certificates)
  }

  /** How many distinct anchors the store holds. */
  get size(): number {
    return this.#count
  }

  /** Adds a PEM bundle (every CERTIFICATE block; text between blocks is skipped), a DER certificate or a Certificate; returns how many were new. */
  add(source: TrustSource): number {
    if (typeof source === 'string') return this.addPem(source)
    if (source instanceof Certificate) return this.#insert(source.der, source) ? 1 : 0
    return this.addCertificate(source) ? 1 : 0
  }

  /** Adds every `CERTIFICATE` block of a PEM bundle (other blocks, comments and junk between blocks are ignored). */
  addPem(pem: string): number {
    let added = 0
    for (const block of pemDecode(pem, 'CERTIFICATE')) if (this.addCertificate(block.der)) added++
    return added
  }

  /** Adds one DER certificate; throws TlsConfigError if it is not even shaped like one. Returns false for a duplicate. */
  addCertificate(der: Uint8Array): boolean {
    if (!(der instanceof Uint8Array)) throw new TlsConfigError('ca', 'a trust anchor must be PEM text or DER bytes')
    return this.#insert(der.slice(), undefined)
  }

  #insert(der: Uint8Array, parsed: Certificate | undefined): boolean {
    let subject: Uint8Array
    try {
      subject = parsed?.subject.der ?? subjectDerOf(der)
    } catch (e) {
      const why = e instanceof CertificateVerificationError ? e.message : String(e)
      throw new TlsConfigError('ca', `not a DER certificate: ${why}`)
    }
    const derKey = bytesKey(der)
    if (this.#byDer.has(derKey)) return false
    this.#byDer.add(derKey)
    const key = bytesKey(subject)
    const entries = this.#bySubject.get(key) ?? []
    entries.push({ der, parsed })
    this.#bySubject.set(key, entries)
    this.#count++
    return true
  }

  /** Is exactly this certificate (byte for byte) an anchor? */
  contains(der: Uint8Array): boolean {
    return this.#byDer.has(bytesKey(der))
  }

  /** The anchors whose subject is exactly `subjectDer`, parsed now if need be; anchors that fail to parse are skipped. */
  anchorsWithSubject(subjectDer: Uint8Array): Certificate[] {
    return parsedAnchors(this.#bySubject.get(bytesKey(subjectDer)) ?? [])
  }

  /** Every anchor that parses (this parses them all). */
  certificates(): Certificate[] {
    return [...this.#bySubject.values()].flatMap(parsedAnchors)
  }
}

function parsedAnchors(entries: readonly AnchorEntry[]): Certificate[] {
  const out: Certificate[] = []
  for (const entry of entries) {
    if (entry.parsed === undefined) {
      try {
        entry.parsed = parseCertificate(entry.der, { cache: null })
      } catch {
        entry.parsed = null
      }
    }
    if (entry.parsed !== null) out.push(entry.parsed)
  }
  return out
}
