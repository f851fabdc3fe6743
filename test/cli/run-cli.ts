// Runs the pure-tls CLI (src/cli/main.ts under tsx) as a child process, the way a user runs it: arguments, stdin, exit code.
import { join } from 'node:path'
import { PeerProcess, type PeerProcessOptions } from '../helpers/processes.js'

const root = join(import.meta.dirname, '..', '..')
const MAIN = join(root, 'src', 'cli', 'main.ts')

/** `pure-tls ARGS…` started (not awaited): read its output, write its stdin, wait for its exit. */
export function startCli(args: readonly string[], options: PeerProcessOptions = {}): PeerProcess {
  return new PeerProcess(process.execPath, ['--import', 'tsx', MAIN, ...args], { name: `pure-tls ${args.join(' ')}`.slice(0, 80), cwd: root, ...options })
}

/** What a finished CLI run left: its exit code and its output. */
export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions extends PeerProcessOptions {
  /** Written to stdin, which is then closed. */
  readonly input?: string | Uint8Array
  /** How long the run may take (default 30 s). */
  readonly timeoutMs?: number
}

/** Runs `pure-tls ARGS…` to completion. */
export async function runCli(args: readonly string[], { input, timeoutMs = 30_000, ...options }: RunOptions = {}): Promise<CliResult> {
  const cli = startCli(args, options)
  if (input !== undefined) await cli.write(input).catch(() => {})
  await cli.endInput()
  const code = await cli.waitForExit(timeoutMs)
  return { code, stdout: cli.output(), stderr: cli.errorOutput() }
}

/** `pure-tls serve --port 0 ARGS…`, resolved with its port once it prints "listening on". */
export async function startCliServer(args: readonly string[], options: PeerProcessOptions = {}): Promise<{ server: PeerProcess; port: number }> {
  const server = startCli(['serve', '--port', '0', ...args], options)
  const match = await server.waitForErrorOutput(/listening on 127\.0\.0\.1:(\d+)/, 20_000)
  return { server, port: Number(match[1]) }
}
