// The client's session cache, both versions: the newest tickets per server name, bounded, expired ones dropped, each taken once (RFC 8446 4.6.1, C.4; RFC 5077).
import { parseCertificate } from '../x509/certificate.js'
import { MAX_TICKET_LIFETIME_SECONDS } from './messages/new-session-ticket.js'
import type { CachedTicket, ConnectionInfo, StoredTicket } from './session.js'

/** Server names remembered, least recently stored dropped first. */
export const MAX_CACHED_SERVER_NAMES = 8
/** Tickets kept per server name, most recent first. */
export const MAX_TICKETS_PER_SERVER_NAME = 2

/** How old the ticket is, in milliseconds, by the client's clock. */
export function ticketAgeMs(ticket: StoredTicket, now: Date): number {
  return now.getTime() - ticket.receivedAt.getTime()
}

/** Whether the ticket may still be offered: within its lifetime, never more than 7 days, and before its certificate expires. */
export function isUsable(ticket: CachedTicket, now: Date): boolean {
  const age = ticketAgeMs(ticket, now)
  const lifetimeMs = Math.min(ticket.lifetimeSeconds, MAX_TICKET_LIFETIME_SECONDS) * 1000
  const certificateValid = ticket.peerNotAfter === undefined || now.getTime() <= ticket.peerNotAfter.getTime()
  return age >= 0 && age < lifetimeMs && certificateValid
}

function leafNotAfter(chain: readonly Uint8Array[]): Date | undefined {
  if (chain.length === 0) return undefined
  try {
    return parseCertificate(chain[0]!).notAfter
  } catch {
    return new Date(0) // a leaf we cannot read now: the ticket is never offered
  }
}

/** The ticket as a client keeps it: with the server's chain as the handshake that earned it verified it. */
export function cachedTicket(ticket: StoredTicket, info: ConnectionInfo): CachedTicket {
  return {
    ...ticket,
    peerCertificates: [...info.peerCertificates],
    peerVerified: info.peerVerified,
    peerNotAfter: leafNotAfter(info.peerCertificates),
  }
}

/** One per client context (option `sessionTickets`); connections store what servers send and take what they offer. */
export class SessionCache {
  /** Map order is storage order: the first name is the one stored least recently. */
  readonly #byName = new Map<string, CachedTicket[]>()

  readonly #maxNames
  readonly #perName

  constructor(maxNames = MAX_CACHED_SERVER_NAMES, perName = MAX_TICKETS_PER_SERVER_NAME) {
    this.#maxNames = maxNames
    this.#perName = perName
  }

  /**
   * Keeps a ticket the server of `info` sent (or, in TLS 1.2, the one it resumed and did not replace), most recent
   * first; a connection without a server name keeps nothing.
   */
  store(ticket: StoredTicket, info: ConnectionInfo): void {
    const serverName = info.serverName
    if (serverName === undefined) return
    const cached = cachedTicket(ticket, info)
    const tickets = [cached, ...(this.#byName.get(serverName) ?? [])].slice(0, this.#perName)
    this.#byName.delete(serverName)
    this.#byName.set(serverName, tickets)
    for (const oldest of this.#byName.keys()) {
      if (this.#byName.size <= this.#maxNames) break
      this.#byName.delete(oldest)
    }
  }

  /** Removes and returns the newest usable ticket for `serverName` that `fits`; unusable ones are dropped on the way. */
  take(serverName: string, now: Date, fits: (ticket: CachedTicket) => boolean): CachedTicket | undefined {
    const usable = (this.#byName.get(serverName) ?? []).filter((ticket) => isUsable(ticket, now))
    const index = usable.findIndex(fits)
    const [taken] = index >= 0 ? usable.splice(index, 1) : []
    if (usable.length > 0) this.#byName.set(serverName, usable)
    else this.#byName.delete(serverName)
    return taken
  }

  /** How many tickets are kept for `serverName` (expired ones included until the next take). */
  count(serverName: string): number {
    return this.#byName.get(serverName)?.length ?? 0
  }

  /** The server names with tickets, least recently stored first. */
  get serverNames(): string[] {
    return [...this.#byName.keys()]
  }
}
