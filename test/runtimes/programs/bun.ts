// Bun: the runtime checks with a Bun.connect socket (callbacks, partial writes, drain) as the transport.
import type { ByteStreamPair } from '../../../src/index.js'
import { runtimeChecks, type RuntimeInput } from './runtime-checks.js'

interface BunSocket {
  write(data: Uint8Array): number
  end(): void
  terminate(): void
}
declare const Bun: {
  argv: string[]
  connect(options: {
    hostname: string
    port: number
    socket: {
      data(socket: BunSocket, data: Uint8Array): void
      drain(socket: BunSocket): void
      end(socket: BunSocket): void
      close(socket: BunSocket): void
      error(socket: BunSocket, error: Error): void
    }
  }): Promise<BunSocket>
}

/** A Bun socket as a byte-stream pair: data callbacks fill the readable; writes go out whole, waiting for drain. */
async function bunConnect(port: number): Promise<ByteStreamPair> {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let readableOpen = true
  const endReadable = () => {
    if (readableOpen) controller.close()
    readableOpen = false
  }
  const drained: (() => void)[] = []
  const readable = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c
    },
    cancel: () => socket.end(),
  })
  const socket = await Bun.connect({
    hostname: '127.0.0.1',
    port,
    socket: {
      data: (_socket, data) => controller.enqueue(new Uint8Array(data)),
      drain: () => drained.splice(0).forEach((resume) => resume()),
      end: endReadable,
      close: endReadable,
      error: (_socket, error) => {
        readableOpen = false
        controller.error(error)
      },
    },
  })
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      for (let at = 0; at < chunk.length; ) {
        at += socket.write(chunk.subarray(at))
        if (at < chunk.length) await new Promise<void>((resume) => drained.push(resume))
      }
    },
    close: () => socket.end(),
    abort: () => socket.terminate(),
  })
  return { readable, writable }
}

const input = JSON.parse(Bun.argv[2]!) as RuntimeInput
console.log(JSON.stringify(await runtimeChecks(input, bunConnect)))
