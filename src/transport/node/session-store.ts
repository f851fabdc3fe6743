// The sessions a client keeps for resumption, one per key (an origin and its TLS options), the least recently stored dropped first.
import { TlsConfigError } from '../../errors.js'
import type { TlsSocket } from './socket.js'

/** How many sessions are kept unless told otherwise: node's https.Agent default. */
export const DEFAULT_MAX_CACHED_SESSIONS = 100

/** A bounded map of key → newest session, fed by sockets' 'session' events. */
export class SessionStore {
  /** A Map keeps insertion order, so the first entry is the least recently stored. */
  readonly #sessions = new Map<string, Buffer>()
  readonly #max: number

  constructor(max: number = DEFAULT_MAX_CACHED_SESSIONS) {
    if (!Number.isInteger(max) || max < 0) throw new TlsConfigError('maxCachedSessions', `must be a whole number, 0 or more, got ${String(max)}`)
    this.#max = max
  }

  get size(): number {
    return this.#sessions.size
  }

  get(key: string): Buffer | undefined {
    return this.#sessions.get(key)
  }

  /**
   * Keeps `socket`'s newest session under `key` as it arrives (TLS 1.3 tickets come after the handshake, maybe
   * several). `forget` says when the key's session is dropped: when the socket closes on any error (node's
   * https.Agent), or only when it fails before its handshake completes (a later error, such as a server that hangs
   * up after its response, says nothing about the session).
   */
  follow(key: string, socket: TlsSocket, forget: 'on-error' | 'on-handshake-failure'): void {
    if (this.#max === 0) return
    socket.on('session', (session: Buffer) => this.#store(key, session))
    socket.once('close', (hadError: boolean) => {
      if (hadError && (forget === 'on-error' || socket.secureConnecting)) this.#sessions.delete(key)
    })
  }

  #store(key: string, session: Buffer): void {
    this.#sessions.delete(key)
    this.#sessions.set(key, session)
    while (this.#sessions.size > this.#max) this.#sessions.delete(this.#sessions.keys().next().value!)
  }
}
