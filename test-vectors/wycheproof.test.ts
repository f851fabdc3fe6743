// Wycheproof vectors run through the noble CryptoProvider's own entry points (and SPKI import for the keys).
import { readFileSync } from 'node:fs'
import * as asn1js from 'asn1js'
import { describe, expect, it } from 'vitest'
import { CertificateVerificationError, TlsError } from '../src/errors.js'
import { publicKeyFromSpki } from '../src/crypto/keys.js'
import { nobleProvider as provider } from '../src/crypto/noble.js'
import type { AeadName, HashName, PublicKey, SignatureAlgorithm } from '../src/crypto/provider.js'

type Result = 'valid' | 'invalid' | 'acceptable'

interface WycheproofTest {
  tcId: number
  comment: string
  flags: string[]
  result: Result
  [field: string]: unknown
}

interface WycheproofGroup {
  tests: WycheproofTest[]
  [field: string]: unknown
}

interface WycheproofFile {
  algorithm: string
  numberOfTests: number
  testGroups: WycheproofGroup[]
}

/** What our code did with a case: accepted it (with the right output), refused it, or it does not apply to us. */
type Outcome = 'accepted' | 'rejected' | { wrongOutput: string } | { crashed: string } | { notApplicable: string }

/** For `acceptable` cases: what we promise to do. */
type AcceptablePolicy = 'accept' | 'reject' | 'either'

interface Counts {
  valid: number
  invalid: number
  acceptable: number
  notApplicable: number
}

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b))
const str = (t: WycheproofTest, field: string): string => t[field] as string

function load(name: string): WycheproofFile {
  return JSON.parse(readFileSync(new URL(`./data/wycheproof/${name}`, import.meta.url), 'utf8')) as WycheproofFile
}

/** Runs `attempt`, turning a typed refusal into `rejected` and anything untyped into a crash. */
function guarded(attempt: () => Outcome): Outcome {
  try {
    return attempt()
  } catch (e) {
    if (e instanceof TlsError) return 'rejected'
    return { crashed: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }
  }
}

const accepted = (ok: boolean): Outcome => (ok ? 'accepted' : 'rejected')
const outputMatches = (actual: Uint8Array, expected: Uint8Array): Outcome =>
  same(actual, expected) ? 'accepted' : { wrongOutput: Buffer.from(actual).toString('hex').slice(0, 32) }

/**
 * Runs every case of a file and checks it: valid must be accepted with the right output, invalid
 * rejected, acceptable per `policy` (by flags). Returns counts and a readable report.
 */
function runFile(
  name: string,
  run: (group: WycheproofGroup, test: WycheproofTest) => Outcome,
  policy: (test: WycheproofTest) => AcceptablePolicy = () => 'either',
): { counts: Counts; mismatches: string[]; acceptableLog: Map<string, number>; notApplicableLog: Map<string, number>; total: number; declared: number } {
  const file = load(name)
  const counts: Counts = { valid: 0, invalid: 0, acceptable: 0, notApplicable: 0 }
  const mismatches: string[] = []
  const acceptableLog = new Map<string, number>()
  const notApplicableLog = new Map<string, number>()
  const bump = (log: Map<string, number>, key: string) => log.set(key, (log.get(key) ?? 0) + 1)
  let total = 0
  for (const group of file.testGroups) {
    for (const test of group.tests) {
      total++
      const outcome = run(group, test)
      if (typeof outcome === 'object' && 'notApplicable' in outcome) {
        counts.notApplicable++
        bump(notApplicableLog, outcome.notApplicable)
        continue
      }
      counts[test.result]++
      const shown = typeof outcome === 'string' ? outcome : JSON.stringify(outcome)
      const wanted: AcceptablePolicy = test.result === 'valid' ? 'accept' : test.result === 'invalid' ? 'reject' : policy(test)
      if (test.result === 'acceptable') bump(acceptableLog, `[${test.flags.join(',')}] policy ${wanted}: ${shown}`)
      const fine = (outcome === 'accepted' && wanted !== 'reject') || (outcome === 'rejected' && wanted !== 'accept')
      if (!fine) mismatches.push(`tcId ${test.tcId} (${test.result}, ${test.comment || test.flags.join(',')}): expected ${wanted}, got ${shown}`)
    }
  }
  return { counts, mismatches, acceptableLog, notApplicableLog, total, declared: file.numberOfTests }
}

