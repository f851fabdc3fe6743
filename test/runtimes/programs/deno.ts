// Deno: the runtime checks with Deno.connect's streams as the transport. Input as JSON in the first argument.
import { runtimeChecks, type RuntimeInput } from './runtime-checks.js'

declare const Deno: {
  args: string[]
  connect(options: { hostname: string; port: number }): Promise<{ readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }>
}

const input = JSON.parse(Deno.args[0]!) as RuntimeInput
const report = await runtimeChecks(input, async (port) => {
  const conn = await Deno.connect({ hostname: '127.0.0.1', port })
  return { readable: conn.readable, writable: conn.writable }
})
console.log(JSON.stringify(report))
