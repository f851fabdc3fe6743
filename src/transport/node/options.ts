// node:tls option names mapped onto pure-tls's policy: what translates, what only the socket or TCP uses, and what is refused, with why.
import type * as net from 'node:net'
import type { Duplex } from 'node:stream'
import { nobleProvider } from '../../crypto/noble.js'
import type { PrivateKey } from '../../crypto/provider.js'
import { TlsConfigError } from '../../errors.js'
import { type Bytes, type ClientConnectionOptions, CONTEXT_OPTION_NAMES, type ContextOptions, TlsContext } from '../../handshake/context.js'
import { TLS13_SUITES_AES_FIRST, TLS13_SUITES_CHACHA_FIRST, versionNames } from '../../policy/defaults.js'
import { cipherSuiteByCode, cipherSuiteByName } from '../../policy/suites.js'
import { nodeDefaultTrustStore } from '../../x509/node-store.js'
import { TrustStore } from '../../x509/trust-store.js'
import { webPkiVerifier } from '../../x509/verifier.js'
import { type CheckServerIdentity, reportingVerifier } from './authorization.js'

/** PEM text, PEM or DER bytes (a Buffer read from a file may be either), or a list of them. */
export type NodeCertificateInput = Bytes | readonly Bytes[]

/** A private key as node:tls takes it (PEM or DER, `{ pem }`, a list of one) or an imported PrivateKey. */
export type NodeKeyInput =
  | Bytes
  | PrivateKey
  | {
      /** The key: PEM text, or PEM or DER bytes (PKCS#8, SEC1, PKCS#1). */
      pem: Bytes
      /** Refused with a TlsConfigError when given: encrypted keys are not read; decrypt the key first. */
      passphrase?: string
    }
  | readonly (
      | Bytes
      | {
          /** The key: PEM text, or PEM or DER bytes (PKCS#8, SEC1, PKCS#1). */
          pem: Bytes
          /** Refused with a TlsConfigError when given: encrypted keys are not read; decrypt the key first. */
          passphrase?: string
        }
    )[]

/** node:tls's version names; 'TLSv1' and 'TLSv1.1' are accepted by the types and refused with a TlsConfigError. */
export type NodeTlsVersion = 'TLSv1.3' | 'TLSv1.2' | 'TLSv1.1' | 'TLSv1'

/** The node:tls options both roles share, mapped onto the policy (see the README's table for each). */
export interface NodeTlsOptions {
  /** Trust anchors: only these are trusted. Absent: the system store (Node's bundled roots and the OS bundle). */
  ca?: NodeCertificateInput | TrustStore
  /** Our certificate chain, leaf first (PEM with several blocks, or a list), with `key`. */
  cert?: NodeCertificateInput
  /**
   * The private key of `cert`'s leaf, as node:tls takes it: PEM or DER (PKCS#8, SEC1, PKCS#1), `{ pem }`, or a list
   * of exactly one of these (node's list of several keys is refused: give several `{ cert, key }` pairs in
   * `certificates`), or a key from importPrivateKey().
   */
  key?: NodeKeyInput
  /** ALPN protocol names in preference order (RFC 7301), or one buffer in the wire format (length-prefixed names). */
  ALPNProtocols?: readonly Bytes[] | ArrayBufferView
  /** The lowest version to negotiate (default TLSv1.2); 'TLSv1' and 'TLSv1.1' are refused: pure-tls has no TLS below 1.2. */
  minVersion?: NodeTlsVersion
  /** The highest version to negotiate (default TLSv1.3). */
  maxVersion?: NodeTlsVersion
  /**
   * OpenSSL's cipher list, as suite names only (`TLS_AES_128_GCM_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256`); keywords
   * and rules (`HIGH`, `!aNULL`, `@SECLEVEL=2`) are refused. As in node: with no TLS 1.3 name the TLS 1.3 suites stay
   * the defaults, and with no TLS 1.2 name TLS 1.2 is off.
   */
  ciphers?: string
  /** Key-exchange groups, colon-separated (`X25519:P-256`, `prime256v1`), or 'auto' for the defaults. */
  ecdhCurve?: string
  /** Signature schemes, colon-separated RFC 8446 names (`ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256`) or OpenSSL's `ECDSA+SHA256` forms. */
  sigalgs?: string
  /**
   * Client (default true): refuse a server whose chain or name does not verify. false completes the handshake
   * anyway and reports: `authorized` is false and `authorizationError` says why. Server: with `requestCert`,
   * refuse clients whose certificate does not verify (default true); false lets them in, unauthorized.
   */
  rejectUnauthorized?: boolean
  /** Refused: PKCS#12 is not read; pass `cert` and `key`. */
  pfx?: unknown
  /** Refused: encrypted private keys are not read; decrypt the key first. */
  passphrase?: unknown
  /** Refused: OpenSSL method names do not apply; use minVersion/maxVersion. */
  secureProtocol?: unknown
  /** Refused: OpenSSL option flags do not apply; the policy has named options. */
  secureOptions?: unknown
  /** Refused: certificate revocation lists are not checked. */
  crl?: unknown
  /** Refused: finite-field DHE is refused; pure-tls does ECDHE only. */
  dhparam?: unknown
  /** Refused: a node:tls SecureContext is OpenSSL state; pass the options, or a pure-tls TlsContext as `context`. */
  secureContext?: unknown
  /** Refused: external PSKs are not implemented. */
  pskCallback?: unknown
  /** Accepted and without effect: node prints an OpenSSL trace; pure-tls has none. */
  enableTrace?: boolean
}

