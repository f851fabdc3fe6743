// Record protection throughput: MB/s sealing and opening 16 KiB records, TLS 1.3 and TLS 1.2 forms beside the raw AEAD.
import type { AeadName, SyncCryptoProvider } from '../src/crypto/provider.js'
import { nobleProvider } from '../src/crypto/noble.js'
import { nodeCryptoProvider } from '../src/crypto/node-crypto.js'
import { ContentType, MAX_PLAINTEXT } from '../src/record/content.js'
import type { RecordProtection } from '../src/record/protection.js'
import { Tls12RecordProtection } from '../src/record/tls12-protection.js'
import { Tls13RecordProtection } from '../src/record/tls13-protection.js'
import { isPending } from '../src/pending.js'

const quick = process.argv.includes('--quick')
const ROUNDS = 5
const ROUND_MS = quick ? 150 : 600
const SLICE_MS = 15
/** Distinct records opened per pass; each pass needs a fresh reader since records are bound to sequence numbers. */
const RECORDS_PER_PASS = 16
/** `--provider node` measures node:crypto; the record layer's own cost shows best beside a fast cipher. Synchronous providers only: these loops do not wait. */
const provider: SyncCryptoProvider = process.argv.includes('node') && process.argv.includes('--provider') ? nodeCryptoProvider() : nobleProvider
const aeads: AeadName[] = ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305']

interface Stats {
  median: number
  min: number
  max: number
}

/** One workload: `run` does some work and returns how many plaintext bytes it processed. */
interface Workload {
  readonly name: string
  readonly run: () => number
}

/** CPU time used by this process in ms: unlike wall time, it does not count turns other processes take. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

/**
 * One round: the workloads take turns in SLICE_MS slices until each has used ROUND_MS of CPU, so
 * drift on the machine lands on all of them alike. Returns MB per CPU second for each workload.
 */
function round(workloads: Workload[]): number[] {
  const bytes = workloads.map(() => 0)
  const spent = workloads.map(() => 0)
  while (spent.some((ms) => ms < ROUND_MS)) {
    workloads.forEach((w, i) => {
      const start = cpuMs()
      let used = 0
      do {
        bytes[i]! += w.run()
        used = cpuMs() - start
      } while (used < SLICE_MS)
      spent[i]! += used
    })
  }
  return bytes.map((b, i) => b / 1e6 / (spent[i]! / 1000))
}

/** A warm-up round, then ROUNDS measured rounds; median, min and max per workload. */
function measure(workloads: Workload[]): Stats[] {
  round(workloads)
  const samples = workloads.map(() => [] as number[])
  for (let r = 0; r < ROUNDS; r++) round(workloads).forEach((mbs, i) => samples[i]!.push(mbs))
  return samples.map((s) => {
    const sorted = [...s].sort((a, b) => a - b)
    return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]! }
  })
}

const payload = Uint8Array.from({ length: MAX_PLAINTEXT }, (_, i) => i & 0xff)

function keyMaterial(aead: AeadName, ivLength: number) {
  return {
    key: Uint8Array.from({ length: provider.aead(aead).keyLength }, (_, i) => i + 1),
    iv: Uint8Array.from({ length: ivLength }, (_, i) => 0x80 + i),
  }
}

type MakeProtection = () => RecordProtection

function tls13(aead: AeadName): MakeProtection {
  const { key, iv } = keyMaterial(aead, 12)
  return () => new Tls13RecordProtection(provider, aead, key, iv)
}

function tls12(aead: AeadName): MakeProtection {
  const { key, iv } = keyMaterial(aead, aead === 'CHACHA20-POLY1305' ? 12 : 4)
  return () => new Tls12RecordProtection(provider, aead, key, iv)
}

function sealWorkload(name: string, make: MakeProtection): Workload {
  const writer = make()
  return {
    name,
    run: () => {
      writer.seal(ContentType.application_data, payload)
      return payload.length
    },
  }
}

function openWorkload(name: string, make: MakeProtection): Workload {
  const writer = make()
  // This benchmark runs synchronous providers only (noble, node:crypto): a pending record is a bug here.
  const records = Array.from({ length: RECORDS_PER_PASS }, () => {
    const record = writer.seal(ContentType.application_data, payload)
    if (isPending(record)) throw new Error('bench/records.ts measures synchronous providers only')
    return record
  })
  return {
    name,
    run: () => {
      const reader = make()
      for (const record of records) reader.open(ContentType.application_data, record.subarray(5), record.subarray(0, 5))
      return RECORDS_PER_PASS * payload.length
    },
  }
}

/** The provider's AEAD alone; opening walks as many distinct buffers as the record workloads do, for the same cache footprint. */
function rawWorkloads(aead: AeadName): { seal: Workload; open: Workload } {
  const key = provider.aead(aead).importKey(keyMaterial(aead, 12).key)
  const nonce = new Uint8Array(12)
  const additionalData = new Uint8Array(5)
  const sealed = Array.from({ length: RECORDS_PER_PASS }, () => key.seal(nonce, payload, additionalData))
  return {
    seal: { name: 'raw', run: () => key.seal(nonce, payload, additionalData).length - 16 },
    open: {
      name: 'raw',
      run: () => {
        for (const ciphertext of sealed) key.open(nonce, ciphertext, additionalData)
        return RECORDS_PER_PASS * payload.length
      },
    },
  }
}

const fmt = (s: Stats) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`
const ratio = (form: Stats, raw: Stats) => (form.median / raw.median).toFixed(2)

const header = ['AEAD', 'op', 'raw AEAD MB/s', 'TLS 1.3 MB/s', '1.3/raw', 'TLS 1.2 MB/s', '1.2/raw']
const rows: string[][] = []
for (const aead of aeads) {
  const raw = rawWorkloads(aead)
  const [rawSeal, seal13, seal12] = measure([raw.seal, sealWorkload('1.3', tls13(aead)), sealWorkload('1.2', tls12(aead))])
  rows.push([aead, 'protect', fmt(rawSeal!), fmt(seal13!), ratio(seal13!, rawSeal!), fmt(seal12!), ratio(seal12!, rawSeal!)])
  const [rawOpen, open13, open12] = measure([raw.open, openWorkload('1.3', tls13(aead)), openWorkload('1.2', tls12(aead))])
  rows.push([aead, 'unprotect', fmt(rawOpen!), fmt(open13!), ratio(open13!, rawOpen!), fmt(open12!), ratio(open12!, rawOpen!)])
}

const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
console.log(`records bench: ${provider.name} provider, ${payload.length}-byte records, MB (10^6 bytes) per CPU second, median (min–max) of ${ROUNDS} rounds of ${ROUND_MS} ms CPU, node ${process.version}`)
console.log(line(header))
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
for (const row of rows) console.log(line(row))
