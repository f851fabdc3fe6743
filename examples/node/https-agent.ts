// Node's https client over pure-tls: a keep-alive Agent whose connections are pure-tls sockets, and one without keep-alive that resumes its session.
import { readFileSync } from 'node:fs'
import * as https from 'node:https'
import { Agent } from 'pure-tls/node'

const url = new URL(process.env.URL ?? 'https://localhost:8443/')
const ca = process.env.CA_FILE ? readFileSync(process.env.CA_FILE) : undefined

function get(path: string, agent: https.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(new URL(path, url), { agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve(`${res.statusCode} ${body} (reused socket: ${req.reusedSocket}, resumed: ${(req.socket as unknown as { isSessionReused(): boolean }).isSessionReused()})`))
    })
    req.on('error', reject)
  })
}

// Keep-alive: the three requests share one connection.
const keepAlive = new Agent({ keepAlive: true, maxSockets: 1, ca })
for (const path of ['/one', '/two', '/three']) console.log(await get(path, keepAlive))
keepAlive.destroy()

// A new connection per request: the agent offers the origin's session again, so the second handshake is a resumption.
const perRequest = new Agent({ ca })
for (const path of ['/four', '/five']) {
  console.log(await get(path, perRequest))
  // TLS 1.3 tickets arrive just after the handshake; let the first connection's reach the agent.
  await new Promise((resolve) => setTimeout(resolve, 100))
}
perRequest.destroy()