/** Our own context option names, usable beside node's (node's name wins nowhere: giving both is a TlsConfigError). */
export type NodeContextOptions = Omit<ContextOptions, 'ca' | 'cert' | 'key' | 'minVersion' | 'maxVersion'> & NodeTlsOptions

/** Our option names a node-style caller passes through as they are (node's own names map onto the rest). */
const ourOptionNames = CONTEXT_OPTION_NAMES.filter(
  (name): name is Exclude<(typeof CONTEXT_OPTION_NAMES)[number], 'ca' | 'cert' | 'key' | 'minVersion' | 'maxVersion'> =>
    !['ca', 'cert', 'key', 'minVersion', 'maxVersion'].includes(name),
)

const refusals: Record<string, string> = {
  pfx: 'PKCS#12 is not read by pure-tls: pass cert and key (PEM or DER)',
  passphrase: 'encrypted private keys are not read by pure-tls: decrypt the key first (openssl pkey -in key.pem)',
  secureProtocol: 'OpenSSL method names do not apply: use minVersion and maxVersion',
  secureOptions: 'OpenSSL option flags do not apply: the policy has named options (see createDefaultContext)',
  crl: 'certificate revocation lists are not checked by pure-tls',
  dhparam: 'finite-field DHE is refused: pure-tls does ECDHE only',
  secureContext: 'a node:tls SecureContext holds OpenSSL state pure-tls cannot use: pass the options, or a pure-tls TlsContext as context',
  pskCallback: 'external pre-shared keys are not implemented',
  pskIdentityHint: 'external pre-shared keys are not implemented',
  privateKeyEngine: 'OpenSSL engines do not exist in pure-tls',
  privateKeyIdentifier: 'OpenSSL engines do not exist in pure-tls',
  clientCertEngine: 'OpenSSL engines do not exist in pure-tls',
  allowPartialTrustChain: 'trusting an intermediate as an anchor is not implemented: put the root in ca',
  SNICallback: 'answer SNI names with server.addContext(hostname, options)',
  ALPNCallback: 'list the protocols in ALPNProtocols: the server picks the first of its own the client offers',
}

/** Options node:tls takes that would change nothing here or that pure-tls cannot honour: each is a TlsConfigError saying why. */
function refuseUnsupported(options: object): void {
  for (const [name, reason] of Object.entries(refusals)) {
    if ((options as Record<string, unknown>)[name]) throw new TlsConfigError(name, reason)
  }
}

/** Refuses a node name given together with the pure-tls name for the same thing. */
function oneOf(options: Record<string, unknown>, nodeName: string, ourName: string): void {
  if (options[nodeName] !== undefined && options[ourName] !== undefined) throw new TlsConfigError(nodeName, `give ${nodeName} or ${ourName}, not both`)
}

