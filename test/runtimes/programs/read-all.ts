// Reads a byte stream to its end into one array: for the programs that run in browsers, Deno and Bun.
import { concatAll } from '../../../src/bytes.js'

export async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  const reader = readable.getReader()
  for (let next = await reader.read(); !next.done; next = await reader.read()) parts.push(next.value)
  return concatAll(parts)
}
