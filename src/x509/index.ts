// The public surface of the X.509 layer: parsing, trust stores, chain verification, host names, verifiers.
export { Certificate, parseCertificate, type CertificateFields, type ParseOptions } from './certificate.js'
export { CertificateCache, defaultCertificateCache } from './certificate-cache.js'
export type { BasicConstraints, Extension, KeyUsageBit, NameConstraints, SubjectAltName, GeneralSubtree } from './extensions.js'
export type { GeneralName, GeneralNameForm } from './general-name.js'
export type { Name } from './name.js'
export { assertStrictDer, certificateDerLimits, type DerLimits } from './der-strict.js'
export { TrustStore, type TrustSource } from './trust-store.js'
export { verifyCertificateChain, type ChainVerificationOptions, type Purpose, type VerifiedChain } from './verify.js'
export { dnsNameMatches, parseReferenceIdentity, verifyHostname, type ReferenceIdentity } from './hostname.js'
export { formatIpAddress, parseIpAddress } from './ip-address.js'
export {
  insecureNoVerification,
  pinnedCertificateVerifier,
  webPkiVerifier,
  type PeerCertificateVerifier,
  type VerificationContext,
  type VerifiedPeer,
  type WebPkiVerifierOptions,
} from './verifier.js'
