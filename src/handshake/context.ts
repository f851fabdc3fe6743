// createDefaultContext: Python's ssl.create_default_context() as a validated, frozen policy that makes Connections.
import { importPrivateKey, rsaPssKeyParameters } from '../crypto/keys.js'
import { nobleProvider } from '../crypto/noble.js'
import { pemDecode } from '../crypto/pem.js'
import type { CryptoProvider, PrivateKey } from '../crypto/provider.js'
import { type MaybePromise, whenSettled } from '../pending.js'
import { TlsConfigError, TlsError } from '../errors.js'
import { buildPolicy, formatPolicy, type PolicyOptions, type TlsPolicy } from '../policy/policy.js'
import { MAX_TLS13_INNER_PLAINTEXT, MIN_RECORD_SIZE_LIMIT } from '../record/content.js'
import { TrustStore } from '../x509/trust-store.js'
import { insecureNoVerification, type PeerCertificateVerifier, webPkiVerifier } from '../x509/verifier.js'
import { Connection } from './connection.js'
import { checkHostName, isIpLiteral, normalizeHostName } from './extensions/server-name.js'
import { SessionCache } from './session-cache.js'
import { TicketSealer } from './tickets.js'
import { decodeSession } from './session-export.js'
import type { CertifiedKey, ClientCertificateRequest, HandshakeConfig, MessageDirection } from './session.js'

/** Python's two purposes: SERVER_AUTH makes a client context, CLIENT_AUTH a server context. */
export type Purpose = 'server-auth' | 'client-auth'

/** PEM text or DER bytes (a certificate, a key). */
export type Bytes = string | Uint8Array
/** One or several certificates: PEM text (any number of blocks), DER bytes, or a list of either. */
export type CertificateSource = Bytes | readonly Bytes[]

export interface ContextOptions extends PolicyOptions {
  /** Trust anchors (PEM text, DER, or a TrustStore). Given: only these are trusted. Absent: the default roots. */
  ca?: CertificateSource | TrustStore
  /** Our certificate chain (PEM text with several blocks, or DER certificates leaf first), with `key`. */
  cert?: CertificateSource
  /** The private key of `cert`'s leaf: PEM or DER (PKCS#8, SEC1, PKCS#1), or a key from importPrivateKey(). */
  key?: Bytes | PrivateKey
  /** Several certificates (e.g. ECDSA and RSA): the server picks one the client can verify. */
  certificates?: readonly {
    /** The chain, leaf first. */
    cert: CertificateSource
    /** The leaf's private key. */
    key: Bytes | PrivateKey
  }[]
  /**
   * Replaces chain verification, e.g. pinnedCertificateVerifier(). On a client with verifyMode 'none' it still runs
   * when given, and may report its verdict (VerifiedPeer.error → info.peerVerificationError) instead of refusing.
   */
  verifier?: PeerCertificateVerifier
  /** Where every primitive comes from (random, hashes, AEADs, key exchange, signatures). Default nobleProvider. */
  provider?: CryptoProvider
  /** The clock certificates are checked against (tests inject one). */
  now?: () => Date
  /** Receives NSS key log lines (SSLKEYLOGFILE format): for Wireshark, never for production. */
  keyLog?: (line: string) => void
  /**
   * Resumption, off by default: TLS 1.3 (PSK with (EC)DHE, no 0-RTT) and TLS 1.2 session tickets (RFC 5077, only
   * with the extended master secret). A client context keeps the tickets servers send (per server name) and offers
   * one in its next handshake with that name; a server context issues a ticket after each handshake and resumes
   * from the tickets it issued.
   */
  sessionTickets?: boolean
  /** Called for every handshake message each connection of this context sends or receives (traces, tests). */
  onHandshakeMessage?: HandshakeMessageObserver
  /**
   * record_size_limit (RFC 8449): the most plaintext per protected record we accept, 64 to 2^14 + 1 (as TLS 1.3 counts
   * it, its content type included; TLS 1.2 takes at most 2^14). Peers that implement the extension then send records
   * no larger, and one that sends a larger record gets record_overflow. Unset, we announce the protocol's maximum,
   * which limits nothing. Either way the peer's own limit is honoured in what we send.
   */
  recordSizeLimit?: number
  /**
   * Client: chooses the certificate to present whenever a server asks for one (in the handshake, or after it in
   * TLS 1.3), instead of `cert`/`key`/`certificates`, with which it cannot be combined. Return undefined to present
   * none (an empty Certificate); a throw or rejection ends the connection. With it, or with a certificate, the client
   * offers post_handshake_auth in TLS 1.3.
   */
  clientCertificate?: (request: ClientCertificateRequest) => MaybePromise<ClientCertificate | undefined>
  /**
   * Server: TLS 1.3 clients that offer post_handshake_auth are not asked for a certificate during the handshake; ask
   * with `connection.requestClientCertificate()` when needed (info.peerVerified stays false until then). Other clients
   * are asked during the handshake as `verifyMode` says. Needs verifyMode 'optional' or 'required'.
   */
  postHandshakeAuth?: boolean
}

