// The client's session cache: bounded by server names and tickets per name, newest first, single use, expiry by lifetime, 7 days and the certificate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pemDecode } from '../crypto/pem.js'
import { type Chain, cleanupPki, makeChain } from '../../test/helpers/pki.js'
import { isUsable, MAX_CACHED_SERVER_NAMES, MAX_TICKETS_PER_SERVER_NAME, SessionCache } from './session-cache.js'
import type { ConnectionInfo, StoredTicket } from './session.js'

/** The tickets' arrival: now, so that the test certificates are valid at it. */
const T0 = new Date()
const HOUR = 3_600_000
const DAY = 24 * HOUR

function ticket(id: number, overrides: Partial<StoredTicket> = {}): StoredTicket {
  return {
    version: 'TLSv1.3',
    ticket: new Uint8Array([id]),
    lifetimeSeconds: 7200,
    ageAdd: 0,
    receivedAt: T0,
    cipherSuite: 0x1301,
    secret: new Uint8Array(32).fill(id),
    ...overrides,
  }
}

function info(serverName: string | undefined, peerCertificates: Uint8Array[] = []): ConnectionInfo {
  return {
    version: 'TLSv1.3',
    cipherSuite: 'TLS_AES_128_GCM_SHA256',
    group: 'x25519',
    signatureScheme: 'ecdsa_secp256r1_sha256',
    alpnProtocol: undefined,
    serverName,
    peerCertificates,
    peerVerified: true,
    resumed: false,
    helloRetryRequest: false,
    extendedMasterSecret: undefined,
    finished: { local: new Uint8Array(32), peer: new Uint8Array(32) },
  }
}

const any = () => true
const idOf = (cached: StoredTicket | undefined) => cached?.ticket[0]

function leafOf(chain: Chain): Uint8Array {
  return pemDecode(chain.leafPem, 'CERTIFICATE')[0]!.der
}

let leafValidForAYear: Uint8Array
let leafExpiringTomorrow: Uint8Array
beforeAll(async () => {
  leafValidForAYear = leafOf(await makeChain())
  leafExpiringTomorrow = leafOf(await makeChain({ notAfter: new Date(T0.getTime() + DAY) }))
})
afterAll(cleanupPki)

