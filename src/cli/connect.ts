// `pure-tls connect HOST[:PORT]`: a TLS client in the spirit of `openssl s_client`, stdin to the server, the server to stdout.
import type { ContextOptions } from '../handshake/context.js'
import { connect, createDefaultContext, type TlsSocket } from '../transport/node.js'
import { type CommandSpec, flag, formatHelp, integerOption, parseCommandLine, type ParsedCommandLine, stringOption, UsageError } from './args.js'
import { formatChain, formatSummary } from './describe.js'
import { ExitCode, reportFailure } from './exit-codes.js'
import { readOptionalFile } from './files.js'
import type { KeyLogFile } from './key-log.js'
import { keyLogFrom, policyOptionsFrom, withTlsOptions } from './tls-options.js'
import { messagePrinter } from './trace.js'

const DEFAULT_PORT = 443
const DEFAULT_TIMEOUT_MS = 30_000

/** The spec of `pure-tls connect`: its usage, options and --help. */
export const connectSpec: CommandSpec = withTlsOptions({
  name: 'connect',
  usage: 'HOST[:PORT] [options]',
  description: [
    'Connects to a TLS server, prints what was negotiated on stderr, then sends stdin to the server and writes',
    'what the server sends to stdout. The end of stdin sends close_notify (unless --ign-eof); the command ends',
    `when the server closes. PORT defaults to ${DEFAULT_PORT}; write IPv6 addresses as [::1]:PORT. Without --ca the`,
    'system store is trusted. Exit status: 0 done, 1 connection or handshake failed, 2 usage, 3 certificate',
    'verification failed.',
  ].join('\n'),
  positionals: { min: 1, max: 1 },
  options: {
    servername: { type: 'string', value: 'NAME', help: 'the name sent in SNI and checked against the certificate (default HOST)' },
    ca: { type: 'string', value: 'FILE', help: 'trust only the CA certificates in this PEM file (default: the system store)' },
    cert: { type: 'string', value: 'FILE', help: 'a client certificate chain (PEM), sent when the server asks for one' },
    key: { type: 'string', value: 'FILE', help: 'the private key of --cert (PEM, PKCS#8 or SEC1 or PKCS#1)' },
    insecure: { type: 'boolean', help: 'do not verify the server certificate at all (verifyMode none): for tests only' },
    'no-check-hostname': { type: 'boolean', help: 'verify the chain but not that it names the server (checkHostname false)' },
    'show-chain': { type: 'boolean', help: "print the server's certificate chain (subject, issuer, validity, names, PEM)" },
    trace: { type: 'boolean', help: 'print every handshake message sent and received, with its size' },
    quiet: { type: 'boolean', short: 'q', help: 'print nothing but the data received (errors still go to stderr)' },
    'ign-eof': { type: 'boolean', help: 'keep the connection open after stdin ends, until the server closes' },
    timeout: { type: 'string', value: 'MS', help: `give up when the handshake takes longer than this (default ${DEFAULT_TIMEOUT_MS})` },
  },
  examples: [
    'pure-tls connect example.com:443 --alpn http/1.1 < request.txt',
    "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | pure-tls connect 127.0.0.1:4433 --ca ca.pem --servername localhost --trace",
    'SSLKEYLOGFILE=keys.txt pure-tls connect example.com --tls1.2 --show-chain',
  ],
})

/** HOST[:PORT], with [v6]:PORT for IPv6 addresses. */
export function parseTarget(text: string): { host: string; port: number } {
  const match = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text) ?? /^([^:\s]+)(?::(\d+))?$/.exec(text)
  if (!match) throw new UsageError(`${JSON.stringify(text)} is not HOST[:PORT] (IPv6 as [ADDRESS]:PORT)`)
  const port = match[2] === undefined ? DEFAULT_PORT : Number(match[2])
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`port ${match[2]} is not from 1 to 65535`)
  return { host: match[1]!, port }
}

function contextOptionsFrom(parsed: ParsedCommandLine, keyLog: KeyLogFile | undefined): ContextOptions {
  const ca = readOptionalFile('ca', stringOption(parsed, 'ca'))
  const cert = readOptionalFile('cert', stringOption(parsed, 'cert'))
  const key = readOptionalFile('key', stringOption(parsed, 'key'))
  const insecure = flag(parsed, 'insecure')
  return {
    ...policyOptionsFrom(parsed),
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(insecure ? { verifyMode: 'none' as const } : {}),
    ...(flag(parsed, 'no-check-hostname') && !insecure ? { checkHostname: false } : {}),
    ...(keyLog ? { keyLog: keyLog.write } : {}),
  }
}

/** Resolves once the handshake is done; rejects with the socket's error or after `timeoutMs`. */
function handshake(socket: TlsSocket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no handshake within ${timeoutMs} ms`)), timeoutMs)
    const settle = (error?: Error) => {
      clearTimeout(timer)
      socket.off('secureConnect', onSecure)
      socket.off('error', settle)
      if (error) reject(error)
      else resolve()
    }
    const onSecure = () => settle()
    socket.once('secureConnect', onSecure)
    socket.once('error', settle)
  })
}

/** stdin to the server, the server to stdout, until the connection closes; rejects with the socket's error. */
function relay(socket: TlsSocket, ignoreEof: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const release = () => {
      process.stdin.unpipe(socket)
      process.stdin.destroy()
    }
    socket.pipe(process.stdout)
    process.stdin.pipe(socket, { end: !ignoreEof })
    socket.once('error', (error) => {
      release()
      reject(error)
    })
    socket.once('close', () => {
      release()
      resolve()
    })
  })
}

/** Runs `pure-tls connect` with the arguments after the command name; resolves with the exit code. */
export async function runConnect(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(connectSpec, argv)
  if (parsed === 'help') {
    process.stdout.write(formatHelp(connectSpec))
    return ExitCode.ok
  }
  const { host, port } = parseTarget(parsed.positionals[0]!)
  const timeoutMs = integerOption(parsed, 'timeout', DEFAULT_TIMEOUT_MS, 1, 3_600_000)
  const quiet = flag(parsed, 'quiet')
  const note = (line: string) => {
    if (!quiet) process.stderr.write(`${line}\n`)
  }
  const keyLog = keyLogFrom(parsed)
  try {
    const options = contextOptionsFrom(parsed, keyLog)
    if (options.verifyMode === 'none') process.stderr.write('warning: --insecure: the server certificate is NOT verified\n')
    const trace = flag(parsed, 'trace') && !quiet
    const context = createDefaultContext('server-auth', { ...options, ...(trace && { onHandshakeMessage: messagePrinter(note) }) })
    const servername = stringOption(parsed, 'servername')
    const socket = connect({ host, port, context, ...(servername ? { servername } : {}) })
    socket.on('error', () => {}) // reported through the promises below
    await handshake(socket, timeoutMs)
    note(`connected to ${host}:${port}`)
    note(formatSummary(socket.info!))
    if (flag(parsed, 'show-chain')) note(formatChain(socket.info!.peerCertificates, true))
    await relay(socket, flag(parsed, 'ign-eof'))
    return ExitCode.ok
  } catch (error) {
    return reportFailure('pure-tls connect', error)
  } finally {
    keyLog?.close()
  }
}
