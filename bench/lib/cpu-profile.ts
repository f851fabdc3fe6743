// Reading a V8 CPU profile: self and inclusive time per function, and the share of each kind of code (crypto, parsing, ours).
import { Session } from 'node:inspector/promises'

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}

interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children?: readonly number[]
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly startTime: number
  readonly endTime: number
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

/** Profiles `work` with the in-process inspector, sampling every `intervalUs` microseconds. */
export async function profile(work: () => void, intervalUs = 100): Promise<CpuProfile> {
  const session = new Session()
  session.connect()
  try {
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs })
    await session.post('Profiler.start')
    work()
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile }
    return profile
  } finally {
    session.disconnect()
  }
}

/** Where a function lives, coarsely: the categories the report adds up. */
export type Category = 'crypto (@noble)' | 'crypto (node:crypto)' | 'parsing libs (asn1js, pkijs, @peculiar)' | 'ours: x509' | 'ours: handshake' | 'ours: record' | 'ours: crypto glue' | 'ours: other' | 'bench harness' | 'GC' | 'runtime / other'

const parsingLibraries = ['/node_modules/asn1js/', '/node_modules/@peculiar/', '/node_modules/pkijs/', '/node_modules/pvtsutils/', '/node_modules/pvutils/', '/node_modules/bytestreamjs/']

export function categoryOf(frame: CallFrame): Category {
  const { url, functionName } = frame
  if (url.includes('/node_modules/@noble/')) return 'crypto (@noble)'
  if (url.startsWith('node:internal/crypto/')) return 'crypto (node:crypto)'
  if (parsingLibraries.some((p) => url.includes(p))) return 'parsing libs (asn1js, pkijs, @peculiar)'
  if (url.includes('/src/x509/')) return 'ours: x509'
  if (url.includes('/src/handshake/')) return 'ours: handshake'
  if (url.includes('/src/record/')) return 'ours: record'
  if (url.includes('/src/crypto/')) return 'ours: crypto glue'
  if (url.includes('/src/')) return 'ours: other'
  if (url.includes('/bench/')) return 'bench harness'
  if (functionName === '(garbage collector)') return 'GC'
  return 'runtime / other'
}

/** A function, identified by name and place. */
function keyOf(frame: CallFrame): string {
  const file = frame.url.replace(/^.*\/(node_modules\/|src\/|bench\/)/, '$1')
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`
}

export interface FunctionTime {
  readonly name: string
  readonly category: Category
  /** ms spent in the function itself. */
  readonly self: number
  /** ms with the function anywhere on the stack (recursion counted once). */
  readonly inclusive: number
}

export interface ProfileSummary {
  /** ms of samples, idle and the profiler's own calls excluded. */
  readonly total: number
  readonly byCategory: Record<string, number>
  readonly functions: FunctionTime[]
  /**
   * ms outside @noble (our code, parsing libraries, runtime, GC), charged to the innermost of our functions on the
   * stack: which of our functions the non-crypto time is spent under.
   */
  readonly nonCryptoByOurFunction: { readonly name: string; readonly ms: number }[]
}

const isOurs = (frame: CallFrame) => frame.url.includes('/src/')
/** The inspector's own calls (Profiler.stop) show up in the profile; they are not the workload. */
const isProfiler = (frame: CallFrame) => frame.url.startsWith('node:inspector')

export function summarize(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfById = new Map<number, number>()
  profile.samples.forEach((id, i) => selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000))
  const functions = new Map<string, { category: Category; self: number; inclusive: number }>()
  const byCategory: Record<string, number> = {}
  const nonCrypto = new Map<string, number>()
  let total = 0
  // Depth-first from the root, carrying the set of functions on the stack and the innermost of ours.
  const walk = (id: number, stack: Set<string>, innermostOurs: string) => {
    const node = byId.get(id)!
    const frame = node.callFrame
    if (isProfiler(frame)) return
    const key = keyOf(frame)
    const self = frame.functionName === '(idle)' ? 0 : (selfById.get(id) ?? 0)
    const entry = functions.get(key) ?? { category: categoryOf(frame), self: 0, inclusive: 0 }
    functions.set(key, entry)
    entry.self += self
    total += self
    byCategory[entry.category] = (byCategory[entry.category] ?? 0) + self
    const ours = isOurs(frame) ? key : innermostOurs
    if (entry.category !== 'crypto (@noble)' && self > 0) nonCrypto.set(ours, (nonCrypto.get(ours) ?? 0) + self)
    const added = !stack.has(key)
    if (added) stack.add(key)
    for (const k of stack) functions.get(k)!.inclusive += self
    for (const child of node.children ?? []) walk(child, stack, ours)
    if (added) stack.delete(key)
  }
  walk(profile.nodes[0]!.id, new Set(), '(outside our code)')
  return {
    total,
    byCategory,
    functions: [...functions].map(([name, f]) => ({ name, ...f })).sort((a, b) => b.self - a.self),
    nonCryptoByOurFunction: [...nonCrypto].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms),
  }
}
