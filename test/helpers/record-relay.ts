// A TCP relay on 127.0.0.1 that forwards bytes unchanged between a client and a server and notes every TLS record header passing each way.
import { connect, createServer, type Server, type Socket } from 'node:net'
import { withTimeout } from './timeouts.js'

/** One record as seen on the wire: its content type and its length field (the header's last two bytes). */
export interface RecordSeen {
  readonly type: number
  readonly length: number
}

export type RelayDirection = 'client->server' | 'server->client'

const HEADER = 5
const CHANGE_CIPHER_SPEC = 20
const APPLICATION_DATA = 23

/** Follows record boundaries in one direction of a byte stream (records may straddle TCP segments). */
class RecordWatcher {
  readonly records: RecordSeen[] = []
  private header = new Uint8Array(HEADER)
  private headerBytes = 0
  /** Bytes of the current record's fragment still to skip. */
  private remaining = 0

  feed(chunk: Uint8Array): void {
    let at = 0
    while (at < chunk.length) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, chunk.length - at)
        this.remaining -= skip
        at += skip
        continue
      }
      this.header[this.headerBytes++] = chunk[at++]!
      if (this.headerBytes === HEADER) {
        const length = (this.header[3]! << 8) | this.header[4]!
        this.records.push({ type: this.header[0]!, length })
        this.remaining = length
        this.headerBytes = 0
      }
    }
  }
}

/** A relay between one client and `targetPort`; `port` is where clients connect. */
export class RecordRelay {
  private readonly watchers: Record<RelayDirection, RecordWatcher> = { 'client->server': new RecordWatcher(), 'server->client': new RecordWatcher() }
  private readonly sockets = new Set<Socket>()

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Starts a relay to 127.0.0.1:`targetPort` on a free port; it relays the first connection it accepts. */
  static async start(targetPort: number): Promise<RecordRelay> {
    let relay: RecordRelay | undefined
    const server = createServer((client) => relay!.relay(client, targetPort))
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, '127.0.0.1', () => resolve())
      }),
      10_000,
      'starting the record relay',
    )
    const address = server.address()
    relay = new RecordRelay(server, typeof address === 'object' && address !== null ? address.port : 0)
    return relay
  }

  /** Every record seen in `direction`, in order. */
  records(direction: RelayDirection): readonly RecordSeen[] {
    return this.watchers[direction].records
  }

  /**
   * The length fields of the protected records in `direction`: TLS 1.3 application_data records, or in TLS 1.2
   * (`afterChangeCipherSpec`) every record after the ChangeCipherSpec.
   */
  protectedLengths(direction: RelayDirection, afterChangeCipherSpec = false): number[] {
    const records = this.records(direction)
    if (!afterChangeCipherSpec) return records.filter((r) => r.type === APPLICATION_DATA).map((r) => r.length)
    const ccs = records.findIndex((r) => r.type === CHANGE_CIPHER_SPEC)
    return ccs < 0 ? [] : records.slice(ccs + 1).map((r) => r.length)
  }

  private relay(client: Socket, targetPort: number): void {
    const upstream = connect(targetPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      this.sockets.add(socket)
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
      socket.on('close', () => this.sockets.delete(socket))
    }
    this.forward(client, upstream, this.watchers['client->server'])
    this.forward(upstream, client, this.watchers['server->client'])
  }

  /** Copies `from` to `to` noting the records, passes back-pressure, and half-closes as `from` ends. */
  private forward(from: Socket, to: Socket, watcher: RecordWatcher): void {
    from.on('data', (chunk: Buffer) => {
      watcher.feed(chunk)
      if (!to.write(chunk)) {
        from.pause()
        to.once('drain', () => from.resume())
      }
    })
    from.on('end', () => to.end())
  }

  /** Stops listening and destroys both sides of every relayed connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await withTimeout(new Promise<void>((resolve) => this.server.close(() => resolve())), 5_000, 'closing the record relay')
  }
}
