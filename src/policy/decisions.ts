// The questions a handshake asks its policy; each refusal is a TlsPolicyError naming the constraint.
import { isHybridGroup } from '../crypto/hybrid.js'
import type { NamedGroupName } from '../crypto/provider.js'
import { TlsPolicyError } from '../errors.js'
import { TLS12, TLS13, type TlsVersion, versionNames } from './defaults.js'
import { groupDisplayName, schemeDisplayName, suiteDisplayName, suiteVersion } from './names.js'
import type { TlsPolicy } from './policy.js'

const legacyVersionNames: Record<number, string> = { 0x0002: 'SSLv2', 0x0300: 'SSLv3', 0x0301: 'TLSv1.0', 0x0302: 'TLSv1.1', 0x0303: 'TLSv1.2', 0x0304: 'TLSv1.3' }

export function describeVersion(v: number): string {
  return legacyVersionNames[v] ?? `0x${v.toString(16).padStart(4, '0')}`
}

function allowedVersions(policy: TlsPolicy): string {
  return policy.minVersion === policy.maxVersion
    ? versionNames[policy.minVersion]
    : `${versionNames[policy.minVersion]}-${versionNames[policy.maxVersion]}`
}

/** A peer-controlled list for an error message: at most 12 items named, the rest counted. */
function list(items: readonly string[]): string {
  if (items.length === 0) return '(nothing)'
  const shown = items.slice(0, 12).join(', ')
  return items.length > 12 ? `${shown} and ${items.length - 12} more` : shown
}

export function versionAllowed(policy: TlsPolicy, version: number): version is TlsVersion {
  return (version === TLS12 || version === TLS13) && version >= policy.minVersion && version <= policy.maxVersion
}

/** Server: the highest version both sides allow, from the client's supported_versions (or legacy_version). */
export function chooseVersion(policy: TlsPolicy, offered: readonly number[]): TlsVersion {
  for (const v of [TLS13, TLS12] as const) if (offered.includes(v) && versionAllowed(policy, v)) return v
  throw new TlsPolicyError('versions', 'protocol_version', list(offered.map(describeVersion)), allowedVersions(policy))
}

/** Client: the version the server selected must be one we allow. */
export function checkSelectedVersion(policy: TlsPolicy, selected: number): TlsVersion {
  if (versionAllowed(policy, selected)) return selected
  throw new TlsPolicyError('versions', 'protocol_version', describeVersion(selected), allowedVersions(policy))
}

/** The suites of one version, in the policy's order. */
export function suitesFor(policy: TlsPolicy, version: TlsVersion): number[] {
  return policy.cipherSuites.filter((s) => suiteVersion(s) === version)
}

/** Server: the first suite in our preference order that the client offered and `usable` accepts. */
export function chooseCipherSuite(policy: TlsPolicy, version: TlsVersion, offered: readonly number[], usable: (code: number) => boolean = () => true): number {
  const ours = suitesFor(policy, version)
  for (const code of ours) if (offered.includes(code) && usable(code)) return code
  throw new TlsPolicyError(
    'cipher suites',
    'handshake_failure',
    list(offered.map(suiteDisplayName)),
    list(ours.map(suiteDisplayName)),
  )
}

/** The groups of one version, in the policy's order: the ML-KEM hybrids are TLS 1.3 only (draft-ietf-tls-ecdhe-mlkem). */
export function groupsFor(policy: TlsPolicy, version: TlsVersion): NamedGroupName[] {
  return version === TLS13 ? [...policy.groups] : policy.groups.filter((g) => !isHybridGroup(g))
}

/**
 * Client: the groups our first ClientHello sends key shares for. The first group of the policy; when it is a hybrid,
 * also the first classical group, so that a server without ML-KEM needs no HelloRetryRequest (as browsers do).
 */
export function keyShareGroups(policy: TlsPolicy): NamedGroupName[] {
  const [first] = policy.groups
  if (first === undefined) return []
  const classical = isHybridGroup(first) ? policy.groups.find((g) => !isHybridGroup(g)) : undefined
  return classical === undefined ? [first] : [first, classical]
}

/**
 * Server (TLS 1.3): the key-exchange group. Among the groups the client sent a share for, our most preferred one
 * (no extra round trip, as OpenSSL, Go and rustls do); only when no share is usable, the best mutual group, which
 * costs a HelloRetryRequest. `offeredNames` is every group the client listed, ours or not (e.g. secp521r1,
 * ffdhe2048): what a refusal reports as offered.
 */
