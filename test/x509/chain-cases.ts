// The chain-case runner: each case verified by us with the synchronous and an asynchronous provider, and by `openssl verify -x509_strict`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nobleProvider } from '../../src/crypto/noble.js'
import type { CryptoProvider } from '../../src/crypto/provider.js'
import { type CertificateFailureReason, CertificateVerificationError } from '../../src/errors.js'
import { isPending } from '../../src/pending.js'
import type { ExpectedClientNames } from '../../src/x509/client-names.js'
import type { CertificateProfile } from '../../src/x509/profile.js'
import { TrustStore } from '../../src/x509/trust-store.js'
import { type ChainVerificationOptions, type Purpose, verifyCertificateChain } from '../../src/x509/verify.js'
import { Fixtures, NOW } from './chains.js'
import { type Cert, opensslVerify } from './pki.js'

export interface Scenario {
  readonly leaf: Cert
  readonly intermediates: readonly Cert[]
  readonly roots: readonly Cert[]
  readonly serverName?: string
  readonly at?: Date
  readonly purpose?: Purpose
  readonly certificateProfile?: CertificateProfile
  readonly expectedClientNames?: ExpectedClientNames
}

export interface ChainCase {
  readonly name: string
  readonly build: (f: Fixtures) => Scenario
  /** 'ok', or the reason (and optionally depth) we must refuse with. */
  readonly expect: 'ok' | CertificateFailureReason
  readonly depth?: number
  /** A pattern the refusal's message must match (to tell apart rules that share a reason). */
  readonly message?: RegExp
  /** Omitted: OpenSSL must reach the same verdict. Given: OpenSSL's verdict differs, and `why` says why we are right. */
  readonly openssl?: { readonly ok: boolean; readonly why: string }
  /** Where OpenSSL reaches the same verdict for another reason, what that reason is (printed with the table). */
  readonly note?: string
}

/** The standard chain around a leaf: the shared intermediate and root, verified for `serverName`. */
export function standard(f: Fixtures, leaf: Cert, serverName = 'good.example.com'): Scenario {
  return { leaf, intermediates: [f.intermediate], roots: [f.root], serverName }
}

/** A leaf under `issuer`, which sits under the shared root. */
export function under(f: Fixtures, issuer: Cert, leaf: Cert, serverName = 'good.example.com'): Scenario {
  return { leaf, intermediates: [issuer], roots: [f.root], serverName }
}

/** nobleProvider whose `verify` answers with a promise settled on a later turn: what a WebCrypto provider does. */
export const asyncVerifyProvider: CryptoProvider = {
  ...nobleProvider,
  name: 'noble with asynchronous verify',
  verify: (algorithm, key, message, signature) => new Promise((resolve) => setTimeout(() => resolve(nobleProvider.verify(algorithm, key, message, signature)), 0)),
}

type Outcome = 'ok' | { readonly reason: CertificateFailureReason; readonly depth: number; readonly message: string }

function outcomeOf(error: unknown): Outcome {
  if (!(error instanceof CertificateVerificationError)) throw error
  return { reason: error.reason, depth: error.depth, message: error.message }
}

/** The options a scenario stands for (a fresh trust store, no cache: every case parses its own certificates). */
export function optionsOf(s: Scenario, provider: CryptoProvider): ChainVerificationOptions {
  return {
    chain: [s.leaf.der, ...s.intermediates.map((i) => i.der)],
    trustStore: new TrustStore(s.roots.map((r) => r.der)),
    purpose: s.purpose ?? 'serverAuth',
    serverName: s.serverName,
    expectedClientNames: s.expectedClientNames,
    certificateProfile: s.certificateProfile,
    now: s.at ?? NOW,
    provider,
    cache: null,
  }
}

/** Our verdict with the synchronous provider, which must come back without a promise. */
function verifySync(s: Scenario): Outcome {
  try {
    const result = verifyCertificateChain(optionsOf(s, nobleProvider))
    expect(isPending(result), 'noble must keep verification synchronous').toBe(false)
    return 'ok'
  } catch (e) {
    return outcomeOf(e)
  }
}

/**
 * Our verdict through the asynchronous provider: a promise once a signature is checked, a throw for what fails
 * before; an accepted chain that is not itself an anchor has had its signatures checked, so it must have waited.
 */
async function verifyAsync(s: Scenario): Promise<Outcome> {
  try {
    const result = verifyCertificateChain(optionsOf(s, asyncVerifyProvider))
    if (!s.roots.some((r) => r.der === s.leaf.der)) expect(isPending(result), 'a verified path waits on the provider').toBe(true)
    await result
    return 'ok'
  } catch (e) {
    return outcomeOf(e)
  }
}

const describeOutcome = (o: Outcome) => (o === 'ok' ? 'ok' : `${o.reason}@${o.depth}`)

/** Registers one vitest case per chain case under `title`, with a table of our, the expected and OpenSSL's verdicts printed at the end. */
export function runChainCases(title: string, cases: readonly ChainCase[]): void {
  const rows: string[] = []
  describe(title, () => {
    let f: Fixtures
    beforeAll(() => {
      f = new Fixtures()
    })
    afterAll(() => {
      f?.pki.cleanup()
      console.log(`${title} (ours sync / async, expected, openssl, ms):\n${rows.join('\n')}`)
    })

    for (const c of cases) {
      it(c.name, async () => {
        const s = c.build(f)
        const started = performance.now()
        const ours = verifySync(s)
        const elapsed = performance.now() - started
        const viaPromise = await verifyAsync(s)
        const theirs = opensslVerify(f.pki, f.name('case'), { ...s, at: s.at ?? NOW })
        const differs = c.openssl ? `  [differs: ${c.openssl.why}]` : c.note ? `  [note: ${c.note}]` : ''
        rows.push(`  ${c.name}: ${describeOutcome(ours)} / ${describeOutcome(viaPromise)}, ${c.expect}, ${theirs.ok ? 'ok' : theirs.error}, ${elapsed.toFixed(1)}${differs}`)
        expect(viaPromise, 'the asynchronous provider must reach the same verdict, reason, depth and message').toEqual(ours)
        if (c.expect === 'ok') expect(ours === 'ok' ? 'ok' : ours.message).toBe('ok')
        else {
          expect(ours, `expected ${c.expect}`).not.toBe('ok')
          const failure = ours as Exclude<Outcome, 'ok'>
          expect(failure.reason, failure.message).toBe(c.expect)
          if (c.depth !== undefined) expect(failure.depth, failure.message).toBe(c.depth)
          if (c.message !== undefined) expect(failure.message).toMatch(c.message)
        }
        const opensslShould = c.openssl ? c.openssl.ok : c.expect === 'ok'
        expect(theirs.ok, `openssl said: ${theirs.error || 'ok'}`).toBe(opensslShould)
      })
    }
  })
}
