// The benchmark's connection set-ups: the four handshake scenarios and the bulk suites, as pure-tls and node:tls options.
import { createDefaultContext, type ContextOptions, type TlsContext } from '../../src/handshake/context.js'
import type { CryptoProvider, NamedGroupName } from '../../src/crypto/provider.js'
import { nobleProvider } from '../../src/crypto/noble.js'
import { cipherSuiteByName, type CipherSuite } from '../../src/policy/suites.js'
import type { BenchChain } from './pki.js'
import type { CipherSuiteName } from '../../src/policy/names.js'

export type ChainKind = 'ecdsa-p256' | 'rsa-2048'

/** One way of connecting: version, suite, group and certificate chain, pinned on both ends. */
export interface Setup {
  readonly id: string
  readonly label: string
  readonly version: 'TLSv1.3' | 'TLSv1.2'
  readonly suite: CipherSuite
  /** The group negotiated, as pure-tls options and node:tls `ecdhCurve` both spell it. */
  readonly group: 'X25519' | 'P-256'
  /**
   * The groups both ends offer, the negotiated one first. TLS 1.2 with an ECDSA certificate offers P-256 too:
   * OpenSSL only picks an ECDHE-ECDSA suite when the client lists the certificate's curve (RFC 8422 5.1).
   */
  readonly groups: readonly ('X25519' | 'P-256')[]
  readonly chain: ChainKind
}

const groupNames: Record<Setup['group'], NamedGroupName> = { X25519: 'x25519', 'P-256': 'secp256r1' }

function setup(id: string, version: Setup['version'], suiteName: string, group: Setup['group'], chain: ChainKind, label: string): Setup {
  const suite = cipherSuiteByName(suiteName)
  if (!suite) throw new Error(`unknown suite ${suiteName}`)
  const groups = version === 'TLSv1.2' && chain === 'ecdsa-p256' && group !== 'P-256' ? [group, 'P-256' as const] : [group]
  return { id, label, version, suite, group, groups, chain }
}

/**
 * The handshake scenarios. TLS 1.3 uses ChaCha20-Poly1305, the suite pure-tls negotiates by default on this provider
 * (noble's AES is software-only); the AEAD barely matters to a handshake, and it is pinned on both ends.
 */
export const handshakeSetups: readonly Setup[] = [
  setup('a', 'TLSv1.3', 'TLS_CHACHA20_POLY1305_SHA256', 'X25519', 'ecdsa-p256', 'TLS 1.3 X25519, ECDSA P-256 chain'),
  setup('b', 'TLSv1.3', 'TLS_CHACHA20_POLY1305_SHA256', 'X25519', 'rsa-2048', 'TLS 1.3 X25519, RSA-2048 chain'),
  setup('c', 'TLSv1.3', 'TLS_CHACHA20_POLY1305_SHA256', 'P-256', 'ecdsa-p256', 'TLS 1.3 P-256, ECDSA P-256 chain'),
  setup('d', 'TLSv1.2', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'X25519', 'ecdsa-p256', 'TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256, X25519'),
]

/** The bulk-transfer suites: every TLS 1.3 suite and the TLS 1.2 ECDSA ones, over an X25519, P-256 ECDSA connection. */
export const bulkSetups: readonly Setup[] = [
  setup('1.3-aes128', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256', 'X25519', 'ecdsa-p256', 'TLS 1.3 TLS_AES_128_GCM_SHA256'),
  setup('1.3-aes256', 'TLSv1.3', 'TLS_AES_256_GCM_SHA384', 'X25519', 'ecdsa-p256', 'TLS 1.3 TLS_AES_256_GCM_SHA384'),
  setup('1.3-chacha', 'TLSv1.3', 'TLS_CHACHA20_POLY1305_SHA256', 'X25519', 'ecdsa-p256', 'TLS 1.3 TLS_CHACHA20_POLY1305_SHA256'),
  setup('1.2-aes128', 'TLSv1.2', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'X25519', 'ecdsa-p256', 'TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256'),
  setup('1.2-aes256', 'TLSv1.2', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'X25519', 'ecdsa-p256', 'TLS 1.2 ECDHE-ECDSA-AES256-GCM-SHA384'),
  setup('1.2-chacha', 'TLSv1.2', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'X25519', 'ecdsa-p256', 'TLS 1.2 ECDHE-ECDSA-CHACHA20-POLY1305'),
]

/** The group as ConnectionInfo reports it. */
export function groupName(s: Setup): NamedGroupName {
  return groupNames[s.group]
}

/** The parameters both ends are pinned to (versions, suite, group). */
function pinned(s: Setup): ContextOptions {
  return { minVersion: s.version, maxVersion: s.version, cipherSuites: [s.suite.name as CipherSuiteName], groups: s.groups }
}

export interface PureTlsContexts {
  /** Verifies the whole chain to the root and checks the host name (the defaults of a client context). */
  readonly client: TlsContext
  readonly server: TlsContext
}

/** One client and one server context for `s`, made once and reused for every connection. */
export function pureTlsContexts(s: Setup, chain: BenchChain, provider: CryptoProvider = nobleProvider): PureTlsContexts {
  return {
    client: createDefaultContext('server-auth', { ...pinned(s), provider, ca: chain.rootPem }),
    server: createDefaultContext('client-auth', { ...pinned(s), provider, cert: chain.chainPem, key: chain.keyPem }),
  }
}
