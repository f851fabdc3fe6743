// The SignatureScheme registry: names, algorithms, and which key may use which scheme in TLS 1.2 and 1.3.
import { describe, expect, it } from 'vitest'
import { generatePrivateKey, importPrivateKey, importPublicKey } from './keys.js'
import type { PrivateKey, PublicKey } from './provider.js'
import { SUPPORTED_SIGNATURE_SCHEMES, SignatureScheme, schemeMatchesKey, schemesForPrivateKey, signatureAlgorithmForScheme, signatureSchemeName } from './schemes.js'

const S = SignatureScheme
const names = (codes: readonly number[]) => codes.map(signatureSchemeName)

// RSA public keys are made by hand: these tests need the shape of a key, not a working one.
const rsaPublic: PublicKey = { type: 'rsa', n: (1n << 2047n) + 1n, e: 65537n, bits: 2048 }
const p256 = generatePrivateKey('ecdsa-p256')
const p384 = generatePrivateKey('ecdsa-p384')
const ed = generatePrivateKey('ed25519')

/** An RSA-PSS SPKI (id-RSASSA-PSS, SHA-384 parameters) around a made-up 2048-bit modulus. */
function pssPublicKey(withSha384: boolean): PublicKey {
  const modulus = `0282010100${'c3'.repeat(255)}01`
  const rsaPublicKey = `3082010a${modulus}0203010001`
  const bitString = `0382010f00${rsaPublicKey}`
  const sha384 = '300d06096086480165030402020500'
  const params = withSha384 ? `3034a00f${sha384}a11c301a06092a864886f70d010108${sha384}a203020130` : ''
  const algorithm = `06092a864886f70d01010a${params}`
  const algorithmSeq = `30${(algorithm.length / 2).toString(16).padStart(2, '0')}${algorithm}`
  const body = algorithmSeq + bitString
  const spki = `3082${(body.length / 2).toString(16).padStart(4, '0')}${body}`
  return importPublicKey(new Uint8Array(Buffer.from(spki, 'hex')))
}

describe('names and algorithms', () => {
  it('names every RFC 8446 scheme, and unknown codes as unknown(0x....)', () => {
    expect(signatureSchemeName(0x0403)).toBe('ecdsa_secp256r1_sha256')
    expect(signatureSchemeName(0x080b)).toBe('rsa_pss_pss_sha512')
    expect(signatureSchemeName(0x0201)).toBe('rsa_pkcs1_sha1')
    expect(signatureSchemeName(0xfe00)).toBe('unknown(0xfe00)')
    expect(signatureSchemeName(0x0101)).toBe('unknown(0x0101)')
  })

  it('maps schemes to algorithms, PSS salt = hash length, and refuses SHA-1, P-521 and Ed448', () => {
    expect(signatureAlgorithmForScheme(S.ecdsa_secp384r1_sha384)).toEqual({ type: 'ecdsa', hash: 'SHA-384' })
    expect(signatureAlgorithmForScheme(S.rsa_pss_rsae_sha512)).toEqual({ type: 'rsa-pss', hash: 'SHA-512', saltLength: 64 })
    expect(signatureAlgorithmForScheme(S.rsa_pss_pss_sha256)).toEqual({ type: 'rsa-pss', hash: 'SHA-256', saltLength: 32 })
    expect(signatureAlgorithmForScheme(S.rsa_pkcs1_sha384)).toEqual({ type: 'rsa-pkcs1', hash: 'SHA-384' })
    expect(signatureAlgorithmForScheme(S.ed25519)).toEqual({ type: 'ed25519' })
    for (const refused of [S.rsa_pkcs1_sha1, S.ecdsa_sha1, S.ecdsa_secp521r1_sha512, S.ed448, 0x1234]) expect(signatureAlgorithmForScheme(refused)).toBeUndefined()
  })

  it('offers by default, strongest first: ECDSA, Ed25519, RSA-PSS, then PKCS#1', () => {
    expect(names(SUPPORTED_SIGNATURE_SCHEMES)).toEqual([
      'ecdsa_secp256r1_sha256',
      'ecdsa_secp384r1_sha384',
      'ed25519',
      'rsa_pss_rsae_sha256',
      'rsa_pss_rsae_sha384',
      'rsa_pss_rsae_sha512',
      'rsa_pkcs1_sha256',
      'rsa_pkcs1_sha384',
      'rsa_pkcs1_sha512',
    ])
    for (const code of SUPPORTED_SIGNATURE_SCHEMES) expect(signatureAlgorithmForScheme(code)).toBeDefined()
  })
})

