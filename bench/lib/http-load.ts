// The load loop of bench/http.ts: a fixed number of keep-alive node:tls connections, one request in flight on each, responses counted.
import { once } from 'node:events'
import tls from 'node:tls'

const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n')
const HEADER_END = Buffer.from('\r\n\r\n')

/** One keep-alive connection sending a request each time the previous response is complete. */
export class LoadConnection {
  completed = 0
  private buffered: Buffer = Buffer.alloc(0)
  private running = false
  private inFlight = false
  private idle: (() => void) | undefined

  constructor(readonly socket: tls.TLSSocket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
  }

  start(): void {
    this.running = true
    this.send()
  }

  /** Stops sending; resolves once the response in flight has arrived. */
  stop(): Promise<void> {
    this.running = false
    return this.inFlight ? new Promise((resolve) => (this.idle = resolve)) : Promise.resolve()
  }

  private send(): void {
    this.inFlight = true
    this.socket.write(REQUEST)
  }

  /** Responses carry Content-Length (http.Server sets it for res.end(body)); one is complete once its body is in. */
  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk])
    for (;;) {
      const end = this.buffered.indexOf(HEADER_END)
      if (end < 0) return
      const length = Number(/content-length: *(\d+)/i.exec(this.buffered.subarray(0, end).toString('latin1'))?.[1])
      if (!Number.isInteger(length)) throw new Error('a response without Content-Length')
      const total = end + HEADER_END.length + length
      if (this.buffered.length < total) return
      this.buffered = this.buffered.subarray(total)
      this.completed++
      this.inFlight = false
      if (this.running) this.send()
      else this.idle?.()
    }
  }
}

/** `count` connections to 127.0.0.1:port, handshakes done, each with `suite` forced. */
export async function openConnections(port: number, count: number, suite: string, ca: string): Promise<LoadConnection[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ciphers: suite, minVersion: 'TLSv1.3' })
      await once(socket, 'secureConnect')
      if (socket.getCipher().standardName !== suite) throw new Error(`negotiated ${socket.getCipher().standardName}, not ${suite}`)
      return new LoadConnection(socket)
    }),
  )
}

/** Runs every connection for `ms`, then lets the requests in flight finish; the responses completed, per wall second. */
export async function requestsPerSecond(connections: readonly LoadConnection[], ms: number): Promise<number> {
  const before = connections.reduce((n, c) => n + c.completed, 0)
  const started = performance.now()
  for (const c of connections) c.start()
  await new Promise((resolve) => setTimeout(resolve, ms))
  await Promise.all(connections.map((c) => c.stop()))
  const done = connections.reduce((n, c) => n + c.completed, 0) - before
  return done / ((performance.now() - started) / 1000)
}

/** Destroys the load connections. */
export function closeConnections(connections: readonly LoadConnection[]): void {
  for (const c of connections) c.socket.destroy()
}
