// The server's sealed session tickets: what goes in comes out (TLS 1.3 and TLS 1.2 states), and nothing but our own untampered tickets opens.
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../crypto/noble.js'
import { TICKET_AGE_TOLERANCE_MS, TicketSealer, type TicketState, type Tls12TicketState, type Tls13TicketState, withinLifetime } from './tickets.js'
import { now } from '../../test/helpers/sync.js'

const state: Tls13TicketState = {
  version: 'TLSv1.3',
  cipherSuite: 0x1302,
  psk: new Uint8Array(48).fill(7),
  issuedAt: Date.UTC(2030, 0, 2, 3, 4, 5, 678),
  ticketIssuedAt: Date.UTC(2030, 0, 2, 4, 4, 5, 678),
  lifetimeSeconds: 7200,
  ageAdd: 0xfedcba98,
  alpnProtocol: 'h2',
  serverName: 'example.com',
  peerCertificates: [new Uint8Array([1, 2, 3]), new Uint8Array(700).fill(9)],
  peerVerified: true,
}

const state12: Tls12TicketState = {
  version: 'TLSv1.2',
  cipherSuite: 0xc02b,
  masterSecret: Uint8Array.from({ length: 48 }, (_, i) => i),
  extendedMasterSecret: true,
  issuedAt: Date.UTC(2030, 0, 2, 3, 4, 5, 678),
  lifetimeSeconds: 7200,
  alpnProtocol: 'http/1.1',
  serverName: 'example.com',
  peerCertificates: [new Uint8Array([4, 5, 6])],
  peerVerified: false,
}

describe('TicketSealer', () => {
  it('opens its own ticket to the same state: suite, PSK, issue time to the millisecond, age_add, ALPN, SNI, client chain', () => {
    const sealer = new TicketSealer(nobleProvider)
    const ticket = now(sealer.seal(state))!
    expect(now(sealer.open(ticket))).toEqual(state)
  })

  it('opens a TLS 1.2 ticket to the same state: suite, the 48-byte master secret, EMS, issue time, ALPN, SNI, client chain', () => {
    const sealer = new TicketSealer(nobleProvider)
    for (const sealed of [state12, { ...state12, extendedMasterSecret: false, alpnProtocol: undefined, peerCertificates: [] }]) {
      expect(now(sealer.open(now(sealer.seal(sealed))!))).toEqual(sealed)
    }
    expect(Buffer.from(now(sealer.seal(state12))!).includes(Buffer.from(state12.masterSecret))).toBe(false)
  })

  it('keeps "no ALPN", "no SNI" and "no client certificate" apart from empty values', () => {
    const sealer = new TicketSealer(nobleProvider)
    const bare: TicketState = { ...state, alpnProtocol: undefined, serverName: undefined, peerCertificates: [], peerVerified: false }
    expect(now(sealer.open(now(sealer.seal(bare))!))).toEqual(bare)
  })

  it('seals the same state differently each time (random nonce) and reveals neither the PSK nor the server name', () => {
    const sealer = new TicketSealer(nobleProvider)
    const a = now(sealer.seal(state))!
    const b = now(sealer.seal(state))!
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false)
    expect(Buffer.from(a).includes(Buffer.from(state.psk))).toBe(false)
    expect(Buffer.from(a).includes(Buffer.from('example.com'))).toBe(false)
  })

  it('does not open a ticket of another sealer (another context), with the same layout and length', () => {
    const ticket = now(new TicketSealer(nobleProvider).seal(state))!
    expect(now(new TicketSealer(nobleProvider).open(ticket))).toBeUndefined()
  })

  it('does not open a ticket with any single bit flipped (key name, nonce, ciphertext or tag)', () => {
    const sealer = new TicketSealer(nobleProvider)
    const ticket = now(sealer.seal({ ...state, peerCertificates: [] }))!
    for (let i = 0; i < ticket.length; i++) {
      const tampered = ticket.slice()
      tampered[i]! ^= 0x01
      expect(now(sealer.open(tampered)), `byte ${i}`).toBeUndefined()
    }
  })

  it('does not open truncated, empty or foreign bytes, and never throws', () => {
    const sealer = new TicketSealer(nobleProvider)
    const ticket = now(sealer.seal(state))!
    for (const bytes of [new Uint8Array(0), ticket.subarray(0, 16), ticket.subarray(0, 44), ticket.subarray(0, ticket.length - 1), new Uint8Array(200)]) {
      expect(now(sealer.open(bytes))).toBeUndefined()
    }
  })

  it('refuses to seal a state that would not fit a NewSessionTicket ticket (2^16-1 bytes): a huge client chain', () => {
    const sealer = new TicketSealer(nobleProvider)
    expect(now(sealer.seal({ ...state, peerCertificates: [new Uint8Array(70_000)] }))).toBeUndefined()
    expect(now(sealer.seal({ ...state, peerCertificates: [new Uint8Array(60_000)] }))).toBeDefined()
  })
})

describe('withinLifetime', () => {
  const issued = state12.issuedAt
  it('from its issue up to (not including) its lifetime by our clock, and a clock set back by at most the tolerance', () => {
    expect(withinLifetime(state12, issued)).toBe(true)
    expect(withinLifetime(state12, issued + 7200 * 1000 - 1)).toBe(true)
    expect(withinLifetime(state12, issued + 7200 * 1000)).toBe(false)
    expect(withinLifetime(state12, issued - TICKET_AGE_TOLERANCE_MS)).toBe(true)
    expect(withinLifetime(state12, issued - TICKET_AGE_TOLERANCE_MS - 1)).toBe(false)
  })

  it('never more than 7 days, whatever lifetime the state claims', () => {
    const long = { ...state12, lifetimeSeconds: 30 * 86_400 }
    expect(withinLifetime(long, issued + 7 * 86_400_000 - 1)).toBe(true)
    expect(withinLifetime(long, issued + 7 * 86_400_000)).toBe(false)
  })
})
