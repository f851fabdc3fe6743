// Node's https client over pure-tls: a keep-alive https.Agent whose connections are pure-tls sockets.
import { readFileSync } from 'node:fs'
import * as https from 'node:https'
import type { Socket } from 'node:net'
import { connect } from 'pure-tls/node'

const url = new URL(process.env.URL ?? 'https://localhost:8443/')
const ca = process.env.CA_FILE ? readFileSync(process.env.CA_FILE) : undefined

const agent = new https.Agent({ keepAlive: true, maxSockets: 1 })
// https passes node:tls options (host, port, servername, ca, ...); pure-tls's connect() takes the same names.
agent.createConnection = (options) => connect({ ...options, ca }) as unknown as Socket

function get(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(new URL(path, url), { agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve(`${res.statusCode} ${body} (reused socket: ${req.reusedSocket})`))
    })
    req.on('error', reject)
  })
}

for (const path of ['/one', '/two', '/three']) console.log(await get(path))
agent.destroy()
