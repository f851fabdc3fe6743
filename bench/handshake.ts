// The pure-tls benchmark (`npm run bench [-- --quick] [-- --providers noble,node,webcrypto]`): handshakes per provider vs node:tls and the crypto lower bound, bulk, certificates.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { nobleProvider } from '../src/crypto/noble.js'
import { nodeCryptoProvider } from '../src/crypto/node-crypto.js'
import type { SyncCryptoProvider } from '../src/crypto/provider.js'
import { payload, pairWorkload, rawAeadWorkload, WRITE_SIZE } from './lib/bulk.js'
import { parseWorkload, verifyWorkload } from './lib/certificate-work.js'
import { lowerBound, sampleHandshake } from './lib/lower-bound.js'
import { measure, roundRatio, type Rates, type RoundOptions, type Workload } from './lib/measure.js'
import { startNodeTls, startNodeTlsBulk } from './lib/node-tls.js'
import { benchChain, type BenchChain } from './lib/pki.js'
import { primitiveWorkloads } from './lib/primitives.js'
import { benchProviders, type BenchProvider, providerIds, type ProviderId } from './lib/providers.js'
import { machine, microseconds } from './lib/report.js'
import { bulkSetups, handshakeSetups, type Setup } from './lib/scenarios.js'
import { stubPublicKeyProvider } from './lib/stub-provider.js'
import { type BulkResult, bulkTable, costTable, type HandshakeResult, handshakeTable, type MicroResult, microTable, ourCost, primitivesTable, refusedNote } from './lib/tables.js'
import { lowerBoundWorkload, pureTlsWorkload } from './lib/workloads.js'

const quick = process.argv.includes('--quick')
const providersOption = process.argv[process.argv.indexOf('--providers') + 1]
const chosen = (process.argv.includes('--providers') && providersOption ? providersOption.split(',') : providerIds) as ProviderId[]
if (!chosen.includes('noble')) chosen.unshift('noble') // the stubbed "ours" figures and the efficiency reference are noble's
/** noble with instant public-key operations: handshakes through it minus its lower bound is our own cost. */
const stubbed = stubPublicKeyProvider(nobleProvider)
/** Handshake and bulk rounds; certificate and primitive micro-benchmarks get shorter ones. */
const rounds: RoundOptions = quick ? { rounds: 5, roundMs: 80, sliceMs: 10 } : { rounds: 7, roundMs: 600, sliceMs: 30 }
const microRounds: RoundOptions = quick ? { rounds: 5, roundMs: 50, sliceMs: 10 } : { rounds: 7, roundMs: 300, sliceMs: 20 }
const resultsDirectory = join(dirname(fileURLToPath(import.meta.url)), 'results')

const progress = (message: string) => process.stderr.write(`${message}\n`)

/** The providers whole handshakes run on here (an asynchronous one needs the core that awaits it). */
const running = (providers: readonly BenchProvider[]) => providers.filter((p) => p.refused === undefined)

async function benchHandshakes(chains: Record<Setup['chain'], BenchChain>, providers: readonly BenchProvider[]): Promise<HandshakeResult[]> {
  const results: HandshakeResult[] = []
  for (const setup of handshakeSetups) {
    progress(`handshakes ${setup.id}: ${setup.label}`)
    const chain = chains[setup.chain]
    const sample = await sampleHandshake(setup, chain, nobleProvider)
    const stubbedBound = lowerBound(setup, chain, await sampleHandshake(setup, chain, stubbed), stubbed)
    const perProvider: Workload[] = []
    for (const { provider } of running(providers)) {
      perProvider.push(
        await pureTlsWorkload(setup, chain, 'warm', provider),
        await pureTlsWorkload(setup, chain, 'cold', provider),
        lowerBoundWorkload(setup, provider, lowerBound(setup, chain, await sampleHandshake(setup, chain, provider), provider)),
      )
    }
    const node = await startNodeTls(setup, chain)
    try {
      const [nodeTls, stubbedPure, stubbedCold, stubbedLowerBound, ...rest] = (await measure(
        [
          { name: `node:tls ${setup.id}`, run: () => node.handshake().then(() => 1) },
          await pureTlsWorkload(setup, chain, 'warm', stubbed),
          await pureTlsWorkload(setup, chain, 'cold', stubbed),
          lowerBoundWorkload(setup, stubbed, stubbedBound),
          ...perProvider,
        ],
        rounds,
      )) as Rates[]
      results.push({
        setup,
        nodeTls: nodeTls!,
        providers: running(providers).map((provider, i) => ({ provider, pureTls: rest[3 * i]!, pureTlsCold: rest[3 * i + 1]!, lowerBound: rest[3 * i + 2]! })),
        stubbed: { pureTls: stubbedPure!, pureTlsCold: stubbedCold!, lowerBound: stubbedLowerBound! },
        sample,
      })
    } finally {
      await node.close()
    }
  }
  return results
}

/** Every bulk suite through every provider the core runs, beside its raw AEAD and node:tls on the same suite. */
async function benchBulk(chain: BenchChain, providers: readonly BenchProvider[]): Promise<BulkResult[]> {
  progress('bulk transfer')
  const nodeBulk = await Promise.all(bulkSetups.map((setup) => startNodeTlsBulk(setup, chain, payload)))
  try {
    const cells = bulkSetups.flatMap((setup) => running(providers).map((provider) => ({ setup, provider })))
    const workloads: Workload[] = [...nodeBulk.map((b) => b.workload)]
    for (const { setup, provider } of cells) workloads.push(await pairWorkload(setup, chain, provider.provider), rawAeadWorkload(setup.suite.aead, provider.provider))
    const rates = await measure(workloads, rounds)
    return cells.map((cell, i) => ({
      ...cell,
      nodeTls: rates[bulkSetups.indexOf(cell.setup)]!,
      pair: rates[bulkSetups.length + 2 * i]!,
      raw: rates[bulkSetups.length + 2 * i + 1]!,
    }))
  } finally {
    await Promise.all(nodeBulk.map((b) => b.close()))
  }
}

