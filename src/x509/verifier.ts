// The peer-certificate verifiers the handshake calls: Web PKI (chain + host name), pinned certificates, and none.
import type { CryptoProvider, SyncCryptoProvider } from '../crypto/provider.js'
import { CertificateVerificationError, TlsConfigError } from '../errors.js'
import { bytesKey } from '../bytes.js'
import { isPending, type MaybePromise } from '../pending.js'
import { parseCertificate, type Certificate } from './certificate.js'
import type { CertificateCache } from './certificate-cache.js'
import { clientNameCheck, type ExpectedClientNames } from './client-names.js'
import { certificateProfiles, type CertificateProfile } from './profile.js'
import type { TrustStore } from './trust-store.js'
import { verifyCertificateChain, type Purpose, type VerifiedChain } from './verify.js'

/** What the handshake tells a verifier about the chain it is asked to check. */
export interface VerificationContext {
  /** The extended key usage the peer's leaf must allow: serverAuth when we are the client, clientAuth when the server. */
  readonly purpose: Purpose
  /** The name the client meant to reach (SNI): a host name or an IP address, checked against the leaf when the verifier checks host names. */
  readonly serverName?: string
  /** The time certificates must be valid at; default: the verifier's clock. */
  readonly now?: Date
}

/** A verifier's answer for a chain it accepted (or, with `error`, reported on without refusing). */
export interface VerifiedPeer {
  /** The peer's end-entity certificate, parsed (the first certificate of the chain it sent). */
  readonly leaf: Certificate
  /** Leaf first; ends at the trust anchor when `verified`. */
  readonly path: Certificate[]
  /** False for insecureNoVerification() (the chain was parsed, not verified), and with `error` set. */
  readonly verified: boolean
  /** Set (with verified false) by a verifier that reports rather than refuses. */
  readonly error?: CertificateVerificationError
}

/**
 * Decides whether the peer's certificate chain is acceptable (the context's `verifier` option): webPkiVerifier(),
 * pinnedCertificateVerifier(), insecureNoVerification(), or your own built over them.
 */
export interface PeerCertificateVerifier {
  /**
   * The verified peer, or a CertificateVerificationError (with the alert to send) thrown or, once the verifier has
   * had to wait on its provider, rejected. The handshake runs it as `yield* settle(verifier.verify(chain, context))`.
   */
  verify(chain: readonly Uint8Array[], context: VerificationContext): MaybePromise<VerifiedPeer>
}

/** A verifier that always answers at once (its provider never waits, or it checks no signatures). */
export interface SyncPeerCertificateVerifier extends PeerCertificateVerifier {
  /** The verified peer, returned at once, or a CertificateVerificationError thrown. */
  verify(chain: readonly Uint8Array[], context: VerificationContext): VerifiedPeer
}

/** How webPkiVerifier checks a chain. */
export interface WebPkiVerifierOptions {
  /** The trust anchors a chain must end at (RFC 5280 §6.1); an anchor may also be the leaf itself. */
  readonly trustStore: TrustStore
  /** Checks the chain's signatures; a SyncCryptoProvider makes the verifier synchronous (a SyncPeerCertificateVerifier). */
  readonly provider: CryptoProvider
  /** Check the leaf against context.serverName for serverAuth (default true). */
  readonly checkHostname?: boolean
  /** Deepest position the anchor may take, the leaf being depth 0 (default 8). */
  readonly maxDepth?: number
  /**
   * The most candidate issuers whose signature is checked while building a path before verification gives up
   * (default 100): a bound on the work a hostile chain can cause.
   */
  readonly maxSignatureChecks?: number
  /**
   * 'web-pki' (default): RFC 5280 and, for server certificates, the CA/Browser Forum Baseline Requirements.
   * 'private-pki': RFC 5280 only, for a private CA that does not follow the BR (src/x509/profile.ts lists the rules).
   */
  readonly certificateProfile?: CertificateProfile
  /** For clientAuth (a server doing mutual TLS): the client's leaf must carry one of these SANs. */
  readonly expectedClientNames?: ExpectedClientNames
  /** The clock, when the context gives no `now`. */
  readonly now?: () => Date
  /** Parsed certificates are looked up and kept in a shared, bounded cache keyed by their DER (the default); `null` parses every certificate afresh. */
  readonly cache?: CertificateCache | null
}

function requireChain(chain: readonly Uint8Array[]): void {
  if (!Array.isArray(chain) || chain.length === 0) throw new CertificateVerificationError('no-certificate', 'the peer sent no certificate')
}

function parseLeaf(der: Uint8Array | undefined, cache?: CertificateCache | null): Certificate {
  if (!(der instanceof Uint8Array)) throw new CertificateVerificationError('malformed', 'certificate is not a byte array')
  return parseCertificate(der, { cache })
}

/** Option mistakes surface when the verifier is made, not in the first handshake. */
function checkOptions(options: WebPkiVerifierOptions): void {
  if (options.certificateProfile !== undefined && !certificateProfiles.includes(options.certificateProfile)) {
    throw new TlsConfigError('certificateProfile', `must be 'web-pki' or 'private-pki', got ${JSON.stringify(options.certificateProfile)}`)
  }
  if (options.expectedClientNames !== undefined) clientNameCheck(options.expectedClientNames)
}

/**
 * Verifies chains to `trustStore` by RFC 5280 / webpki rules, the certificate profile, and, for servers, the host
 * name (SAN only). Synchronous with a synchronous provider (noble); with an asynchronous one it may return a promise.
 */
export function webPkiVerifier(options: WebPkiVerifierOptions & { readonly provider: SyncCryptoProvider }): SyncPeerCertificateVerifier
export function webPkiVerifier(options: WebPkiVerifierOptions): PeerCertificateVerifier
export function webPkiVerifier(options: WebPkiVerifierOptions): PeerCertificateVerifier {
  checkOptions(options)
  const checkHostname = options.checkHostname ?? true
  return {
    verify(chain, context) {
      requireChain(chain)
      const nameToCheck = checkHostname && context.purpose === 'serverAuth' ? context.serverName : undefined
      if (checkHostname && context.purpose === 'serverAuth' && !nameToCheck) {
        throw new CertificateVerificationError('hostname-mismatch', 'no server name to check the certificate against (set checkHostname: false to skip)')
      }
      const verified = verifyCertificateChain({
        chain,
        trustStore: options.trustStore,
        purpose: context.purpose,
        now: context.now ?? options.now?.() ?? new Date(),
        serverName: nameToCheck,
        expectedClientNames: context.purpose === 'clientAuth' ? options.expectedClientNames : undefined,
        provider: options.provider,
        maxDepth: options.maxDepth,
        maxSignatureChecks: options.maxSignatureChecks,
        certificateProfile: options.certificateProfile,
        cache: options.cache,
      })
      const peer = ({ path }: VerifiedChain): VerifiedPeer => ({ leaf: path[0]!, path, verified: true })
      return isPending(verified) ? Promise.resolve(verified).then(peer) : peer(verified)
    },
  }
}

/** Accepts exactly the given leaf certificates (byte for byte), whatever their issuer, dates or names. */
export function pinnedCertificateVerifier(certificates: readonly Uint8Array[]): SyncPeerCertificateVerifier {
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
export function insecureNoVerification(): SyncPeerCertificateVerifier {
  return {
    verify(chain) {
      requireChain(chain)
      const leaf = parseLeaf(chain[0])
      return { leaf, path: [leaf], verified: false }
    },
  }
}
