// The sources of a fresh project that uses the packed pure-tls: an .mjs, a .cjs, and a strict TypeScript consumer with its tsconfigs.

/** Connects to 127.0.0.1:PORT (argv) trusting the CA file (argv), prints version + verdict, sends a request, prints the answer's first line. */
const handshakeScript = `
const [port, caPath] = process.argv.slice(2)
const socket = node.connect({ host: '127.0.0.1', port: Number(port), servername: 'localhost', ca: readFileSync(caPath, 'utf8') }, () => {
  console.log(socket.info.version + ' ' + (socket.authorized ? 'verified' : 'NOT verified'))
  socket.write('GET / HTTP/1.0\\r\\n\\r\\n')
})
let page = ''
socket.on('data', (chunk) => (page += chunk))
socket.on('end', () => console.log(page.split('\\r\\n')[0]))
socket.on('error', (error) => {
  console.error(error.code, error.message)
  process.exitCode = 1
})
`

/** With pure-tls/roots loaded, a client context without \`ca\` trusts the bundled roots instead of refusing. */
const entryPointReport = `
if (typeof core.createDefaultContext !== 'function' || typeof node.connect !== 'function') throw new Error('exports missing')
const roots = core.createDefaultContext('server-auth').policy.caSource === 'default-roots' ? 'roots' : 'NO ROOTS'
console.log('entry points: ' + Object.keys(core).length + ' ' + Object.keys(node).length + ' ' + roots)
`

const esm = `import * as core from 'pure-tls'
import * as node from 'pure-tls/node'
import 'pure-tls/roots'
import { readFileSync } from 'node:fs'
${entryPointReport}${handshakeScript}`

const cjs = `const core = require('pure-tls')
const node = require('pure-tls/node')
require('pure-tls/roots')
const { readFileSync } = require('node:fs')
${entryPointReport}${handshakeScript}`

/** The README's client, typed: it must compile under strict in every module mode (the 'error' listener takes a TlsError). */
const typed = `import { readFileSync } from 'node:fs'
import { type ConnectionInfo, createDefaultContext, TlsError, type TlsPolicy } from 'pure-tls'
import { connect, type TlsSocket } from 'pure-tls/node'
import 'pure-tls/roots'

const policy: TlsPolicy = createDefaultContext('server-auth', { minVersion: 'TLSv1.3', alpnProtocols: ['http/1.1'] }).policy
const [port, caPath] = process.argv.slice(2)
const socket: TlsSocket = connect({ host: '127.0.0.1', port: Number(port), servername: 'localhost', ca: readFileSync(caPath!, 'utf8') }, () => {
  const info: ConnectionInfo | undefined = socket.info
  console.log(\`\${info?.version} \${socket.authorized ? 'verified' : 'NOT verified'}\`)
  socket.write('GET / HTTP/1.0\\r\\n\\r\\n')
})
let page = ''
socket.on('data', (chunk: Buffer) => (page += chunk.toString()))
socket.on('end', () => console.log(page.split('\\r\\n')[0]))
socket.on('error', (error: TlsError) => {
  console.error(error.code, error.alert, error instanceof TlsError, policy.role)
  process.exitCode = 1
})
`

/**
 * The typed events, as a consumer sees them through the packed declarations: each `@ts-expect-error` line must be a
 * type error (tsc reports an unused directive otherwise), so a listener of the wrong shape that compiles fails the build.
 */
const typedEvents = `import type { TlsError } from 'pure-tls'
import { Agent, type TlsServer, type TlsSocket } from 'pure-tls/node'
import type { ClientRequest } from 'node:http'
import * as https from 'node:https'

/** Our Agent where node's https takes one, with http.Agent's options and ours side by side. */
export function fetchThrough(url: string, ca: string): ClientRequest {
  const agent: https.Agent = new Agent({ keepAlive: true, maxSockets: 4, maxCachedSessions: 10, ca, minVersion: 'TLSv1.3' })
  // @ts-expect-error maxCachedSessions is a number
  void new Agent({ maxCachedSessions: 'many' })
  return https.get(url, { agent })
}

export function listen(socket: TlsSocket, server: TlsServer): void {
  socket.on('session', (session: Buffer) => session.length)
  socket.on('keylog', (line: Buffer) => line.length)
  socket.on('close', (hadError: boolean) => hadError)
  socket.on('error', (error: TlsError) => error.code)
  socket.on('error', (error: Error) => error.message)
  socket.on('pause', () => undefined)
  server.on('secureConnection', (tlsSocket: TlsSocket) => tlsSocket.authorized)
  server.on('tlsClientError', (error: TlsError, tlsSocket: TlsSocket) => [error.code, tlsSocket.remoteAddress])
  // @ts-expect-error 'session' carries a Buffer
  socket.on('session', (session: string) => session)
  // @ts-expect-error 'close' carries a boolean
  socket.once('close', (hadError: number) => hadError)
  // @ts-expect-error 'secure' carries nothing
  socket.on('secure', (what: string) => what)
  // @ts-expect-error 'secureConnection' gives a TlsSocket, not a string
  server.on('secureConnection', (name: string) => name)
  // @ts-expect-error emit('session') needs its Buffer
  socket.emit('session')
}
`

/** File name → contents of the consumer project (its package.json, type commonjs, is written beside them). */
export const consumerFiles: Readonly<Record<string, string>> = {
  'esm.mjs': esm,
  'cjs.cjs': cjs,
  'consumer.ts': typed,
  'consumer-esm.mts': typed,
  'events.ts': typedEvents,
}

function tsconfig(compilerOptions: Record<string, unknown>): string {
  const common = { strict: true, target: 'es2022', types: ['node'], forceConsistentCasingInFileNames: true }
  return JSON.stringify({ compilerOptions: { ...common, ...compilerOptions }, files: ['consumer.ts', 'consumer-esm.mts', 'events.ts'] }, null, 2)
}

/** One tsconfig per module mode the package supports; node16 emits, so its output can run. */
export const typeScriptConfigs: Readonly<Record<string, string>> = {
  'tsconfig.node16.json': tsconfig({ module: 'node16', moduleResolution: 'node16', outDir: 'out-node16' }),
  'tsconfig.nodenext.json': tsconfig({ module: 'nodenext', moduleResolution: 'nodenext', noEmit: true }),
  'tsconfig.bundler.json': tsconfig({ module: 'esnext', moduleResolution: 'bundler', noEmit: true }),
}