describe('SessionCache', () => {
  it('hands out the newest ticket first, each once, and keeps what the connection knew of the server', () => {
    const cache = new SessionCache()
    const chain = [leafValidForAYear]
    cache.store(ticket(1), info('a.example', chain))
    cache.store(ticket(2), info('a.example', chain))
    const first = cache.take('a.example', T0, any)
    expect(idOf(first)).toBe(2)
    expect(first?.peerCertificates).toEqual(chain)
    expect(first?.peerVerified).toBe(true)
    expect(idOf(cache.take('a.example', T0, any))).toBe(1)
    expect(cache.take('a.example', T0, any)).toBeUndefined()
    expect(cache.serverNames).toEqual([])
  })

  it(`keeps ${MAX_TICKETS_PER_SERVER_NAME} tickets per server name (the most recent) and names apart`, () => {
    const cache = new SessionCache()
    for (const id of [1, 2, 3]) cache.store(ticket(id), info('a.example'))
    cache.store(ticket(9), info('b.example'))
    expect(cache.count('a.example')).toBe(MAX_TICKETS_PER_SERVER_NAME)
    expect(idOf(cache.take('a.example', T0, any))).toBe(3)
    expect(idOf(cache.take('a.example', T0, any))).toBe(2)
    expect(idOf(cache.take('b.example', T0, any))).toBe(9)
  })

  it(`remembers ${MAX_CACHED_SERVER_NAMES} server names, dropping the one stored least recently`, () => {
    const cache = new SessionCache()
    for (let i = 0; i < MAX_CACHED_SERVER_NAMES; i++) cache.store(ticket(i), info(`host${i}.example`))
    cache.store(ticket(50), info('host0.example')) // host0 is now the most recent
    cache.store(ticket(99), info('new.example'))
    expect(cache.serverNames).toHaveLength(MAX_CACHED_SERVER_NAMES)
    expect(cache.serverNames).not.toContain('host1.example')
    expect(cache.serverNames[cache.serverNames.length - 1]).toBe('new.example')
    expect(idOf(cache.take('host0.example', T0, any))).toBe(50)
  })

  it('takes the newest ticket that fits, leaving the others', () => {
    const cache = new SessionCache()
    cache.store(ticket(1, { cipherSuite: 0x1301 }), info('a.example'))
    cache.store(ticket(2, { cipherSuite: 0x1302 }), info('a.example'))
    expect(idOf(cache.take('a.example', T0, (t) => t.cipherSuite === 0x1301))).toBe(1)
    expect(cache.take('a.example', T0, (t) => t.cipherSuite === 0x1301)).toBeUndefined()
    expect(idOf(cache.take('a.example', T0, any))).toBe(2)
  })

  it('drops expired tickets: past ticket_lifetime, past 7 days whatever the lifetime, or received "in the future"', () => {
    const cache = new SessionCache()
    cache.store(ticket(1, { lifetimeSeconds: 7200 }), info('a.example'))
    expect(cache.take('a.example', new Date(T0.getTime() + 2 * HOUR), any)).toBeUndefined()
    expect(cache.count('a.example')).toBe(0)

    const week = ticket(2, { lifetimeSeconds: 0xffffffff })
    cache.store(week, info('a.example'))
    expect(cache.take('a.example', new Date(T0.getTime() + 7 * DAY), any)).toBeUndefined()
    expect(isUsable({ ...week, peerCertificates: [], peerVerified: true, peerNotAfter: undefined }, new Date(T0.getTime() + 7 * DAY - 1))).toBe(true)

    cache.store(ticket(3), info('a.example'))
    expect(cache.take('a.example', new Date(T0.getTime() - 1), any)).toBeUndefined()
    cache.store(ticket(4), info('a.example'))
    expect(idOf(cache.take('a.example', new Date(T0.getTime() + 2 * HOUR - 1), any))).toBe(4)
  })

  it("is not offered once the server's certificate has expired, even within the ticket's lifetime", () => {
    const cache = new SessionCache()
    for (const id of [1, 2]) cache.store(ticket(id, { lifetimeSeconds: 604_800 }), info('a.example', [leafExpiringTomorrow]))
    expect(idOf(cache.take('a.example', new Date(T0.getTime() + HOUR), any))).toBe(2)
    expect(cache.take('a.example', new Date(T0.getTime() + 2 * DAY), any)).toBeUndefined()
  })

  it('never offers a ticket whose server leaf it cannot read', () => {
    const cache = new SessionCache()
    cache.store(ticket(1), info('a.example', [new Uint8Array([0x30, 0x00])]))
    expect(cache.take('a.example', T0, any)).toBeUndefined()
  })

  it('keeps nothing for a connection without a server name', () => {
    const cache = new SessionCache()
    cache.store(ticket(1), info(undefined))
    cache.store(ticket(2, { version: 'TLSv1.2' }), info(undefined))
    expect(cache.serverNames).toEqual([])
  })

  it('keeps TLS 1.2 tickets beside TLS 1.3 ones, in one newest-first list per name, and hands out the one that fits', () => {
    const cache = new SessionCache()
    cache.store(ticket(1), info('a.example'))
    cache.store(ticket(2, { version: 'TLSv1.2', cipherSuite: 0xc02b, secret: new Uint8Array(48) }), info('a.example'))
    expect(cache.count('a.example')).toBe(2)
    expect(cache.take('a.example', T0, (t) => t.version === 'TLSv1.3')?.version).toBe('TLSv1.3')
    const taken = cache.take('a.example', T0, any)
    expect(taken).toMatchObject({ version: 'TLSv1.2', cipherSuite: 0xc02b })
    expect(cache.count('a.example')).toBe(0)
  })
})
