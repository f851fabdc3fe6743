#!/usr/bin/env node
// `pure-tls`, the command-line tool (the package's bin): a table of commands, each in its own file.
import { readFileSync } from 'node:fs'
import { runBridge } from './bridge.js'
import { runConnect } from './connect.js'
import { runDemo } from './demo.js'
import { describeFailure, ExitCode, reportFailure } from './exit-codes.js'
import { runServe } from './serve.js'
import { runVerify } from './verify.js'

/** A subcommand: one line of the top-level --help, and what runs it. */
interface Command {
  readonly summary: string
  /** Runs with the arguments after the command's name; resolves with the exit code. */
  readonly run: (argv: string[]) => Promise<number>
}

/** Every command, in the order --help lists them. Adding a command is adding a line here. */
const commands: Readonly<Record<string, Command>> = {
  connect: { summary: 'connect to a TLS server: stdin to it, its answer to stdout (like openssl s_client)', run: runConnect },
  serve: { summary: 'a TLS server that echoes or answers HTTP with a page about the connection (like openssl s_server)', run: runServe },
  verify: { summary: 'verify a certificate chain: CA, host name, purpose, time (like openssl verify)', run: runVerify },
  bridge: { summary: 'a WebSocket-to-TCP bridge for browsers, relaying only to the targets it is given', run: runBridge },
  demo: { summary: 'a pure-tls server and client on 127.0.0.1: a real handshake, and what was negotiated', run: runDemo },
}

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }
  return manifest.version ?? 'unknown'
}

function help(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length))
  const rows = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
  return [
    'usage: pure-tls COMMAND [options]    (pure-tls COMMAND --help for its options)',
    '',
    'TLS 1.2 and 1.3 in TypeScript, with no OpenSSL underneath.',
    '',
    'commands:',
    ...rows,
    '',
    'Key logs for Wireshark: --keylog FILE, or SSLKEYLOGFILE=FILE in the environment.',
    'Exit status: 0 success, 1 connection/handshake failure, 2 usage, 3 certificate verification failed.',
    '',
  ].join('\n')
}

/** Runs the command line `argv` (without node and the script); resolves with the exit code. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ;(name === undefined ? process.stderr : process.stdout).write(help())
    return name === undefined ? ExitCode.usage : ExitCode.ok
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`pure-tls ${version()}\n`)
    return ExitCode.ok
  }
  const command = commands[name]
  if (!command) {
    process.stderr.write(`pure-tls: unknown command ${JSON.stringify(name)}\n\n${help()}`)
    return ExitCode.usage
  }
  try {
    return await command.run(rest)
  } catch (error) {
    return reportFailure(`pure-tls ${name}`, error)
  }
}

/** Exits once what was written to stdout and stderr has been handed over, so nothing left open keeps us alive. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
}

main(process.argv.slice(2)).then(exitAfterFlush, (error: unknown) => {
  process.stderr.write(`pure-tls: ${describeFailure(error).message}\n`)
  exitAfterFlush(ExitCode.failed)
})