/** A Buffer read from a .pem file is PEM text; other bytes are DER. */
function pemOrDer(value: Bytes): Bytes {
  if (typeof value === 'string' || !(value instanceof Uint8Array)) return value
  const head = Buffer.from(value.subarray(0, 64)).toString('latin1')
  return head.includes('-----BEGIN') ? Buffer.from(value).toString('latin1') : value
}

function certificatesOf(value: NodeCertificateInput): Bytes | Bytes[] {
  return Array.isArray(value) ? (value as readonly Bytes[]).map(pemOrDer) : pemOrDer(value as Bytes)
}

function keyOf(value: NodeKeyInput): Bytes | PrivateKey {
  let key: unknown = value
  if (Array.isArray(key)) {
    if (key.length !== 1) throw new TlsConfigError('key', `${key.length} keys given: give one key with cert, or several { cert, key } pairs in certificates`)
    key = key[0]
  }
  if (typeof key === 'object' && key !== null && 'pem' in key) {
    if ((key as { passphrase?: unknown }).passphrase !== undefined) throw new TlsConfigError('passphrase', refusals.passphrase!)
    key = (key as { pem: Bytes }).pem
  }
  return typeof key === 'string' || key instanceof Uint8Array ? pemOrDer(key) : (key as PrivateKey)
}

/** The trust anchors of `ca` as one store (the verifier, the policy and the detailed peer certificate share it). */
function trustStoreOf(ca: NodeTlsOptions['ca']): TrustStore | undefined {
  if (ca === undefined || ca instanceof TrustStore) return ca
  const store = new TrustStore()
  const items = Array.isArray(ca) ? (ca as readonly Bytes[]) : [ca as Bytes]
  for (const item of items) {
    const source = pemOrDer(item)
    if (typeof source !== 'string' && !(source instanceof Uint8Array)) throw new TlsConfigError('ca', 'must be PEM text, PEM or DER bytes, a list of them, or a TrustStore')
    try {
      store.add(source)
    } catch (error) {
      throw new TlsConfigError('ca', error instanceof Error ? error.message : String(error))
    }
  }
  if (store.size === 0) throw new TlsConfigError('ca', 'contains no certificate')
  return store
}

/** ALPN names from node's forms: a list of strings or buffers, or one buffer of length-prefixed names. */
function alpnNames(given: NodeTlsOptions['ALPNProtocols']): string[] {
  const value = ArrayBuffer.isView(given) ? new Uint8Array(given.buffer, given.byteOffset, given.byteLength) : given
  if (value instanceof Uint8Array) {
    const names: string[] = []
    for (let at = 0; at < value.length; at += 1 + value[at]!) {
      const end = at + 1 + value[at]!
      if (value[at] === 0 || end > value.length) throw new TlsConfigError('ALPNProtocols', 'malformed wire-format buffer (length-prefixed names)')
      names.push(Buffer.from(value.subarray(at + 1, end)).toString('latin1'))
    }
    return names
  }
  if (!Array.isArray(value)) throw new TlsConfigError('ALPNProtocols', 'must be an array of protocol names or a wire-format buffer')
  return value.map((name: Bytes) => (typeof name === 'string' ? name : Buffer.from(name).toString('latin1')))
}

const tokenRule = /^[!+\-@]|^(ALL|DEFAULT|HIGH|MEDIUM|LOW|COMPLEMENTOFDEFAULT|COMPLEMENTOFALL|aNULL|eNULL|kRSA|kECDHE|aECDSA|aRSA|AESGCM|CHACHA20|ECDHE|SUITEB\w*)$|\+/

