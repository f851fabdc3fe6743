// The ClientHello after a HelloRetryRequest: the same hello, changed only as RFC 8446 4.1.2 allows, extension by extension.
import { bytesEqual } from '../bytes.js'
import { TlsError } from '../errors.js'
import { cookie } from './extensions/cookie.js'
import { findExtension, readExtension } from './extensions/extension.js'
import { preSharedKeyClientHello } from './extensions/pre-shared-key.js'
import { keyShareClientHello } from './extensions/key-share.js'
import type { ClientHello } from './messages/client-hello.js'
import { ExtensionType, extensionTypeName } from './registry.js'

/** What our HelloRetryRequest asked the client to change. */
export interface RetryRequest {
  /** The group of the one key share the second hello must carry (undefined: the shares stay as they were). */
  readonly group: number | undefined
  /** The cookie the second hello must echo, when we sent one. */
  readonly cookie: Uint8Array | undefined
}

/** Extensions RFC 8446 4.1.2 lets the second hello change; every other one must be byte for byte the same, in order. */
const MAY_CHANGE = new Set<number>([
  ExtensionType.key_share,
  ExtensionType.early_data,
  ExtensionType.cookie,
  ExtensionType.pre_shared_key,
  ExtensionType.padding,
])

function refuse(what: string): never {
  throw new TlsError('illegal_parameter', `the second ClientHello ${what} (RFC 8446 4.1.2 allows only the changes a HelloRetryRequest asks for)`)
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** The fixed fields: legacy_version, random, legacy_session_id, cipher_suites, compression methods. */
function checkFixedFields(first: ClientHello, second: ClientHello): void {
  if (second.legacyVersion !== first.legacyVersion) refuse('changed legacy_version')
  if (!bytesEqual(first.random, second.random)) refuse('changed its random')
  if (!bytesEqual(first.legacySessionId, second.legacySessionId)) refuse('changed legacy_session_id')
  if (!sameList(first.cipherSuites, second.cipherSuites)) refuse('changed cipher_suites')
  if (!sameList(first.legacyCompressionMethods, second.legacyCompressionMethods)) refuse('changed legacy_compression_methods')
}

/** Every extension the retry does not concern: the same types, in the same order, with the same bytes. */
function checkUnchangedExtensions(first: ClientHello, second: ClientHello): void {
  const kept = (hello: ClientHello) => hello.extensions.filter((e) => !MAY_CHANGE.has(e.type))
  const before = kept(first)
  const after = kept(second)
  const dropped = before.find((b) => !after.some((a) => a.type === b.type))
  if (dropped) refuse(`dropped its ${extensionTypeName(dropped.type)} extension`)
  const changed = after.find((e, i) => before[i]?.type !== e.type || !bytesEqual(before[i]!.data, e.data))
  if (changed) refuse(`changed, added or moved its ${extensionTypeName(changed.type)} extension`)
}

/** key_share: one share for the group we named; unchanged when we named none (a cookie-only retry). */
function checkKeyShare(first: ClientHello, second: ClientHello, retry: RetryRequest): void {
  const shares = readExtension(second.extensions, keyShareClientHello)
  if (shares === undefined) refuse('has no key_share')
  if (retry.group === undefined) {
    const before = findExtension(first.extensions, ExtensionType.key_share)
    if (!before || !bytesEqual(before.data, findExtension(second.extensions, ExtensionType.key_share)!.data)) refuse('changed key_share, which we did not ask for')
    return
  }
  if (shares.length !== 1 || shares[0]!.group !== retry.group) refuse('must carry exactly one key share, for the group we asked for')
}

/** early_data may only go, cookie must be the one we sent, pre_shared_key may only drop identities (RFC 8446 4.1.2). */
function checkRetryExtensions(first: ClientHello, second: ClientHello, retry: RetryRequest): void {
  if (findExtension(second.extensions, ExtensionType.early_data)) refuse('offers early_data, which is not permitted after a HelloRetryRequest')
  const echoed = readExtension(second.extensions, cookie)
  if (retry.cookie === undefined && echoed !== undefined) refuse('has a cookie we never sent')
  if (retry.cookie !== undefined && (echoed === undefined || !bytesEqual(echoed, retry.cookie))) refuse('does not echo our cookie')
  const offered = readExtension(second.extensions, preSharedKeyClientHello)
  if (offered) {
    const original = readExtension(first.extensions, preSharedKeyClientHello)
    if (!original) refuse('adds a pre_shared_key')
    let from = 0
    for (const { identity } of offered.identities) {
      while (from < original.identities.length && !bytesEqual(original.identities[from]!.identity, identity)) from++
      if (from++ === original.identities.length) refuse('offers a PSK identity the first ClientHello did not')
    }
  }
}

/**
 * Checks the second ClientHello against the first and our HelloRetryRequest (RFC 8446 4.1.2): only the key share,
 * early_data (removed), the cookie, the pre_shared_key (recomputed, identities dropped) and padding may change.
 * Anything else is illegal_parameter: the server must not answer the first hello's SNI or ALPN for a changed one.
 */
export function checkSecondClientHello(first: ClientHello, second: ClientHello, retry: RetryRequest): void {
  checkFixedFields(first, second)
  checkUnchangedExtensions(first, second)
  checkKeyShare(first, second, retry)
  checkRetryExtensions(first, second, retry)
}
