// node:tls's view of peer authentication: the verifier that reports instead of refusing (rejectUnauthorized: false), and OpenSSL's names for each failure.
import { isPending } from '../../pending.js'
import type { DetailedPeerCertificate } from 'node:tls'
import { CertificateVerificationError, type CertificateFailureReason } from '../../errors.js'
import { parseCertificate } from '../../x509/certificate.js'
import type { PeerCertificateVerifier, VerifiedPeer } from '../../x509/verifier.js'

/** node's `checkServerIdentity(hostname, cert)`: an Error refuses the server, undefined accepts it. */
export type CheckServerIdentity = (hostname: string, cert: DetailedPeerCertificate) => Error | undefined

/** A verified peer that did not verify: what `VerifiedPeer.error` carries once the core reads it. */
export interface ReportedPeer extends VerifiedPeer {
  readonly verified: false
  readonly error: CertificateVerificationError
}

/**
 * Runs `inner` (the real chain and name verification) and, where it would refuse, reports instead: the peer
 * is returned with `verified: false` and the refusal as `error`, so the handshake completes and the socket
 * says `authorized: false` with the reason. A chain whose leaf cannot even be parsed is still refused.
 */
export function reportingVerifier(inner: PeerCertificateVerifier): PeerCertificateVerifier {
  return {
    verify(chain, context) {
      const report = (error: unknown): ReportedPeer => {
        if (!(error instanceof CertificateVerificationError) || error.reason === 'no-certificate' || error.reason === 'malformed') throw error
        const leaf = parseCertificate(chain[0]!)
        return { leaf, path: [leaf], verified: false, error }
      }
      try {
        const verdict = inner.verify(chain, context)
        // A verifier waiting on an asynchronous provider refuses by rejecting: that is reported too.
        return isPending(verdict) ? Promise.resolve(verdict).catch(report) : verdict
      } catch (error) {
        return report(error)
      }
    },
  }
}

/** OpenSSL's X509_V_ERR_* names (without the prefix), which node puts in `authorizationError`. */
const openSslNames: Record<CertificateFailureReason, string> = {
  expired: 'CERT_HAS_EXPIRED',
  'not-yet-valid': 'CERT_NOT_YET_VALID',
  'unknown-issuer': 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'bad-signature': 'CERT_SIGNATURE_FAILURE',
  'not-a-ca': 'INVALID_CA',
  'path-length': 'PATH_LENGTH_EXCEEDED',
  'name-constraints': 'PERMITTED_VIOLATION',
  'bad-eku': 'INVALID_PURPOSE',
  'bad-key-usage': 'INVALID_PURPOSE',
  'hostname-mismatch': 'ERR_TLS_CERT_ALTNAME_INVALID',
  'unhandled-critical-extension': 'UNHANDLED_CRITICAL_EXTENSION',
  malformed: 'CERT_REJECTED',
  'unsupported-algorithm': 'CERT_REJECTED',
  'too-many-paths': 'CERT_CHAIN_TOO_LONG',
  'too-deep': 'CERT_CHAIN_TOO_LONG',
  'ca-as-leaf': 'INVALID_PURPOSE',
  'no-certificate': 'UNABLE_TO_GET_ISSUER_CERT',
  'pinned-mismatch': 'CERT_REJECTED',
  'too-many-name-checks': 'CERT_REJECTED',
  'bad-name-constraints': 'UNSUPPORTED_NAME_SYNTAX',
  'bad-basic-constraints': 'INVALID_EXTENSION',
  'bad-key-identifier': 'INVALID_EXTENSION',
  'bad-subject': 'INVALID_EXTENSION',
  'bad-subject-alt-name': 'INVALID_EXTENSION',
  'bad-common-name': 'INVALID_EXTENSION',
  'bad-policy-extension': 'INVALID_POLICY_EXTENSION',
  'bad-serial-number': 'INVALID_EXTENSION',
  'bad-rsa-modulus': 'CERT_REJECTED',
  'client-name-mismatch': 'ERR_TLS_CERT_ALTNAME_INVALID',
}

/** A chain of one self-issued certificate: OpenSSL's DEPTH_ZERO_SELF_SIGNED_CERT rather than a missing issuer. */
function selfSignedLeaf(chain: readonly Uint8Array[]): boolean {
  if (chain.length !== 1) return false
  try {
    return parseCertificate(chain[0]!).selfIssued
  } catch {
    return false
  }
}

/**
 * The `authorizationError` node would show for `error` on `chain`: CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT,
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE (the leaf's issuer is unknown), ERR_TLS_CERT_ALTNAME_INVALID…
 */
export function authorizationCode(error: CertificateVerificationError, chain: readonly Uint8Array[]): string {
  if (error.reason === 'unknown-issuer') {
    if (selfSignedLeaf(chain)) return 'DEPTH_ZERO_SELF_SIGNED_CERT'
    if (chain.length === 1) return 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
  }
  return openSslNames[error.reason]
}