const counts = (valid: number, invalid: number, acceptable: number, notApplicable: number): Counts => ({ valid, invalid, acceptable, notApplicable })

function check(name: string, report: ReturnType<typeof runFile>, expected: Counts): void {
  const lines = [
    `${name}: ${report.counts.valid} valid, ${report.counts.invalid} invalid, ${report.counts.acceptable} acceptable, ${report.counts.notApplicable} not applicable`,
    ...[...report.acceptableLog].map(([what, n]) => `  acceptable ${what} ×${n}`),
    ...[...report.notApplicableLog].map(([why, n]) => `  not applicable: ${why} ×${n}`),
  ]
  console.log(lines.join('\n'))
  expect(report.mismatches, `${name}: cases that mismatched:\n${report.mismatches.join('\n')}`).toEqual([])
  expect(report.total, `${name}: every declared test was run`).toBe(report.declared)
  expect(report.counts.valid + report.counts.invalid, `${name}: some cases applied`).toBeGreaterThan(0)
  expect(report.counts, `${name}: case counts`).toEqual(expected)
}

// ---- AEAD ----

function aeadCase(name: (keyBits: number) => AeadName | undefined) {
  return (group: WycheproofGroup, t: WycheproofTest): Outcome => {
    const aead = name(group['keySize'] as number)
    if (!aead) return { notApplicable: `${group['keySize']}-bit key (TLS suites use 128 and 256)` }
    if (group['ivSize'] !== 96) return { notApplicable: `${group['ivSize']}-bit IV (TLS nonces are 96 bits)` }
    if (group['tagSize'] !== 128) return { notApplicable: `${group['tagSize']}-bit tag (TLS tags are 128 bits)` }
    return guarded(() => {
      const key = provider.aead(aead).importKey(hex(str(t, 'key')))
      const [iv, aad, msg] = [hex(str(t, 'iv')), hex(str(t, 'aad')), hex(str(t, 'msg'))]
      const sealedExpected = hex(str(t, 'ct') + str(t, 'tag'))
      const opened = key.open(iv, sealedExpected, aad)
      if (opened === null) return 'rejected'
      if (!same(opened, msg)) return { wrongOutput: 'open' }
      return outputMatches(key.seal(iv, msg, aad), sealedExpected)
    })
  }
}

// ---- key agreement ----

function x25519Case(_group: WycheproofGroup, t: WycheproofTest): Outcome {
  return guarded(() => outputMatches(provider.generateKeyShare('x25519', hex(str(t, 'private'))).agree(hex(str(t, 'public'))), hex(str(t, 'shared'))))
}

/** Wycheproof writes scalars as signed big-endian integers: strip a sign byte, left-pad to the field size. */
function scalar(hexValue: string, size: number): Uint8Array {
  const bytes = hex(hexValue)
  const trimmed = bytes.length > size && bytes[0] === 0 ? bytes.subarray(bytes.length - size) : bytes
  const out = new Uint8Array(size)
  out.set(trimmed, size - trimmed.length)
  return out
}

function importSpki(der: Uint8Array): PublicKey | 'rejected' {
  try {
    return publicKeyFromSpki(der)
  } catch (e) {
    if (e instanceof CertificateVerificationError) return 'rejected'
    throw e
  }
}