/** node's `ciphers` as our suite list, with node's split: TLS 1.3 names replace the 1.3 defaults, and no 1.2 name turns TLS 1.2 off. */
function suitesFromCiphers(ciphers: string, hardwareAes: boolean): { cipherSuites: string[]; tls13Only: boolean } {
  if (typeof ciphers !== 'string') throw new TlsConfigError('ciphers', 'must be a colon-separated list of suite names')
  const tokens = ciphers.split(':').filter((t) => t.length > 0)
  if (tokens.length === 0) throw new TlsConfigError('ciphers', 'names no suite')
  const tls13: string[] = []
  const tls12: string[] = []
  for (const token of tokens) {
    if (tokenRule.test(token)) throw new TlsConfigError('ciphers', `${JSON.stringify(token)}: OpenSSL cipher-string rules are not interpreted; list suite names`)
    ;(cipherSuiteByName(token)?.version === 0x0304 ? tls13 : tls12).push(token)
  }
  const defaults13 = (hardwareAes ? TLS13_SUITES_AES_FIRST : TLS13_SUITES_CHACHA_FIRST).map((code) => cipherSuiteByCode(code)!.name)
  return { cipherSuites: [...(tls13.length > 0 ? tls13 : defaults13), ...tls12], tls13Only: tls12.length === 0 }
}

const sigalgForms: Record<string, string> = {
  'ECDSA+SHA256': 'ecdsa_secp256r1_sha256',
  'ECDSA+SHA384': 'ecdsa_secp384r1_sha384',
  'ECDSA+SHA512': 'ecdsa_secp521r1_sha512',
  'RSA+SHA256': 'rsa_pkcs1_sha256',
  'RSA+SHA384': 'rsa_pkcs1_sha384',
  'RSA+SHA512': 'rsa_pkcs1_sha512',
  'RSA-PSS+SHA256': 'rsa_pss_rsae_sha256',
  'RSA-PSS+SHA384': 'rsa_pss_rsae_sha384',
  'RSA-PSS+SHA512': 'rsa_pss_rsae_sha512',
}

function colonList(option: string, value: unknown): string[] {
  if (typeof value !== 'string' || value.length === 0) throw new TlsConfigError(option, 'must be a colon-separated list of names')
  return value.split(':')
}

/**
 * Our context options from node's and ours: node names translated, conflicts refused, `ca` loaded once.
 * The policy itself (createDefaultContext) then validates every value.
 */
function mappedOptions(options: NodeContextOptions, trust: TrustStore | undefined): ContextOptions {
  const given = options as Record<string, unknown>
  refuseUnsupported(options)
  oneOf(given, 'ALPNProtocols', 'alpnProtocols')
  oneOf(given, 'ciphers', 'cipherSuites')
  oneOf(given, 'ecdhCurve', 'groups')
  oneOf(given, 'sigalgs', 'signatureSchemes')
  const mapped: Record<string, unknown> = {}
  for (const name of ourOptionNames) if (given[name] !== undefined) mapped[name] = given[name]
  if (trust !== undefined) mapped.ca = trust
  if (options.cert !== undefined) mapped.cert = certificatesOf(options.cert)
  if (options.key !== undefined) mapped.key = keyOf(options.key)
  if (options.minVersion !== undefined) mapped.minVersion = options.minVersion
  if (options.maxVersion !== undefined) mapped.maxVersion = options.maxVersion
  if (options.ALPNProtocols !== undefined) mapped.alpnProtocols = alpnNames(options.ALPNProtocols)
  if (options.ecdhCurve !== undefined && options.ecdhCurve !== 'auto') mapped.groups = colonList('ecdhCurve', options.ecdhCurve)
  if (options.sigalgs !== undefined) mapped.signatureSchemes = colonList('sigalgs', options.sigalgs).map((name) => sigalgForms[name] ?? name)
  if (options.ciphers !== undefined) {
    const { cipherSuites, tls13Only } = suitesFromCiphers(options.ciphers, (options.provider ?? nobleProvider).hasHardwareAes)
    mapped.cipherSuites = cipherSuites
    if (tls13Only && options.maxVersion !== 'TLSv1.2') mapped.minVersion = 'TLSv1.3'
  }
  return mapped as ContextOptions
}

/** Python's ssl.create_default_context() with Node's trust: no `ca` given → the system store (Node's roots and the OS bundle). */
export function createDefaultContext(purpose: 'server-auth' | 'client-auth', options: ContextOptions = {}): TlsContext {
  return new TlsContext(purpose, options, nodeDefaultTrustStore)
}

