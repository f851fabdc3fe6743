// A ws WebSocket client over pure-tls: ws opens its connection with pure-tls's connect().
import { readFileSync } from 'node:fs'
import type { createConnection } from 'node:net'
import { connect } from 'pure-tls/node'
import { WebSocket } from 'ws'

const url = process.env.URL ?? 'wss://localhost:8443/'
const ca = process.env.CA_FILE ? readFileSync(process.env.CA_FILE) : undefined

const ws = new WebSocket(url, {
  // ws passes node:tls options (host, port, servername, ...); connect() takes them as they are.
  createConnection: ((options: object) => connect({ ...options, ca })) as unknown as typeof createConnection,
})
ws.on('open', () => ws.send('hello from pure-tls'))
ws.on('message', (data) => {
  console.log('received:', String(data))
  ws.close()
})
ws.on('error', (error) => {
  console.error(error)
  process.exitCode = 1
})
