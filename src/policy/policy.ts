// The policy object: a frozen, inspectable record of every constraint the handshake enforces.
import { isHybridGroup } from '../crypto/hybrid.js'
import type { NamedGroupName } from '../crypto/provider.js'
import { TlsConfigError } from '../errors.js'
import {
  CONTEXT_DEFAULTS,
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
import { groupByName, groupDisplayName, schemeByName, schemeDisplayName, suiteByName, suiteDisplayName, suiteVersion } from './names.js'

export type Role = 'client' | 'server'
export type VerifyMode = 'none' | 'optional' | 'required'

/** Everything a handshake consults; frozen once built. */
export interface TlsPolicy {
  readonly role: Role
  readonly minVersion: TlsVersion
  readonly maxVersion: TlsVersion
  /** Cipher suites by code, in preference order (1.3 and 1.2 ones together). */
  readonly cipherSuites: readonly number[]
  readonly groups: readonly NamedGroupName[]
  readonly signatureSchemes: readonly number[]
  /** Client: verify the server (always 'required' unless loosened); server: ask for client certificates. */
  readonly verifyMode: VerifyMode
  readonly checkHostname: boolean
  readonly extendedMasterSecret: 'required' | 'optional'
  readonly renegotiation: 'refused'
  readonly compression: 'none'
  readonly alpnProtocols: readonly string[]
  /** Server: refuse a client whose ALPN list shares nothing with ours (no_application_protocol). */
  readonly alpnStrict: boolean
  readonly maxChainDepth: number
  readonly caSource: 'given' | 'default-roots' | 'none'
}

/** The options of createDefaultContext that shape the policy (certificates and CAs are handled beside it). */
export interface PolicyOptions {
  minVersion?: 'TLSv1.2' | 'TLSv1.3'
  maxVersion?: 'TLSv1.2' | 'TLSv1.3'
  cipherSuites?: readonly string[]
  groups?: readonly string[]
  signatureSchemes?: readonly string[]
  verifyMode?: VerifyMode
  checkHostname?: boolean
  requireExtendedMasterSecret?: boolean
  alpnProtocols?: readonly string[]
  alpnStrict?: boolean
  maxChainDepth?: number
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
    ['CA source', policy.caSource],
  ]
}

/** The policy as a readable table. */
export function formatPolicy(policy: TlsPolicy): string {
  const rows = policyRows(policy)
  const width = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')
}
