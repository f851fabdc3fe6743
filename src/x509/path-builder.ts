// Certification path building: depth-first search with backtracking from the leaf to a trust anchor, bounded in depth and work.
import { CertificateVerificationError, type CertificateFailureReason } from '../errors.js'
import { bytesEqual, bytesKey } from '../bytes.js'
import type { Waiting } from '../pending.js'
import type { Certificate } from './certificate.js'
import type { TrustStore } from './trust-store.js'

/** A possible issuer of the certificate at the end of the partial path. */
export interface Candidate {
  readonly cert: Certificate
  readonly isAnchor: boolean
}

export interface PathSearch {
  readonly leaf: Certificate
  /** The other certificates the peer sent, in any order, duplicates and strangers included. */
  readonly intermediates: readonly Certificate[]
  readonly trustStore: TrustStore
  /** Deepest position an anchor may take (the leaf is depth 0). */
  readonly maxDepth: number
  /** Most issuer candidates examined (each costs one signature check) before giving up with 'too-many-paths'. */
  readonly maxSignatureChecks: number
  /**
   * A step that accepts `candidate` as the issuer of `path[path.length - 1]` (it would sit at depth `path.length`),
   * or throws CertificateVerificationError saying why not. Run once per candidate; it verifies the signature, so
   * it may wait on the provider.
   */
  readonly checkIssuer: (path: readonly Certificate[], candidate: Candidate) => Waiting<void>
  /** Checks a complete path (leaf first, anchor last) as a whole, throwing CertificateVerificationError; then the search goes on. */
  readonly checkPath?: (path: readonly Certificate[]) => void
}

/** Failures that end the whole search: a budget ran out, and no other path may be tried. */
const abortingReasons = new Set<CertificateFailureReason>(['too-many-paths', 'too-many-name-checks'])

function isCertificateFailure(error: unknown): error is CertificateVerificationError {
  return error instanceof CertificateVerificationError && !abortingReasons.has(error.reason)
}

/** Orders candidates whose subjectKeyIdentifier matches the child's authorityKeyIdentifier first, mismatches last. */
function keyIdentifierRank(child: Certificate, candidate: Certificate): number {
  const aki = child.authorityKeyIdentifier
  const ski = candidate.subjectKeyIdentifier
  if (aki === undefined || ski === undefined) return 1
  return bytesEqual(aki, ski) ? 0 : 2
}

/** Would `candidate` repeat a certificate of the path (the same DER, or the same subject with the same key)? */
function alreadyInPath(path: readonly Certificate[], candidate: Certificate): boolean {
  return path.some(
    (c) =>
      bytesEqual(c.der, candidate.der) ||
      (bytesEqual(c.subject.der, candidate.subject.der) && bytesEqual(c.subjectPublicKeyInfo, candidate.subjectPublicKeyInfo)),
  )
}

class PathBuilder {
  readonly #bySubject = new Map<string, Certificate[]>()
  #signatureChecks = 0
  #best: { error: CertificateVerificationError; specific: boolean; attemptDepth: number } | undefined

  readonly #search: PathSearch

  constructor(search: PathSearch) {
    this.#search = search
    const seen = new Set<string>([bytesKey(search.leaf.der)])
    for (const cert of search.intermediates) {
      const der = bytesKey(cert.der)
      // Duplicates, the leaf again, and copies of anchors (tried as anchors already) add nothing.
      if (seen.has(der) || search.trustStore.contains(cert.der)) continue
      seen.add(der)
      const key = bytesKey(cert.subject.der)
      const list = this.#bySubject.get(key) ?? []
      list.push(cert)
      this.#bySubject.set(key, list)
    }
  }

  /** Anchors first (the shortest paths), then presented certificates; each group ordered by key identifier hint. */
  #candidatesFor(child: Certificate): Candidate[] {
    const byHint = (a: Candidate, b: Candidate) => keyIdentifierRank(child, a.cert) - keyIdentifierRank(child, b.cert)
    const anchors = this.#search.trustStore.anchorsWithSubject(child.issuer.der).map((cert) => ({ cert, isAnchor: true }))
    const presented = (this.#bySubject.get(bytesKey(child.issuer.der)) ?? []).map((cert) => ({ cert, isAnchor: false }))
    return [...anchors.sort(byHint), ...presented.sort(byHint)]
  }

  /** Keeps the most telling failure: a specific reason beats 'unknown-issuer', then the attempt that got deepest wins. */
  #record(error: CertificateVerificationError, attemptDepth: number): void {
    const specific = error.reason !== 'unknown-issuer'
    const best = this.#best
    if (best === undefined || (specific && !best.specific) || (specific === best.specific && attemptDepth > best.attemptDepth)) {
      this.#best = { error, specific, attemptDepth }
    }
  }

  /** A complete path extending `path`, or null when every branch below it failed (failures are recorded). */
  *extend(path: Certificate[]): Waiting<Certificate[] | null> {
    const child = path[path.length - 1]!
    const depth = path.length
    const candidates = this.#candidatesFor(child).filter((c) => !alreadyInPath(path, c.cert))
    if (candidates.length === 0) {
      this.#record(new CertificateVerificationError('unknown-issuer', `no trusted or presented issuer for ${child}`, depth - 1), depth - 1)
      return null
    }
    if (depth > this.#search.maxDepth) {
      this.#record(new CertificateVerificationError('too-deep', `the path would be longer than ${this.#search.maxDepth} certificates above the leaf`, depth), depth)
      return null
    }
    for (const candidate of candidates) {
      if (++this.#signatureChecks > this.#search.maxSignatureChecks) {
        throw new CertificateVerificationError('too-many-paths', `gave up after ${this.#search.maxSignatureChecks} candidate issuers`, depth)
      }
      try {
        yield* this.#search.checkIssuer(path, candidate)
      } catch (e) {
        if (!isCertificateFailure(e)) throw e
        this.#record(e, depth)
        continue
      }
      path.push(candidate.cert)
      const found = candidate.isAnchor ? this.#complete(path) : yield* this.extend(path)
      path.pop()
      if (found) return found
    }
    return null
  }

  /** A copy of the finished `path` if it passes the whole-path checks, else null (the failure is recorded). */
  #complete(path: Certificate[]): Certificate[] | null {
    try {
      this.#search.checkPath?.(path)
    } catch (e) {
      if (!isCertificateFailure(e)) throw e
      this.#record(e, path.length - 1)
      return null
    }
    return path.slice()
  }

  bestFailure(): CertificateVerificationError {
    return this.#best?.error ?? new CertificateVerificationError('unknown-issuer', 'no path to a trust anchor')
  }
}

/**
 * Finds a path leaf → … → anchor in which every link passes `checkIssuer` and the whole passes `checkPath`. An
 * expired or wrongly constrained candidate never hides a good path; when none exists the most telling failure is
 * thrown. A step: it waits when `checkIssuer` does.
 */
export function* buildPath(search: PathSearch): Waiting<Certificate[]> {
  const builder = new PathBuilder(search)
  const found = yield* builder.extend([search.leaf])
  if (found === null) throw builder.bestFailure()
  return found
}