function ecdhCase(_group: WycheproofGroup, t: WycheproofTest): Outcome {
  return guarded(() => {
    const key = importSpki(hex(str(t, 'public')))
    if (key === 'rejected' || key.type !== 'ec' || key.curve !== 'P-256') return 'rejected'
    if (t.flags.includes('CompressedPoint')) return { notApplicable: 'compressed point: key_share carries only uncompressed points (RFC 8446 4.2.8.2)' }
    const share = provider.generateKeyShare('secp256r1', scalar(str(t, 'private'), 32))
    return outputMatches(share.agree(key.point), hex(str(t, 'shared')))
  })
}

/** The raw subjectPublicKey of an SPKI, as a peer would put it in key_share, or undefined if it will not parse. */
function rawSpkiPoint(der: Uint8Array): Uint8Array | undefined {
  const parsed = asn1js.fromBER(der)
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) return undefined
  const bits = parsed.result.valueBlock.value[1]
  return bits instanceof asn1js.BitString ? bits.valueBlock.valueHexView : undefined
}

// ---- signatures ----

const hashNames = new Set<string>(['SHA-256', 'SHA-384', 'SHA-512'])

function signatureCase(algorithm: (group: WycheproofGroup) => SignatureAlgorithm | { notApplicable: string }) {
  return (group: WycheproofGroup, t: WycheproofTest): Outcome => {
    const alg = algorithm(group)
    if ('notApplicable' in alg) return alg
    return guarded(() => {
      const key = importSpki(hex(group['publicKeyDer'] as string))
      if (key === 'rejected') return { crashed: 'the group public key was refused' }
      return accepted(provider.verify(alg, key, hex(str(t, 'msg')), hex(str(t, 'sig'))))
    })
  }
}

const groupHash = (group: WycheproofGroup) => group['sha'] as HashName

function pssAlgorithm(group: WycheproofGroup): SignatureAlgorithm | { notApplicable: string } {
  const [hash, mgfHash] = [group['sha'] as string, group['mgfSha'] as string]
  if (!hashNames.has(hash)) return { notApplicable: `${hash} as the message hash (TLS PSS uses SHA-256/384/512)` }
  if (group['mgf'] !== 'MGF1' || mgfHash !== hash) return { notApplicable: `MGF1 with ${mgfHash} under ${hash} (TLS uses the same hash for both)` }
  return { type: 'rsa-pss', hash: hash as HashName, saltLength: group['sLen'] as number }
}

// ---- HKDF ----

function hkdfCase(hash: HashName) {
  return (_group: WycheproofGroup, t: WycheproofTest): Outcome =>
    guarded(() => {
      const prk = provider.hkdfExtract(hash, hex(str(t, 'salt')), hex(str(t, 'ikm')))
      return outputMatches(provider.hkdfExpand(hash, prk, hex(str(t, 'info')), t['size'] as number), hex(str(t, 'okm')))
    })
}

