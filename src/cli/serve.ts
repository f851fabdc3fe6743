// `pure-tls serve`: a TLS server in the spirit of `openssl s_server`: an echo or an -www-like page, a given or generated certificate.
import { writeFileSync } from 'node:fs'
import type { ContextOptions } from '../handshake/context.js'
import type { ConnectionInfo } from '../handshake/session.js'
import { createDefaultContext, createServer, type TlsServer, type TlsSocket } from '../transport/node.js'
import { type CommandSpec, flag, formatHelp, integerOption, listOption, parseCommandLine, type ParsedCommandLine, stringOption, UsageError } from './args.js'
import { createCertificateAuthority, issueLeafCertificate } from './certificates.js'
import { formatSummary } from './describe.js'
import { describeFailure, ExitCode, reportFailure } from './exit-codes.js'
import { readOptionalFile } from './files.js'
import type { KeyLogFile } from './key-log.js'
import { keyLogFrom, policyOptionsFrom, withTlsOptions } from './tls-options.js'

const DEFAULT_PORT = 4433
const DEFAULT_NAMES = ['localhost', '127.0.0.1', '::1']
/** An HTTP request head longer than this gets a 431 from --www. */
const MAX_REQUEST_HEAD = 16 * 1024

/** The spec of `pure-tls serve`: its usage, options and --help. */
export const serveSpec: CommandSpec = withTlsOptions({
  name: 'serve',
  usage: '[options]',
  description: [
    'Listens for TLS clients and echoes what each one sends (or, with --www, answers an HTTP request with a page',
    "describing the connection). Without --cert and --key it makes a CA and a certificate for --name (default",
    `${DEFAULT_NAMES.join(', ')}) on the spot; --ca-out saves that CA for clients to trust. Prints "listening on`,
    'HOST:PORT" on stderr once ready; runs until interrupted, or until --naccept connections have ended.',
    'Exit status: 0 done, 1 the server failed, 2 usage.',
  ].join('\n'),
  positionals: { min: 0, max: 0 },
  options: {
    host: { type: 'string', value: 'ADDR', help: 'the address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)' },
    port: { type: 'string', value: 'N', help: `the port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)` },
    cert: { type: 'string', value: 'FILE', help: 'the certificate chain to present (PEM, leaf first), with --key' },
    key: { type: 'string', value: 'FILE', help: 'the private key of --cert (PEM)' },
    name: { type: 'string', value: 'NAME', multiple: true, help: 'a DNS name or IP address for the generated certificate' },
    'ca-out': { type: 'string', value: 'FILE', help: 'write the generated CA certificate (PEM) here, for clients to trust' },
    'verify-client': { type: 'string', value: 'MODE', help: 'ask for a client certificate: optional or required (needs --ca)' },
    ca: { type: 'string', value: 'FILE', help: 'the CAs client certificates must chain to (PEM)' },
    www: { type: 'boolean', help: 'answer each HTTP request with a text page describing the connection, then close' },
    echo: { type: 'boolean', help: 'send back whatever the client sends (the default)' },
    naccept: { type: 'string', value: 'N', help: 'stop after N connections have ended (default: run until interrupted)' },
    quiet: { type: 'boolean', short: 'q', help: 'print only "listening on" and errors' },
  },
  examples: [
    'pure-tls serve --port 4433 --www --ca-out ca.pem',
    'pure-tls serve --cert chain.pem --key key.pem --alpn h2,http/1.1 --verify-client required --ca clients.pem',
  ],
})

/** Our certificate: the files given, or a fresh CA and leaf for the names (the CA saved with --ca-out). */
function certificateOptions(parsed: ParsedCommandLine): Pick<ContextOptions, 'cert' | 'key'> & { generatedFor?: string[] } {
  const cert = readOptionalFile('cert', stringOption(parsed, 'cert'))
  const key = readOptionalFile('key', stringOption(parsed, 'key'))
  if (cert !== undefined || key !== undefined) {
    if (cert === undefined || key === undefined) throw new UsageError('--cert and --key go together')
    if (listOption(parsed, 'name') || stringOption(parsed, 'ca-out')) throw new UsageError('--name and --ca-out are for a generated certificate, not with --cert')
    return { cert, key }
  }
  const names = listOption(parsed, 'name') ?? DEFAULT_NAMES
  const ipAddresses = names.filter((name) => /^[0-9.]+$|:/.test(name))
  const dnsNames = names.filter((name) => !ipAddresses.includes(name))
  const ca = createCertificateAuthority({ commonName: 'pure-tls serve CA', keyType: 'ecdsa-p256', validDays: 7 })
  const leaf = issueLeafCertificate({ issuer: ca, commonName: names[0]!, dnsNames, ipAddresses, purpose: 'serverAuth', keyType: 'ecdsa-p256', validDays: 7 })
  const caOut = stringOption(parsed, 'ca-out')
  if (caOut !== undefined) writeFileSync(caOut, ca.certificatePem)
  return { cert: leaf.certificatePem, key: leaf.keyPem, generatedFor: names }
}

