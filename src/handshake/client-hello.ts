// The client's ClientHello: one hello that offers every version, suite, group and scheme the policy allows.
import type { KeyShare, NamedGroupName } from '../crypto/provider.js'
import { groupsFor, keyShareGroups } from '../policy/decisions.js'
import { TLS12, TLS13 } from '../policy/defaults.js'
import { alpnProtocols } from './extensions/alpn.js'
import { cookie } from './extensions/cookie.js'
import { ecPointFormats } from './extensions/ec-point-formats.js'
import { encodeExtension, type Extension } from './extensions/extension.js'
import { keyShareClientHello } from './extensions/key-share.js'
import { pskKeyExchangeModes } from './extensions/psk-key-exchange-modes.js'
import { announcedRecordSizeLimit, recordSizeLimit } from './extensions/record-size-limit.js'
import { renegotiationInfo } from './extensions/renegotiation-info.js'
import { isIpLiteral, normalizeHostName, serverNameList } from './extensions/server-name.js'
import { signatureAlgorithms } from './extensions/signature-algorithms.js'
import { extendedMasterSecret, postHandshakeAuth, sessionTicket } from './extensions/simple.js'
import { supportedGroups } from './extensions/supported-groups.js'
import { supportedVersionsList } from './extensions/supported-versions.js'
import { settle, type Waiting } from '../pending.js'
import { canPresentCertificate } from './client-certificate.js'
import { type ClientHello, encodeClientHello } from './messages/client-hello.js'
import { namedGroupCode } from './registry.js'
import type { CachedTicket } from './session.js'
import type { HandshakeConfig } from './session.js'

/** What our ClientHello offered: the server's answer is checked against it. */
export interface ClientOffer {
  readonly random: Uint8Array
  readonly legacySessionId: Uint8Array
  readonly cipherSuites: readonly number[]
  /** Our ephemeral key shares by group (TLS 1.3); TLS 1.2 makes its share after ServerKeyExchange. */
  readonly keyShares: ReadonlyMap<NamedGroupName, KeyShare>
  readonly extensionTypes: ReadonlySet<number>
  readonly alpn: readonly string[]
  readonly offersTls13: boolean
  readonly offersTls12: boolean
  /** After a HelloRetryRequest: the suite it chose, which the ServerHello must repeat. */
  readonly helloRetrySuite: number | undefined
  /** The encoded message, header included, for the transcript. */
  readonly raw: Uint8Array
  readonly hello: ClientHello
  /** The session ticket offered, if any: in pre_shared_key (TLS 1.3, psk.ts) or session_ticket (TLS 1.2, resumption12.ts). */
  readonly offeredTicket?: CachedTicket
}

export interface HelloRetryAdjustments {
  /** The group the server asked for in its HelloRetryRequest (undefined: keep our shares). */
  readonly group: NamedGroupName | undefined
  readonly cookie: Uint8Array | undefined
  readonly cipherSuite: number
}

/** Builds and encodes our ClientHello; after a HelloRetryRequest, the second one (RFC 8446 4.1.2). */
export function* buildClientHello(config: HandshakeConfig, previous?: ClientOffer, retry?: HelloRetryAdjustments): Waiting<ClientOffer> {
  const { policy, provider } = config
  const offersTls13 = policy.maxVersion === TLS13
  const offersTls12 = policy.minVersion === TLS12
  const random = previous?.random ?? provider.randomBytes(32)
  // Middlebox compatibility mode (RFC 8446 D.4): a non-empty session id whenever TLS 1.3 is offered.
  const legacySessionId = previous?.legacySessionId ?? (offersTls13 ? provider.randomBytes(32) : new Uint8Array(0))
  const cipherSuites = [...policy.cipherSuites]

  const keyShares = new Map<NamedGroupName, KeyShare>()
  if (offersTls13) {
    if (retry && retry.group === undefined && previous) for (const [group, share] of previous.keyShares) keyShares.set(group, share)
    else for (const group of retry?.group ? [retry.group] : keyShareGroups(policy)) keyShares.set(group, yield* settle(provider.generateKeyShare(group)))
  }

  const extensions: Extension[] = []
  const serverName = config.serverName
  // A host name goes in SNI, lower case and without a trailing dot; an IP literal never does (RFC 6066 3).
  if (serverName !== undefined && !isIpLiteral(serverName)) extensions.push(encodeExtension(serverNameList, normalizeHostName(serverName)))
  if (offersTls13) extensions.push(encodeExtension(supportedVersionsList, offersTls12 ? [TLS13, TLS12] : [TLS13]))
  // A TLS 1.2-only hello lists no hybrid: a TLS 1.2 server could not use one.
  extensions.push(encodeExtension(supportedGroups, groupsFor(policy, offersTls13 ? TLS13 : TLS12).map(namedGroupCode)))
  extensions.push(encodeExtension(signatureAlgorithms, [...policy.signatureSchemes]))
  if (policy.alpnProtocols.length > 0) extensions.push(encodeExtension(alpnProtocols, [...policy.alpnProtocols]))
  // Before the version is known: the most the highest version offered allows (a TLS 1.2 server clamps it, RFC 8449 4).
  extensions.push(encodeExtension(recordSizeLimit, announcedRecordSizeLimit(config.recordSizeLimit, offersTls13 ? TLS13 : TLS12)))
  if (offersTls12) {
    extensions.push(encodeExtension(extendedMasterSecret, true))
    extensions.push(encodeExtension(renegotiationInfo, new Uint8Array(0)))
    extensions.push(encodeExtension(ecPointFormats, [0]))
    // An empty session_ticket (RFC 5077): servers may then send a NewSessionTicket, kept for later.
    extensions.push(encodeExtension(sessionTicket, new Uint8Array(0)))
  }
  if (offersTls13) {
    extensions.push(encodeExtension(keyShareClientHello, [...keyShares].map(([group, share]) => ({ group: namedGroupCode(group), keyExchange: share.publicKey }))))
    // psk_dhe_ke: lets the server send NewSessionTickets for a later resumption.
    extensions.push(encodeExtension(pskKeyExchangeModes, [1]))
    if (retry?.cookie) extensions.push(encodeExtension(cookie, retry.cookie))
    // RFC 8446 4.2.6: only a client that can answer a CertificateRequest after the handshake offers to.
    if (canPresentCertificate(config)) extensions.push(encodeExtension(postHandshakeAuth, true))
  }

  const hello: ClientHello = {
    legacyVersion: TLS12,
    random,
    legacySessionId,
    cipherSuites,
    legacyCompressionMethods: [0],
    extensions,
  }
  return {
    random,
    legacySessionId,
    cipherSuites,
    keyShares,
    extensionTypes: new Set(extensions.map((e) => e.type)),
    alpn: policy.alpnProtocols,
    offersTls13,
    offersTls12,
    helloRetrySuite: retry?.cipherSuite,
    raw: encodeClientHello(hello),
    hello,
  }
}
