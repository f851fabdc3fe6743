// A growing byte buffer fed by a process or socket, with promise-based waits that always time out.

/** What a wait is waiting for, asked again after every chunk (it reads the buffer only as far as it needs). */
type Condition = () => boolean

interface Waiter {
  readonly condition: Condition
  readonly what: string
  readonly resolve: () => void
  readonly reject: (error: Error) => void
  readonly timer: NodeJS.Timeout
}

export class OutputBuffer {
  private chunks: Uint8Array[] = []
  private length = 0
  private joined: Uint8Array | null = new Uint8Array(0)
  private waiters = new Set<Waiter>()
  private closedBecause: string | null = null

  /** `name` appears in timeout messages, e.g. "openssl s_server stdout". */
  constructor(readonly name: string) {}

  append(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    this.chunks.push(chunk)
    this.length += chunk.length
    this.joined = null
    this.settle()
  }

  /** No more bytes will come: waits that are not satisfied now fail at once instead of timing out. */
  close(reason: string): void {
    if (this.closedBecause !== null) return
    this.closedBecause = reason
    this.settle()
  }

  get closed(): boolean {
    return this.closedBecause !== null
  }

  get byteLength(): number {
    return this.length
  }

  bytes(): Uint8Array {
    if (this.joined === null) {
      this.joined = Buffer.concat(this.chunks, this.length)
      this.chunks = [this.joined]
    }
    return this.joined
  }

  text(): string {
    return Buffer.from(this.bytes()).toString('utf8')
  }

  /** Resolves with the first match of `pattern` in the text received so far (or once it arrives). */
  async waitForText(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    const match = () => this.text().match(pattern)
    await this.waitFor(() => match() !== null, timeoutMs, `text matching ${pattern}`)
    return match() as RegExpMatchArray
  }

  /** Resolves with the first `count` bytes once at least that many have arrived. */
  async waitForBytes(count: number, timeoutMs = 10_000): Promise<Uint8Array> {
    await this.waitFor(() => this.length >= count, timeoutMs, `${count} bytes`)
    return this.bytes().subarray(0, count)
  }

  /** Resolves once no more bytes can arrive (the stream ended), with everything received. */
  async waitForClose(timeoutMs = 10_000): Promise<Uint8Array> {
    await this.waitFor(() => this.closed, timeoutMs, 'the end of the stream')
    return this.bytes()
  }

  private waitFor(condition: Condition, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve()
    if (this.closedBecause !== null) return Promise.reject(this.failure(what, this.closedBecause))
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        condition,
        what,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter)
          reject(this.failure(what, `timed out after ${timeoutMs} ms`))
        }, timeoutMs),
      }
      this.waiters.add(waiter)
    })
  }

  private settle(): void {
    for (const waiter of this.waiters) {
      const satisfied = waiter.condition()
      if (!satisfied && this.closedBecause === null) continue
      clearTimeout(waiter.timer)
      this.waiters.delete(waiter)
      if (satisfied) waiter.resolve()
      else waiter.reject(this.failure(waiter.what, this.closedBecause ?? 'closed'))
    }
  }

  private failure(what: string, why: string): Error {
    const tail = this.text().slice(-2000)
    return new Error(`${this.name}: waiting for ${what}: ${why}; received ${this.length} bytes, ending with:\n${tail}`)
  }
}
