// The benchmark's result shapes and the text tables made of them: handshakes per provider, our own cost, bulk, micro-benchmarks.
import { roundRatio, statsOf, type Rates, type Stats } from './measure.js'
import type { HandshakeSample } from './lower-bound.js'
import type { BenchProvider } from './providers.js'
import { microseconds, num, stats, table } from './report.js'
import type { Setup } from './scenarios.js'

/** One provider's figures for one scenario. */
export interface ProviderHandshakes {
  readonly provider: BenchProvider
  readonly pureTls: Rates
  readonly pureTlsCold: Rates
  readonly lowerBound: Rates
}

export interface HandshakeResult {
  readonly setup: Setup
  readonly nodeTls: Rates
  /** One entry per provider the core can run (the others are listed under the table). */
  readonly providers: readonly ProviderHandshakes[]
  /** noble's handshake and lower bound with public-key operations stubbed: what remains is our code plus the symmetric crypto. */
  readonly stubbed: { readonly pureTls: Rates; readonly pureTlsCold: Rates; readonly lowerBound: Rates }
  readonly sample: HandshakeSample
}

export interface BulkResult {
  readonly setup: Setup
  readonly provider: BenchProvider
  readonly pair: Rates
  readonly raw: Rates
  readonly nodeTls: Rates
}

export interface MicroResult {
  readonly name: string
  readonly rate: Rates
}

export const ratioStats = (s: Stats) => `${s.median.toFixed(3)} [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`
const mbps = (r: Rates) => ({ median: r.cpu.median / 1e6, min: r.cpu.min / 1e6, max: r.cpu.max / 1e6 })
/** µs per operation from a rate (medians). */
const us = (r: Rates) => 1e6 / r.cpu.median

/** Providers left out of the handshake and bulk tables, and why. */
export function refusedNote(providers: readonly BenchProvider[]): string {
  const refused = providers.filter((p) => p.refused !== undefined)
  return refused.map((p) => `Not run through ${p.provider.name}: ${p.refused} (an asynchronous provider needs the core that awaits it).`).join('\n')
}

export function handshakeTable(results: readonly HandshakeResult[]): string {
  return table(
    '1-3. Full handshakes per CPU second, client + server in one process (no resumption; chain and host name verified).\n' +
      'Efficiency = pure-tls ÷ the crypto lower bound through the same provider; ÷ node:tls = pure-tls (cache) ÷ node:tls. Both are medians of per-round ratios [min–max].',
    ['scenario', 'provider', 'pure-tls (cache)', 'pure-tls (cold)', 'crypto lower bound', 'efficiency', 'eff. cold', 'node:tls loopback', '÷ node:tls'],
    results.flatMap((r) =>
      r.providers.map((p, i) => [
        i === 0 ? `${r.setup.id}  ${r.setup.label}` : '',
        p.provider.provider.name,
        stats(p.pureTls.cpu),
        stats(p.pureTlsCold.cpu),
        stats(p.lowerBound.cpu),
        ratioStats(roundRatio(p.pureTls, p.lowerBound)),
        ratioStats(roundRatio(p.pureTlsCold, p.lowerBound)),
        i === 0 ? stats(r.nodeTls.cpu) : '',
        ratioStats(roundRatio(p.pureTls, r.nodeTls)),
      ]),
    ),
  )
}

/**
 * Our own cost per handshake in µs: the stubbed handshake minus the stubbed lower bound (what both still do is the
 * symmetric crypto), round by round, median.
 */
export function ourCost(r: HandshakeResult, cache: 'warm' | 'cold'): number {
  const handshakes = cache === 'warm' ? r.stubbed.pureTls : r.stubbed.pureTlsCold
  return statsOf(handshakes.rounds.map((rate, i) => 1e6 / rate - 1e6 / r.stubbed.lowerBound.rounds[i]!)).median
}

export function costTable(results: readonly HandshakeResult[]): string {
  const noble = (r: HandshakeResult) => r.providers.find((p) => p.provider.id === 'noble')!
  return table(
    'Where a noble handshake\'s time goes (µs of CPU, medians). "Ours" = the same handshake with public-key operations stubbed, minus its stubbed lower bound',
    ['scenario', 'handshake', 'lower bound', 'ours (cache)', 'ours (cold)', 'ours ÷ handshake', 'cold ÷ handshake'],
    results.map((r) => [
      `${r.setup.id}  ${r.setup.label}`,
      num(us(noble(r).pureTls)),
      num(us(noble(r).lowerBound)),
      num(ourCost(r, 'warm')),
      num(ourCost(r, 'cold')),
      (ourCost(r, 'warm') / us(noble(r).pureTls)).toFixed(3),
      (ourCost(r, 'cold') / us(noble(r).pureTlsCold)).toFixed(3),
    ]),
  )
}

export function bulkTable(results: readonly BulkResult[], writeSize: number): string {
  return table(
    `4. Bulk: MB/s (10^6 B per CPU second) of ${writeSize}-byte writes client → server through a connected in-memory pair, beside the raw AEAD\n` +
      '(seal + open of the same size) and node:tls over loopback TCP (1 MiB per run in 16 KiB writes; both ends and the sockets in this process).\n' +
      'pair ÷ raw and pair ÷ node:tls are medians of per-round ratios [min–max].',
    ['suite', 'provider', 'pair MB/s', 'raw AEAD MB/s', 'pair ÷ raw', 'node:tls loopback MB/s', 'pair ÷ node:tls'],
    results.map((r, i) => [
      i === 0 || results[i - 1]!.setup !== r.setup ? r.setup.label : '',
      r.provider.provider.name,
      stats(mbps(r.pair)),
      stats(mbps(r.raw)),
      ratioStats(roundRatio(r.pair, r.raw)),
      stats(mbps(r.nodeTls)),
      ratioStats(roundRatio(r.pair, r.nodeTls)),
    ]),
  )
}

export function microTable(title: string, results: readonly MicroResult[]): string {
  return table(title, ['operation', 'µs per operation'], results.map((r) => [r.name, stats(microseconds(r.rate.cpu))]))
}

/** Operations as rows, providers as columns: µs per operation, median [min–max]. */
export function primitivesTable(title: string, byProvider: readonly { provider: string; results: readonly MicroResult[] }[]): string {
  const operations = byProvider[0]?.results.map((r) => r.name) ?? []
  return table(
    title,
    ['operation', ...byProvider.map((p) => `${p.provider} µs`)],
    operations.map((operation, i) => [operation, ...byProvider.map((p) => stats(microseconds(p.results[i]!.rate.cpu)))]),
  )
}
