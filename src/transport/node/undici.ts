// A `connect` function for undici (its Agent, Client and Pool, so fetch): https origins over pure-tls sockets with sessions reused per origin, http origins over plain TCP.
import * as net from 'node:net'
import { connect } from './connect.js'
import { type ConnectOptions, clientPlan } from './options.js'
import { SessionStore } from './session-store.js'
import type { TlsSocket } from './socket.js'

/** What undici asks its connector for (undici's buildConnector.Options, the fields we read). */
export interface UndiciConnectTarget {
  /** The host to reach: a name, or an IP address (an IPv6 one in brackets). */
  readonly hostname: string
  /** 'https:' or 'http:'. */
  readonly protocol: string
  /** The port as undici gives it: digits, or '' for the protocol's default. */
  readonly port: string
  /** The name for SNI and the certificate check, when it differs from `hostname`. */
  readonly servername?: string
  /** A local address to connect from. */
  readonly localAddress?: string | null
  /** A socket to run over (a CONNECT tunnel through a proxy), instead of a new TCP connection. */
  readonly httpSocket?: net.Socket
}

/** What undici's connector hands back: an error, or the connected socket (undici types it as net.Socket). */
export type UndiciConnectCallback = (...args: [null, net.Socket] | [Error, null]) => void

/** The function undici's `connect` option takes. */
export type UndiciConnect = (target: UndiciConnectTarget, callback: UndiciConnectCallback) => void

/** undiciConnector's options: connect()'s TLS options, which every https connection gets, and the session cache's size. */
export interface UndiciConnectorOptions extends Omit<ConnectOptions, 'host' | 'port' | 'path' | 'servername' | 'socket' | 'session' | 'localAddress'> {
  /** Sessions kept for resumption, one per origin, the least recently stored dropped first (default 100; 0 keeps none). */
  maxCachedSessions?: number
}

/** '[::1]' → '::1': undici keeps the brackets of an IPv6 literal, which net and our name check do not take. */
const unbracketed = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1')

/**
 * undici's `connect` over pure-tls: `new Agent({ connect: undiciConnector({ ca }) })` makes undici's fetch (or any
 * of its dispatchers) run its https connections on pure-tls sockets, handed over once the handshake is done and the
 * server verified, ALPN http/1.1 unless told otherwise. Like undici's own connector it keeps each origin's newest
 * session and offers it on the next connection there, and forgets it when a handshake fails. Plain http origins
 * get a TCP socket. Options connect() refuses are refused here, not at the first request.
 */
export function undiciConnector(options: UndiciConnectorOptions = {}): UndiciConnect {
  const { maxCachedSessions, ...tlsOptions } = options
  const sessions = new SessionStore(maxCachedSessions)
  const alpn: Pick<ConnectOptions, 'ALPNProtocols'> = tlsOptions.ALPNProtocols === undefined && tlsOptions.alpnProtocols === undefined ? { ALPNProtocols: ['http/1.1'] } : {}
  clientPlan({ ...tlsOptions, ...alpn })
  return (target, callback) => {
    const host = unbracketed(target.hostname)
    const local = target.localAddress ? { localAddress: target.localAddress } : {}
    let answered = false
    const answer: UndiciConnectCallback = (...args) => {
      if (answered) return
      answered = true
      callback(...args)
    }
    if (target.protocol !== 'https:') {
      const socket = net.connect({ host, port: Number(target.port) || 80, ...local })
      socket.once('connect', () => answer(null, socket))
      socket.once('error', (error) => answer(error, null))
      return
    }
    const servername = target.servername || host
    const port = Number(target.port) || 443
    const key = `${servername}:${port}`
    let socket: TlsSocket
    try {
      const session = sessions.get(key)
      socket = connect({ ...tlsOptions, ...alpn, ...local, host, port, servername, ...(session ? { session } : {}), ...(target.httpSocket ? { socket: target.httpSocket } : {}) })
    } catch (error) {
      return answer(error as Error, null)
    }
    sessions.follow(key, socket, 'on-handshake-failure')
    socket.once('secureConnect', () => answer(null, socket as unknown as net.Socket))
    socket.once('error', (error: Error) => answer(error, null))
  }
}
