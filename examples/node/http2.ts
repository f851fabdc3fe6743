// node:http2 over pure-tls: the session's connection is a pure-tls socket that negotiated h2 by ALPN.
import { readFileSync } from 'node:fs'
import * as http2 from 'node:http2'
import { connect } from 'pure-tls/node'

const url = new URL(process.env.URL ?? 'https://localhost:8443/')
const ca = process.env.CA_FILE ? readFileSync(process.env.CA_FILE) : undefined

const session = http2.connect(url, {
  createConnection: () => connect({ host: url.hostname, port: Number(url.port) || 443, servername: url.hostname, ca, ALPNProtocols: ['h2'] }),
})
session.on('error', (error) => {
  console.error(error)
  process.exitCode = 1
})

const stream = session.request({ ':path': url.pathname })
let body = ''
stream.setEncoding('utf8')
stream.on('response', (headers) => console.log('status', headers[':status']))
stream.on('data', (chunk: string) => (body += chunk))
stream.on('end', () => {
  console.log(body)
  session.close()
})
stream.end()
