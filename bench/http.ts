// `npm run bench:http [-- --quick] [-- --cpu-prof]`: HTTP keep-alive requests/s through http.Server behind our createServer (noble, then node:crypto) vs https.createServer.
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { closeConnections, type LoadConnection, openConnections, requestsPerSecond } from './lib/http-load.js'
import type { HttpServerReply, HttpServerRequest } from './lib/http-server.js'
import { statsOf, type Stats } from './lib/measure.js'
import { benchChain, type BenchChain } from './lib/pki.js'
import { machine, num, stats, table } from './lib/report.js'

const quick = process.argv.includes('--quick')
const profile = process.argv.includes('--cpu-prof')
const here = dirname(fileURLToPath(import.meta.url))
const resultsDirectory = join(here, 'results')
const suites = ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'] as const
/** Our server with the default (noble) provider, ours with nodeCryptoProvider(), and node's https server. */
const stacks = ['pure-tls', 'pure-tls node:crypto', 'node:tls'] as const
type Stack = (typeof stacks)[number]
type OurStack = Exclude<Stack, 'node:tls'>
const ours: readonly OurStack[] = ['pure-tls', 'pure-tls node:crypto']
/** Connections kept open (one request in flight on each), rounds after a warm-up, and each stack's time per round. */
const load = quick ? { connections: 4, rounds: 3, roundMs: 400 } : { connections: 8, rounds: 7, roundMs: 2_000 }

const progress = (message: string) => process.stderr.write(`${message}\n`)

/** A server child process: its port, and its CPU time on request. */
interface ServerProcess {
  readonly port: number
  cpuMicros(): Promise<number>
  stop(): Promise<void>
}

async function startServer(stack: Stack, suite: string, chain: BenchChain): Promise<ServerProcess> {
  const outDir = join(resultsDirectory, 'profiles')
  const execArgv = ['--import', 'tsx', ...(profile && stack !== 'node:tls' ? ['--cpu-prof', `--cpu-prof-dir=${outDir}`] : [])]
  const child: ChildProcess = fork(join(here, 'lib', 'http-server.ts'), [], {
    execArgv,
    env: { ...process.env, BENCH_STACK: stack, BENCH_SUITE: suite, BENCH_CERT: chain.chainPem, BENCH_KEY: chain.keyPem },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const next = () => once(child, 'message').then(([reply]) => reply as HttpServerReply)
  const ready = await next()
  if (!('port' in ready)) throw new Error(`${stack} server: expected its port`)
  return {
    port: ready.port,
    async cpuMicros() {
      const reply = next()
      child.send('cpu' satisfies HttpServerRequest)
      const answer = await reply
      if (!('cpuMicros' in answer)) throw new Error(`${stack} server: expected its CPU time`)
      return answer.cpuMicros
    },
    async stop() {
      const exited = once(child, 'exit')
      child.send('exit' satisfies HttpServerRequest)
      await exited
    },
  }
}

interface StackResult {
  /** Requests per wall second. */
  readonly rps: Stats
  /** Server CPU µs per request. */
  readonly cpuPerRequest: Stats
  readonly rounds: readonly number[]
}

interface SuiteResult {
  readonly suite: string
  readonly results: Record<Stack, StackResult>
  /** Each of our stacks ÷ node:tls requests/s, round by round. */
  readonly ratio: Record<OurStack, Stats>
}

/** Both servers up, connections open to each; rounds alternate between them so drift on the machine hits both. */
async function benchSuite(suite: string, chain: BenchChain): Promise<SuiteResult> {
  progress(`${suite}: ${load.connections} keep-alive connections, ${load.rounds} rounds of ${load.roundMs} ms per stack`)
  const servers = {} as Record<Stack, ServerProcess>
  const connections = {} as Record<Stack, LoadConnection[]>
  const rps = {} as Record<Stack, number[]>
  const cpu = {} as Record<Stack, number[]>
  for (const stack of stacks) {
    servers[stack] = await startServer(stack, suite, chain)
    connections[stack] = await openConnections(servers[stack].port, load.connections, suite, chain.rootPem)
    rps[stack] = []
    cpu[stack] = []
  }
  try {
    for (let round = 0; round <= load.rounds; round++) {
      for (const stack of stacks) {
        const cpuBefore = await servers[stack].cpuMicros()
        const rate = await requestsPerSecond(connections[stack], load.roundMs)
        const cpuUsed = (await servers[stack].cpuMicros()) - cpuBefore
        if (round === 0) continue // warm-up
        rps[stack].push(rate)
        cpu[stack].push(cpuUsed / (rate * (load.roundMs / 1000)))
      }
    }
  } finally {
    for (const stack of stacks) closeConnections(connections[stack])
    await Promise.all(stacks.map((stack) => servers[stack].stop()))
  }
  const result = (stack: Stack): StackResult => ({ rps: statsOf(rps[stack]), cpuPerRequest: statsOf(cpu[stack]), rounds: rps[stack] })
  const ratio = (stack: OurStack): Stats => statsOf(rps[stack].map((rate, i) => rate / rps['node:tls'][i]!))
  return {
    suite,
    results: Object.fromEntries(stacks.map((stack) => [stack, result(stack)])) as Record<Stack, StackResult>,
    ratio: Object.fromEntries(ours.map((stack) => [stack, ratio(stack)])) as Record<OurStack, Stats>,
  }
}

function report(results: readonly SuiteResult[]): string {
  const rows = results.flatMap((r) =>
    stacks.map((stack) => [
      `${r.suite} ${stack}`,
      stats(r.results[stack].rps),
      stats(r.results[stack].cpuPerRequest),
      stack === 'node:tls' ? '' : stats(r.ratio[stack]),
    ]),
  )
  const header = `HTTP/1.1 keep-alive through http.Server: our createServer (default noble provider; nodeCryptoProvider()) vs https.createServer, ${load.connections} connections, tiny responses (median [min–max] of ${load.rounds} rounds)`
  return table(header, ['suite / server', 'requests/s', 'server CPU µs/request', '÷ node:tls'], rows)
}

async function main(): Promise<void> {
  const chain = await benchChain('ecdsa-p256')
  const results: SuiteResult[] = []
  for (const suite of suites) results.push(await benchSuite(suite, chain))
  console.log(report(results))
  for (const stack of ours) {
    const target = results.every((r) => r.ratio[stack].median >= 0.8) ? 'met' : 'missed'
    console.log(`${stack}: target ≥ 0.8× node:tls requests/s ${target} (${results.map((r) => `${r.suite} ${num(r.ratio[stack].median)}×`).join(', ')})`)
  }
  mkdirSync(resultsDirectory, { recursive: true })
  const file = join(resultsDirectory, `${new Date().toISOString().replace(/[:.]/g, '-')}-http${quick ? '-quick' : ''}.json`)
  writeFileSync(file, `${JSON.stringify({ machine: machine(), load, results }, null, 2)}\n`)
  progress(`results written to ${file}`)
}

await main()
