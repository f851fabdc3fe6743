// A child process run by a test: captured stdout/stderr, stdin control, bounded waits, and a kill that always happens.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { OutputBuffer } from './output.js'
import { sleep, withTimeout } from './timeouts.js'

export interface PeerProcessOptions {
  /** Shown in error messages; defaults to the command and its first argument. */
  name?: string
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** The process is killed after this long whatever the test does (default 60 s), so nothing can hang. */
  lifetimeMs?: number
}

const live = new Set<PeerProcess>()
const STOP_GRACE_MS = 2_000

export class PeerProcess {
  readonly name: string
  readonly stdout: OutputBuffer
  readonly stderr: OutputBuffer
  private readonly child: ChildProcessWithoutNullStreams
  private readonly closed: Promise<void>
  private readonly lifetime: NodeJS.Timeout
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null

  constructor(command: string, args: readonly string[], options: PeerProcessOptions = {}) {
    this.name = options.name ?? `${command} ${args[0] ?? ''}`.trim()
    this.stdout = new OutputBuffer(`${this.name} stdout`)
    this.stderr = new OutputBuffer(`${this.name} stderr`)
    this.child = spawn(command, [...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe' })
    this.child.stdout.on('data', (chunk: Buffer) => this.stdout.append(chunk))
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.append(chunk))
    // A peer that exits early makes our writes fail with EPIPE; write() reports that, the stream must not throw.
    this.child.stdin.on('error', () => {})
    this.closed = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null, why: string) => {
        if (this.exit !== null) return
        this.exit = { code, signal }
        clearTimeout(this.lifetime)
        live.delete(this)
        this.stdout.close(why)
        this.stderr.close(why)
        resolve()
      }
      this.child.on('close', (code, signal) => finish(code, signal, `${this.name} exited (${signal ?? `code ${code}`})`))
      this.child.on('error', (error) => finish(null, null, `${this.name} could not run: ${error.message}`))
    })
    this.lifetime = setTimeout(() => void this.stop(), options.lifetimeMs ?? 60_000)
    this.lifetime.unref()
    live.add(this)
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  get running(): boolean {
    return this.exit === null
  }

  /** The exit code once the process has ended (null if it ended by a signal), undefined while it runs. */
  get exitCode(): number | null | undefined {
    return this.exit?.code
  }

  /** The signal that ended the process, if one did. */
  get exitSignal(): NodeJS.Signals | null | undefined {
    return this.exit?.signal
  }

  /** Everything the process printed on stdout so far, as text. */
  output(): string {
    return this.stdout.text()
  }

  /** Everything the process printed on stderr so far, as text. */
  errorOutput(): string {
    return this.stderr.text()
  }

  /** Writes to the process's stdin; resolves once the bytes are handed to the pipe. */
  write(data: Uint8Array | string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.running || this.child.stdin.writableEnded) {
        reject(new Error(`${this.name}: cannot write, stdin is closed\n${this.errorOutput()}`))
        return
      }
      this.child.stdin.write(data, (error) => (error ? reject(new Error(`${this.name}: write failed: ${error.message}`)) : resolve()))
    })
  }

  /** Closes stdin (end of input for the process). */
  endInput(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.stdin.writableEnded || !this.running) resolve()
      else this.child.stdin.end(() => resolve())
    })
  }

  waitForOutput(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return this.stdout.waitForText(pattern, timeoutMs)
  }

  waitForErrorOutput(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return this.stderr.waitForText(pattern, timeoutMs)
  }

  /** Resolves with the exit code (null after a signal) once the process ends and its output is drained. */
  async waitForExit(timeoutMs = 10_000): Promise<number | null> {
    const state = () => `${this.name} still running\nstdout: ${this.output().slice(-1000)}\nstderr: ${this.errorOutput().slice(-1000)}`
    await withTimeout(this.closed, timeoutMs, state)
    return this.exit?.code ?? null
  }

  /** Ends the process: SIGTERM, then SIGKILL if it lingers; resolves once it is gone. Safe to call twice. */
  async stop(): Promise<void> {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      if (!this.running) return
      this.child.kill(signal)
      await Promise.race([this.closed, sleep(STOP_GRACE_MS)])
    }
  }

  dispose(): Promise<void> {
    return this.stop()
  }

  /** SIGKILL now, without waiting (for process exit, where nothing can be awaited). */
  killNow(): void {
    if (this.running) this.child.kill('SIGKILL')
  }
}

/** Stops every process the helpers started in this test process (for afterEach/afterAll). */
export async function disposeAllProcesses(): Promise<void> {
  await Promise.all([...live].map((peer) => peer.stop()))
}

process.once('exit', () => {
  for (const peer of live) peer.killNow()
})
