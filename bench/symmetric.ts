// What HMAC, HKDF-Expand and SHA-256 cost per call through WebCrypto (asynchronous) beside noble and node:crypto (`npx tsx bench/symmetric.ts [--quick]`).
// The figures justify keeping the provider's hash, HMAC and HKDF synchronous (src/crypto/provider.ts): a handshake makes
// dozens of these calls, each on a few dozen bytes, where a SubtleCrypto round trip costs more than the work itself.
import { nobleProvider } from '../src/crypto/noble.js'
import { nodeCryptoProvider } from '../src/crypto/node-crypto.js'
import type { CryptoProvider } from '../src/crypto/provider.js'
import { sampleHandshake } from './lib/lower-bound.js'
import { measure, type Rates, type Workload } from './lib/measure.js'
import { benchChain } from './lib/pki.js'
import { machine, microseconds, stats, table } from './lib/report.js'
import { handshakeSetups } from './lib/scenarios.js'

const quick = process.argv.includes('--quick')
const rounds = quick ? { rounds: 5, roundMs: 50, sliceMs: 10 } : { rounds: 7, roundMs: 300, sliceMs: 20 }
const subtle = globalThis.crypto.subtle

/** What a TLS 1.3 key schedule hashes: a 32-byte secret, an HkdfLabel of about 20 bytes, a 1 KiB transcript chunk. */
const secret = nobleProvider.randomBytes(32)
const label = nobleProvider.randomBytes(20)
const transcript = nobleProvider.randomBytes(1024)

const sync = (name: string, work: () => unknown): Workload => ({
  name,
  run() {
    work()
    return 1
  },
})
const async = (name: string, work: () => Promise<unknown>): Workload => ({ name, run: () => work().then(() => 1) })

/** Our bytes as SubtleCrypto's BufferSource (they never live in a SharedArrayBuffer). */
const source = (b: Uint8Array) => b as Uint8Array<ArrayBuffer>
const hmacKey = (key: Uint8Array) => subtle.importKey('raw', source(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
/** HKDF-Expand for 32 bytes is one HMAC block, T(1) = HMAC(PRK, info || 0x01): WebCrypto's HKDF always extracts first. */
const expandInput = Uint8Array.of(...label, 1)

function providerWorkloads(provider: CryptoProvider): Workload[] {
  return [
    sync(`HMAC-SHA256 (${provider.name})`, () => provider.hmac('SHA-256', secret, label)),
    sync(`HKDF-Expand 32 B (${provider.name})`, () => provider.hkdfExpand('SHA-256', secret, label, 32)),
    sync(`SHA-256 of 1 KiB (${provider.name})`, () => provider.hash('SHA-256').digest(transcript)),
  ]
}

async function webCryptoWorkloads(): Promise<Workload[]> {
  const imported = await hmacKey(secret)
  const hkdfKey = await subtle.importKey('raw', source(secret), 'HKDF', false, ['deriveBits'])
  return [
    async('HMAC-SHA256 (WebCrypto: import + sign)', async () => subtle.sign('HMAC', await hmacKey(secret), source(label))),
    async('HMAC-SHA256 (WebCrypto: sign, key already imported)', () => subtle.sign('HMAC', imported, source(label))),
    async('HKDF-Expand 32 B (WebCrypto: import + one HMAC block)', async () => subtle.sign('HMAC', await hmacKey(secret), source(expandInput))),
    async('HKDF extract + expand 32 B (WebCrypto deriveBits, key imported)', () =>
      subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: source(label) }, hkdfKey, 256),
    ),
    async('SHA-256 of 1 KiB (WebCrypto digest)', () => subtle.digest('SHA-256', source(transcript))),
  ]
}

async function main(): Promise<void> {
  const workloads = [...providerWorkloads(nobleProvider), ...providerWorkloads(nodeCryptoProvider()), ...(await webCryptoWorkloads())]
  const rates = await measure(workloads, rounds)
  const wallMicroseconds = (r: Rates) => microseconds(r.wall)
  const host = machine()
  const sample = await sampleHandshake(handshakeSetups[0]!, await benchChain('ecdsa-p256'), nobleProvider)
  const calls = sample.log
  process.stdout.write(
    [
      `Symmetric primitives per call: ${host.cpu}, ${host.cores} cores, Node ${host.node}, ${host.date}; median of ${rounds.rounds} rounds [min–max].`,
      table(
        'µs per call: CPU of this process (all threads), and wall clock with each call awaited before the next',
        ['operation', 'CPU µs', 'wall µs'],
        workloads.map((w, i) => [w.name, stats(microseconds(rates[i]!.cpu)), stats(wallMicroseconds(rates[i]!))]),
      ),
      `One TLS 1.3 handshake of scenario a (both ends) calls HMAC ${calls.hmacs}×, HKDF-Extract ${calls.hkdfExtracts}×, HKDF-Expand ${calls.hkdfExpands}×, ` +
        `and takes ${calls.digests} transcript digests: each of them a SubtleCrypto round trip, in sequence, if these went through WebCrypto.`,
    ].join('\n\n') + '\n',
  )
}

await main()
