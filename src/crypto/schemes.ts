// The TLS SignatureScheme registry (RFC 8446 section 4.2.3): codes, names, and which key and version each fits.
import { rsaPssKeyParameters } from './keys.js'
import type { CurveName, HashName, PrivateKey, PublicKey, SignatureAlgorithm } from './provider.js'

/** The SignatureScheme code points we know by name (RFC 8446 section 4.2.3, RFC 5246 legacy pairs). */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
} as const

export type SignatureSchemeName = keyof typeof SignatureScheme

export type TlsSignatureVersion = 0x0304 | 0x0303

/** The key a scheme signs with: `rsa-pss` is an RSA key from an id-RSASSA-PSS certificate (rsa_pss_pss_*). */
type SchemeKey = 'ec' | 'ed25519' | 'rsa' | 'rsa-pss'

interface SchemeEntry {
  readonly name: SignatureSchemeName
  /** Undefined for schemes we know but refuse (SHA-1, P-521, Ed448). */
  readonly algorithm?: SignatureAlgorithm
  readonly key?: SchemeKey
  /** TLS 1.3 binds an ECDSA scheme to this curve; TLS 1.2 lets the hash float. */
  readonly curve?: CurveName
  /** RFC 8446 section 4.4.3: RSASSA-PKCS1-v1_5 never signs a TLS 1.3 CertificateVerify. */
  readonly tls12Only?: boolean
}

const hashLength: Record<HashName, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }

const ecdsa = (name: SignatureSchemeName, curve: CurveName, hash: HashName): SchemeEntry => ({ name, algorithm: { type: 'ecdsa', hash }, key: 'ec', curve })
const pkcs1 = (name: SignatureSchemeName, hash: HashName): SchemeEntry => ({ name, algorithm: { type: 'rsa-pkcs1', hash }, key: 'rsa', tls12Only: true })
const pss = (name: SignatureSchemeName, key: 'rsa' | 'rsa-pss', hash: HashName): SchemeEntry => ({
  name,
  algorithm: { type: 'rsa-pss', hash, saltLength: hashLength[hash] },
  key,
})
const refused = (name: SignatureSchemeName): SchemeEntry => ({ name })

const entries: readonly SchemeEntry[] = [
  pkcs1('rsa_pkcs1_sha256', 'SHA-256'),
  pkcs1('rsa_pkcs1_sha384', 'SHA-384'),
  pkcs1('rsa_pkcs1_sha512', 'SHA-512'),
  ecdsa('ecdsa_secp256r1_sha256', 'P-256', 'SHA-256'),
  ecdsa('ecdsa_secp384r1_sha384', 'P-384', 'SHA-384'),
  refused('ecdsa_secp521r1_sha512'),
  pss('rsa_pss_rsae_sha256', 'rsa', 'SHA-256'),
  pss('rsa_pss_rsae_sha384', 'rsa', 'SHA-384'),
  pss('rsa_pss_rsae_sha512', 'rsa', 'SHA-512'),
  { name: 'ed25519', algorithm: { type: 'ed25519' }, key: 'ed25519' },
  refused('ed448'),
  pss('rsa_pss_pss_sha256', 'rsa-pss', 'SHA-256'),
  pss('rsa_pss_pss_sha384', 'rsa-pss', 'SHA-384'),
  pss('rsa_pss_pss_sha512', 'rsa-pss', 'SHA-512'),
  refused('rsa_pkcs1_sha1'),
  refused('ecdsa_sha1'),
]

const byCode = new Map<number, SchemeEntry>(entries.map((entry) => [SignatureScheme[entry.name], entry]))

/**
 * Our default signature_algorithms, strongest-first in the order Go and rustls use: ECDSA, Ed25519,
 * RSA-PSS (rsaEncryption keys), then PKCS#1 v1.5 (TLS 1.2, and certificate signatures in TLS 1.3).
 */
export const SUPPORTED_SIGNATURE_SCHEMES: readonly number[] = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.ed25519,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
]

/** Schemes we can sign with, in preference order: the defaults, then rsa_pss_pss_* for id-RSASSA-PSS keys. */
const signingPreference: readonly number[] = [
  ...SUPPORTED_SIGNATURE_SCHEMES,
  SignatureScheme.rsa_pss_pss_sha256,
  SignatureScheme.rsa_pss_pss_sha384,
  SignatureScheme.rsa_pss_pss_sha512,
]

/** The RFC 8446 name of a scheme, or `unknown(0x….)`. */
export function signatureSchemeName(code: number): string {
  return byCode.get(code)?.name ?? `unknown(0x${code.toString(16).padStart(4, '0')})`
}

/** What a scheme computes; undefined for unknown schemes and for those we refuse (SHA-1, P-521, Ed448). */
export function signatureAlgorithmForScheme(code: number): SignatureAlgorithm | undefined {
  return byCode.get(code)?.algorithm
}

function keyKind(key: PublicKey): SchemeKey {
  return key.type === 'rsa' && rsaPssKeyParameters(key) !== undefined ? 'rsa-pss' : key.type
}

/**
 * May `publicKey` make (or check) a CertificateVerify / ServerKeyExchange signature with `code` in
 * this TLS version? TLS 1.3: an ECDSA scheme names its curve, and rsa_pkcs1_* is refused. TLS 1.2:
 * ECDSA with any of its hashes on any curve we support. rsa_pss_rsae_* needs an rsaEncryption key,
 * rsa_pss_pss_* an id-RSASSA-PSS key whose parameters, if any, name the same hash.
 */
export function schemeMatchesKey(code: number, publicKey: PublicKey, tlsVersion: TlsSignatureVersion): boolean {
  const entry = byCode.get(code)
  if (!entry?.algorithm || entry.key !== keyKind(publicKey)) return false
  if (entry.tls12Only && tlsVersion !== 0x0303) return false
  if (entry.curve && tlsVersion === 0x0304 && (publicKey.type !== 'ec' || publicKey.curve !== entry.curve)) return false
  if (entry.key === 'rsa-pss') {
    const required = rsaPssKeyParameters(publicKey)?.hash
    const algorithm = entry.algorithm
    if (required !== undefined && algorithm.type === 'rsa-pss' && algorithm.hash !== required) return false
  }
  return true
}

/** The schemes `key` can sign with in this version, best first (an ECDSA key's own curve's scheme leads). */
export function schemesForPrivateKey(key: PrivateKey, tlsVersion: TlsSignatureVersion): number[] {
  const publicKey = key.publicKey
  const usable = signingPreference.filter((code) => schemeMatchesKey(code, publicKey, tlsVersion))
  const ownCurve = (code: number) => (publicKey.type === 'ec' && byCode.get(code)?.curve === publicKey.curve ? 0 : 1)
  return usable.sort((a, b) => ownCurve(a) - ownCurve(b))
}
