// Runs a client and a server Connection against each other in memory, optionally through a tamperer.
import type { Connection } from '../../src/handshake/connection.js'

/** Bytes in flight from one side to the other; returning different bytes tampers with them. */
export type Tamper = (bytes: Uint8Array, direction: 'client->server' | 'server->client') => Uint8Array

export interface PairResult {
  clientError?: unknown
  serverError?: unknown
}

/** Shuttles bytes until neither side has anything to send; errors are caught and returned, and the alert still delivered. */
export function runPair(client: Connection, server: Connection, tamper: Tamper = (b) => b, maxRounds = 200): PairResult {
  const result: PairResult = {}
  for (let round = 0; round < maxRounds; round++) {
    const toServer = client.takeOutgoing()
    const toClient = server.takeOutgoing()
    if (toServer.length === 0 && toClient.length === 0) return result
    if (toServer.length && result.serverError === undefined) {
      try {
        server.receive(tamper(toServer, 'client->server'))
      } catch (e) {
        result.serverError = e
      }
    }
    if (toClient.length && result.clientError === undefined) {
      try {
        client.receive(tamper(toClient, 'server->client'))
      } catch (e) {
        result.clientError = e
      }
    }
  }
  throw new Error('the pair did not settle')
}