export function chooseGroup(
  policy: TlsPolicy,
  clientGroups: readonly NamedGroupName[],
  clientShares: readonly NamedGroupName[],
  offeredNames: readonly string[] = clientGroups.map(groupDisplayName),
): { group: NamedGroupName; needsRetry: boolean } {
  for (const g of policy.groups) if (clientShares.includes(g) && clientGroups.includes(g)) return { group: g, needsRetry: false }
  for (const g of policy.groups) if (clientGroups.includes(g)) return { group: g, needsRetry: true }
  throw groupRefusal(policy, TLS13, offeredNames)
}

/** TLS 1.2 server: the first of our TLS 1.2 groups the client supports (a hybrid it lists is passed over). */
export function chooseGroup12(
  policy: TlsPolicy,
  clientGroups: readonly NamedGroupName[],
  offeredNames: readonly string[] = clientGroups.map(groupDisplayName),
): NamedGroupName {
  for (const g of groupsFor(policy, TLS12)) if (clientGroups.includes(g)) return g
  throw groupRefusal(policy, TLS12, offeredNames)
}

function groupRefusal(policy: TlsPolicy, version: TlsVersion, offered: readonly string[]): TlsPolicyError {
  return new TlsPolicyError('groups', 'handshake_failure', list(offered), list(groupsFor(policy, version).map(groupDisplayName)))
}

/** Client: a group the server picked (in ServerHello or HRR) must be one we offered. */
export function checkSelectedGroup(policy: TlsPolicy, group: NamedGroupName | undefined, wireName: string): NamedGroupName {
  return checkGroupIn(policy, TLS13, group, wireName)
}

/** TLS 1.2 client: the ServerKeyExchange's curve must be one of our TLS 1.2 groups (never a hybrid). */
export function checkSelectedGroup12(policy: TlsPolicy, group: NamedGroupName | undefined, wireName: string): NamedGroupName {
  return checkGroupIn(policy, TLS12, group, wireName)
}

function checkGroupIn(policy: TlsPolicy, version: TlsVersion, group: NamedGroupName | undefined, wireName: string): NamedGroupName {
  const allowed = groupsFor(policy, version)
  if (group && allowed.includes(group)) return group
  throw new TlsPolicyError('groups', 'illegal_parameter', wireName, list(allowed.map(groupDisplayName)))
}

/** The first of our schemes that the peer accepts and `fits` our key. */
export function chooseSignatureScheme(policy: TlsPolicy, peerSchemes: readonly number[], fits: (scheme: number) => boolean): number {
  for (const s of policy.signatureSchemes) if (peerSchemes.includes(s) && fits(s)) return s
  throw new TlsPolicyError(
    'signature schemes',
    'handshake_failure',
    list(peerSchemes.map(schemeDisplayName)),
    list(policy.signatureSchemes.filter(fits).map(schemeDisplayName)),
    'no scheme both sides accept fits the certificate key',
  )
}

/** A scheme the peer used in CertificateVerify / ServerKeyExchange must be one we offered. */
export function checkPeerSignatureScheme(policy: TlsPolicy, scheme: number): void {
  if (!policy.signatureSchemes.includes(scheme))
    throw new TlsPolicyError('signature schemes', 'illegal_parameter', schemeDisplayName(scheme), list(policy.signatureSchemes.map(schemeDisplayName)))
}

/** Server: ALPN by our preference; a strict server refuses a client with no protocol in common. */
export function chooseAlpn(policy: TlsPolicy, offered: readonly string[] | undefined): string | undefined {
  if (!offered || policy.alpnProtocols.length === 0) return undefined
  for (const p of policy.alpnProtocols) if (offered.includes(p)) return p
  if (policy.alpnStrict) throw new TlsPolicyError('alpn', 'no_application_protocol', list(offered), list(policy.alpnProtocols))
  return undefined
}

/** Client: the server's ALPN answer must be one we offered. */
export function checkSelectedAlpn(offered: readonly string[], selected: string | undefined): void {
  if (selected !== undefined && !offered.includes(selected))
    throw new TlsPolicyError('alpn', 'illegal_parameter', selected, list(offered))
}

/** TLS 1.2: the extended master secret (RFC 7627) unless the policy was loosened explicitly. */
export function checkExtendedMasterSecret(policy: TlsPolicy, peerSupports: boolean): void {
  if (!peerSupports && policy.extendedMasterSecret === 'required')
    throw new TlsPolicyError('extended master secret', 'handshake_failure', 'no extended_master_secret', 'extended_master_secret required (RFC 7627)')
}
