// Wycheproof vectors run through each CryptoProvider's own entry points (noble, WebCrypto on Node's SubtleCrypto, node:crypto), and SPKI import for the keys.
import { readFileSync } from 'node:fs'
import * as asn1js from 'asn1js'
import { beforeAll, describe, expect, it } from 'vitest'
import { CertificateVerificationError, TlsError } from '../src/errors.js'
import { publicKeyFromSpki } from '../src/crypto/keys.js'
import { nobleProvider } from '../src/crypto/noble.js'
import { nodeCryptoProvider } from '../src/crypto/node-crypto.js'
import type { AeadName, CryptoProvider, HashName, PublicKey, SignatureAlgorithm } from '../src/crypto/provider.js'
import { createWebCryptoProvider } from '../src/crypto/webcrypto.js'
import type { MaybePromise } from '../src/pending.js'

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

/** Runs `attempt`, turning a typed refusal (thrown or rejected) into `rejected` and anything untyped into a crash. */
async function guarded(attempt: () => MaybePromise<Outcome>): Promise<Outcome> {
  try {
    return await attempt()
  } catch (e) {
    if (e instanceof TlsError) return 'rejected'
    return { crashed: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }
  }
}

const accepted = (ok: boolean): Outcome => (ok ? 'accepted' : 'rejected')
const outputMatches = (actual: Uint8Array, expected: Uint8Array): Outcome =>
  same(actual, expected) ? 'accepted' : { wrongOutput: Buffer.from(actual).toString('hex').slice(0, 32) }

/** A case's outcome as the reports show it. */
const shownOutcome = (outcome: Outcome): string => (typeof outcome === 'string' ? outcome : JSON.stringify(outcome))

interface FileReport {
  counts: Counts
  mismatches: string[]
  acceptableLog: Map<string, number>
  notApplicableLog: Map<string, number>
  /** Every case's outcome by tcId, to compare providers verdict by verdict. */
  outcomes: Map<number, string>
  total: number
  declared: number
}

/** A test of a case, through one provider. */
type CaseRunner = (provider: CryptoProvider, group: WycheproofGroup, test: WycheproofTest) => MaybePromise<Outcome>

/**
 * Runs every case of a file through `provider` and checks it: valid must be accepted with the right output,
 * invalid rejected, acceptable per `policy` (by flags). Returns counts and a readable report.
 */
async function runFile(
  provider: CryptoProvider,
  name: string,
  run: CaseRunner,
  policy: (test: WycheproofTest) => AcceptablePolicy = () => 'either',
): Promise<FileReport> {
  const file = load(name)
  const counts: Counts = { valid: 0, invalid: 0, acceptable: 0, notApplicable: 0 }
  const mismatches: string[] = []
  const acceptableLog = new Map<string, number>()
  const notApplicableLog = new Map<string, number>()
  const outcomes = new Map<number, string>()
  const bump = (log: Map<string, number>, key: string) => log.set(key, (log.get(key) ?? 0) + 1)
  let total = 0
  for (const group of file.testGroups) {
    for (const test of group.tests) {
      total++
      const outcome = await run(provider, group, test)
      outcomes.set(test.tcId, shownOutcome(outcome))
      if (typeof outcome === 'object' && 'notApplicable' in outcome) {
        counts.notApplicable++
        bump(notApplicableLog, outcome.notApplicable)
        continue
      }
      counts[test.result]++
      const shown = shownOutcome(outcome)
      const wanted: AcceptablePolicy = test.result === 'valid' ? 'accept' : test.result === 'invalid' ? 'reject' : policy(test)
      if (test.result === 'acceptable') bump(acceptableLog, `[${test.flags.join(',')}] policy ${wanted}: ${shown}`)
      const fine = (outcome === 'accepted' && wanted !== 'reject') || (outcome === 'rejected' && wanted !== 'accept')
      if (!fine) mismatches.push(`tcId ${test.tcId} (${test.result}, ${test.comment || test.flags.join(',')}): expected ${wanted}, got ${shown}`)
    }
  }
  return { counts, mismatches, acceptableLog, notApplicableLog, outcomes, total, declared: file.numberOfTests }
}

const counts = (valid: number, invalid: number, acceptable: number, notApplicable: number): Counts => ({ valid, invalid, acceptable, notApplicable })

/** noble's report per file, the reference every other provider's verdicts are compared with (computed once). */
const nobleReports = new Map<string, Promise<FileReport>>()

function nobleReport(file: string, run: CaseRunner, policy?: (test: WycheproofTest) => AcceptablePolicy): Promise<FileReport> {
  let report = nobleReports.get(file)
  if (!report) nobleReports.set(file, (report = runFile(nobleProvider, file, run, policy)))
  return report
}

