// Profiles full pure-tls handshakes of one scenario (`npx tsx bench/profile.ts [--scenario a] [--provider noble|node] [--cold] [--stub] [--handshakes 150]`).
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nobleProvider } from '../src/crypto/noble.js'
import { nodeCryptoProvider } from '../src/crypto/node-crypto.js'
import { defaultCertificateCache } from '../src/x509/certificate-cache.js'
import { profile, summarize, type FunctionTime } from './lib/cpu-profile.js'
import { checkNegotiated, handshakeNow } from './lib/pair.js'
import { benchChain } from './lib/pki.js'
import { handshakeSetups, pureTlsContexts } from './lib/scenarios.js'
import { table } from './lib/report.js'
import { stubPublicKeyProvider } from './lib/stub-provider.js'

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback
}

const scenarioId = option('scenario', 'a')
const count = Number(option('handshakes', '150'))
const cold = process.argv.includes('--cold')
/** Public-key operations stubbed: the profile then shows our own code (and the symmetric crypto) at full scale. */
const stub = process.argv.includes('--stub')
/** `--provider node`: node:crypto instead of noble (a profile needs a synchronous provider). */
const base = option('provider', 'noble') === 'node' ? nodeCryptoProvider() : nobleProvider
const TOP = 25

const pct = (ms: number, total: number) => `${((100 * ms) / total).toFixed(1)}%`

function functionRows(functions: FunctionTime[], total: number, perHandshake: number, time: 'self' | 'inclusive'): string[][] {
  return functions.map((f) => [f.name, f.category, `${((f[time] / perHandshake) * 1000).toFixed(0)} µs`, pct(f[time], total)])
}

async function main(): Promise<void> {
  const setup = handshakeSetups.find((s) => s.id === scenarioId)
  if (!setup) throw new Error(`no scenario ${scenarioId}; choose one of ${handshakeSetups.map((s) => s.id).join(', ')}`)
  const chain = await benchChain(setup.chain)
  const contexts = pureTlsContexts(setup, chain, stub ? stubPublicKeyProvider(base) : base)
  checkNegotiated(handshakeNow(contexts).client, setup)
  for (let i = 0; i < 30; i++) handshakeNow(contexts) // warm-up: let the JIT settle
  defaultCertificateCache.enabled = !cold
  const started = performance.now()
  const result = await profile(() => {
    for (let i = 0; i < count; i++) handshakeNow(contexts)
  })
  const wall = performance.now() - started
  defaultCertificateCache.enabled = true

  const file = join(tmpdir(), `pure-tls-${setup.id}${cold ? '-cold' : ''}${stub ? '-stub' : ''}-${Date.now()}.cpuprofile`)
  writeFileSync(file, JSON.stringify(result))
  const summary = summarize(result)
  const perHandshake = count
  const categories = Object.entries(summary.byCategory).sort((a, b) => b[1] - a[1])
  const ours = summary.functions.filter((f) => f.category.startsWith('ours'))
  const out = [
    `Profile of ${count} handshakes, scenario ${setup.id} (${setup.label}), provider ${base.name}, certificate cache ${cold ? 'off (cold)' : 'as shipped'}` +
      `${stub ? ', public-key operations STUBBED' : ''}: ` +
      `${(wall / count).toFixed(2)} ms per handshake wall, ${((summary.total / count) * 1000).toFixed(0)} µs sampled.`,
    table('Self time by kind of code', ['category', 'per handshake', 'share'], categories.map(([c, ms]) => [c, `${((ms / count) * 1000).toFixed(0)} µs`, pct(ms, summary.total)])),
    table(`Top ${TOP} functions by self time`, ['function', 'category', 'per handshake', 'share'], functionRows(summary.functions.slice(0, TOP), summary.total, perHandshake, 'self')),
    table(
      `Top ${TOP} of our functions by inclusive time (callees included)`,
      ['function', 'category', 'per handshake', 'share'],
      functionRows([...ours].sort((a, b) => b.inclusive - a.inclusive).slice(0, TOP), summary.total, perHandshake, 'inclusive'),
    ),
    table(
      `Top ${TOP} of our functions by the non-crypto time under them (own code, parsing, runtime, GC; charged to the innermost of ours)`,
      ['function', 'per handshake', 'share'],
      summary.nonCryptoByOurFunction.slice(0, TOP).map((f) => [f.name, `${((f.ms / count) * 1000).toFixed(0)} µs`, pct(f.ms, summary.total)]),
    ),
    `CPU profile: ${file} (open it in Chrome DevTools or speedscope).`,
  ]
  process.stdout.write(`${out.join('\n\n')}\n`)
}

await main()
