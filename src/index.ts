// The public surface of pure-tls: re-exports only.
export {
  createDefaultContext,
  TlsContext,
  type ContextOptions,
  type ClientCertificate,
  type ClientConnectionOptions,
  type ServerConnectionOptions,
  type HandshakeMessageObserver,
  type Purpose,
  type CertificateSource,
  type Bytes,
} from './handshake/context.js'
export { Connection, type ConnectionState } from './handshake/connection.js'
export type { ConnectionInfo, StoredTicket, SessionTicketInfo, MessageDirection, ClientCertificateRequest } from './handshake/session.js'
export { secureStreams, type ByteStreamPair, type SecureStreamPair, type SecureStreamsOptions, type TransportChunk } from './transport/web-streams.js'
export {
  webSocketStream,
  connectOverWebSocket,
  type WebSocketStreamOptions,
  type WebSocketConnectOptions,
  type WebSocketLike,
  type WebSocketStreamLike,
  type WebSocketEventLike,
} from './transport/websocket.js'
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
export { formatPolicy, type TlsPolicy, type PolicyOptions, type VerifyMode, type Role } from './policy/policy.js'
export type { TlsVersion } from './policy/defaults.js'
export type {
  CipherSuiteName,
  Tls13CipherSuiteName,
  Tls12CipherSuiteName,
  OpenSslCipherSuiteName,
  GroupName,
  SignatureSchemeOptionName,
  TlsVersionName,
} from './policy/names.js'
export { TrustStore, type TrustSource } from './x509/trust-store.js'
export type { Purpose as KeyPurpose } from './x509/verify.js'
export type { CertificateProfile } from './x509/profile.js'
export type { ExpectedClientNames } from './x509/client-names.js'
export {
  pinnedCertificateVerifier,
  insecureNoVerification,
  webPkiVerifier,
  type PeerCertificateVerifier,
  type SyncPeerCertificateVerifier,
  type VerificationContext,
  type VerifiedPeer,
  type WebPkiVerifierOptions,
} from './x509/verifier.js'
export { nobleProvider, createNobleProvider, type NobleProviderOptions } from './crypto/noble.js'
export { webCryptoProvider, createWebCryptoProvider } from './crypto/webcrypto.js'
export type { RandomBytes } from './crypto/random.js'
export type { BytesLike } from './bytes.js'
export type {
  CryptoProvider,
  SyncCryptoProvider,
  ProviderDescription,
  KeyShare,
  HybridGroupName,
  KemEncapsulation,
  NamedGroupName,
  ClassicalGroupName,
  PrivateKey,
  PublicKey,
  SignatureAlgorithm,
  HashAlgorithm,
  HashName,
  AeadAlgorithm,
  AeadName,
  ProviderOperation,
  AeadKey,
  HashState,
  CurveName,
  SyncAeadAlgorithm,
  SyncAeadKey,
  SyncKeyShare,
} from './crypto/provider.js'
export type { MaybePromise } from './pending.js'
export { hybridEncapsulate, hybridKeyShare } from './crypto/hybrid.js'
export { importPrivateKey } from './crypto/keys.js'