describe('schemeMatchesKey', () => {
  it('TLS 1.3 binds the ECDSA curve; TLS 1.2 lets the hash float over supported curves', () => {
    expect(schemeMatchesKey(S.ecdsa_secp256r1_sha256, p256.publicKey, 0x0304)).toBe(true)
    expect(schemeMatchesKey(S.ecdsa_secp384r1_sha384, p256.publicKey, 0x0304)).toBe(false)
    expect(schemeMatchesKey(S.ecdsa_secp384r1_sha384, p256.publicKey, 0x0303)).toBe(true)
    expect(schemeMatchesKey(S.ecdsa_secp256r1_sha256, p384.publicKey, 0x0303)).toBe(true)
    expect(schemeMatchesKey(S.ecdsa_secp521r1_sha512, p384.publicKey, 0x0303)).toBe(false)
    expect(schemeMatchesKey(S.ecdsa_sha1, p256.publicKey, 0x0303)).toBe(false)
  })

  it('rsa_pkcs1 only in TLS 1.2; rsa_pss_rsae in both; never across key types', () => {
    expect(schemeMatchesKey(S.rsa_pkcs1_sha256, rsaPublic, 0x0303)).toBe(true)
    expect(schemeMatchesKey(S.rsa_pkcs1_sha256, rsaPublic, 0x0304)).toBe(false)
    expect(schemeMatchesKey(S.rsa_pss_rsae_sha384, rsaPublic, 0x0304)).toBe(true)
    expect(schemeMatchesKey(S.rsa_pss_rsae_sha384, p256.publicKey, 0x0304)).toBe(false)
    expect(schemeMatchesKey(S.ed25519, ed.publicKey, 0x0304)).toBe(true)
    expect(schemeMatchesKey(S.ed25519, ed.publicKey, 0x0303)).toBe(true)
    expect(schemeMatchesKey(S.ed25519, rsaPublic, 0x0304)).toBe(false)
    expect(schemeMatchesKey(S.ecdsa_secp256r1_sha256, ed.publicKey, 0x0303)).toBe(false)
    expect(schemeMatchesKey(S.rsa_pkcs1_sha1, rsaPublic, 0x0303)).toBe(false)
  })

  it('rsa_pss_pss needs an id-RSASSA-PSS key (and its hash, when its parameters name one); rsae refuses such keys', () => {
    const open = pssPublicKey(false)
    const sha384Only = pssPublicKey(true)
    expect(schemeMatchesKey(S.rsa_pss_pss_sha256, rsaPublic, 0x0304)).toBe(false)
    expect(schemeMatchesKey(S.rsa_pss_pss_sha256, open, 0x0304)).toBe(true)
    expect(schemeMatchesKey(S.rsa_pss_rsae_sha256, open, 0x0304)).toBe(false)
    expect(schemeMatchesKey(S.rsa_pkcs1_sha256, open, 0x0303)).toBe(false)
    expect(schemeMatchesKey(S.rsa_pss_pss_sha384, sha384Only, 0x0304)).toBe(true)
    expect(schemeMatchesKey(S.rsa_pss_pss_sha256, sha384Only, 0x0304)).toBe(false)
  })
})

describe('schemesForPrivateKey', () => {
  const rsaPrivate = { type: 'rsa', publicKey: rsaPublic } as unknown as PrivateKey

  it('an ECDSA key prefers its own curve, and gets only that in TLS 1.3', () => {
    expect(names(schemesForPrivateKey(p384, 0x0304))).toEqual(['ecdsa_secp384r1_sha384'])
    expect(names(schemesForPrivateKey(p384, 0x0303))).toEqual(['ecdsa_secp384r1_sha384', 'ecdsa_secp256r1_sha256'])
    expect(names(schemesForPrivateKey(p256, 0x0303))).toEqual(['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384'])
  })

  it('Ed25519 and RSA keys', () => {
    expect(names(schemesForPrivateKey(ed, 0x0304))).toEqual(['ed25519'])
    expect(names(schemesForPrivateKey(rsaPrivate, 0x0304))).toEqual(['rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512'])
    expect(names(schemesForPrivateKey(rsaPrivate, 0x0303))).toEqual([
      'rsa_pss_rsae_sha256',
      'rsa_pss_rsae_sha384',
      'rsa_pss_rsae_sha512',
      'rsa_pkcs1_sha256',
      'rsa_pkcs1_sha384',
      'rsa_pkcs1_sha512',
    ])
  })

  it('an id-RSASSA-PSS key signs only rsa_pss_pss_*', () => {
    const pss = { type: 'rsa', publicKey: pssPublicKey(false) } as unknown as PrivateKey
    expect(names(schemesForPrivateKey(pss, 0x0303))).toEqual(['rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512'])
  })

  it('agrees with importPrivateKey output (the RFC 8410 section 10.3 example key)', () => {
    const pem = `-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n`
    expect(names(schemesForPrivateKey(importPrivateKey(pem), 0x0304))).toEqual(['ed25519'])
  })
})
