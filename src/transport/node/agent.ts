// An https.Agent whose sockets are pure-tls sockets: https.request, https.get and the libraries built on them, with keep-alive and TLS sessions reused per origin.
import type * as http from 'node:http'
import * as https from 'node:https'
import type { Duplex } from 'node:stream'
import { connect } from './connect.js'
import { type ConnectOptions, clientPlan } from './options.js'
import { SessionStore } from './session-store.js'
import type { TlsSocket } from './socket.js'

/** What `new Agent()` takes: http.Agent's pooling options and connect()'s TLS options, which every connection of the agent gets. */
export interface AgentOptions extends http.AgentOptions, Omit<ConnectOptions, keyof http.AgentOptions> {
  /** Sessions kept for resumption, one per origin and TLS options, the least recently stored dropped first (default 100, as https.Agent; 0 keeps none). */
  maxCachedSessions?: number
}

/** The options http.Agent hands createConnection: the request's, the agent's, and the key it pools sockets under. */
type AgentConnectOptions = ConnectOptions & { _agentKey?: string }

/**
 * https.Agent over pure-tls: pass it as `agent` to https.request/https.get (or to any library that takes an Agent)
 * and each connection is a pure-tls TlsSocket, verified by our policy. Keep-alive and socket pooling are
 * http.Agent's own. As node's https.Agent does, it keeps each connection's newest session (its 'session' event)
 * under the agent's key for that origin and offers it on the next connection there, and forgets it when a
 * connection closes on an error. TLS options given here reach every connection; refused ones throw here.
 */
export class Agent extends https.Agent {
  readonly #sessions: SessionStore

  constructor(options: AgentOptions = {}) {
    const sessions = new SessionStore(options.maxCachedSessions)
    // What connect() would refuse (TLS 1.0, pfx, OpenSSL cipher strings, …) is refused now, not at the first request.
    clientPlan(options as ConnectOptions)
    super(options as https.AgentOptions)
    this.#sessions = sessions
  }

  /** Called by http.Agent for each new connection; returns it at once (the callback form is not used). */
  override createConnection(options: https.RequestOptions, _callback?: (error: Error | null, socket: Duplex) => void): TlsSocket {
    const connectOptions = options as AgentConnectOptions
    const key = connectOptions._agentKey
    const session = key === undefined ? undefined : this.#sessions.get(key)
    // A session the request itself names wins, as in node.
    const socket = connect(session ? { session, ...connectOptions } : connectOptions)
    if (key !== undefined) this.#sessions.follow(key, socket, 'on-error')
    return socket
  }

  /** How many sessions the agent holds now. */
  get cachedSessions(): number {
    return this.#sessions.size
  }
}
