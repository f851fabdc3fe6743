// Runs the in-memory handshakes with every other random source poisoned, twice with one seed and once with another.
// Reads the chains as JSON on stdin; writes { runs, touched } as JSON on stdout.
import { touched } from './poison.js'
import { createNobleProvider } from '../../../src/index.js'
import { type ChainPems, inMemoryHandshakes } from './in-memory.js'

/** A reproducible byte stream: SHA-256(seed || counter) blocks, hashed by the library itself (no randomness needed). */
function seeded(seed: string) {
  const sha256 = createNobleProvider({ randomBytes: () => new Uint8Array(0) }).hash('SHA-256')
  let counter = 0
  return (length: number) => {
    const out = new Uint8Array(length)
    for (let at = 0; at < length; at += 32) {
      const block = sha256.digest(Uint8Array.from(`${seed}/${counter++}`, (c) => c.charCodeAt(0)))
      out.set(block.subarray(0, Math.min(32, length - at)), at)
    }
    return out
  }
}

const chunks: Buffer[] = []
process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk))
process.stdin.on('end', () => {
  const chains = JSON.parse(Buffer.concat(chunks).toString()) as ChainPems[]
  const versions = ['TLSv1.3', 'TLSv1.2'] as const
  const runs = ['first', 'first', 'second'].map((seed) => {
    try {
      return inMemoryHandshakes({ chains, versions, randomBytes: seeded(seed) })
    } catch (error) {
      return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
    }
  })
  process.stdout.write(JSON.stringify({ runs, touched }))
})
