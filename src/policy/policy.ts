// The policy object: a frozen, inspectable record of every constraint the handshake enforces.
import { isHybridGroup } from '../crypto/hybrid.js'
import type { NamedGroupName } from '../crypto/provider.js'
import { TlsConfigError } from '../errors.js'
import {
  CONTEXT_DEFAULTS,
  DEFAULT_CERTIFICATE_PROFILE,
  DEFAULT_GROUPS,
  DEFAULT_MAX_CHAIN_DEPTH,
  DEFAULT_SIGNATURE_SCHEMES,
  TLS12,
  TLS12_SUITES_AES_FIRST,
  TLS12_SUITES_CHACHA_FIRST,
  TLS13,
  TLS13_SUITES_AES_FIRST,
  TLS13_SUITES_CHACHA_FIRST,
  type TlsVersion,
  versionNames,
} from './defaults.js'
import { certificateProfiles, type CertificateProfile } from '../x509/profile.js'
import {
  type CipherSuiteName,
  type GroupName,
  groupByName,
  groupDisplayName,
  schemeByName,
  schemeDisplayName,
  type SignatureSchemeOptionName,
  suiteByName,
  suiteDisplayName,
  suiteVersion,
  type TlsVersionName,
} from './names.js'

/** Which side of the handshake a policy is for: a `'server-auth'` context makes clients, `'client-auth'` servers. */
export type Role = 'client' | 'server'

/**
 * Whether the peer's certificate is asked for and verified. A client: `'required'` (the default) or `'none'` (no
 * verification at all, named for what it is). A server: `'none'` (the default: no CertificateRequest),
 * `'optional'` (asked for, verified when sent) or `'required'` (a client without one gets `certificate_required`).
 */
export type VerifyMode = 'none' | 'optional' | 'required'

/** Everything a handshake consults, validated and frozen: `context.policy`, and the README's policy table. */
export interface TlsPolicy {
  /** The side this policy is for. */
  readonly role: Role
  /** The lowest version accepted, as its wire code (0x0303 TLS 1.2, 0x0304 TLS 1.3). */
  readonly minVersion: TlsVersion
  /** The highest version offered or accepted, as its wire code. */
  readonly maxVersion: TlsVersion
  /** Cipher suites by code, in preference order (1.3 and 1.2 ones together, only those usable in the version range). */
  readonly cipherSuites: readonly number[]
  /** Key-exchange groups in preference order (RFC 8446 section 4.2.7); a client's one key share is for the first. */
  readonly groups: readonly NamedGroupName[]
  /** Signature schemes by code, offered and accepted (RFC 8446 section 4.2.3). */
  readonly signatureSchemes: readonly number[]
  /** Client: verify the server (always 'required' unless loosened); server: ask for client certificates. */
  readonly verifyMode: VerifyMode
  /** Client: the server certificate must name the server (SAN dNSName / iPAddress, RFC 6125; no CN fallback). */
  readonly checkHostname: boolean
  /** TLS 1.2: `'required'` refuses a peer without the extended master secret (RFC 7627). */
  readonly extendedMasterSecret: 'required' | 'optional'
  /** Renegotiation is always refused (`no_renegotiation`, RFC 5746 section 4). */
  readonly renegotiation: 'refused'
  /** Compression is never offered nor accepted (CRIME). */
  readonly compression: 'none'
  /** ALPN protocols in preference order (RFC 7301); empty when ALPN is not used. */
  readonly alpnProtocols: readonly string[]
  /** Server: refuse a client whose ALPN list shares nothing with ours (no_application_protocol). */
  readonly alpnStrict: boolean
  /** The most certificates above the leaf a chain may have. */
  readonly maxChainDepth: number
  /**
   * The certificate profile the verifier applies: 'web-pki' (RFC 5280 and, for server certificates, the CA/B Forum
   * Baseline Requirements) unless loosened to 'private-pki' (RFC 5280 only) for a private CA.
   */
  readonly certificateProfile: CertificateProfile
  /** Where trust anchors come from: the `ca` option, the registered default roots, or none (a server without `ca`). */
  readonly caSource: 'given' | 'default-roots' | 'none'
}

