// `npm run bench [-- --quick]`: every benchmark in turn (handshakes and bulk, HTTP keep-alive, https.Agent session reuse, post-quantum, records, symmetric), each in its own process.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const passed = process.argv.slice(2)
const quick = passed.includes('--quick')

/** The scripts, in order, and which of the arguments given each understands. */
const scripts: readonly { readonly file: string; readonly takes: readonly string[] }[] = [
  { file: 'handshake.ts', takes: ['--quick', '--providers'] },
  { file: 'http.ts', takes: ['--quick'] },
  { file: 'agent.ts', takes: ['--quick'] },
  { file: 'pq.ts', takes: ['--quick'] },
  { file: 'records.ts', takes: ['--quick'] },
  { file: 'symmetric.ts', takes: ['--quick'] },
]

/** The arguments from `passed` that `takes` names, each with the value that follows it when it is not a flag. */
function argumentsFor(takes: readonly string[]): string[] {
  const out: string[] = []
  passed.forEach((argument, i) => {
    if (!takes.includes(argument)) return
    out.push(argument)
    const value = passed[i + 1]
    if (value !== undefined && !value.startsWith('--')) out.push(value)
  })
  return out
}

const failed: string[] = []
const started = performance.now()
for (const { file, takes } of scripts) {
  const args = argumentsFor(takes)
  console.log(`\n=== bench/${file} ${args.join(' ')}`.trimEnd())
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(here, file), ...args], { stdio: 'inherit' })
  if (run.status !== 0) failed.push(`${file} (exit ${run.status ?? run.signal})`)
}
console.log(`\nall benchmarks${quick ? ' (quick)' : ''}: ${((performance.now() - started) / 1000).toFixed(0)} s${failed.length ? `; failed: ${failed.join(', ')}` : ''}`)
process.exit(failed.length ? 1 : 0)