/** A certificate chain and its key, as `clientCertificate` returns it (the shapes `cert` and `key` take). */
export interface ClientCertificate {
  /** The chain to send in our Certificate message (RFC 8446 §4.4.2), leaf first: PEM text with several blocks, or DER certificates. */
  cert: CertificateSource
  /** The private key of `cert`'s leaf, which signs CertificateVerify: PEM or DER (PKCS#8, SEC1, PKCS#1), or a key from importPrivateKey(). */
  key: Bytes | PrivateKey
}

/** What a handshake observer gets for each message: which way it went, its type name, its body length. */
export type HandshakeMessageObserver = (direction: MessageDirection, type: string, length: number) => void

/** The per-connection options of `context.client()`. */
export interface ClientConnectionOptions {
  /** The host name sent in SNI and checked against the server's certificate (required when checkHostname). */
  serverName?: string
  /** Receives this connection's NSS key log lines (besides the context's `keyLog`). */
  keyLog?: (line: string) => void
  /** A session exported from an earlier connection (`conn.session`, TLS 1.3 or 1.2), offered to resume when it is for `serverName`. */
  session?: Uint8Array
  /** Called for every handshake message sent or received (traces). */
  onHandshakeMessage?: HandshakeMessageObserver
}

/** The per-connection options of `context.server()`. */
export interface ServerConnectionOptions {
  /** Receives this connection's NSS key log lines (besides the context's `keyLog`). */
  keyLog?: (line: string) => void
  /**
   * Chooses the context (certificates and policy) for the name a client asks for in SNI, as node's SNICallback
   * does; undefined keeps this one. Called once, right after the ClientHello is read.
   */
  sni?: (serverName: string) => TlsContext | undefined
  /** Called for every handshake message sent or received (traces). */
  onHandshakeMessage?: HandshakeMessageObserver
}

/** Per-connection extras, checked as the connection is made. */
type ConnectionExtras = { keyLog?: unknown; onHandshakeMessage?: unknown }

function checkConnectionExtras(options: ConnectionExtras): void {
  if (options.keyLog !== undefined && typeof options.keyLog !== 'function') throw new TlsConfigError('keyLog', 'must be a function taking a line')
  if (options.onHandshakeMessage !== undefined && typeof options.onHandshakeMessage !== 'function')
    throw new TlsConfigError('onHandshakeMessage', 'must be a function')
}

/** The context's callback and the connection's, both called (key log lines, handshake messages). */
function both<A extends unknown[]>(context: ((...args: A) => void) | undefined, connection: ((...args: A) => void) | undefined): ((...args: A) => void) | undefined {
  if (!context || !connection) return context ?? connection
  return (...args) => {
    context(...args)
    connection(...args)
  }
}

