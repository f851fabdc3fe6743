// Shared pieces of the resumption tests: a clock a test moves forward, a bare HandshakeConfig for unit tests of the pieces, a TLS 1.2 session state.
import { nobleProvider } from '../../src/crypto/noble.js'
import type { HandshakeConfig } from '../../src/handshake/session.js'
import { TICKET_LIFETIME_SECONDS, type Tls12TicketState } from '../../src/handshake/tickets.js'
import { buildPolicy, type PolicyOptions } from '../../src/policy/policy.js'

/** A clock a test moves forward; pass `now` as a context's `now` option. */
export class Clock {
  private ms = Date.now()
  readonly now = (): Date => new Date(this.ms)
  advance(ms: number): void {
    this.ms += ms
  }
}

/** What a handshake step reads, for `role` at the fixed time `at`, with the default policy narrowed by `policy`; a client asks for "localhost". */
export function handshakeConfig(role: 'client' | 'server', at: number, extra: Partial<HandshakeConfig> = {}, policy: PolicyOptions = {}): HandshakeConfig {
  return {
    policy: buildPolicy(role, policy, 'none', true),
    provider: nobleProvider,
    certificates: [],
    verifier: undefined,
    serverName: role === 'client' ? 'localhost' : undefined,
    now: () => new Date(at),
    ...extra,
  }
}

/** A TLS 1.2 session as our server seals it: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, EMS, for "localhost", no client chain. */
export function tls12TicketState(overrides: Partial<Tls12TicketState> = {}): Tls12TicketState {
  return {
    version: 'TLSv1.2',
    cipherSuite: 0xc02b,
    masterSecret: new Uint8Array(48).fill(5),
    extendedMasterSecret: true,
    issuedAt: Date.now(),
    lifetimeSeconds: TICKET_LIFETIME_SECONDS,
    alpnProtocol: undefined,
    serverName: 'localhost',
    peerCertificates: [],
    peerVerified: false,
    ...overrides,
  }
}