/** The options of createDefaultContext that shape the policy (certificates and CAs are handled beside it). */
export interface PolicyOptions {
  /** The lowest version to accept. Default `'TLSv1.2'`; anything older is refused with a TlsConfigError. */
  minVersion?: TlsVersionName
  /** The highest version to offer or accept. Default `'TLSv1.3'`. */
  maxVersion?: TlsVersionName
  /**
   * Cipher suites in preference order, by IANA or OpenSSL name (only ECDHE + AEAD suites exist here). Default: all
   * nine, ChaCha20 first with the noble provider (software AES), AES-GCM first with a provider that has hardware AES.
   */
  cipherSuites?: readonly CipherSuiteName[]
  /** Key-exchange groups in preference order (RFC 8446 section 4.2.7). Default `['X25519', 'P-256', 'P-384']`. */
  groups?: readonly GroupName[]
  /** Signature schemes offered and accepted (RFC 8446 section 4.2.3). Default: all of SignatureSchemeOptionName, no SHA-1. */
  signatureSchemes?: readonly SignatureSchemeOptionName[]
  /** See {@link VerifyMode}. Default `'required'` for a client, `'none'` for a server. */
  verifyMode?: VerifyMode
  /** Client: check the server's name against its certificate. Default `true`; `false` is an explicit loosening. */
  checkHostname?: boolean
  /** TLS 1.2: refuse peers without the extended master secret (RFC 7627). Default `true`. */
  requireExtendedMasterSecret?: boolean
  /** ALPN protocols in preference order (RFC 7301), e.g. `['h2', 'http/1.1']`. Default: none (no ALPN extension). */
  alpnProtocols?: readonly string[]
  /** Server: refuse clients whose ALPN offer shares nothing with `alpnProtocols` (RFC 7301 section 3.2). Default `false`. */
  alpnStrict?: boolean
  /** The most certificates allowed above the leaf, 1 to 16. Default `8`. */
  maxChainDepth?: number
  /** 'web-pki' (default) or 'private-pki': the BR rules off, for a private CA that does not follow them (RFC 5280 still applies). */
  certificateProfile?: CertificateProfile
}

const versionByName: Record<string, TlsVersion> = { 'TLSv1.2': TLS12, 'TLSv1.3': TLS13 }
const refusedVersions = new Set(['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.0', 'TLSv1.1'])

function parseVersion(option: string, value: unknown): TlsVersion {
  if (typeof value !== 'string') throw new TlsConfigError(option, `must be 'TLSv1.2' or 'TLSv1.3', got ${typeof value}`)
  const v = versionByName[value]
  if (v !== undefined) return v
  if (refusedVersions.has(value)) throw new TlsConfigError(option, `${value} is refused: pure-tls implements TLS 1.2 and 1.3 only`)
  throw new TlsConfigError(option, `unknown version ${JSON.stringify(value)}; use 'TLSv1.2' or 'TLSv1.3'`)
}

function parseList<T>(option: string, value: unknown, lookup: (name: string) => T | undefined): T[] {
  if (!Array.isArray(value) || value.length === 0) throw new TlsConfigError(option, 'must be a non-empty array of names')
  const out: T[] = []
  for (const name of value) {
    if (typeof name !== 'string') throw new TlsConfigError(option, `entries must be strings, got ${typeof name}`)
    const item = lookup(name)
    if (item === undefined) throw new TlsConfigError(option, `${JSON.stringify(name)} is not implemented (or is refused) by pure-tls`)
    if (!out.includes(item)) out.push(item)
  }
  return out
}

function parseAlpn(value: unknown): string[] {
  if (!Array.isArray(value)) throw new TlsConfigError('alpnProtocols', 'must be an array of protocol names')
  for (const p of value) {
    if (typeof p !== 'string' || p.length === 0 || p.length > 255 || /[^\x20-\x7e]/.test(p))
      throw new TlsConfigError('alpnProtocols', `${JSON.stringify(p)} is not a valid ALPN protocol name (1-255 printable ASCII)`)
  }
  return [...value]
}

function expectBoolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TlsConfigError(option, `must be a boolean, got ${typeof value}`)
  return value
}

