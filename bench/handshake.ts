// The pure-tls benchmark (`npm run bench [-- --quick]`): handshakes vs node:tls and the crypto lower bound, bulk, certificates.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AeadName, CryptoProvider } from '../src/crypto/provider.js'
import { nobleProvider } from '../src/crypto/noble.js'
import { defaultCertificateCache } from '../src/x509/certificate-cache.js'
import { pairWorkload, rawAeadWorkload, WRITE_SIZE } from './lib/bulk.js'
import { parseWorkload, verifyWorkload } from './lib/certificate-work.js'
import { lowerBound, sampleHandshake, type HandshakeSample } from './lib/lower-bound.js'
import { measure, roundRatio, statsOf, type Rates, type RoundOptions, type Stats, type Workload } from './lib/measure.js'
import { startNodeTls } from './lib/node-tls.js'
import { checkNegotiated, handshake } from './lib/pair.js'
import { benchChain, type BenchChain } from './lib/pki.js'
import { primitiveWorkloads } from './lib/primitives.js'
import { machine, microseconds, num, stats, table } from './lib/report.js'
import { bulkSetups, handshakeSetups, pureTlsContexts, type Setup } from './lib/scenarios.js'
import { stubPublicKeyProvider } from './lib/stub-provider.js'

const quick = process.argv.includes('--quick')
const provider = nobleProvider
/** The same provider with instant public-key operations: handshakes through it minus its lower bound is our own cost. */
const stubbed = stubPublicKeyProvider(provider)
/** Handshake and bulk rounds; certificate and primitive micro-benchmarks get shorter ones. */
const rounds: RoundOptions = quick ? { rounds: 5, roundMs: 80, sliceMs: 10 } : { rounds: 7, roundMs: 600, sliceMs: 30 }
const microRounds: RoundOptions = quick ? { rounds: 5, roundMs: 50, sliceMs: 10 } : { rounds: 7, roundMs: 300, sliceMs: 20 }
const resultsDirectory = join(dirname(fileURLToPath(import.meta.url)), 'results')

const progress = (message: string) => process.stderr.write(`${message}\n`)

interface HandshakeResult {
  readonly setup: Setup
  readonly pureTls: Rates
  readonly pureTlsCold: Rates
  readonly nodeTls: Rates
  readonly lowerBound: Rates
  /** The same three with public-key operations stubbed: what remains is our code plus the symmetric crypto. */
  readonly stubbed: { readonly pureTls: Rates; readonly pureTlsCold: Rates; readonly lowerBound: Rates }
  readonly sample: HandshakeSample
}

/** A full handshake per run, with the parsed-certificate cache as shipped (warm) or switched off (cold). */
function pureTlsWorkload(setup: Setup, chain: BenchChain, cache: 'warm' | 'cold', through: CryptoProvider = provider): Workload {
  const contexts = pureTlsContexts(setup, chain, through)
  checkNegotiated(handshake(contexts).client, setup)
  return {
    name: `pure-tls ${setup.id} ${cache}${through === provider ? '' : ' (stubbed)'}`,
    run() {
      if (cache === 'cold') defaultCertificateCache.enabled = false
      try {
        handshake(contexts)
      } finally {
        defaultCertificateCache.enabled = true
      }
      return 1
    },
  }
}

async function benchHandshakes(chains: Record<Setup['chain'], BenchChain>): Promise<HandshakeResult[]> {
  const results: HandshakeResult[] = []
  for (const setup of handshakeSetups) {
    progress(`handshakes ${setup.id}: ${setup.label}`)
    const chain = chains[setup.chain]
    const sample = sampleHandshake(setup, chain, provider)
    const crypto = lowerBound(setup, chain, sample, provider)
    const stubbedCrypto = lowerBound(setup, chain, sampleHandshake(setup, chain, stubbed), stubbed)
    const node = await startNodeTls(setup, chain)
    try {
      const rates = await measure(
        [
          pureTlsWorkload(setup, chain, 'warm'),
          pureTlsWorkload(setup, chain, 'cold'),
          { name: `lower bound ${setup.id}`, run: () => (crypto(), 1) },
          { name: `node:tls ${setup.id}`, run: () => node.handshake().then(() => 1) },
          pureTlsWorkload(setup, chain, 'warm', stubbed),
          pureTlsWorkload(setup, chain, 'cold', stubbed),
          { name: `lower bound ${setup.id} (stubbed)`, run: () => (stubbedCrypto(), 1) },
        ],
        rounds,
      )
      const [pureTls, pureTlsCold, bound, nodeTls, stubbedPure, stubbedCold, stubbedBound] = rates as [Rates, Rates, Rates, Rates, Rates, Rates, Rates]
      results.push({
        setup,
        pureTls,
        pureTlsCold,
        nodeTls,
        lowerBound: bound,
        stubbed: { pureTls: stubbedPure, pureTlsCold: stubbedCold, lowerBound: stubbedBound },
        sample,
      })
    } finally {
      await node.close()
    }
  }
  return results
}

