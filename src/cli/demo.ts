// `pure-tls demo` (and `npm start`): a loopback demo — a pure-tls server and client over TCP, a real handshake, what was negotiated.
import { once } from 'node:events'
import { connect, createServer, type TlsServer, type TlsSocket } from '../transport/node.js'
import { UsageError } from './args.js'
import { createCertificateAuthority, issueLeafCertificate } from './certificates.js'
import { ExitCode, reportFailure } from './exit-codes.js'

const HOST_NAME = 'localhost'

const DEMO_TIMEOUT_MS = 10_000

const HELP = `usage: pure-tls demo [--tls1.2 | --tls1.3]

Starts a pure-tls server and a pure-tls client on 127.0.0.1, with a CA and a certificate made on the spot,
runs a real handshake and one HTTP-like request, and prints what was negotiated. PURE_TLS_VERSION=1.2|1.3
does what the flags do. Exit status: 0 when the handshake verified and the answer came back, 1 otherwise.
`

function parseVersion(argv: string[]): 'TLSv1.2' | 'TLSv1.3' | undefined {
  const flag = argv.find((a) => a.startsWith('--tls'))
  const value = flag ?? (process.env.PURE_TLS_VERSION ? `--tls${process.env.PURE_TLS_VERSION}` : undefined)
  if (value === undefined) return undefined
  if (value === '--tls1.2' || value === '--tls12') return 'TLSv1.2'
  if (value === '--tls1.3' || value === '--tls13') return 'TLSv1.3'
  throw new UsageError(`unknown version ${value}: use --tls1.2 or --tls1.3 (or PURE_TLS_VERSION=1.2|1.3)`)
}

function show(rows: [string, string | undefined][]): void {
  const width = Math.max(...rows.map(([k]) => k.length))
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v ?? '-'}`)
}

async function readAll(socket: TlsSocket): Promise<string> {
  const chunks: Buffer[] = []
  socket.on('data', (d: Buffer) => chunks.push(d))
  await once(socket, 'end')
  return Buffer.concat(chunks).toString('utf8')
}

async function demo(version: 'TLSv1.2' | 'TLSv1.3' | undefined): Promise<void> {
  const started = performance.now()

  const ca = createCertificateAuthority({ commonName: 'pure-tls demo root CA', keyType: 'ecdsa-p256', validDays: 1 })
  const leaf = issueLeafCertificate({
    issuer: ca,
    commonName: HOST_NAME,
    dnsNames: [HOST_NAME],
    ipAddresses: ['127.0.0.1'],
    purpose: 'serverAuth',
    keyType: 'ecdsa-p256',
    validDays: 1,
  })
  console.log(`created a CA and a certificate for "${HOST_NAME}" (ECDSA P-256) in ${(performance.now() - started).toFixed(0)} ms`)

  const server = createServer({ cert: leaf.certificatePem, key: leaf.keyPem, alpnProtocols: ['demo/1', 'http/1.1'] }, (socket) => {
    socket.once('data', (request: Buffer) => {
      const info = socket.info!
      socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello over ${info.version} with ${info.cipherSuite}; you asked: ${request.toString().split('\r\n')[0]}\n`)
    })
  })
  server.on('tlsClientError', (err: Error) => console.error('server refused a client:', err.message))
  try {
    await exchange(server, ca.certificatePem, version)
  } finally {
    server.close()
  }
  console.log(`done in ${(performance.now() - started).toFixed(0)} ms`)
}

/** Connects to the demo server, shows what was negotiated, sends one request and shows the answer. */
async function exchange(server: TlsServer, caPem: string, version: 'TLSv1.2' | 'TLSv1.3' | undefined): Promise<void> {
  server.listen(0, '127.0.0.1')
  await once(server.server, 'listening')
  const { port } = server.address()
  console.log(`pure-tls server listening on 127.0.0.1:${port}`)

  const socket = connect({ host: '127.0.0.1', port, servername: HOST_NAME, ca: caPem, alpnProtocols: ['demo/1'], maxVersion: version })
  const handshakeStart = performance.now()
  await once(socket, 'secureConnect')
  const info = socket.info!
  console.log(`pure-tls client connected in ${(performance.now() - handshakeStart).toFixed(1)} ms:`)
  show([
    ['version', info.version],
    ['cipher suite', info.cipherSuite],
    ['key exchange', info.group],
    ['server signature', info.signatureScheme],
    ['ALPN', info.alpnProtocol],
    ['server name (SNI)', HOST_NAME],
    ['chain verified', info.peerVerified ? `yes: ${info.peerCertificates.length} certificate(s) to the demo root, host name "${HOST_NAME}" matched` : 'NO'],
    ['extended master secret', info.extendedMasterSecret === undefined ? 'n/a (TLS 1.3)' : String(info.extendedMasterSecret)],
  ])

  socket.write(`GET / HTTP/1.1\r\nHost: ${HOST_NAME}\r\n\r\n`)
  const response = await readAll(socket)
  console.log('response from the server:')
  console.log(response.replace(/\r/g, '').replace(/^/gm, '  > ').trimEnd())
  if (!info.peerVerified || !response.startsWith('HTTP/1.1 200')) throw new Error('demo did not complete as expected')
}

/** Runs the demo with the arguments after `demo`; resolves with the exit code (it never throws). */
export async function runDemo(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP)
    return ExitCode.ok
  }
  const unknown = argv.find((a) => !a.startsWith('--tls'))
  let watchdog: NodeJS.Timeout | undefined
  try {
    if (unknown !== undefined) throw new UsageError(`unknown argument ${unknown}`)
    const timedOut = new Promise<never>((_, reject) => {
      watchdog = setTimeout(() => reject(new Error(`the demo did not finish within ${DEMO_TIMEOUT_MS} ms`)), DEMO_TIMEOUT_MS)
    })
    await Promise.race([demo(parseVersion(argv)), timedOut])
    return ExitCode.ok
  } catch (err) {
    return reportFailure('pure-tls demo', err)
  } finally {
    clearTimeout(watchdog)
  }
}
