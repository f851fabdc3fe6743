// `npm run bench:agent [-- --quick]`: Node's https client with a new TLS connection per request, through our Agent (sessions reused), through connect() with no reuse, and through node's https.Agent.
import { once } from 'node:events'
import { mkdirSync, writeFileSync } from 'node:fs'
import * as https from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { dirname, join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { fileURLToPath } from 'node:url'
import { Agent, connect } from '../src/transport/node.js'
import { statsOf, type Stats } from './lib/measure.js'
import { benchChain } from './lib/pki.js'
import { machine, num, stats, table } from './lib/report.js'

const quick = process.argv.includes('--quick')
const load = quick ? { rounds: 3, roundMs: 300 } : { rounds: 7, roundMs: 2_000 }
const resultsDirectory = join(dirname(fileURLToPath(import.meta.url)), 'results')
const progress = (message: string) => process.stderr.write(`${message}\n`)

const stacks = ['pure-tls Agent', 'pure-tls connect(), no reuse', 'node https.Agent'] as const
type Stack = (typeof stacks)[number]

/** One request on a fresh connection (no keep-alive); resolves with whether the server saw it resumed. */
function request(url: string, agent: https.Agent): Promise<boolean> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { agent }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.headers['x-resumed'] === 'yes'))
      })
      .on('error', reject)
  })
}

async function main(): Promise<void> {
  const chain = await benchChain('ecdsa-p256')
  const host = machine()
  console.log(`pure-tls https.Agent benchmark${quick ? ' (quick: too short to quote)' : ''}\n${host.cpu}, ${host.cores} cores, Node ${host.node}, ${host.os}, ${host.date}\n`)
  // node:tls serves in this process (native, the same for every client); TLS 1.3 with its default tickets.
  const server = https.createServer({ cert: chain.chainPem, key: chain.keyPem }, (req, res) => {
    res.setHeader('x-resumed', (req.socket as TLSSocket).isSessionReused() ? 'yes' : 'no')
    res.end('ok')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `https://localhost:${(server.address() as AddressInfo).port}/`
  const noReuse = new https.Agent()
  noReuse.createConnection = (options) => connect({ ...(options as object), ca: chain.rootPem }) as unknown as Socket
  const agents: Record<Stack, https.Agent> = {
    'pure-tls Agent': new Agent({ ca: chain.rootPem }),
    'pure-tls connect(), no reuse': noReuse,
    'node https.Agent': new https.Agent({ ca: chain.rootPem }),
  }
  const rates = Object.fromEntries(stacks.map((s) => [s, [] as number[]])) as Record<Stack, number[]>
  const resumedShare = Object.fromEntries(stacks.map((s) => [s, [] as number[]])) as Record<Stack, number[]>
  progress(`${load.rounds} rounds of ${load.roundMs} ms per client, one new connection per request`)
  for (let round = 0; round <= load.rounds; round++) {
    for (const stack of stacks) {
      let requests = 0
      let resumed = 0
      const started = performance.now()
      while (performance.now() - started < load.roundMs) {
        if (await request(url, agents[stack])) resumed++
        requests++
      }
      if (round === 0) continue // warm-up: the first connection of each has no session to offer
      rates[stack].push(requests / ((performance.now() - started) / 1000))
      resumedShare[stack].push(resumed / requests)
    }
  }
  for (const agent of Object.values(agents)) agent.destroy()
  server.close()
  const ratio = (stack: Stack): Stats => statsOf(rates[stack].map((rate, i) => rate / rates['node https.Agent'][i]!))
  const rows = stacks.map((stack) => [stack, stats(statsOf(rates[stack])), num(statsOf(resumedShare[stack]).median), stats(ratio(stack))])
  console.log(table(`https.get with a new TLS 1.3 connection per request, ECDSA P-256 chain, node:tls server in-process (median [min–max] of ${load.rounds} rounds)`, ['client', 'requests/s', 'resumed', '÷ node https.Agent'], rows))
  const gain = statsOf(rates['pure-tls Agent'].map((rate, i) => rate / rates['pure-tls connect(), no reuse'][i]!))
  console.log(`session reuse through the Agent: ${stats(gain)}× the requests/s of connect() without it`)
  mkdirSync(resultsDirectory, { recursive: true })
  const file = join(resultsDirectory, `${new Date().toISOString().replace(/[:.]/g, '-')}-agent${quick ? '-quick' : ''}.json`)
  writeFileSync(file, `${JSON.stringify({ machine: host, load, rates, resumedShare }, null, 2)}\n`)
  progress(`results written to ${file}`)
}

await main()