interface BulkResult {
  readonly setup: Setup
  readonly pair: Rates
  readonly raw: Rates
}

async function benchBulk(chain: BenchChain): Promise<{ results: BulkResult[]; raw: Record<AeadName, Rates> }> {
  progress('bulk transfer')
  const aeads = [...new Set(bulkSetups.map((s) => s.suite.aead))]
  const rates = await measure([...bulkSetups.map((s) => pairWorkload(s, chain)), ...aeads.map((a) => rawAeadWorkload(a, provider))], rounds)
  const raw = Object.fromEntries(aeads.map((a, i) => [a, rates[bulkSetups.length + i]!])) as Record<AeadName, Rates>
  return { results: bulkSetups.map((setup, i) => ({ setup, pair: rates[i]!, raw: raw[setup.suite.aead] })), raw }
}

/** Workloads measured per operation: their names and rates. */
async function benchMicro(label: string, workloads: Workload[]): Promise<{ name: string; rate: Rates }[]> {
  progress(label)
  const rates = await measure(workloads, microRounds)
  return workloads.map((w, i) => ({ name: w.name, rate: rates[i]! }))
}

/** a ÷ b: the median of the per-round ratios (see roundRatio). */
const ratio = (a: Rates, b: Rates) => roundRatio(a, b).median
const ratioStats = (s: Stats) => `${s.median.toFixed(3)} [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`
const mbps = (r: Rates) => ({ median: r.cpu.median / 1e6, min: r.cpu.min / 1e6, max: r.cpu.max / 1e6 })

function handshakeTable(results: HandshakeResult[]): string {
  return table(
    '1-3. Full handshakes per CPU second, client + server in one process (no resumption; chain and host name verified).\n' +
      'Efficiency = pure-tls ÷ crypto lower bound, the median of the per-round ratios [min–max].',
    ['scenario', 'pure-tls (cache)', 'pure-tls (cold)', 'node:tls loopback', 'crypto lower bound', 'efficiency', 'eff. cold', 'node ÷ pure'],
    results.map((r) => [
      `${r.setup.id}  ${r.setup.label}`,
      stats(r.pureTls.cpu),
      stats(r.pureTlsCold.cpu),
      stats(r.nodeTls.cpu),
      stats(r.lowerBound.cpu),
      ratioStats(roundRatio(r.pureTls, r.lowerBound)),
      ratioStats(roundRatio(r.pureTlsCold, r.lowerBound)),
      num(ratio(r.nodeTls, r.pureTls)),
    ]),
  )
}

/** µs per operation from a rate (medians). */
const us = (r: Rates) => 1e6 / r.cpu.median

/**
 * Our own cost per handshake in µs: the stubbed handshake minus the stubbed lower bound (what both still do is the
 * symmetric crypto), round by round, median.
 */
function ourCost(r: HandshakeResult, cache: 'warm' | 'cold'): number {
  const handshakes = cache === 'warm' ? r.stubbed.pureTls : r.stubbed.pureTlsCold
  return statsOf(handshakes.rounds.map((rate, i) => 1e6 / rate - 1e6 / r.stubbed.lowerBound.rounds[i]!)).median
}

function costTable(results: HandshakeResult[]): string {
  return table(
    'Where a handshake\'s time goes (µs of CPU, medians). "Ours" = the same handshake with public-key operations stubbed, minus its stubbed lower bound',
    ['scenario', 'handshake', 'lower bound', 'ours (cache)', 'ours (cold)', 'ours ÷ handshake', 'cold ÷ handshake'],
    results.map((r) => [
      `${r.setup.id}  ${r.setup.label}`,
      num(us(r.pureTls)),
      num(us(r.lowerBound)),
      num(ourCost(r, 'warm')),
      num(ourCost(r, 'cold')),
      (ourCost(r, 'warm') / us(r.pureTls)).toFixed(3),
      (ourCost(r, 'cold') / us(r.pureTlsCold)).toFixed(3),
    ]),
  )
}

