// The string-literal unions of names (CipherSuiteName, GroupName, SignatureSchemeOptionName) list exactly what the options accept.
import { describe, expect, it } from 'vitest'
import { SUPPORTED_SIGNATURE_SCHEMES, signatureSchemeName } from '../crypto/schemes.js'
import { type CipherSuiteName, type GroupName, groupByName, type SignatureSchemeOptionName, schemeByName, suiteByName } from './names.js'
import { cipherSuites } from './suites.js'

// Records keyed by each union: tsc refuses a missing or an extra key, so these are the unions' members exactly.
const suiteNames: Record<CipherSuiteName, true> = {
  TLS_AES_128_GCM_SHA256: true,
  TLS_AES_256_GCM_SHA384: true,
  TLS_CHACHA20_POLY1305_SHA256: true,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: true,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: true,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: true,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: true,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: true,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: true,
  'ECDHE-ECDSA-AES128-GCM-SHA256': true,
  'ECDHE-ECDSA-AES256-GCM-SHA384': true,
  'ECDHE-ECDSA-CHACHA20-POLY1305': true,
  'ECDHE-RSA-AES128-GCM-SHA256': true,
  'ECDHE-RSA-AES256-GCM-SHA384': true,
  'ECDHE-RSA-CHACHA20-POLY1305': true,
}
const groupNames: Record<GroupName, true> = {
  X25519: true,
  x25519: true,
  'P-256': true,
  secp256r1: true,
  prime256v1: true,
  'P-384': true,
  secp384r1: true,
  X25519MLKEM768: true,
  x25519mlkem768: true,
  SecP256r1MLKEM768: true,
  secp256r1mlkem768: true,
}
const schemeNames: Record<SignatureSchemeOptionName, true> = {
  ecdsa_secp256r1_sha256: true,
  ecdsa_secp384r1_sha384: true,
  ed25519: true,
  rsa_pss_rsae_sha256: true,
  rsa_pss_rsae_sha384: true,
  rsa_pss_rsae_sha512: true,
  rsa_pkcs1_sha256: true,
  rsa_pkcs1_sha384: true,
  rsa_pkcs1_sha512: true,
}

describe('option name types', () => {
  it('CipherSuiteName is every implemented suite by IANA and OpenSSL name, each accepted', () => {
    const implemented = new Set(cipherSuites.flatMap((suite) => [suite.name, suite.openSslName]))
    expect(new Set(Object.keys(suiteNames))).toEqual(implemented)
    for (const name of Object.keys(suiteNames)) expect(suiteByName(name), name).toBeDefined()
  })

  it('GroupName is every name groupByName accepts', () => {
    for (const name of Object.keys(groupNames)) expect(groupByName(name), name).toBeDefined()
    for (const name of ['X448', 'P-521', 'secp521r1', 'ffdhe2048']) expect(groupByName(name), name).toBeUndefined()
  })

  it('SignatureSchemeOptionName is every supported scheme', () => {
    expect(new Set(Object.keys(schemeNames))).toEqual(new Set(SUPPORTED_SIGNATURE_SCHEMES.map(signatureSchemeName)))
    for (const name of Object.keys(schemeNames)) expect(schemeByName(name), name).toBeDefined()
  })
})
