// Certificate policy processing (RFC 5280 6.1) for a caller with no policy requirement: the checks that can still refuse a path.
import { CertificateVerificationError } from '../errors.js'
import type { Certificate } from './certificate.js'
import { ANY_POLICY } from './policy-extensions.js'

/**
 * With user-initial-policy-set = {anyPolicy} and initial-explicit-policy false (what every TLS caller asks), the
 * valid_policy_tree only matters once explicit_policy reaches 0, which only requireExplicitPolicy can bring about.
 * So the path is valid unless a policy mapping names anyPolicy (6.1.4 (a)) or requireExplicitPolicy takes effect
 * inside the path; then the tree would decide, and this verifier, which does not build it, refuses rather than
 * guess. inhibitPolicyMapping and inhibitAnyPolicy only prune the tree and cannot change the verdict.
 *
 * `path` is leaf first, anchor last; the anchor's own extensions are not processed (RFC 5280 6.1.1 (d)).
 */
export function checkPolicies(path: readonly Certificate[]): void {
  const n = path.length - 1
  let explicitPolicy = n + 1
  // i counts from the certificate the anchor issued (i = 1) down to the leaf (i = n), as RFC 5280 6.1 does.
  for (let i = 1; i <= n; i++) {
    const depth = n - i
    const cert = path[depth]!
    if (explicitPolicy === 0) refuseUndecidable(path, depth)
    if (i === n) break
    const mapsAny = cert.policyMappings?.some((m) => m.issuerDomainPolicy === ANY_POLICY || m.subjectDomainPolicy === ANY_POLICY)
    if (mapsAny) throw new CertificateVerificationError('bad-policy-extension', `${cert} maps anyPolicy in policyMappings (RFC 5280 6.1.4 (a))`, depth)
    if (!cert.selfIssued && explicitPolicy > 0) explicitPolicy--
    const require = cert.policyConstraints?.requireExplicitPolicy
    if (require !== undefined) explicitPolicy = Math.min(explicitPolicy, require)
  }
  if (explicitPolicy > 0) explicitPolicy--
  if (path[0]!.policyConstraints?.requireExplicitPolicy === 0) explicitPolicy = 0
  if (explicitPolicy === 0) refuseUndecidable(path, 0)
}

function refuseUndecidable(path: readonly Certificate[], depth: number): never {
  const requiring = path.slice(0, -1).findIndex((c) => c.policyConstraints?.requireExplicitPolicy !== undefined)
  const at = requiring < 0 ? depth : requiring
  throw new CertificateVerificationError(
    'unhandled-critical-extension',
    `requireExplicitPolicy in ${path[at]} demands an acceptable certificate policy at depth ${depth}; this verifier does not build the policy tree (RFC 5280 6.1.3 (d)) and refuses rather than guess`,
    at,
  )
}