/** Builds and validates the policy of a context; every mistake is a TlsConfigError naming its option. */
export function buildPolicy(role: Role, options: PolicyOptions, caSource: TlsPolicy['caSource'], hasHardwareAes: boolean): TlsPolicy {
  const defaults = CONTEXT_DEFAULTS[role]
  const minVersion = options.minVersion === undefined ? defaults.minVersion : parseVersion('minVersion', options.minVersion)
  const maxVersion = options.maxVersion === undefined ? defaults.maxVersion : parseVersion('maxVersion', options.maxVersion)
  if (minVersion > maxVersion) throw new TlsConfigError('minVersion', `${versionNames[minVersion]} is above maxVersion ${versionNames[maxVersion]}`)

  const defaultSuites = hasHardwareAes
    ? [...TLS13_SUITES_AES_FIRST, ...TLS12_SUITES_AES_FIRST]
    : [...TLS13_SUITES_CHACHA_FIRST, ...TLS12_SUITES_CHACHA_FIRST]
  const cipherSuites = options.cipherSuites === undefined ? defaultSuites : parseList('cipherSuites', options.cipherSuites, suiteByName)
  const usable = cipherSuites.filter((s) => {
    const v = suiteVersion(s)
    return v >= minVersion && v <= maxVersion
  })
  if (usable.length === 0) throw new TlsConfigError('cipherSuites', `none of the suites is usable with versions ${versionNames[minVersion]}-${versionNames[maxVersion]}`)

  const groups = options.groups === undefined ? [...DEFAULT_GROUPS] : parseList('groups', options.groups, groupByName)
  if (maxVersion === TLS12 && groups.every(isHybridGroup))
    throw new TlsConfigError('groups', `${groups.map(groupDisplayName).join(', ')} ${groups.length > 1 ? 'are' : 'is'} TLS 1.3 only: with maxVersion TLSv1.2 no group is left`)
  const signatureSchemes =
    options.signatureSchemes === undefined ? [...DEFAULT_SIGNATURE_SCHEMES] : parseList('signatureSchemes', options.signatureSchemes, schemeByName)

  const verifyMode = options.verifyMode ?? defaults.verifyMode
  if (!['none', 'optional', 'required'].includes(verifyMode))
    throw new TlsConfigError('verifyMode', `must be 'none', 'optional' or 'required', got ${JSON.stringify(verifyMode)}`)
  if (role === 'client' && verifyMode === 'optional')
    throw new TlsConfigError('verifyMode', "'optional' means nothing for a client: a server certificate is always sent; use 'required' or 'none'")
  let checkHostname = role === 'client' ? options.checkHostname === undefined ? true : expectBoolean('checkHostname', options.checkHostname) : false
  if (role === 'server' && options.checkHostname !== undefined && expectBoolean('checkHostname', options.checkHostname))
    throw new TlsConfigError('checkHostname', 'a server context has no host name to check')
  // Python: check_hostname needs verify_mode != CERT_NONE; setting verify_mode none with check_hostname is an error there.
  if (role === 'client' && verifyMode === 'none') {
    if (options.checkHostname === true) throw new TlsConfigError('checkHostname', "cannot check the host name when verifyMode is 'none'")
    checkHostname = false
  }

  const requireEms = options.requireExtendedMasterSecret === undefined ? true : expectBoolean('requireExtendedMasterSecret', options.requireExtendedMasterSecret)
  const alpnProtocols = options.alpnProtocols === undefined ? [] : parseAlpn(options.alpnProtocols)
  const alpnStrict = options.alpnStrict === undefined ? false : expectBoolean('alpnStrict', options.alpnStrict)
  const maxChainDepth = options.maxChainDepth ?? DEFAULT_MAX_CHAIN_DEPTH
  if (!Number.isInteger(maxChainDepth) || maxChainDepth < 1 || maxChainDepth > 16)
    throw new TlsConfigError('maxChainDepth', `must be an integer from 1 to 16, got ${String(maxChainDepth)}`)

  const certificateProfile = options.certificateProfile ?? DEFAULT_CERTIFICATE_PROFILE
  if (!certificateProfiles.includes(certificateProfile))
    throw new TlsConfigError('certificateProfile', `must be 'web-pki' or 'private-pki', got ${JSON.stringify(certificateProfile)}`)

  const policy: TlsPolicy = {
    role,
    minVersion,
    maxVersion,
    cipherSuites: Object.freeze(usable),
    groups: Object.freeze(groups),
    signatureSchemes: Object.freeze(signatureSchemes),
    verifyMode,
    checkHostname,
    extendedMasterSecret: requireEms ? 'required' : 'optional',
    renegotiation: 'refused',
    compression: 'none',
    alpnProtocols: Object.freeze(alpnProtocols),
    alpnStrict,
    maxChainDepth,
    certificateProfile,
    caSource,
  }
  return Object.freeze(policy)
}

/** The policy as rows of (constraint, value), for printing and for the README's table. */
export function policyRows(policy: TlsPolicy): [string, string][] {
  return [
    ['role', policy.role],
    ['versions', `${versionNames[policy.minVersion]} – ${versionNames[policy.maxVersion]}`],
    ['cipher suites', policy.cipherSuites.map(suiteDisplayName).join(', ')],
    ['groups', policy.groups.map(groupDisplayName).join(', ')],
    ['signature schemes', policy.signatureSchemes.map(schemeDisplayName).join(', ')],
    ['verify mode', policy.verifyMode],
    ['check hostname', String(policy.checkHostname)],
    ['extended master secret', policy.extendedMasterSecret],
    ['renegotiation', policy.renegotiation],
    ['compression', policy.compression],
    ['ALPN', policy.alpnProtocols.length ? `${policy.alpnProtocols.join(', ')}${policy.alpnStrict ? ' (strict)' : ''}` : '(none)'],
    ['max chain depth', String(policy.maxChainDepth)],
    ['certificate profile', policy.certificateProfile],
    ['CA source', policy.caSource],
  ]
}

/** The policy as a readable table. */
export function formatPolicy(policy: TlsPolicy): string {
  const rows = policyRows(policy)
  const width = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')
}
