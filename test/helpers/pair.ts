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

/**
 * runPair for connections whose provider may answer asynchronously: between rounds it waits until neither side
 * has work in flight. `chunk` splits what is delivered (1 feeds byte by byte), so input keeps arriving while a
 * side is busy. Errors are read from the connections (`error`), as a transport would.
 */
export async function runPairAsync(client: Connection, server: Connection, options: { tamper?: Tamper; chunk?: number; maxRounds?: number } = {}): Promise<PairResult> {
  const { tamper = (b) => b, chunk = Infinity, maxRounds = 500 } = options
  const idle = () => Promise.all([client.settled().catch(() => undefined), server.settled().catch(() => undefined)])
  const deliver = (to: Connection, bytes: Uint8Array) => {
    for (let at = 0; at < bytes.length; at += chunk) {
      if (to.error) return
      try {
        to.receive(bytes.subarray(at, at + chunk))
      } catch {
        return // recorded as to.error, its alert queued
      }
    }
  }
  for (let round = 0; round < maxRounds; round++) {
    await idle()
    const toServer = client.takeOutgoing()
    const toClient = server.takeOutgoing()
    if (toServer.length === 0 && toClient.length === 0 && !client.busy && !server.busy) {
      return { ...(client.error && { clientError: client.error }), ...(server.error && { serverError: server.error }) }
    }
    if (toServer.length) deliver(server, tamper(toServer, 'client->server'))
    if (toClient.length) deliver(client, tamper(toClient, 'server->client'))
  }
  throw new Error('the pair did not settle')
}
