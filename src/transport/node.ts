// The Node entry point (pure-tls/node): tls.TLSSocket and tls.Server stand-ins, connect(), createServer(), node's option names; re-exports only.
export { TlsSocket, type TlsSocketEvents, type TlsSocketOptions, type ConnectionHooks, type ConnectionStart } from './node/socket.js'
export { TlsServer, type TlsServerEvents, createServer } from './node/server.js'
export type { TypedEmit, TypedListen, UntypedListener } from './node/events.js'
export { connect, type SecureConnectListener } from './node/connect.js'
export { Agent, type AgentOptions } from './node/agent.js'
export { undiciConnector, type UndiciConnect, type UndiciConnectCallback, type UndiciConnectTarget, type UndiciConnectorOptions } from './node/undici.js'
export {
  createDefaultContext,
  type ConnectOptions,
  type ServerOptions,
  type NodeTlsOptions,
  type NodeContextOptions,
  type NodeCertificateInput,
  type NodeKeyInput,
  type NodeTlsVersion,
} from './node/options.js'
export { TlsTransportError } from './node/errors.js'
export { type CheckServerIdentity } from './node/authorization.js'
export { peerCertificate, detailedPeerCertificate } from './node/peer-certificate.js'
export { nodeCryptoProvider } from '../crypto/node-crypto.js'