/** Runs `file` through `provider`, checks its verdicts and counts, and that each verdict is noble's. */
async function checkFile(provider: CryptoProvider, file: string, run: CaseRunner, expected: Counts, policy?: (test: WycheproofTest) => AcceptablePolicy): Promise<void> {
  const report = await runFile(provider, file, run, policy)
  check(`${file} (${provider.name})`, report, expected)
  const reference = await nobleReport(file, run, policy)
  const differing = [...report.outcomes].filter(([tcId, outcome]) => reference.outcomes.get(tcId) !== outcome)
  const shown = differing.map(([tcId, outcome]) => `tcId ${tcId}: ${outcome}, noble ${reference.outcomes.get(tcId)}`)
  expect(shown, `${file}: ${provider.name} and noble differ`).toEqual([])
}

function check(name: string, report: FileReport, expected: Counts): void {
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

function aeadCase(name: (keyBits: number) => AeadName | undefined): CaseRunner {
  return (provider, group, t) => {
    const aead = name(group['keySize'] as number)
    if (!aead) return { notApplicable: `${group['keySize']}-bit key (TLS suites use 128 and 256)` }
    if (group['ivSize'] !== 96) return { notApplicable: `${group['ivSize']}-bit IV (TLS nonces are 96 bits)` }
    if (group['tagSize'] !== 128) return { notApplicable: `${group['tagSize']}-bit tag (TLS tags are 128 bits)` }
    return guarded(async () => {
      const key = provider.aead(aead).importKey(hex(str(t, 'key')))
      const [iv, aad, msg] = [hex(str(t, 'iv')), hex(str(t, 'aad')), hex(str(t, 'msg'))]
      const sealedExpected = hex(str(t, 'ct') + str(t, 'tag'))
      const opened = await key.open(iv, sealedExpected, aad)
      if (opened === null) return 'rejected'
      if (!same(opened, msg)) return { wrongOutput: 'open' }
      return outputMatches(await key.seal(iv, msg, aad), sealedExpected)
    })
  }
}

// ---- key agreement ----

const x25519Case: CaseRunner = (provider, _group, t) =>
  guarded(async () => {
    const share = await provider.generateKeyShare('x25519', hex(str(t, 'private')))
    return outputMatches(await share.agree(hex(str(t, 'public'))), hex(str(t, 'shared')))
  })

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

const ecdhCase: CaseRunner = (provider, _group, t) =>
  guarded(async () => {
    const key = importSpki(hex(str(t, 'public')))
    if (key === 'rejected' || key.type !== 'ec' || key.curve !== 'P-256') return 'rejected'
    if (t.flags.includes('CompressedPoint')) return { notApplicable: 'compressed point: key_share carries only uncompressed points (RFC 8446 4.2.8.2)' }
    const share = await provider.generateKeyShare('secp256r1', scalar(str(t, 'private'), 32))
    return outputMatches(await share.agree(key.point), hex(str(t, 'shared')))
  })

/** The raw subjectPublicKey of an SPKI, as a peer would put it in key_share, or undefined if it will not parse. */
function rawSpkiPoint(der: Uint8Array): Uint8Array | undefined {
  const parsed = asn1js.fromBER(der)
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) return undefined
  const bits = parsed.result.valueBlock.value[1]
  return bits instanceof asn1js.BitString ? bits.valueBlock.valueHexView : undefined
}

// ---- signatures ----

const hashNames = new Set<string>(['SHA-256', 'SHA-384', 'SHA-512'])

