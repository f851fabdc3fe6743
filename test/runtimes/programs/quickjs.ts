// The program QuickJS evaluates: the in-memory handshakes with randomness from the host, and nothing else from outside.
// The host injects two functions before it runs: hostRandomBytes(n) (an ArrayBuffer of n random bytes) and report(json).
import { inMemoryHandshakes, type ChainPems } from './in-memory.js'

declare const hostRandomBytes: (length: number) => ArrayBuffer
declare const report: (json: string) => void

/** What the engine has of the usual globals: the test asserts none of them is there. */
function globalsPresent(): string[] {
  const g = globalThis as Record<string, unknown>
  return ['TextEncoder', 'TextDecoder', 'crypto', 'console', 'setTimeout', 'URL', 'atob', 'btoa', 'structuredClone', 'queueMicrotask'].filter((name) => g[name] !== undefined)
}

/** Runs the handshakes for `inputJson` (the chains) and reports the results, or the error, as JSON. */
export function run(inputJson: string): void {
  const chains = JSON.parse(inputJson) as ChainPems[]
  try {
    const results = inMemoryHandshakes({ chains, versions: ['TLSv1.3'], randomBytes: (n) => new Uint8Array(hostRandomBytes(n)) })
    report(JSON.stringify({ globals: globalsPresent(), results }))
  } catch (error) {
    report(JSON.stringify({ globals: globalsPresent(), error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error) }))
  }
}