/** What connect() takes: node:tls's connect options (and net's), our context options, and a few of our own. */
export interface ConnectOptions extends NodeContextOptions {
  /** The host to connect to (default 'localhost'). */
  host?: string | null
  /** The port (a number, or digits as http passes them). */
  port?: number | string | null
  /** A Unix socket (or Windows pipe) to connect to instead of host and port. */
  path?: string | null
  /** SNI and the name checked against the certificate; defaults to `host`. An IP address is checked against the certificate's IP SANs and sent no SNI. */
  servername?: string
  /** An established context to use; then no other context option may be given. */
  context?: TlsContext
  /** Run TLS over this socket (a net.Socket or any Duplex, connected or connecting) instead of opening one. */
  socket?: Duplex
  /** A session from an earlier connection's `getSession()` or 'session' event, to resume. */
  session?: Uint8Array
  /**
   * node's identity check, called once the chain verified with (hostname, getPeerCertificate(true)): an Error
   * refuses the server (or, with rejectUnauthorized false, sets `authorizationError`). Given, it replaces the
   * built-in host-name check (set checkHostname: true to keep both), as in node.
   */
  checkServerIdentity?: CheckServerIdentity
  /** Keep writing after the server closed (TLS 1.3 half-close); false by default, as in node:tls. */
  allowHalfOpen?: boolean
  /** The socket's idle timeout in milliseconds ('timeout' event), as socket.setTimeout(). */
  timeout?: number
  /** net.connect's address family: 4, 6, or 0 for either. */
  family?: number
  /** The local address to connect from. */
  localAddress?: string
  /** The local port to connect from. */
  localPort?: number
  /** A DNS lookup function replacing dns.lookup. */
  lookup?: net.LookupFunction
  /** TCP_NODELAY on the socket(s), as net's option. */
  noDelay?: boolean
  /** TCP keep-alive on the socket(s), as net's option. */
  keepAlive?: boolean
  /** The idle time before the first keep-alive probe, in ms. */
  keepAliveInitialDelay?: number
  /** Happy Eyeballs (RFC 8305) between IPv4 and IPv6 addresses, as net.connect. */
  autoSelectFamily?: boolean
}

/** What connect() does with its options: the context, how the connection starts, what the socket and TCP get. */
export interface ClientPlan {
  readonly context: TlsContext
  readonly start: ClientConnectionOptions
  /** The name checkServerIdentity is called with (servername, else host, else 'localhost'). */
  readonly hostname: string
  readonly rejectUnauthorized: boolean
  readonly checkServerIdentity: CheckServerIdentity | undefined
  /** Where the detailed peer certificate finds the anchor the chain ends at. */
  readonly trustStore: TrustStore | undefined
  /** net.connect()'s options, when connect() opens the socket itself. */
  readonly tcp: net.NetConnectOpts
}

/** Options that shape a context (and so cannot be given beside one). */
const contextKeys = new Set<string>([
  ...ourOptionNames,
  ...Object.keys(refusals),
  'ca',
  'cert',
  'key',
  'minVersion',
  'maxVersion',
  'ALPNProtocols',
  'ciphers',
  'ecdhCurve',
  'sigalgs',
  'rejectUnauthorized',
  'requestCert',
  'ticketKeys',
])

/** A version option beside a context is fine when the context's policy already says the same. */
function agreesWithContext(name: string, value: unknown, context: TlsContext): boolean {
  if (name === 'minVersion') return value === versionNames[context.policy.minVersion]
  if (name === 'maxVersion') return value === versionNames[context.policy.maxVersion]
  return false
}

/** With `context` given, the options that shape a context belong to it: giving one that says otherwise is a TlsConfigError, never ignored. */
function refuseBesideContext(options: { context?: TlsContext }): void {
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined && contextKeys.has(name) && !agreesWithContext(name, value, options.context!))
      throw new TlsConfigError(name, 'given with context: it belongs to the context (make the context with it)')
  }
}

function portOf(port: ConnectOptions['port']): number | undefined {
  if (port === undefined || port === null || port === '') return undefined
  const number = Number(port)
  if (!Number.isInteger(number) || number < 0 || number > 65535) throw new TlsConfigError('port', `must be a port number, got ${JSON.stringify(port)}`)
  return number
}