/** Every option a context takes (anything else is a TlsConfigError); the Node adapter maps its own names onto these. */
export const CONTEXT_OPTION_NAMES = [
  'minVersion',
  'maxVersion',
  'cipherSuites',
  'groups',
  'signatureSchemes',
  'verifyMode',
  'checkHostname',
  'requireExtendedMasterSecret',
  'alpnProtocols',
  'alpnStrict',
  'maxChainDepth',
  // The one certificate-profile loosening ('private-pki'); the policy carries it, describe() shows it.
  'certificateProfile',
  'ca',
  'cert',
  'key',
  'certificates',
  'verifier',
  'provider',
  'now',
  'keyLog',
  'sessionTickets',
  'onHandshakeMessage',
  'recordSizeLimit',
  'clientCertificate',
  'postHandshakeAuth',
] as const satisfies readonly (keyof ContextOptions)[]

const knownOptions = new Set<string>(CONTEXT_OPTION_NAMES)

/** The configured record_size_limit, checked against RFC 8449's bounds. */
function recordSizeLimitFrom(limit: unknown): number | undefined {
  if (limit === undefined) return undefined
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < MIN_RECORD_SIZE_LIMIT || limit > MAX_TLS13_INNER_PLAINTEXT)
    throw new TlsConfigError('recordSizeLimit', `must be an integer from ${MIN_RECORD_SIZE_LIMIT} to ${MAX_TLS13_INNER_PLAINTEXT} (2^14 + 1), got ${String(limit)}`)
  return limit
}

function certificatesFrom(option: string, source: CertificateSource): Uint8Array[] {
  const items = Array.isArray(source) ? (source as readonly Bytes[]) : [source as Bytes]
  const out: Uint8Array[] = []
  for (const item of items) {
    if (item instanceof Uint8Array) out.push(item.slice())
    else if (typeof item === 'string') out.push(...pemDecode(item, 'CERTIFICATE').map((b) => b.der))
    else throw new TlsConfigError(option, 'must be PEM text or DER bytes')
  }
  if (out.length === 0) throw new TlsConfigError(option, 'contains no certificate')
  return out
}

function privateKeyFrom(option: string, key: Bytes | PrivateKey): PrivateKey {
  let imported: PrivateKey
  if (typeof key === 'string' || key instanceof Uint8Array) {
    try {
      imported = importPrivateKey(key)
    } catch (e) {
      throw new TlsConfigError(option, `cannot import the private key: ${e instanceof Error ? e.message : String(e)}`)
    }
  } else if (typeof key === 'object' && key !== null && 'type' in key) imported = key
  else throw new TlsConfigError(option, 'must be PEM text, DER bytes or an imported PrivateKey')
  // Such a key could only sign rsa_pss_pss_*, which we neither offer nor accept: refuse it now, not in every handshake.
  if (rsaPssKeyParameters(imported.publicKey) !== undefined)
    throw new TlsConfigError(option, 'RSASSA-PSS (id-RSASSA-PSS) keys are not supported for TLS; use an rsaEncryption RSA key or an EC key')
  return imported
}

function certifiedKeys(options: ContextOptions): CertifiedKey[] {
  const out: CertifiedKey[] = []
  if (options.cert !== undefined || options.key !== undefined) {
    if (options.cert === undefined) throw new TlsConfigError('cert', 'is required with key')
    if (options.key === undefined) throw new TlsConfigError('key', 'is required with cert')
    out.push({ chain: certificatesFrom('cert', options.cert), key: privateKeyFrom('key', options.key) })
  }
  for (const [i, c] of (options.certificates ?? []).entries()) {
    out.push({ chain: certificatesFrom(`certificates[${i}].cert`, c.cert), key: privateKeyFrom(`certificates[${i}].key`, c.key) })
  }
  return out
}

