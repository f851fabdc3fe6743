// The cipher suite table: the TLS 1.3 and TLS 1.2 (ECDHE + AEAD) suites we implement, and the ones we name only to refuse.
import type { AeadName, HashName } from '../crypto/provider.js'

interface SuiteCommon {
  readonly code: number
  /** The IANA name, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`. */
  readonly name: string
  /** OpenSSL's name, e.g. `ECDHE-RSA-AES128-GCM-SHA256` (for 1.3 suites it equals the IANA name). */
  readonly openSslName: string
  readonly aead: AeadName
  /** The HKDF hash (1.3) or the PRF hash (1.2); the transcript uses it too. */
  readonly hash: HashName
  readonly keyLength: number
}

/** A TLS 1.3 suite: the AEAD and the HKDF hash; the key exchange and authentication are negotiated apart. */
export interface Tls13CipherSuite extends SuiteCommon {
  readonly version: 0x0304
  /** write_iv length (RFC 8446 5.3): always 12. */
  readonly ivLength: 12
}

/** A TLS 1.2 suite: always ECDHE here, authenticated by the certificate's key type. */
export interface Tls12CipherSuite extends SuiteCommon {
  readonly version: 0x0303
  readonly keyExchange: 'ecdhe'
  readonly authentication: 'ecdsa' | 'rsa'
  /** The implicit part of the nonce from the key block: 4-byte salt for GCM (RFC 5288), 12-byte IV for ChaCha20 (RFC 7905). */
  readonly ivLength: 4 | 12
  /** The nonce bytes carried in each record: 8 for GCM, none for ChaCha20. */
  readonly explicitNonceLength: 8 | 0
}

export type CipherSuite = Tls13CipherSuite | Tls12CipherSuite

const aeadKeyLength: Record<AeadName, number> = { 'AES-128-GCM': 16, 'AES-256-GCM': 32, 'CHACHA20-POLY1305': 32 }

function tls13(code: number, name: string, aead: AeadName, hash: HashName): Tls13CipherSuite {
  return { code, name, openSslName: name, version: 0x0304, aead, hash, keyLength: aeadKeyLength[aead], ivLength: 12 }
}

function tls12(code: number, name: string, openSslName: string, authentication: 'ecdsa' | 'rsa', aead: AeadName, hash: HashName): Tls12CipherSuite {
  const gcm = aead !== 'CHACHA20-POLY1305'
  return {
    code,
    name,
    openSslName,
    version: 0x0303,
    keyExchange: 'ecdhe',
    authentication,
    aead,
    hash,
    keyLength: aeadKeyLength[aead],
    ivLength: gcm ? 4 : 12,
    explicitNonceLength: gcm ? 8 : 0,
  }
}

/** Every suite we implement, TLS 1.3 first. */
export const cipherSuites: readonly CipherSuite[] = Object.freeze([
  tls13(0x1301, 'TLS_AES_128_GCM_SHA256', 'AES-128-GCM', 'SHA-256'),
  tls13(0x1302, 'TLS_AES_256_GCM_SHA384', 'AES-256-GCM', 'SHA-384'),
  tls13(0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'CHACHA20-POLY1305', 'SHA-256'),
  tls12(0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ecdsa', 'AES-128-GCM', 'SHA-256'),
  tls12(0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ecdsa', 'AES-256-GCM', 'SHA-384'),
  tls12(0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ecdsa', 'CHACHA20-POLY1305', 'SHA-256'),
  tls12(0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'rsa', 'AES-128-GCM', 'SHA-256'),
  tls12(0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'rsa', 'AES-256-GCM', 'SHA-384'),
  tls12(0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305', 'rsa', 'CHACHA20-POLY1305', 'SHA-256'),
])

/** Signalling values that travel in cipher_suites but name no suite (RFC 5746 3.3, RFC 7507). */
export const SignallingCipherSuite = {
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV: 0x00ff,
  TLS_FALLBACK_SCSV: 0x5600,
} as const

/** Suites peers commonly offer that we refuse, with the reason, so a refusal can say what was offered. */
const refusedSuites = new Map<number, { name: string; reason: string }>(
  (
    [
      [0x0004, 'TLS_RSA_WITH_RC4_128_MD5', 'RC4'],
      [0x0005, 'TLS_RSA_WITH_RC4_128_SHA', 'RC4'],
      [0x000a, 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'RSA key exchange, 3DES'],
      [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA', 'RSA key exchange, CBC'],
      [0x0033, 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 'finite-field DHE, CBC'],
      [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA', 'RSA key exchange, CBC'],
      [0x0039, 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 'finite-field DHE, CBC'],
      [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256', 'RSA key exchange, CBC'],
      [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256', 'RSA key exchange, CBC'],
      [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256', 'RSA key exchange'],
      [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384', 'RSA key exchange'],
      [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'finite-field DHE'],
      [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'finite-field DHE'],
      [0x1304, 'TLS_AES_128_CCM_SHA256', 'AES-CCM not implemented'],
      [0x1305, 'TLS_AES_128_CCM_8_SHA256', 'AES-CCM not implemented, truncated tag'],
      [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'CBC'],
      [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'CBC'],
      [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'CBC'],
      [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'CBC'],
      [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 'CBC'],
      [0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'CBC'],
      [0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 'CBC'],
      [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 'CBC'],
      [0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'finite-field DHE'],
    ] as const
  ).map(([code, name, reason]) => [code, { name, reason }]),
)

const byCode = new Map<number, CipherSuite>(cipherSuites.map((s) => [s.code, s]))
const byName = new Map<string, CipherSuite>(cipherSuites.flatMap((s) => [[s.name, s], [s.openSslName, s]] as const))

/** The suite with this code, or undefined for anything we do not implement. */
export function cipherSuiteByCode(code: number): CipherSuite | undefined {
  return byCode.get(code)
}

/** The suite with this IANA or OpenSSL name, or undefined. */
export function cipherSuiteByName(name: string): CipherSuite | undefined {
  return byName.get(name)
}

export function isTls13Suite(suite: CipherSuite): suite is Tls13CipherSuite {
  return suite.version === 0x0304
}

export function isTls12Suite(suite: CipherSuite): suite is Tls12CipherSuite {
  return suite.version === 0x0303
}

function hex4(code: number): string {
  return `0x${code.toString(16).padStart(4, '0')}`
}

/**
 * A human name for any code a peer may send: ours by IANA name, a known refused one with the reason
 * (`TLS_RSA_WITH_AES_128_CBC_SHA (0x002f, refused: RSA key exchange, CBC)`), a signalling value, or the hex code.
 */
export function describeCipherSuite(code: number): string {
  const ours = byCode.get(code)
  if (ours) return ours.name
  const refused = refusedSuites.get(code)
  if (refused) return `${refused.name} (${hex4(code)}, refused: ${refused.reason})`
  const signalling = Object.entries(SignallingCipherSuite).find(([, value]) => value === code)
  if (signalling) return signalling[0]
  return `unknown cipher suite ${hex4(code)}`
}