function verifyClientOptions(parsed: ParsedCommandLine): Pick<ContextOptions, 'verifyMode' | 'ca'> {
  const mode = stringOption(parsed, 'verify-client')
  const ca = readOptionalFile('ca', stringOption(parsed, 'ca'))
  if (mode === undefined) {
    if (ca !== undefined) throw new UsageError('--ca on a server is for client certificates: add --verify-client optional|required')
    return {}
  }
  if (mode !== 'optional' && mode !== 'required') throw new UsageError(`--verify-client must be optional or required, got ${JSON.stringify(mode)}`)
  if (ca === undefined) throw new UsageError('--verify-client needs --ca, the CAs client certificates must chain to')
  return { verifyMode: mode, ca }
}

/** The page --www sends: the request line and what was negotiated. */
function wwwPage(requestLine: string, info: ConnectionInfo): string {
  const body = `pure-tls serve\n\nrequest: ${requestLine}\n\n${formatSummary(info)}\n`
  const head = `HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`
  return head + body
}

/** Reads one HTTP request head and answers it with the page (or a 431 when the head is too long). */
function answerWww(socket: TlsSocket): void {
  let head = ''
  const onData = (chunk: Buffer) => {
    head += chunk.toString('latin1')
    if (head.includes('\r\n\r\n') || head.includes('\n\n')) {
      socket.off('data', onData)
      socket.end(wwwPage(head.split(/\r?\n/)[0]!, socket.info!))
    } else if (head.length > MAX_REQUEST_HEAD) {
      socket.off('data', onData)
      socket.end('HTTP/1.0 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n')
    }
  }
  socket.on('data', onData)
}

function peerName(socket: TlsSocket): string {
  const address = socket.socket.remoteAddress ?? '?'
  return `${address.includes(':') ? `[${address}]` : address}:${socket.socket.remotePort ?? '?'}`
}

function connectionLine(socket: TlsSocket): string {
  const info = socket.info!
  const client = info.peerCertificates.length === 0 ? 'no client certificate' : `client certificate ${info.peerVerified ? 'verified' : 'NOT verified'}`
  return `${peerName(socket)}: ${info.version} ${info.cipherSuite} ${info.group}, ALPN ${info.alpnProtocol ?? '-'}, SNI ${info.serverName ?? '-'}, ${client}`
}

/** When the server is done: `done` resolves after --naccept connections have ended, or on SIGINT/SIGTERM. */
function lifetime(server: TlsServer, naccept: number): { done: Promise<void>; connectionEnded: () => void } {
  let ended = 0
  let stop = () => {}
  const done = new Promise<void>((resolve) => {
    stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      server.close(() => resolve())
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  return {
    done,
    connectionEnded: () => {
      if (naccept > 0 && ++ended === naccept) stop()
    },
  }
}

function listen(server: TlsServer, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      const address = server.address()
      resolve(`${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`)
    })
  })
}

/** Runs `pure-tls serve` with the arguments after the command name; resolves with the exit code. */
export async function runServe(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(serveSpec, argv)
  if (parsed === 'help') {
    process.stdout.write(formatHelp(serveSpec))
    return ExitCode.ok
  }
  const quiet = flag(parsed, 'quiet')
  const note = (line: string) => {
    if (!quiet) process.stderr.write(`${line}\n`)
  }
  if (flag(parsed, 'www') && flag(parsed, 'echo')) throw new UsageError('--www and --echo exclude each other')
  const port = integerOption(parsed, 'port', DEFAULT_PORT, 0, 65535)
  const naccept = integerOption(parsed, 'naccept', 0, 0, 1_000_000)
  const keyLog: KeyLogFile | undefined = keyLogFrom(parsed)
  try {
    const { generatedFor, ...certificate } = certificateOptions(parsed)
    const options: ContextOptions = { ...policyOptionsFrom(parsed), ...certificate, ...verifyClientOptions(parsed), ...(keyLog ? { keyLog: keyLog.write } : {}) }
    const server = createServer({ context: createDefaultContext('client-auth', options) }, (socket) => {
      note(connectionLine(socket))
      if (flag(parsed, 'www')) answerWww(socket)
      else socket.pipe(socket)
      socket.on('error', (error) => note(`${peerName(socket)}: ${describeFailure(error).message}`))
      socket.once('close', connectionEnded)
    })
    const { done, connectionEnded } = lifetime(server, naccept)
    server.on('tlsClientError', (error: Error, socket: TlsSocket) => {
      note(`${peerName(socket)}: handshake failed: ${describeFailure(error).message}`)
      connectionEnded()
    })
    const where = await listen(server, stringOption(parsed, 'host') ?? '127.0.0.1', port)
    if (generatedFor) note(`generated a certificate for ${generatedFor.join(', ')}${stringOption(parsed, 'ca-out') ? `; its CA is in ${stringOption(parsed, 'ca-out')}` : ' (use --ca-out FILE to save its CA)'}`)
    process.stderr.write(`listening on ${where}\n`)
    await done
    return ExitCode.ok
  } catch (error) {
    return reportFailure('pure-tls serve', error)
  } finally {
    keyLog?.close()
  }
}