/** The client's `clientCertificate` callback, its answers parsed as `cert` and `key` are. */
function clientCertificateFinder(role: 'client' | 'server', options: ContextOptions, hasCertificates: boolean): HandshakeConfig['clientCertificate'] {
  const find = options.clientCertificate
  if (find === undefined) return undefined
  if (typeof find !== 'function') throw new TlsConfigError('clientCertificate', 'must be a function')
  if (role !== 'client') throw new TlsConfigError('clientCertificate', "is for client ('server-auth') contexts")
  if (hasCertificates) throw new TlsConfigError('clientCertificate', 'cannot be combined with cert/key or certificates')
  return (request) => whenSettled(find(request), (found) => found && certifiedKeyFrom(found))
}

/** A certificate the callback returned; a malformed one ends the handshake (it is not a configuration error any more). */
function certifiedKeyFrom(found: ClientCertificate): CertifiedKey {
  try {
    return { chain: certificatesFrom('clientCertificate().cert', found.cert), key: privateKeyFrom('clientCertificate().key', found.key) }
  } catch (error) {
    throw new TlsError('internal_error', `clientCertificate() returned an unusable certificate: ${error instanceof Error ? error.message : String(error)}`, 'ERR_TLS_CLIENT_CERTIFICATE')
  }
}

function postHandshakeAuthFrom(postHandshakeAuth: unknown, policy: TlsPolicy): boolean {
  if (postHandshakeAuth === undefined) return false
  if (typeof postHandshakeAuth !== 'boolean') throw new TlsConfigError('postHandshakeAuth', `must be a boolean, got ${typeof postHandshakeAuth}`)
  if (policy.role !== 'server')
    throw new TlsConfigError('postHandshakeAuth', "is for server ('client-auth') contexts; a client offers post_handshake_auth when it has a certificate or clientCertificate")
  if (postHandshakeAuth && policy.verifyMode === 'none')
    throw new TlsConfigError('postHandshakeAuth', "needs verifyMode 'optional' or 'required' (and the client CAs in 'ca')")
  return postHandshakeAuth
}

function trustStoreFrom(ca: ContextOptions['ca']): TrustStore | undefined {
  if (ca === undefined) return undefined
  if (ca instanceof TrustStore) return ca
  const store = new TrustStore()
  for (const der of certificatesFrom('ca', ca)) store.addCertificate(der)
  return store
}

/** A TLS context: the policy plus our certificates and trust anchors; it makes client or server Connections. */
export class TlsContext {
  /** `'server-auth'` (a client context) or `'client-auth'` (a server context). */
  readonly purpose: Purpose
  /** The validated, frozen policy every connection of this context follows. */
  readonly policy: TlsPolicy
  readonly #provider: CryptoProvider
  readonly #certificates: readonly CertifiedKey[]
  readonly #verifier: PeerCertificateVerifier | undefined
  readonly #now: () => Date
  readonly #keyLog: ((line: string) => void) | undefined
  readonly #onHandshakeMessage: HandshakeMessageObserver | undefined
  /** Whether this context resumes sessions (the `sessionTickets` option). */
  readonly sessionTickets: boolean
  readonly #sessionCache: SessionCache | undefined
  readonly #ticketSealer: TicketSealer | undefined
  readonly #recordSizeLimit: number | undefined
  readonly #clientCertificate: HandshakeConfig['clientCertificate']
  readonly #postHandshakeAuth: boolean

