// undici's fetch over pure-tls: an Agent whose connector hands undici a pure-tls socket once its handshake is done, sessions reused per origin.
import { readFileSync } from 'node:fs'
import { undiciConnector } from 'pure-tls/node'
import { Agent, fetch } from 'undici'

const url = process.env.URL ?? 'https://localhost:8443/'
const ca = process.env.CA_FILE ? readFileSync(process.env.CA_FILE) : undefined

const dispatcher = new Agent({ connect: undiciConnector({ ca }) })

const response = await fetch(url, { dispatcher })
console.log(response.status, await response.text())
await dispatcher.close()
