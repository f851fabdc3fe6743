// Formatting the benchmark's results: aligned text tables for stdout, number formats, the machine description.
import os from 'node:os'
import type { Stats } from './measure.js'

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly node: string
  readonly os: string
  readonly date: string
}

export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  }
}

/** Three significant figures, at least one decimal below 100. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x)
  if (Math.abs(x) >= 100) return x.toFixed(0)
  if (Math.abs(x) >= 10) return x.toFixed(1)
  return x.toFixed(2)
}

/** `median [min–max]`. */
export function stats(s: Stats): string {
  return `${num(s.median)} [${num(s.min)}–${num(s.max)}]`
}

/** Rates turned into time per operation (µs), min and max swapped accordingly. */
export function microseconds(rate: Stats): Stats {
  return { median: 1e6 / rate.median, min: 1e6 / rate.max, max: 1e6 / rate.min }
}

/** A text table: the first column left-aligned, the others right-aligned. */
export function table(title: string, headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [title, line(headers), rule, ...rows.map(line)].join('\n')
}