  constructor(purpose: Purpose, options: ContextOptions, defaultRoots?: () => TrustStore) {
    if (purpose !== 'server-auth' && purpose !== 'client-auth')
      throw new TlsConfigError('purpose', `must be 'server-auth' (a client context) or 'client-auth' (a server context)`)
    if (typeof options !== 'object' || options === null) throw new TlsConfigError('options', 'must be an object')
    for (const key of Object.keys(options)) if (!knownOptions.has(key)) throw new TlsConfigError(key, 'is not a known option')
    const role = purpose === 'server-auth' ? 'client' : 'server'
    this.purpose = purpose
    this.#provider = options.provider ?? nobleProvider
    if (options.now !== undefined && typeof options.now !== 'function') throw new TlsConfigError('now', 'must be a function returning a Date')
    this.#now = options.now ?? (() => new Date())
    if (options.keyLog !== undefined && typeof options.keyLog !== 'function') throw new TlsConfigError('keyLog', 'must be a function taking a line')
    this.#keyLog = options.keyLog
    checkConnectionExtras(options)
    this.#onHandshakeMessage = options.onHandshakeMessage
    if (options.sessionTickets !== undefined && typeof options.sessionTickets !== 'boolean')
      throw new TlsConfigError('sessionTickets', `must be a boolean, got ${typeof options.sessionTickets}`)
    this.sessionTickets = options.sessionTickets ?? false
    this.#sessionCache = options.sessionTickets && role === 'client' ? new SessionCache() : undefined
    this.#ticketSealer = options.sessionTickets && role === 'server' ? new TicketSealer(this.#provider) : undefined
    this.#recordSizeLimit = recordSizeLimitFrom(options.recordSizeLimit)
    const given = trustStoreFrom(options.ca)
    const verifies = role === 'client' && options.verifyMode !== 'none' && !options.verifier
    const caSource = given ? 'given' : verifies ? 'default-roots' : 'none'
    this.policy = buildPolicy(role, options, caSource, this.#provider.hasHardwareAes)
    this.#certificates = certifiedKeys(options)
    if (role === 'server' && this.#certificates.length === 0) throw new TlsConfigError('cert', 'a server context needs a certificate and key')
    this.#clientCertificate = clientCertificateFinder(role, options, this.#certificates.length > 0)
    this.#postHandshakeAuth = postHandshakeAuthFrom(options.postHandshakeAuth, this.policy)
    this.#verifier = this.#makeVerifier(options, given, defaultRoots)
    Object.freeze(this)
  }

  #makeVerifier(options: ContextOptions, given: TrustStore | undefined, defaultRoots?: () => TrustStore): PeerCertificateVerifier | undefined {
    const policy = this.policy
    // A client told not to verify may still be given a verifier that reports instead of refusing (node's
    // rejectUnauthorized: false): its verdict goes to info.peerVerificationError, never into a refusal.
    if (policy.verifyMode === 'none') return policy.role === 'client' ? (options.verifier ?? insecureNoVerification()) : undefined
    if (options.verifier) return options.verifier
    let store = given
    if (!store) {
      if (policy.role === 'server') throw new TlsConfigError('ca', `verifyMode '${policy.verifyMode}' on a server needs the client CAs in 'ca'`)
      if (!defaultRoots) throw new TlsConfigError('ca', 'no CA given and no default roots loaded: pass ca, or import pure-tls/roots')
      store = defaultRoots()
    }
    return webPkiVerifier({
      trustStore: store,
      provider: this.#provider,
      checkHostname: policy.checkHostname,
      maxDepth: policy.maxChainDepth,
      certificateProfile: policy.certificateProfile,
      now: this.#now,
    })
  }

  #config(serverName: string | undefined, extras: ClientConnectionOptions | ServerConnectionOptions): HandshakeConfig {
    return {
      policy: this.policy,
      provider: this.#provider,
      certificates: this.#certificates,
      verifier: this.#verifier,
      serverName,
      now: this.#now,
      keyLog: both(this.#keyLog, extras.keyLog),
      sessionCache: this.#sessionCache,
      ticketSealer: this.#ticketSealer,
      onHandshakeMessage: both(this.#onHandshakeMessage, extras.onHandshakeMessage),
      recordSizeLimit: this.#recordSizeLimit,
      clientCertificate: this.#clientCertificate,
      postHandshakeAuth: this.#postHandshakeAuth,
    }
  }

  /** A client connection (this must be a server-auth context). */
  client(options: ClientConnectionOptions = {}): Connection {
    if (this.policy.role !== 'client') throw new TlsConfigError('purpose', "client() needs a 'server-auth' context")
    checkConnectionExtras(options)
    const offeredSession = options.session === undefined ? undefined : decodeSession(options.session)
    const serverName = options.serverName
    if (serverName !== undefined) {
      if (typeof serverName !== 'string' || serverName.length === 0 || serverName.length > 253)
        throw new TlsConfigError('serverName', 'must be a non-empty host name or IP address')
      if (!isIpLiteral(serverName)) {
        try {
          checkHostName(normalizeHostName(serverName), 'internal_error')
        } catch (e) {
          throw new TlsConfigError('serverName', e instanceof Error ? e.message : String(e))
        }
      }
    }
    if (this.policy.checkHostname && !serverName)
      throw new TlsConfigError('serverName', 'is required when checkHostname is on (or set checkHostname: false explicitly)')
    return new Connection('client', { ...this.#config(serverName, options), offeredSession })
  }

  /** A server connection (this must be a client-auth context). */
  server(options: ServerConnectionOptions = {}): Connection {
    if (this.policy.role !== 'server') throw new TlsConfigError('purpose', "server() needs a 'client-auth' context")
    checkConnectionExtras(options)
    if (options.sni !== undefined && typeof options.sni !== 'function') throw new TlsConfigError('sni', 'must be a function from a server name to a TlsContext')
    return new Connection('server', this.#serverConfig(options))
  }

  /** This context's server configuration, with the switch to another context for the names `sni` picks. */
  #serverConfig(options: ServerConnectionOptions): HandshakeConfig {
    const config = this.#config(undefined, options)
    const { sni } = options
    if (!sni) return config
    const selectConfig = (serverName: string): HandshakeConfig | undefined => {
      const chosen = sni(serverName)
      if (chosen === undefined || chosen === this) return undefined
      if (!(chosen instanceof TlsContext) || chosen.policy.role !== 'server')
        throw new TlsError('internal_error', `sni(${JSON.stringify(serverName)}) returned something other than a server TlsContext`)
      return chosen.#config(undefined, options)
    }
    return { ...config, selectConfig }
  }

  /**
   * The 48 bytes (key name, key) this server context seals its session tickets with: give them to every server
   * that must resume the others' sessions, or rotate them with setTicketKeys. Needs `sessionTickets`.
   */
  get ticketKeys(): Uint8Array {
    return this.#requireTicketSealer().keys
  }

  /** Replaces the ticket keys (48 bytes, from `ticketKeys`); tickets sealed under the old keys stop resuming. */
  setTicketKeys(keys: Uint8Array): void {
    this.#requireTicketSealer().setKeys(keys)
  }

  #requireTicketSealer(): TicketSealer {
    if (!this.#ticketSealer) throw new TlsConfigError('sessionTickets', 'ticket keys exist only on a server context made with sessionTickets: true')
    return this.#ticketSealer
  }

  /** The policy as a readable table. */
  describe(): string {
    return formatPolicy(this.policy)
  }
}

let registeredDefaultRoots: (() => TrustStore) | undefined

/**
 * Registers where a client context without `ca` gets its trust anchors. `pure-tls/roots` registers the
 * bundled Mozilla set and `pure-tls/node` the system store; with neither, such a context is a config error.
 */
export function setDefaultTrustStore(load: () => TrustStore): void {
  let cached: TrustStore | undefined
  registeredDefaultRoots = () => (cached ??= load())
}

/** Python's ssl.create_default_context(purpose): 'server-auth' makes a client context, 'client-auth' a server one. */
export function createDefaultContext(purpose: Purpose, options: ContextOptions = {}): TlsContext {
  return new TlsContext(purpose, options, registeredDefaultRoots)
}