function bulkTable(results: BulkResult[]): string {
  return table(
    `4. Bulk: MB/s (10^6 B per CPU second) of ${WRITE_SIZE}-byte writes client → server through a connected pair, beside the raw AEAD\n` +
      '(seal + open of the same size); pair ÷ raw is the median of the per-round ratios [min–max].',
    ['suite', 'AEAD', 'pair MB/s', 'raw AEAD MB/s', 'pair ÷ raw'],
    results.map((r) => [r.setup.label, r.setup.suite.aead, stats(mbps(r.pair)), stats(mbps(r.raw)), ratioStats(roundRatio(r.pair, r.raw))]),
  )
}

function microTable(title: string, results: { name: string; rate: Rates }[]): string {
  return table(title, ['operation', 'µs per operation'], results.map((r) => [r.name, stats(microseconds(r.rate.cpu))]))
}

async function main(): Promise<void> {
  const started = performance.now()
  progress(`pure-tls benchmark${quick ? ' (quick)' : ''}: making certificates with openssl`)
  const chains = { 'ecdsa-p256': await benchChain('ecdsa-p256'), 'rsa-2048': await benchChain('rsa-2048') }
  const ecdsa = chains['ecdsa-p256']
  const rsa = chains['rsa-2048']

  const handshakes = await benchHandshakes(chains)
  const bulk = await benchBulk(ecdsa)
  const certificates = await benchMicro('certificates', [
    ...[ecdsa, rsa].flatMap((c) => [parseWorkload(c, 'cold'), parseWorkload(c, 'warm')]),
    ...[ecdsa, rsa].flatMap((c) => [verifyWorkload(c, 'cold', provider), verifyWorkload(c, 'warm', provider)]),
  ])
  const primitives = await benchMicro('primitives', primitiveWorkloads(provider, ecdsa, rsa))

  const host = machine()
  const seconds = (performance.now() - started) / 1000
  const header = [
    `pure-tls benchmark${quick ? ' (--quick)' : ''}: ${host.cpu}, ${host.cores} cores, Node ${host.node}, ${host.os}, ${host.date}`,
    `Provider ${provider.name}. Every figure: median of ${rounds.rounds} rounds after a warm-up round [min–max], per CPU second of this process.`,
  ].join('\n')
  const report = [
    header,
    handshakeTable(handshakes),
    costTable(handshakes),
    bulkTable(bulk.results),
    microTable('5. Certificate work (cold: no parsed-certificate cache; warm: the shipped cache)', certificates),
    microTable('Crypto primitives on this provider (what the lower bound is made of)', primitives),
    `Total run time ${seconds.toFixed(1)} s.`,
  ].join('\n\n')
  process.stdout.write(`${report}\n`)

  mkdirSync(resultsDirectory, { recursive: true })
  const file = join(resultsDirectory, `${host.date.replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`)
  const json = {
    machine: host,
    mode: quick ? 'quick' : 'full',
    provider: provider.name,
    unit: 'per CPU second of the process (cpu); per wall-clock second (wall)',
    rounds,
    microRounds,
    seconds,
    handshakes: handshakes.map((r) => ({
      id: r.setup.id,
      label: r.setup.label,
      version: r.setup.version,
      suite: r.setup.suite.name,
      groups: r.setup.groups,
      chain: r.setup.chain,
      perSecond: { pureTls: r.pureTls, pureTlsCold: r.pureTlsCold, nodeTls: r.nodeTls, lowerBound: r.lowerBound },
      efficiency: roundRatio(r.pureTls, r.lowerBound),
      efficiencyCold: roundRatio(r.pureTlsCold, r.lowerBound),
      stubbedPublicKeyPerSecond: r.stubbed,
      ourCostMicroseconds: { cache: ourCost(r, 'warm'), cold: ourCost(r, 'cold') },
      transcriptMessageSizes: r.sample.messages,
      cryptoCallsPerHandshake: { ...r.sample.log, hashStates: r.sample.log.hashStates.map((s) => s.length) },
    })),
    bulk: {
      writeSize: WRITE_SIZE,
      bytesPerSecond: bulk.results.map((r) => ({ id: r.setup.id, label: r.setup.label, aead: r.setup.suite.aead, pair: r.pair, raw: r.raw, ratio: roundRatio(r.pair, r.raw) })),
      rawAead: bulk.raw,
    },
    certificates: certificates.map((c) => ({ name: c.name, perSecond: c.rate, microseconds: microseconds(c.rate.cpu) })),
    primitives: primitives.map((c) => ({ name: c.name, perSecond: c.rate, microseconds: microseconds(c.rate.cpu) })),
  }
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`)
  progress(`wrote ${file}`)
}

await main()
