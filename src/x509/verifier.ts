// The peer-certificate verifiers the handshake calls: Web PKI (chain + host name), pinned certificates, and none.
import type { CryptoProvider } from '../crypto/provider.js'
import { CertificateVerificationError } from '../errors.js'
import { bytesKey } from '../bytes.js'
import { parseCertificate, type Certificate } from './certificate.js'
import type { CertificateCache } from './certificate-cache.js'
import type { TrustStore } from './trust-store.js'
import { verifyCertificateChain, type Purpose } from './verify.js'

/** What a verifier is told about the handshake it verifies for. */
export interface VerificationContext {
  /** serverAuth when a client verifies its server, clientAuth when a server verifies a client. */
  readonly purpose: Purpose
  /** The name the client meant to reach (SNI); checked against the leaf when the verifier checks host names. */
  readonly serverName?: string
  /** The time to check validity at; default the verifier's clock. */
  readonly now?: Date
}

/** A verified (or, for insecureNoVerification, merely parsed) peer chain. */
export interface VerifiedPeer {
  /** The peer's end-entity certificate. */
  readonly leaf: Certificate
  /** Leaf first; ends at the trust anchor when `verified`. */
  readonly path: Certificate[]
  /** False only for insecureNoVerification(), or with `error`: the chain was parsed, not verified. */
  readonly verified: boolean
  /** Set (with verified false) by a verifier that reports rather than refuses. */
  readonly error?: CertificateVerificationError
}

/** Decides whether the peer's certificate chain is acceptable; ContextOptions.verifier replaces the default one. */
export interface PeerCertificateVerifier {
  /** Returns the verified peer or throws CertificateVerificationError (with the alert to send). */
  verify(chain: readonly Uint8Array[], context: VerificationContext): VerifiedPeer
}

/** The options of webPkiVerifier(). */
export interface WebPkiVerifierOptions {
  /** The trust anchors chains must lead to. */
  readonly trustStore: TrustStore
  /** Checks the signatures along the chain. */
  readonly provider: CryptoProvider
  /** Check the leaf against context.serverName for serverAuth (default true). */
  readonly checkHostname?: boolean
  /** The deepest position the anchor may take, the leaf being depth 0 (default 8). */
  readonly maxDepth?: number
  /** The most candidate signatures checked while building a path before giving up (default 100). */
  readonly maxSignatureChecks?: number
  /** The clock, when the context gives no `now`. */
  readonly now?: () => Date
  /** The parsed-certificate cache; null parses every time. Default: the shared, bounded cache. */
  readonly cache?: CertificateCache | null
}

function requireChain(chain: readonly Uint8Array[]): void {
  if (!Array.isArray(chain) || chain.length === 0) throw new CertificateVerificationError('no-certificate', 'the peer sent no certificate')
}

function parseLeaf(der: Uint8Array | undefined, cache?: CertificateCache | null): Certificate {
  if (!(der instanceof Uint8Array)) throw new CertificateVerificationError('malformed', 'certificate is not a byte array')
  return parseCertificate(der, { cache })
}

/** Verifies chains to `trustStore` by RFC 5280 / webpki rules and, for servers, the host name (SAN only). */
export function webPkiVerifier(options: WebPkiVerifierOptions): PeerCertificateVerifier {
  const checkHostname = options.checkHostname ?? true
  return {
    verify(chain, context) {
      requireChain(chain)
      const nameToCheck = checkHostname && context.purpose === 'serverAuth' ? context.serverName : undefined
      if (checkHostname && context.purpose === 'serverAuth' && !nameToCheck) {
        throw new CertificateVerificationError('hostname-mismatch', 'no server name to check the certificate against (set checkHostname: false to skip)')
      }
      const { path } = verifyCertificateChain({
        chain,
        trustStore: options.trustStore,
        purpose: context.purpose,
        now: context.now ?? options.now?.() ?? new Date(),
        serverName: nameToCheck,
        provider: options.provider,
        maxDepth: options.maxDepth,
        maxSignatureChecks: options.maxSignatureChecks,
        cache: options.cache,
      })
      return { leaf: path[0]!, path, verified: true }
    },
  }
}

/** Accepts exactly the given leaf certificates (byte for byte), whatever their issuer, dates or names. */
export function pinnedCertificateVerifier(certificates: readonly Uint8Array[]): PeerCertificateVerifier {
  const pinned = new Set(certificates.map(bytesKey))
  return {
    verify(chain) {
      requireChain(chain)
      const leafDer = chain[0]!
      if (!(leafDer instanceof Uint8Array) || !pinned.has(bytesKey(leafDer))) {
        throw new CertificateVerificationError('pinned-mismatch', 'the peer certificate is not one of the pinned certificates')
      }
      const leaf = parseLeaf(leafDer)
      return { leaf, path: [leaf], verified: true }
    },
  }
}

/** Parses the leaf and trusts it blindly: `verified` is false. For tests and explicit `verifyMode: 'none'` only. */
export function insecureNoVerification(): PeerCertificateVerifier {
  return {
    verify(chain) {
      requireChain(chain)
      const leaf = parseLeaf(chain[0])
      return { leaf, path: [leaf], verified: false }
    },
  }
}
