// A child process of bench/http.ts: http.Server behind pure-tls's createServer (noble or node:crypto provider), or https.createServer, answering tiny responses; port and CPU over IPC.
import { createServer as createHttpServer, type RequestListener } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Server } from 'node:net'
import { createServer, nodeCryptoProvider } from '../../src/transport/node.js'

/** What the parent asks: 'cpu' (reply: this process's CPU time so far, µs) or 'exit'. */
export type HttpServerRequest = 'cpu' | 'exit'
/** What the child sends: its port once listening, then its CPU time when asked. */
export type HttpServerReply = { readonly port: number } | { readonly cpuMicros: number }

const stack = process.env.BENCH_STACK
const suite = process.env.BENCH_SUITE ?? ''
const tlsOptions = { cert: process.env.BENCH_CERT ?? '', key: process.env.BENCH_KEY ?? '', ciphers: suite }

const answer: RequestListener = (_req, res) => {
  res.setHeader('content-type', 'text/plain')
  res.end('ok')
}

function start(): Server {
  if (stack === 'node:tls') return createHttpsServer(tlsOptions, answer)
  if (stack !== 'pure-tls' && stack !== 'pure-tls node:crypto') throw new Error(`BENCH_STACK must be pure-tls, pure-tls node:crypto or node:tls, got ${stack}`)
  const http = createHttpServer(answer)
  const provider = stack === 'pure-tls node:crypto' ? { provider: nodeCryptoProvider() } : {}
  return createServer({ ...tlsOptions, ...provider }, (socket) => http.emit('connection', socket))
}

const send = (reply: HttpServerReply) => process.send!(reply)
const server = start()
server.listen(0, '127.0.0.1', () => send({ port: (server.address() as AddressInfo).port }))
process.on('message', (request: HttpServerRequest) => {
  if (request === 'exit') process.exit(0)
  const { user, system } = process.cpuUsage()
  send({ cpuMicros: user + system })
})