/** Workloads measured per operation: their names and rates. */
async function benchMicro(label: string, workloads: Workload[]): Promise<MicroResult[]> {
  progress(label)
  const rates = await measure(workloads, microRounds)
  return workloads.map((w, i) => ({ name: w.name, rate: rates[i]! }))
}

/** Each provider's public-key primitives, measured in the same interleaved rounds. */
async function benchPrimitives(providers: readonly BenchProvider[], ecdsa: BenchChain, rsa: BenchChain): Promise<{ provider: string; results: MicroResult[] }[]> {
  const perProvider = await Promise.all(providers.map((p) => primitiveWorkloads(p.provider, ecdsa, rsa)))
  const measured = await benchMicro('primitives', perProvider.flat())
  let at = 0
  return providers.map((p, i) => ({ provider: p.provider.name, results: measured.slice(at, (at += perProvider[i]!.length)) }))
}

async function main(): Promise<void> {
  const started = performance.now()
  progress(`pure-tls benchmark${quick ? ' (quick)' : ''}: making certificates with openssl`)
  const chains = { 'ecdsa-p256': await benchChain('ecdsa-p256'), 'rsa-2048': await benchChain('rsa-2048') }
  const ecdsa = chains['ecdsa-p256']
  const rsa = chains['rsa-2048']
  const providers = await benchProviders(chosen, ecdsa)

  const handshakes = await benchHandshakes(chains, providers)
  const bulk = await benchBulk(ecdsa, providers)
  // Certificate verification is synchronous (src/x509): the synchronous providers only.
  const verifiers: SyncCryptoProvider[] = [nobleProvider, ...(chosen.includes('node') ? [nodeCryptoProvider()] : [])]
  const certificates = await benchMicro('certificates', [
    ...[ecdsa, rsa].flatMap((c) => [parseWorkload(c, 'cold'), parseWorkload(c, 'warm')]),
    ...verifiers.flatMap((v) => [ecdsa, rsa].flatMap((c) => [verifyWorkload(c, 'cold', v), verifyWorkload(c, 'warm', v)])),
  ])
  const primitives = await benchPrimitives(providers, ecdsa, rsa)

  const host = machine()
  const seconds = (performance.now() - started) / 1000
  const header = [
    `pure-tls benchmark${quick ? ' (--quick)' : ''}: ${host.cpu}, ${host.cores} cores, Node ${host.node}, ${host.os}, ${host.date}`,
    `Providers ${providers.map((p) => p.provider.name).join(', ')}. Every figure: median of ${rounds.rounds} rounds after a warm-up round [min–max], per CPU second of this process.`,
  ].join('\n')
  const report = [
    header,
    [handshakeTable(handshakes), refusedNote(providers)].filter(Boolean).join('\n'),
    costTable(handshakes),
    bulkTable(bulk, WRITE_SIZE),
    microTable('5. Certificate work (cold: no parsed-certificate cache; warm: the shipped cache); verify through noble, then node:crypto', certificates),
    primitivesTable('Crypto primitives per provider (what the lower bound is made of)', primitives),
    `Total run time ${seconds.toFixed(1)} s.`,
  ].join('\n\n')
  process.stdout.write(`${report}\n`)

  mkdirSync(resultsDirectory, { recursive: true })
  const file = join(resultsDirectory, `${host.date.replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`)
  const json = {
    machine: host,
    mode: quick ? 'quick' : 'full',
    providers: providers.map((p) => ({ id: p.id, name: p.provider.name, description: p.provider.describe?.(), refused: p.refused })),
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
      nodeTlsPerSecond: r.nodeTls,
      providers: r.providers.map((p) => ({
        provider: p.provider.id,
        perSecond: { pureTls: p.pureTls, pureTlsCold: p.pureTlsCold, lowerBound: p.lowerBound },
        efficiency: roundRatio(p.pureTls, p.lowerBound),
        efficiencyCold: roundRatio(p.pureTlsCold, p.lowerBound),
        versusNodeTls: roundRatio(p.pureTls, r.nodeTls),
      })),
      stubbedPublicKeyPerSecond: r.stubbed,
      ourCostMicroseconds: { cache: ourCost(r, 'warm'), cold: ourCost(r, 'cold') },
      transcriptMessageSizes: r.sample.messages,
      cryptoCallsPerHandshake: { ...r.sample.log, hashStates: r.sample.log.hashStates.map((s) => s.length) },
    })),
    bulk: {
      writeSize: WRITE_SIZE,
      bytesPerSecond: bulk.map((r) => ({
        id: r.setup.id,
        label: r.setup.label,
        aead: r.setup.suite.aead,
        provider: r.provider.id,
        pair: r.pair,
        raw: r.raw,
        nodeTls: r.nodeTls,
        ratio: roundRatio(r.pair, r.raw),
        versusNodeTls: roundRatio(r.pair, r.nodeTls),
      })),
    },
    certificates: certificates.map((c) => ({ name: c.name, perSecond: c.rate, microseconds: microseconds(c.rate.cpu) })),
    primitives: primitives.map((p) => ({ provider: p.provider, operations: p.results.map((c) => ({ name: c.name, perSecond: c.rate, microseconds: microseconds(c.rate.cpu) })) })),
  }
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`)
  progress(`wrote ${file}`)
}

await main()
