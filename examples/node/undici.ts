// undici's fetch over pure-tls: an Agent whose connector hands undici a pure-tls socket once its handshake is done.
import { readFileSync } from 'node:fs'
import type { TLSSocket } from 'node:tls'
import { connect } from 'pure-tls/node'
import { Agent, fetch } from 'undici'

const url = process.env.URL ?? 'https://localhost:8443/'
const ca = process.env.CA_FILE ? readFileSync(process.env.CA_FILE) : undefined

const dispatcher = new Agent({
  connect: ({ hostname, port, servername }, callback) => {
    const socket = connect({ host: hostname, port: Number(port) || 443, servername: servername || hostname, ca, ALPNProtocols: ['http/1.1'] })
    socket.once('secureConnect', () => callback(null, socket as unknown as TLSSocket))
    socket.once('error', (error) => callback(error, null))
  },
})

const response = await fetch(url, { dispatcher })
console.log(response.status, await response.text())
await dispatcher.close()
