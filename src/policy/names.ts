// Names users write in options (suites, groups, signature schemes) mapped to what the handshake uses, and back.
import type { NamedGroupName } from '../crypto/provider.js'
import { SUPPORTED_SIGNATURE_SCHEMES, signatureSchemeName } from '../crypto/schemes.js'
import { cipherSuiteByCode, cipherSuiteByName, describeCipherSuite } from './suites.js'

/** A protocol version by name, as `minVersion`/`maxVersion` take it and `ConnectionInfo.version` reports it. */
export type TlsVersionName = 'TLSv1.2' | 'TLSv1.3'

/** A TLS 1.3 cipher suite by its IANA name (RFC 8446 appendix B.4); OpenSSL uses the same names. */
export type Tls13CipherSuiteName = 'TLS_AES_128_GCM_SHA256' | 'TLS_AES_256_GCM_SHA384' | 'TLS_CHACHA20_POLY1305_SHA256'

/** A TLS 1.2 ECDHE + AEAD suite by its IANA name (RFC 5289, RFC 7905). */
export type Tls12CipherSuiteName =
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'
  | 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'
  | 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'
  | 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'

/** The same TLS 1.2 suites by OpenSSL's names. */
export type OpenSslCipherSuiteName =
  | 'ECDHE-ECDSA-AES128-GCM-SHA256'
  | 'ECDHE-ECDSA-AES256-GCM-SHA384'
  | 'ECDHE-ECDSA-CHACHA20-POLY1305'
  | 'ECDHE-RSA-AES128-GCM-SHA256'
  | 'ECDHE-RSA-AES256-GCM-SHA384'
  | 'ECDHE-RSA-CHACHA20-POLY1305'

/** Every cipher suite name the `cipherSuites` option accepts: the implemented suites by IANA or OpenSSL name. */
export type CipherSuiteName = Tls13CipherSuiteName | Tls12CipherSuiteName | OpenSslCipherSuiteName

/** Every group name the `groups` option accepts (RFC 8446 section 4.2.7 names, and the common aliases). */
export type GroupName =
  | 'X25519'
  | 'x25519'
  | 'P-256'
  | 'secp256r1'
  | 'prime256v1'
  | 'P-384'
  | 'secp384r1'
  | 'X25519MLKEM768'
  | 'x25519mlkem768'
  | 'SecP256r1MLKEM768'
  | 'secp256r1mlkem768'

/** Every signature scheme the `signatureSchemes` option accepts, by its RFC 8446 section 4.2.3 name. */
export type SignatureSchemeOptionName =
  | 'ecdsa_secp256r1_sha256'
  | 'ecdsa_secp384r1_sha384'
  | 'ed25519'
  | 'rsa_pss_rsae_sha256'
  | 'rsa_pss_rsae_sha384'
  | 'rsa_pss_rsae_sha512'
  | 'rsa_pkcs1_sha256'
  | 'rsa_pkcs1_sha384'
  | 'rsa_pkcs1_sha512'

const groupAliases: Record<string, NamedGroupName> = {
  x25519: 'x25519',
  X25519: 'x25519',
  secp256r1: 'secp256r1',
  'P-256': 'secp256r1',
  prime256v1: 'secp256r1',
  secp384r1: 'secp384r1',
  'P-384': 'secp384r1',
  X25519MLKEM768: 'X25519MLKEM768',
  x25519mlkem768: 'X25519MLKEM768',
  SecP256r1MLKEM768: 'SecP256r1MLKEM768',
  secp256r1mlkem768: 'SecP256r1MLKEM768',
}

const groupDisplay: Record<NamedGroupName, string> = {
  x25519: 'X25519',
  secp256r1: 'P-256',
  secp384r1: 'P-384',
  X25519MLKEM768: 'X25519MLKEM768',
  SecP256r1MLKEM768: 'SecP256r1MLKEM768',
}

/** An implemented group by any of its common names (X25519, P-256, prime256v1, secp384r1, X25519MLKEM768…). */
export function groupByName(name: string): NamedGroupName | undefined {
  return groupAliases[name]
}

export function groupDisplayName(group: NamedGroupName): string {
  return groupDisplay[group]
}

/** An implemented suite code by IANA or OpenSSL name. */
export function suiteByName(name: string): number | undefined {
  return cipherSuiteByName(name)?.code
}

export function suiteDisplayName(code: number): string {
  return describeCipherSuite(code)
}

/** The protocol version a suite belongs to (0x0304 or 0x0303). */
export function suiteVersion(code: number): number {
  const suite = cipherSuiteByCode(code)
  if (!suite) throw new RangeError(`not an implemented suite: ${code}`)
  return suite.version
}

/** An implemented signature scheme code by its RFC 8446 name. */
export function schemeByName(name: string): number | undefined {
  return SUPPORTED_SIGNATURE_SCHEMES.find((code) => signatureSchemeName(code) === name)
}

export function schemeDisplayName(code: number): string {
  return signatureSchemeName(code)
}