function tcpOptions(options: ConnectOptions): net.NetConnectOpts {
  const tcp: Record<string, unknown> = { allowHalfOpen: true }
  for (const name of ['path', 'family', 'localAddress', 'localPort', 'lookup', 'noDelay', 'keepAlive', 'keepAliveInitialDelay', 'autoSelectFamily'] as const) {
    if (options[name] !== undefined && options[name] !== null) tcp[name] = options[name]
  }
  if (tcp.path === undefined) Object.assign(tcp, { host: options.host ?? 'localhost', port: portOf(options.port) })
  return tcp as unknown as net.NetConnectOpts
}

/** The client context: node names mapped; rejectUnauthorized false verifies all the same and reports; checkServerIdentity takes over the name check. */
function clientContext(options: ConnectOptions, trust: TrustStore | undefined): TlsContext {
  const mapped = mappedOptions(options, trust)
  if (options.checkServerIdentity !== undefined && options.checkHostname === undefined) mapped.checkHostname = false
  if (options.rejectUnauthorized === false) {
    if (options.verifyMode !== undefined) throw new TlsConfigError('rejectUnauthorized', 'give rejectUnauthorized or verifyMode, not both')
    const checkHostname = mapped.checkHostname !== false
    const inner =
      options.verifier ??
      webPkiVerifier({
        trustStore: trust ?? nodeDefaultTrustStore(),
        provider: options.provider ?? nobleProvider,
        checkHostname,
        ...(options.maxChainDepth === undefined ? {} : { maxDepth: options.maxChainDepth }),
        ...(options.now === undefined ? {} : { now: options.now }),
      })
    Object.assign(mapped, { verifyMode: 'none', verifier: reportingVerifier(inner) })
    delete mapped.checkHostname
  }
  return createDefaultContext('server-auth', mapped)
}

/** Maps connect()'s options: node's names onto the policy, refusals raised now, before any socket exists. */
export function clientPlan(options: ConnectOptions): ClientPlan {
  if (typeof options !== 'object' || options === null) throw new TlsConfigError('options', 'must be an object')
  if (options.checkServerIdentity !== undefined && typeof options.checkServerIdentity !== 'function')
    throw new TlsConfigError('checkServerIdentity', 'must be a function (hostname, cert) => Error | undefined')
  if (options.session !== undefined && !(options.session instanceof Uint8Array)) throw new TlsConfigError('session', 'must be the bytes of an earlier getSession()')
  const trust = options.context ? undefined : trustStoreOf(options.ca)
  if (options.context) refuseBesideContext(options)
  const context = options.context ?? clientContext(options, trust)
  const hostname = options.servername || options.host || 'localhost'
  const verifies = context.policy.verifyMode !== 'none' || options.rejectUnauthorized === false
  return {
    context,
    start: { serverName: hostname, ...(options.session ? { session: options.session } : {}) },
    hostname,
    rejectUnauthorized: options.rejectUnauthorized !== false,
    checkServerIdentity: options.checkServerIdentity,
    trustStore: trust ?? (verifies && !options.context ? nodeDefaultTrustStore() : undefined),
    tcp: tcpOptions(options),
  }
}

/** What createServer() takes: node:tls's server options, our context options, and a few of our own. */
export interface ServerOptions extends NodeContextOptions {
  /** An established server context to use; then no other context option may be given. */
  context?: TlsContext
  /** Ask clients for a certificate (default false); with rejectUnauthorized (default true) one that verifies to `ca` is required. */
  requestCert?: boolean
  /** A client that has not completed its handshake after this many milliseconds is dropped (120 s, as node:tls). */
  handshakeTimeout?: number
  /** Keep writing after a client closed (TLS 1.3 half-close); false by default, as in node:tls. */
  allowHalfOpen?: boolean
  /** 48 bytes of session ticket keys (node's format); given, the server issues TLS 1.3 tickets. */
  ticketKeys?: Uint8Array
  /** net.Server's: accepted sockets start paused. */
  pauseOnConnect?: boolean
  /** TCP_NODELAY on the socket(s), as net's option. */
  noDelay?: boolean
  /** TCP keep-alive on the socket(s), as net's option. */
  keepAlive?: boolean
  /** The idle time before the first keep-alive probe, in ms. */
  keepAliveInitialDelay?: number
  /** Refused: answer SNI with addContext(hostname, options). */
  SNICallback?: unknown
  /** Refused: list the protocols in ALPNProtocols. */
  ALPNCallback?: unknown
  /** Accepted and without effect: ticket lifetimes are the core's. */
  sessionTimeout?: number
  /** Accepted and without effect: the server always picks by its own preference order. */
  honorCipherOrder?: boolean
}

