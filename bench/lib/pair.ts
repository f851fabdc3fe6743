// An in-memory client ↔ server pair for the benchmark: handshake shuttle, checks of what was negotiated, bulk transfer.
// With a synchronous provider every step finishes inside the call that made it and these functions return plain
// values; with an asynchronous one they wait on Connection.settled() only when a side is busy.
import type { Connection } from '../../src/handshake/connection.js'
import { drive, isPending, type MaybePromise, settle, type Waiting } from '../../src/pending.js'
import { SERVER_NAME } from './pki.js'
import { groupName, type PureTlsContexts, type Setup } from './scenarios.js'

const MAX_FLIGHTS = 20

/** Waits for `connection`'s provider work, if it has any in flight. */
function* ready(connection: Connection): Waiting<void> {
  if (connection.busy) yield* settle(connection.settled())
}

function* shuttleSteps(client: Connection, server: Connection): Waiting<void> {
  for (let flight = 0; flight < MAX_FLIGHTS; flight++) {
    yield* ready(client)
    const toServer = client.takeOutgoing()
    if (toServer.length > 0) server.receive(toServer)
    yield* ready(server)
    const toClient = server.takeOutgoing()
    if (toClient.length > 0) client.receive(toClient)
    yield* ready(client)
    if (client.handshakeComplete && server.handshakeComplete && toServer.length === 0 && toClient.length === 0) return
  }
  throw new Error(`the handshake did not complete in ${MAX_FLIGHTS} flights`)
}

/** Moves bytes both ways until both ends have completed the handshake; throws if either fails or it stalls. */
export function shuttle(client: Connection, server: Connection): MaybePromise<void> {
  return drive(shuttleSteps(client, server))
}

export interface Pair {
  readonly client: Connection
  readonly server: Connection
}

function* handshakeSteps(contexts: PureTlsContexts): Waiting<Pair> {
  const client = contexts.client.client({ serverName: SERVER_NAME })
  const server = contexts.server.server()
  yield* shuttleSteps(client, server)
  return { client, server }
}

/** One full handshake between fresh Connections from the contexts; returns the pair. */
export function handshake(contexts: PureTlsContexts): MaybePromise<Pair> {
  return drive(handshakeSteps(contexts))
}

/** One full handshake that must finish synchronously (a synchronous provider): for code that cannot wait, like a profile. */
export function handshakeNow(contexts: PureTlsContexts): Pair {
  const pair = handshake(contexts)
  if (isPending(pair)) throw new Error('this needs a synchronous provider (noble, node:crypto)')
  return pair
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

function* transferSteps(from: Connection, to: Connection, data: Uint8Array): Waiting<number> {
  from.write(data)
  yield* ready(from)
  to.receive(from.takeOutgoing())
  yield* ready(to)
  return to.read().length
}

/** Sends `data` from `from` to `to` and reads it there; returns the bytes delivered. */
export function transfer(from: Connection, to: Connection, data: Uint8Array): MaybePromise<number> {
  return drive(transferSteps(from, to, data))
}