describe('Wycheproof through the noble provider', () => {
  it('AES-GCM (aes_gcm_test.json)', () => {
    const name = (bits: number): AeadName | undefined => (bits === 128 ? 'AES-128-GCM' : bits === 256 ? 'AES-256-GCM' : undefined)
    check('aes_gcm', runFile('aes_gcm_test.json', aeadCase(name)), counts(79, 54, 0, 183))
  })

  it('ChaCha20-Poly1305 (chacha20_poly1305_test.json)', () => {
    const name = (bits: number): AeadName | undefined => (bits === 256 ? 'CHACHA20-POLY1305' : undefined)
    check('chacha20_poly1305', runFile('chacha20_poly1305_test.json', aeadCase(name)), counts(256, 60, 0, 9))
  })

  it('X25519 (x25519_test.json): all-zero shared secrets refused (RFC 8446 7.4.2), twist and non-canonical points accepted', () => {
    const policy = (t: WycheproofTest): AcceptablePolicy => (t.flags.includes('ZeroSharedSecret') ? 'reject' : 'accept')
    check('x25519', runFile('x25519_test.json', x25519Case, policy), counts(264, 0, 254, 0))
  })

  it('ECDH P-256 (ecdh_secp256r1_test.json): SPKI decoded by publicKeyFromSpki, then key_share agree()', () => {
    const policy = (t: WycheproofTest): AcceptablePolicy => (t.flags.includes('UnnamedCurve') ? 'reject' : 'either')
    check('ecdh_secp256r1', runFile('ecdh_secp256r1_test.json', ecdhCase, policy), counts(330, 52, 229, 1))
  })

  it('ECDH P-256: agree() on its own refuses every invalid uncompressed point the SPKI carries', () => {
    // Cases with explicit curve parameters (UnnamedCurve) are invalid for their parameters, which a key_share never carries.
    const file = load('ecdh_secp256r1_test.json')
    const accepted: number[] = []
    let tried = 0
    for (const t of file.testGroups.flatMap((g) => g.tests)) {
      const pointIsTheProblem = t.result === 'invalid' && !t.flags.includes('UnnamedCurve')
      const point = pointIsTheProblem ? rawSpkiPoint(hex(str(t, 'public'))) : undefined
      if (!point || point.length !== 65 || point[0] !== 4) continue
      tried++
      const share = provider.generateKeyShare('secp256r1', scalar(str(t, 'private'), 32))
      const outcome = guarded(() => outputMatches(share.agree(point), hex(str(t, 'shared'))))
      if (outcome !== 'rejected') accepted.push(t.tcId)
    }
    console.log(`ecdh_secp256r1 raw points: ${tried} invalid uncompressed points offered to agree()`)
    expect(accepted, `agree() accepted invalid points in tcIds ${accepted.join(', ')}`).toEqual([])
    expect(tried).toBeGreaterThan(0)
  })

  for (const [file, expected] of [
    ['ecdsa_secp256r1_sha256_test.json', counts(174, 310, 0, 0)],
    ['ecdsa_secp384r1_sha384_test.json', counts(194, 310, 0, 0)],
  ] as const) {
    it(`ECDSA DER (${file}): strict DER, high S accepted`, () => {
      check(file, runFile(file, signatureCase((g) => ({ type: 'ecdsa', hash: groupHash(g) }))), expected)
    })
  }

  it('Ed25519 (ed25519_test.json): RFC 8032 strict verification', () => {
    check('ed25519', runFile('ed25519_test.json', signatureCase(() => ({ type: 'ed25519' }))), counts(88, 63, 0, 0))
  })

  for (const [file, expected] of [
    ['rsa_signature_2048_sha256_test.json', counts(9, 249, 1, 0)],
    ['rsa_signature_2048_sha384_test.json', counts(7, 250, 1, 0)],
    ['rsa_signature_3072_sha256_test.json', counts(8, 250, 1, 0)],
  ] as const) {
    it(`RSASSA-PKCS1-v1_5 (${file}): the one DER DigestInfo encoding, so MissingNull is refused`, () => {
      const policy = (t: WycheproofTest): AcceptablePolicy => (t.flags.includes('MissingNull') ? 'reject' : 'either')
      check(file, runFile(file, signatureCase((g) => ({ type: 'rsa-pkcs1', hash: groupHash(g) })), policy), expected)
    })
  }

  for (const [file, expected] of [
    ['rsa_pss_2048_sha256_mgf1_32_test.json', counts(63, 45, 0, 0)],
    ['rsa_pss_misc_test.json', counts(18, 0, 0, 132)],
  ] as const) {
    it(`RSASSA-PSS (${file}): MGF1 with the message hash, salt length from the group`, () => {
      check(file, runFile(file, signatureCase(pssAlgorithm)), expected)
    })
  }

  for (const [hash, expected] of [
    ['SHA-256', counts(83, 3, 0, 0)],
    ['SHA-384', counts(80, 3, 0, 0)],
  ] as const) {
    const file = `hkdf_${hash.replace('-', '').toLowerCase()}_test.json`
    it(`HKDF-${hash} (${file}): extract + expand; outputs over 255·HashLen refused`, () => {
      check(file, runFile(file, hkdfCase(hash)), expected)
    })
  }
})
