// An in-memory client ↔ server pair for the benchmark: handshake shuttle, checks of what was negotiated, bulk transfer.
import type { Connection } from '../../src/handshake/connection.js'
import { SERVER_NAME } from './pki.js'
import { groupName, type PureTlsContexts, type Setup } from './scenarios.js'

const MAX_FLIGHTS = 20

/** Moves bytes both ways until both ends have completed the handshake; throws if either fails or it stalls. */
export function shuttle(client: Connection, server: Connection): void {
  for (let flight = 0; flight < MAX_FLIGHTS; flight++) {
    const toServer = client.takeOutgoing()
    if (toServer.length > 0) server.receive(toServer)
    const toClient = server.takeOutgoing()
    if (toClient.length > 0) client.receive(toClient)
    if (client.handshakeComplete && server.handshakeComplete && toServer.length === 0 && toClient.length === 0) return
  }
  throw new Error(`the handshake did not complete in ${MAX_FLIGHTS} flights`)
}

/** One full handshake between fresh Connections from the contexts; returns the pair. */
export function handshake(contexts: PureTlsContexts): { client: Connection; server: Connection } {
  const client = contexts.client.client({ serverName: SERVER_NAME })
  const server = contexts.server.server()
  shuttle(client, server)
  return { client, server }
}

/** Throws unless the client negotiated exactly what `s` pins and verified the server's chain and name. */
export function checkNegotiated(client: Connection, s: Setup): void {
  const info = client.info
  const problems: string[] = []
  if (!info) throw new Error('no connection info: the handshake did not complete')
  if (info.version !== s.version) problems.push(`version ${info.version}`)
  if (info.cipherSuite !== s.suite.name) problems.push(`suite ${info.cipherSuite}`)
  if (info.group !== groupName(s)) problems.push(`group ${info.group}`)
  if (!info.peerVerified) problems.push('peer not verified')
  if (info.resumed) problems.push('resumed')
  if (info.helloRetryRequest) problems.push('HelloRetryRequest')
  if (problems.length > 0) throw new Error(`${s.id} (${s.label}) negotiated something else: ${problems.join(', ')}`)
}

/** Sends `data` from `from` to `to` and reads it there; returns the bytes delivered. */
export function transfer(from: Connection, to: Connection, data: Uint8Array): number {
  from.write(data)
  to.receive(from.takeOutgoing())
  return to.read().length
}
