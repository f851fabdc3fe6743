// The server's sealed session tickets: what goes in comes out, and nothing but our own untampered tickets opens.
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../crypto/noble.js'
import { TicketSealer, type TicketState } from './tickets.js'
import { now } from '../../test/helpers/sync.js'

const state: TicketState = {
  cipherSuite: 0x1302,
  psk: new Uint8Array(48).fill(7),
  issuedAt: Date.UTC(2030, 0, 2, 3, 4, 5, 678),
  lifetimeSeconds: 7200,
  ageAdd: 0xfedcba98,
  alpnProtocol: 'h2',
  serverName: 'example.com',
  peerCertificates: [new Uint8Array([1, 2, 3]), new Uint8Array(700).fill(9)],
  peerVerified: true,
}

describe('TicketSealer', () => {
  it('opens its own ticket to the same state: suite, PSK, issue time to the millisecond, age_add, ALPN, SNI, client chain', () => {
    const sealer = new TicketSealer(nobleProvider)
    const ticket = now(sealer.seal(state))!
    expect(now(sealer.open(ticket))).toEqual(state)
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
