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
} from './handshake/context.js'
export { Connection, type ConnectionState } from './handshake/connection.js'
export type { ConnectionInfo, StoredTicket, MessageDirection, ClientCertificateRequest } from './handshake/session.js'
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
export { formatPolicy, type TlsPolicy, type PolicyOptions, type VerifyMode } from './policy/policy.js'
export { TrustStore } from './x509/trust-store.js'
export { pinnedCertificateVerifier, insecureNoVerification, webPkiVerifier, type PeerCertificateVerifier } from './x509/verifier.js'
export { nobleProvider, createNobleProvider, type NobleProviderOptions } from './crypto/noble.js'
export type { RandomBytes } from './crypto/random.js'
export type { CryptoProvider } from './crypto/provider.js'
export { importPrivateKey } from './crypto/keys.js'
