// The public surface of pure-tls: re-exports only.
export {
  createDefaultContext,
  TlsContext,
  type ContextOptions,
  type ClientConnectionOptions,
  type ServerConnectionOptions,
  type HandshakeMessageObserver,
  type Purpose,
} from './handshake/context.js'
export { Connection, type ConnectionState } from './handshake/connection.js'
export type { ConnectionInfo, StoredTicket, MessageDirection } from './handshake/session.js'
export { secureStreams, type ByteStreamPair, type SecureStreamPair } from './transport/web-streams.js'
export {
  TlsError,
  TlsAlertReceivedError,
  TlsConfigError,
  TlsPolicyError,
  CertificateVerificationError,
  AlertDescription,
  type AlertName,
  type CertificateFailureReason,
} from './errors.js'
export { formatPolicy, type TlsPolicy, type PolicyOptions, type VerifyMode } from './policy/policy.js'
export { TrustStore } from './x509/trust-store.js'
export { pinnedCertificateVerifier, insecureNoVerification, webPkiVerifier, type PeerCertificateVerifier } from './x509/verifier.js'
export { nobleProvider } from './crypto/noble.js'
export type { CryptoProvider, HybridGroupName, KemEncapsulation, KeyShare, NamedGroupName } from './crypto/provider.js'
export { hybridEncapsulate, hybridKeyShare } from './crypto/hybrid.js'
export { importPrivateKey } from './crypto/keys.js'
