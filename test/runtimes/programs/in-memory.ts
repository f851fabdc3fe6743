// A client and a server Connection handshaking in memory and exchanging data both ways: the same program for every runtime.
// Bundled for each (see ../bundles.ts): with the library inside (QuickJS, a bare Node), or importing the built package
// as a user would (`import ... from 'pure-tls'`, Deno and Bun).
import { type Connection, createDefaultContext, createNobleProvider, type RandomBytes } from '../../../src/index.js'

/** A certificate chain and its key, as PEM text. */
export interface ChainPems {
  readonly name: string
  readonly rootPem: string
  readonly chainPem: string
  readonly keyPem: string
}

export interface InMemoryInput {
  readonly chains: readonly ChainPems[]
  readonly versions: readonly ('TLSv1.2' | 'TLSv1.3')[]
  /** The only random source; absent: the runtime's crypto.getRandomValues (through the default provider). */
  readonly randomBytes?: RandomBytes
}

export interface InMemoryResult {
  readonly chain: string
  readonly version: string
  readonly cipherSuite: string
  readonly group: string | undefined
  readonly peerVerified: boolean
  readonly clientReceived: string
  readonly serverReceived: string
  /** Every byte the client and the server put on the wire, as hex: equal runs mean equal randomness. */
  readonly wire: string
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

/** Moves bytes between the two until neither has anything to send; returns what went over, as hex. */
function shuttle(client: Connection, server: Connection): string {
  let wire = ''
  for (let round = 0; round < 100; round++) {
    const toServer = client.takeOutgoing()
    const toClient = server.takeOutgoing()
    if (toServer.length === 0 && toClient.length === 0) return wire
    wire += hex(toServer) + hex(toClient)
    if (toServer.length > 0) server.receive(toServer)
    if (toClient.length > 0) client.receive(toClient)
  }
  throw new Error('the connections never settled')
}

/** ASCII text as bytes, without TextEncoder (embedded engines have none). */
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))

/** The application data read so far, as text (ASCII, without TextDecoder). */
function readText(connection: Connection): string {
  return Array.from(connection.read(), (b) => String.fromCharCode(b)).join('')
}

/** One handshake per chain and version, with data both ways and close_notify both ways. */
export function inMemoryHandshakes(input: InMemoryInput): InMemoryResult[] {
  const provider = input.randomBytes ? createNobleProvider({ randomBytes: input.randomBytes }) : undefined
  const results: InMemoryResult[] = []
  for (const chain of input.chains) {
    for (const version of input.versions) {
      const options = { maxVersion: version, minVersion: version, ...(provider ? { provider } : {}) }
      const server = createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem, ...options }).server()
      const client = createDefaultContext('server-auth', { ca: chain.rootPem, ...options }).client({ serverName: 'localhost' })
      let wire = shuttle(client, server)
      if (!client.handshakeComplete || !server.handshakeComplete) throw new Error(`${chain.name} ${version}: the handshake did not complete`)
      client.write(ascii(`hello from the client over ${version}`))
      server.write(ascii(`hello from the server over ${version}`))
      client.close()
      server.close()
      wire += shuttle(client, server)
      const info = client.info!
      results.push({
        chain: chain.name,
        version: info.version,
        cipherSuite: info.cipherSuite,
        group: info.group,
        peerVerified: info.peerVerified,
        clientReceived: readText(client),
        serverReceived: readText(server),
        wire,
      })
    }
  }
  return results
}