/** What createServer() does with its options. */
export interface ServerPlan {
  readonly context: TlsContext
  readonly requestCert: boolean
  readonly rejectUnauthorized: boolean
  readonly trustStore: TrustStore | undefined
  readonly handshakeTimeout: number
  readonly allowHalfOpen: boolean
  readonly ticketKeys: Uint8Array | undefined
  /** net.Server's options (TCP half-close stays on underneath, so close_notify can follow the peer's FIN). */
  readonly tcp: net.ServerOpts
}

/** The server context: requestCert + rejectUnauthorized become verifyMode; false with requestCert verifies and reports. */
function serverContext(options: ServerOptions, trust: TrustStore | undefined): TlsContext {
  if (options.context) {
    refuseBesideContext(options)
    return options.context
  }
  const mapped = mappedOptions(options, trust)
  if (options.requestCert !== undefined && typeof options.requestCert !== 'boolean') throw new TlsConfigError('requestCert', 'must be a boolean')
  if (options.requestCert) {
    if (options.verifyMode !== undefined) throw new TlsConfigError('requestCert', 'give requestCert or verifyMode, not both')
    const rejectUnauthorized = options.rejectUnauthorized !== false
    if (rejectUnauthorized && trust === undefined)
      throw new TlsConfigError('ca', 'requestCert needs the CAs that issue your clients\u2019 certificates in ca (node:tls would trust every public root for them; pure-tls does not guess)')
    mapped.verifyMode = rejectUnauthorized ? 'required' : 'optional'
    if (!rejectUnauthorized) {
      const inner = webPkiVerifier({ trustStore: trust ?? new TrustStore(), provider: options.provider ?? nobleProvider, ...(options.now ? { now: options.now } : {}) })
      mapped.verifier = reportingVerifier(options.verifier ?? inner)
    }
  }
  if (options.ticketKeys !== undefined && options.sessionTickets === undefined) mapped.sessionTickets = true
  return createDefaultContext('client-auth', mapped)
}

/** Maps createServer()'s (or addContext's, setSecureContext's) options; refusals are raised now. */
export function serverPlan(options: ServerOptions): ServerPlan {
  if (typeof options !== 'object' || options === null) throw new TlsConfigError('options', 'must be an object')
  const { handshakeTimeout = 120_000, allowHalfOpen = false } = options
  if (typeof handshakeTimeout !== 'number' || !Number.isFinite(handshakeTimeout) || handshakeTimeout <= 0)
    throw new TlsConfigError('handshakeTimeout', 'must be a positive number of milliseconds')
  if (options.ticketKeys !== undefined && (!(options.ticketKeys instanceof Uint8Array) || options.ticketKeys.length !== 48))
    throw new TlsConfigError('ticketKeys', 'must be 48 bytes')
  const trust = options.context ? undefined : trustStoreOf(options.ca)
  const tcp: Record<string, unknown> = { allowHalfOpen: true }
  for (const name of ['pauseOnConnect', 'noDelay', 'keepAlive', 'keepAliveInitialDelay'] as const) if (options[name] !== undefined) tcp[name] = options[name]
  return {
    context: serverContext(options, trust),
    requestCert: options.requestCert === true,
    rejectUnauthorized: options.rejectUnauthorized !== false,
    trustStore: trust,
    handshakeTimeout,
    allowHalfOpen,
    ticketKeys: options.ticketKeys,
    tcp: tcp as net.ServerOpts,
  }
}