function signatureCase(algorithm: (group: WycheproofGroup) => SignatureAlgorithm | { notApplicable: string }): CaseRunner {
  return (provider, group, t) => {
    const alg = algorithm(group)
    if ('notApplicable' in alg) return alg
    return guarded(async () => {
      const key = importSpki(hex(group['publicKeyDer'] as string))
      if (key === 'rejected') return { crashed: 'the group public key was refused' }
      return accepted(await provider.verify(alg, key, hex(str(t, 'msg')), hex(str(t, 'sig'))))
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

function hkdfCase(hash: HashName): CaseRunner {
  return (provider, _group, t) =>
    guarded(() => {
      const prk = provider.hkdfExtract(hash, hex(str(t, 'salt')), hex(str(t, 'ikm')))
      return outputMatches(provider.hkdfExpand(hash, prk, hex(str(t, 'info')), t['size'] as number), hex(str(t, 'okm')))
    })
}

/** Each provider through its own entry point; the WebCrypto one on Node's SubtleCrypto, probed first. */
const providers: readonly (readonly [string, () => CryptoProvider | Promise<CryptoProvider>])[] = [
  ['noble', () => nobleProvider],
  ['webcrypto', () => createWebCryptoProvider()],
  ['node:crypto', () => nodeCryptoProvider()],
]

describe.each(providers)('Wycheproof through the %s provider', (_name, make) => {
  let provider: CryptoProvider
  beforeAll(async () => {
    provider = await make()
  })

  it('AES-GCM (aes_gcm_test.json)', async () => {
    const name = (bits: number): AeadName | undefined => (bits === 128 ? 'AES-128-GCM' : bits === 256 ? 'AES-256-GCM' : undefined)
    await checkFile(provider, 'aes_gcm_test.json', aeadCase(name), counts(79, 54, 0, 183))
  })

  it('ChaCha20-Poly1305 (chacha20_poly1305_test.json)', async () => {
    const name = (bits: number): AeadName | undefined => (bits === 256 ? 'CHACHA20-POLY1305' : undefined)
    await checkFile(provider, 'chacha20_poly1305_test.json', aeadCase(name), counts(256, 60, 0, 9))
  })

  it('X25519 (x25519_test.json): all-zero shared secrets refused (RFC 8446 7.4.2), twist and non-canonical points accepted', async () => {
    const policy = (t: WycheproofTest): AcceptablePolicy => (t.flags.includes('ZeroSharedSecret') ? 'reject' : 'accept')
    await checkFile(provider, 'x25519_test.json', x25519Case, counts(264, 0, 254, 0), policy)
  })

  it('ECDH P-256 (ecdh_secp256r1_test.json): SPKI decoded by publicKeyFromSpki, then key_share agree()', async () => {
    const policy = (t: WycheproofTest): AcceptablePolicy => (t.flags.includes('UnnamedCurve') ? 'reject' : 'either')
    await checkFile(provider, 'ecdh_secp256r1_test.json', ecdhCase, counts(330, 52, 229, 1), policy)
  })

  it('ECDH P-256: agree() on its own refuses every invalid uncompressed point the SPKI carries', async () => {
    // Cases with explicit curve parameters (UnnamedCurve) are invalid for their parameters, which a key_share never carries.
    const file = load('ecdh_secp256r1_test.json')
    const accepted: number[] = []
    let tried = 0
    for (const t of file.testGroups.flatMap((g) => g.tests)) {
      const pointIsTheProblem = t.result === 'invalid' && !t.flags.includes('UnnamedCurve')
      const point = pointIsTheProblem ? rawSpkiPoint(hex(str(t, 'public'))) : undefined
      if (!point || point.length !== 65 || point[0] !== 4) continue
      tried++
      const share = await provider.generateKeyShare('secp256r1', scalar(str(t, 'private'), 32))
      const outcome = await guarded(async () => outputMatches(await share.agree(point), hex(str(t, 'shared'))))
      if (outcome !== 'rejected') accepted.push(t.tcId)
    }
    console.log(`ecdh_secp256r1 raw points (${provider.name}): ${tried} invalid uncompressed points offered to agree()`)
    expect(accepted, `agree() accepted invalid points in tcIds ${accepted.join(', ')}`).toEqual([])
    expect(tried).toBeGreaterThan(0)
  })

  for (const [file, expected] of [
    ['ecdsa_secp256r1_sha256_test.json', counts(174, 310, 0, 0)],
    ['ecdsa_secp384r1_sha384_test.json', counts(194, 310, 0, 0)],
  ] as const) {
    it(`ECDSA DER (${file}): strict DER, high S accepted`, async () => {
      await checkFile(provider, file, signatureCase((g) => ({ type: 'ecdsa', hash: groupHash(g) })), expected)
    })
  }

  it('Ed25519 (ed25519_test.json): RFC 8032 strict verification', async () => {
    await checkFile(provider, 'ed25519_test.json', signatureCase(() => ({ type: 'ed25519' })), counts(88, 63, 0, 0))
  })

  for (const [file, expected] of [
    ['rsa_signature_2048_sha256_test.json', counts(9, 249, 1, 0)],
    ['rsa_signature_2048_sha384_test.json', counts(7, 250, 1, 0)],
    ['rsa_signature_3072_sha256_test.json', counts(8, 250, 1, 0)],
  ] as const) {
    it(`RSASSA-PKCS1-v1_5 (${file}): the one DER DigestInfo encoding, so MissingNull is refused`, async () => {
      const policy = (t: WycheproofTest): AcceptablePolicy => (t.flags.includes('MissingNull') ? 'reject' : 'either')
      await checkFile(provider, file, signatureCase((g) => ({ type: 'rsa-pkcs1', hash: groupHash(g) })), expected, policy)
    })
  }

  for (const [file, expected] of [
    ['rsa_pss_2048_sha256_mgf1_32_test.json', counts(63, 45, 0, 0)],
    ['rsa_pss_misc_test.json', counts(18, 0, 0, 132)],
  ] as const) {
    it(`RSASSA-PSS (${file}): MGF1 with the message hash, salt length from the group`, async () => {
      await checkFile(provider, file, signatureCase(pssAlgorithm), expected)
    })
  }

  for (const [hash, expected] of [
    ['SHA-256', counts(83, 3, 0, 0)],
    ['SHA-384', counts(80, 3, 0, 0)],
  ] as const) {
    const file = `hkdf_${hash.replace('-', '').toLowerCase()}_test.json`
    it(`HKDF-${hash} (${file}): extract + expand; outputs over 255·HashLen refused`, async () => {
      await checkFile(provider, file, hkdfCase(hash), expected)
    })
  }
})
