// Benchmark timing: workloads take turns in short CPU-time slices, a warm-up round then measured rounds, median/min/max.
import type { MaybePromise } from '../../src/pending.js'

/** Median, min and max of a set of rounds. */
export interface Stats {
  readonly median: number
  readonly min: number
  readonly max: number
}

/**
 * One thing to measure: `run` does some work and returns how many units (handshakes, bytes, operations) it did,
 * or a promise of that when the work is asynchronous (an asynchronous provider, a socket).
 */
export interface Workload {
  readonly name: string
  readonly run: () => MaybePromise<number>
}

export interface RoundOptions {
  /** Measured rounds after the warm-up round (at least 5). */
  readonly rounds: number
  /** CPU milliseconds each workload gets per round. */
  readonly roundMs: number
  /** CPU milliseconds of one turn: workloads alternate in turns this long, so drift hits them all alike. */
  readonly sliceMs: number
}

/** Units per CPU second and per wall-clock second, one Stats each, and the per-round CPU rates they summarize. */
export interface Rates {
  readonly cpu: Stats
  readonly wall: Stats
  readonly rounds: readonly number[]
}

/**
 * a ÷ b round by round (both measured in the same interleaved rounds, so load that drifts between rounds cancels
 * out), summarized: the median ratio, with the smallest and largest.
 */
export function roundRatio(a: Rates, b: Rates): Stats {
  return statsOf(a.rounds.map((x, i) => x / b.rounds[i]!))
}

/** CPU time this process has used, in ms (every thread: the JS thread, GC helpers, libuv workers). */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

export function statsOf(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b)
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]! }
}

/** Runs one workload for at least `sliceMs` of CPU time; returns units done, CPU ms and wall ms. */
async function slice(workload: Workload, sliceMs: number): Promise<{ units: number; cpu: number; wall: number }> {
  const cpuStart = cpuMs()
  const wallStart = performance.now()
  let units = 0
  let cpu = 0
  do {
    const done = workload.run()
    units += typeof done === 'number' ? done : await done
    cpu = cpuMs() - cpuStart
  } while (cpu < sliceMs)
  return { units, cpu, wall: performance.now() - wallStart }
}

/** One round: turns until every workload has used `roundMs` of CPU. Returns [units per CPU s, units per wall s] per workload. */
async function round(workloads: readonly Workload[], options: RoundOptions): Promise<[number, number][]> {
  const totals = workloads.map(() => ({ units: 0, cpu: 0, wall: 0 }))
  while (totals.some((t) => t.cpu < options.roundMs)) {
    for (const [i, workload] of workloads.entries()) {
      const total = totals[i]!
      if (total.cpu >= options.roundMs) continue
      const s = await slice(workload, options.sliceMs)
      total.units += s.units
      total.cpu += s.cpu
      total.wall += s.wall
    }
  }
  return totals.map((t) => [t.units / (t.cpu / 1000), t.units / (t.wall / 1000)])
}

/** A warm-up round, then `rounds` measured rounds; the rates of each workload, in the order given. */
export async function measure(workloads: readonly Workload[], options: RoundOptions): Promise<Rates[]> {
  await round(workloads, options)
  const cpu = workloads.map(() => [] as number[])
  const wall = workloads.map(() => [] as number[])
  for (let r = 0; r < options.rounds; r++) {
    for (const [i, [perCpu, perWall]] of (await round(workloads, options)).entries()) {
      cpu[i]!.push(perCpu)
      wall[i]!.push(perWall)
    }
  }
  return workloads.map((_, i) => ({ cpu: statsOf(cpu[i]!), wall: statsOf(wall[i]!), rounds: cpu[i]! }))
}
