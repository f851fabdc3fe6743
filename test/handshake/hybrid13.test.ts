// X25519MLKEM768 and SecP256r1MLKEM768 in memory, checked on the wire: the shares a ClientHello carries, the group each server picks, HelloRetryRequest both ways, bad shares refused before any ServerHello, TLS 1.2 untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nobleProvider } from '../../src/crypto/noble.js'
import type { CryptoProvider } from '../../src/crypto/provider.js'
import { TlsPolicyError } from '../../src/errors.js'
import type { Connection } from '../../src/handshake/connection.js'
import { type ContextOptions, createDefaultContext } from '../../src/handshake/context.js'
import { encodeExtension, readExtension } from '../../src/handshake/extensions/extension.js'
import { keyShareClientHello, type KeyShareEntry, keyShareServerHello } from '../../src/handshake/extensions/key-share.js'
import { supportedGroups } from '../../src/handshake/extensions/supported-groups.js'
import { type ClientHello, decodeClientHello, encodeClientHello } from '../../src/handshake/messages/client-hello.js'
import { decodeServerHello } from '../../src/handshake/messages/server-hello.js'
import { ExtensionType, NamedGroup } from '../../src/handshake/registry.js'
import { asyncProvider } from '../helpers/async-provider.js'
import { editHelloExtensions, encodeRecord, HS, parseRecords } from '../helpers/mitm.js'
import { runPair, runPairAsync } from '../helpers/pair.js'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'

const HANDSHAKE = 22
/** The plaintext illegal_parameter alert, the only bytes a server may send for a bad client share (RFC 8446 7.4.2). */
const ILLEGAL_PARAMETER_ALERT = '1503030002022f'

let chain: Chain
let rsaChain: Chain
beforeAll(async () => {
  ;[chain, rsaChain] = await Promise.all([makeChain({ leafKey: 'ecdsa-p256' }), makeChain({ leafKey: 'rsa-2048' })])
})
afterAll(cleanupPki)

function client(options: ContextOptions = {}): Connection {
  return createDefaultContext('server-auth', { ca: chain.rootPem, ...options }).client({ serverName: 'localhost' })
}

function server(options: ContextOptions = {}): Connection {
  return createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem, ...options }).server()
}

/** The ClientHello in a flight of plaintext records (it fits in one record). */
function clientHelloIn(bytes: Uint8Array): ClientHello {
  const [record] = parseRecords(bytes)
  expect(record!.type).toBe(HANDSHAKE)
  expect(record!.fragment[0]).toBe(HS.client_hello)
  return decodeClientHello(record!.fragment.subarray(4))
}

/** The same ClientHello record with its key shares replaced. */
function withKeyShares(bytes: Uint8Array, edit: (shares: KeyShareEntry[]) => KeyShareEntry[]): Uint8Array {
  const hello = clientHelloIn(bytes)
  const shares = readExtension(hello.extensions, keyShareClientHello)!
  const extensions = hello.extensions.map((e) => (e.type === ExtensionType.key_share ? encodeExtension(keyShareClientHello, edit(shares)) : e))
  return encodeRecord(HANDSHAKE, 0x0301, encodeClientHello({ ...hello, extensions }))
}

/** The server's first handshake message: a ServerHello or a HelloRetryRequest, and the group its key_share names. */
function firstServerMessage(bytes: Uint8Array): { kind: string; group: number } {
  const [record] = parseRecords(bytes)
  expect(record!.type).toBe(HANDSHAKE)
  expect(record!.fragment[0]).toBe(HS.server_hello)
  const hello = decodeServerHello(record!.fragment.subarray(4, 4 + ((record!.fragment[2]! << 8) | record!.fragment[3]!)))
  const keyShare = hello.extensions.find((e) => e.type === ExtensionType.key_share)!
  return { kind: hello.kind, group: (keyShare.data[0]! << 8) | keyShare.data[1]! }
}

function shareSummary(hello: ClientHello): [number, number][] {
  return readExtension(hello.extensions, keyShareClientHello)!.map((s) => [s.group, s.keyExchange.length])
}

/** Handshake, then a line each way; returns both ends. */
function connect(clientOptions: ContextOptions, serverOptions: ContextOptions): { client: Connection; server: Connection } {
  const pair = { client: client(clientOptions), server: server(serverOptions) }
  expect(runPair(pair.client, pair.server)).toEqual({})
  pair.client.write('ping from the client')
  pair.server.write('pong from the server')
  runPair(pair.client, pair.server)
  expect(Buffer.from(pair.server.read()).toString()).toBe('ping from the client')
  expect(Buffer.from(pair.client.read()).toString()).toBe('pong from the server')
  return pair
}

describe('the default ClientHello', () => {
  it('sends two key shares, X25519MLKEM768 (1216 bytes) then X25519 (32), and lists the hybrid first', () => {
    const hello = clientHelloIn(client().takeOutgoing())
    expect(shareSummary(hello)).toEqual([
      [NamedGroup.X25519MLKEM768, 1216],
      [NamedGroup.x25519, 32],
    ])
    expect(readExtension(hello.extensions, supportedGroups)).toEqual([NamedGroup.X25519MLKEM768, NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1])
  })

  it('fits in one record, and a TLS 1.2-only ClientHello lists no hybrid and sends no share', () => {
    const bytes = client().takeOutgoing()
    expect(parseRecords(bytes)).toHaveLength(1)
    const tls12 = clientHelloIn(client({ maxVersion: 'TLSv1.2' }).takeOutgoing())
    expect(readExtension(tls12.extensions, supportedGroups)).toEqual([NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1])
    expect(readExtension(tls12.extensions, keyShareClientHello)).toBeUndefined()
  })
})

describe('negotiation', () => {
  it('default ↔ default: X25519MLKEM768 in one round trip, reported by both ends', () => {
    const pair = connect({}, {})
    for (const end of [pair.client, pair.server]) expect([end.info!.group, end.info!.helloRetryRequest, end.info!.version]).toEqual(['X25519MLKEM768', false, 'TLSv1.3'])
  })

  it('a server without the hybrid uses the X25519 share sent beside it: no HelloRetryRequest', () => {
    const pair = connect({}, { groups: ['X25519', 'P-256'] })
    expect([pair.server.info!.group, pair.server.info!.helloRetryRequest]).toEqual(['x25519', false])
    expect(pair.client.info!.group).toBe('x25519')
  })

  it('HelloRetryRequest to the hybrid: a client with one X25519 share ↔ a server with X25519MLKEM768 only', () => {
    const c = client({ groups: ['X25519', 'X25519MLKEM768'] })
    const s = server({ groups: ['X25519MLKEM768'] })
    const first = c.takeOutgoing()
    expect(shareSummary(clientHelloIn(first))).toEqual([[NamedGroup.x25519, 32]])
    s.receive(first)
    const retry = s.takeOutgoing()
    expect(firstServerMessage(retry)).toEqual({ kind: 'hello_retry_request', group: NamedGroup.X25519MLKEM768 })
    c.receive(retry)
    const second = c.takeOutgoing()
    // The compatibility ChangeCipherSpec may come first; the second ClientHello carries exactly one share, the hybrid's.
    const helloRecord = parseRecords(second).find((r) => r.type === HANDSHAKE)!
    expect(shareSummary(decodeClientHello(helloRecord.fragment.subarray(4)))).toEqual([[NamedGroup.X25519MLKEM768, 1216]])
    s.receive(second)
    expect(runPair(c, s)).toEqual({})
    for (const end of [c, s]) expect([end.info!.group, end.info!.helloRetryRequest]).toEqual(['X25519MLKEM768', true])
  })

  it('SecP256r1MLKEM768 both ends: its share (1249 bytes) and the group reported', () => {
    const options = { groups: ['SecP256r1MLKEM768'] } as const
    expect(shareSummary(clientHelloIn(client(options).takeOutgoing()))).toEqual([[NamedGroup.SecP256r1MLKEM768, 1249]])
    const pair = connect(options, { groups: ['SecP256r1MLKEM768', 'X25519MLKEM768'] })
    expect([pair.client.info!.group, pair.server.info!.group]).toEqual(['SecP256r1MLKEM768', 'SecP256r1MLKEM768'])
  })

  it('the server’s preference between the two hybrids, when the client sent both shares', () => {
    const both = { groups: ['X25519MLKEM768', 'SecP256r1MLKEM768'] } as const
    const c = client(both)
    const hello = c.takeOutgoing()
    // Only the first hybrid gets a share (no classical group to pair with): add the second by hand.
    const p256Hybrid = nobleProvider.generateKeyShare('SecP256r1MLKEM768')
    const s = server({ groups: ['SecP256r1MLKEM768', 'X25519MLKEM768'] })
    s.receive(withKeyShares(hello, (shares) => [...shares, { group: NamedGroup.SecP256r1MLKEM768, keyExchange: p256Hybrid.publicKey }]))
    expect(firstServerMessage(s.takeOutgoing())).toEqual({ kind: 'server_hello', group: NamedGroup.SecP256r1MLKEM768 })
  })

  it('with an asynchronous provider on both ends (the server’s encapsulation answering through a promise)', async () => {
    const counts = {}
    // Certificate verification stays synchronous until the x509 layer awaits its provider.
    const asynchronous = ['generateKeyShare', 'agree', 'encapsulate', 'sign', 'seal', 'open'] as const
    const provider = () => asyncProvider(nobleProvider, { counts, asynchronous })
    const pair = { client: client({ provider: provider() }), server: server({ provider: provider() }) }
    expect(await runPairAsync(pair.client, pair.server)).toEqual({})
    expect(pair.server.info!.group).toBe('X25519MLKEM768')
    expect(counts).toMatchObject({ generateKeyShare: 2, encapsulate: 1, agree: 1 })
  })
})

describe('issue 14 defect 6: a usable key share is used, never a HelloRetryRequest', () => {
  it('a client sending only a P-256 share (X25519 listed first) gets a ServerHello for P-256 from the default server', () => {
    const c = client({ groups: ['P-256', 'X25519'] })
    const hello = c.takeOutgoing()
    const offered = clientHelloIn(hello)
    expect(shareSummary(offered)).toEqual([[NamedGroup.secp256r1, 65]])
    const s = server()
    s.receive(hello)
    const reply = s.takeOutgoing()
    expect(firstServerMessage(reply)).toEqual({ kind: 'server_hello', group: NamedGroup.secp256r1 })
    c.receive(reply)
    expect(runPair(c, s)).toEqual({})
    expect([s.info!.group, s.info!.helloRetryRequest]).toEqual(['secp256r1', false])
  })

  it('the same bytes with the P-256 share swapped for a P-384 one: a ServerHello for P-384', () => {
    const hello = withKeyShares(client({ groups: ['P-256', 'X25519', 'P-384'] }).takeOutgoing(), () => [
      { group: NamedGroup.secp384r1, keyExchange: nobleProvider.generateKeyShare('secp384r1').publicKey },
    ])
    const s = server()
    s.receive(hello)
    expect(firstServerMessage(s.takeOutgoing())).toEqual({ kind: 'server_hello', group: NamedGroup.secp384r1 })
  })
})

describe('a bad hybrid share gets illegal_parameter alone, before any ServerHello (draft-ietf-tls-ecdhe-mlkem, RFC 8446 7.4.2)', () => {
  /** The default ClientHello with its hybrid share edited, sent to a default server: what comes back. */
  function refusal(edit: (share: Uint8Array) => Uint8Array, provider: CryptoProvider): Promise<{ out: string; error: unknown }> {
    const hello = withKeyShares(client().takeOutgoing(), (shares) =>
      shares.map((s) => (s.group === NamedGroup.X25519MLKEM768 ? { group: s.group, keyExchange: edit(s.keyExchange.slice()) } : s)),
    )
    const s = server({ provider })
    try {
      s.receive(hello)
    } catch {
      // a synchronous provider throws here; the alert is queued either way
    }
    return s
      .settled()
      .catch(() => undefined)
      .then(() => ({ out: Buffer.from(s.takeOutgoing()).toString('hex'), error: s.error }))
  }

  const cases: { name: string; edit: (share: Uint8Array) => Uint8Array; says: RegExp }[] = [
    {
      name: 'an X25519 half that gives the all-zero secret (u = 1)',
      edit: (share) => (share.fill(0, 1184), (share[1184] = 1), share),
      says: /all-zero/,
    },
    {
      name: 'an encapsulation key with a coefficient of q (the FIPS 203 7.2 check)',
      edit: (share) => ((share[0] = 0x01), (share[1] = (share[1]! & 0xf0) | 0x0d), share),
      says: /encapsulation key check/,
    },
    { name: 'a share one byte short', edit: (share) => share.subarray(0, 1215), says: /1215 bytes, not 1216/ },
    { name: 'a share one byte long', edit: (share) => Buffer.concat([share, Buffer.of(0)]), says: /1217 bytes, not 1216/ },
    { name: 'only the ML-KEM part', edit: (share) => share.subarray(0, 1184), says: /1184 bytes, not 1216/ },
  ]

  for (const { name, edit, says } of cases) {
    it(name, async () => {
      for (const provider of [nobleProvider, asyncProvider(nobleProvider, { asynchronous: ['encapsulate'] })]) {
        const { out, error } = await refusal(edit, provider)
        expect(error).toMatchObject({ alert: 'illegal_parameter' })
        expect((error as Error).message).toMatch(says)
        expect(out).toBe(ILLEGAL_PARAMETER_ALERT)
      }
    })
  }

  it('client: a ServerHello whose hybrid share is cut short is illegal_parameter', () => {
    const c = client()
    const s = server()
    s.receive(c.takeOutgoing())
    const [record] = parseRecords(s.takeOutgoing())
    const raw = record!.fragment.subarray(0, 4 + ((record!.fragment[2]! << 8) | record!.fragment[3]!))
    const share = readExtension(decodeServerHello(raw.subarray(4)).extensions, keyShareServerHello)!
    expect([share.group, share.keyExchange.length]).toEqual([NamedGroup.X25519MLKEM768, 1120])
    const shorter = encodeExtension(keyShareServerHello, { group: share.group, keyExchange: share.keyExchange.subarray(1) })
    const edited = editHelloExtensions({ type: HS.server_hello, body: raw.subarray(4), raw }, (extensions) =>
      extensions.map((e) => (e.type === ExtensionType.key_share ? shorter : e)),
    )
    expect(() => c.receive(encodeRecord(HANDSHAKE, 0x0303, edited))).toThrow(
      expect.objectContaining({ alert: 'illegal_parameter', message: expect.stringMatching(/X25519MLKEM768 server share is 1119 bytes, not 1120/) }),
    )
  })
})

describe('TLS 1.2 never negotiates the hybrid', () => {
  it('a ClientHello listing X25519MLKEM768 (our default one) ↔ a TLS 1.2-only server: TLS 1.2 with X25519', () => {
    const pair = connect({}, { maxVersion: 'TLSv1.2' })
    expect([pair.client.info!.version, pair.client.info!.group, pair.server.info!.group]).toEqual(['TLSv1.2', 'x25519', 'x25519'])
  })

  it('a TLS 1.2 ClientHello listing only hybrids and P-384 (X25519MLKEM768 first): TLS 1.2 with P-384', () => {
    // An RSA certificate: a P-256 ECDSA one is unusable for a client that lists no P-256 (RFC 8422 5.1).
    const c = createDefaultContext('server-auth', { ca: rsaChain.rootPem, groups: ['X25519MLKEM768', 'SecP256r1MLKEM768', 'P-384'] }).client({ serverName: 'localhost' })
    const s = createDefaultContext('client-auth', { cert: rsaChain.chainPem, key: rsaChain.keyPem, maxVersion: 'TLSv1.2' }).server()
    const pair = { client: c, server: s }
    expect(runPair(pair.client, pair.server)).toEqual({})
    expect(pair.server.info!.group).toBe('secp384r1')
  })

  it('a TLS 1.2-only ClientHello (no supported_versions) with X25519MLKEM768 first in supported_groups: ServerKeyExchange on X25519', () => {
    const bytes = client({ maxVersion: 'TLSv1.2' }).takeOutgoing()
    const [record] = parseRecords(bytes)
    const raw = record!.fragment
    const edited = editHelloExtensions({ type: HS.client_hello, body: raw.subarray(4), raw }, (extensions) =>
      extensions.map((e) => {
        if (e.type !== ExtensionType.supported_groups) return e
        const codes = [NamedGroup.X25519MLKEM768, ...readExtension([e], supportedGroups)!]
        return encodeExtension(supportedGroups, codes)
      }),
    )
    expect(readExtension(clientHelloIn(encodeRecord(HANDSHAKE, 0x0301, edited)).extensions, supportedGroups)![0]).toBe(NamedGroup.X25519MLKEM768)
    const s = server()
    s.receive(encodeRecord(HANDSHAKE, 0x0301, edited))
    const flight = Buffer.from(s.takeOutgoing())
    expect(s.error).toBeUndefined()
    // ServerKeyExchange: curve_type named_curve (3), X25519 (0x001d), a 32-byte point.
    expect(flight.indexOf(Buffer.from([3, 0x00, 0x1d, 32]))).toBeGreaterThan(0)
    expect(flight.indexOf(Buffer.from([3, 0x11, 0xec]))).toBe(-1)
  })

  it('a TLS 1.2 server whose only group is the hybrid is refused at construction; with P-256 beside it, 1.2 uses P-256', () => {
    expect(() => server({ maxVersion: 'TLSv1.2', groups: ['X25519MLKEM768'] })).toThrow(/TLS 1\.3 only/)
    const pair = connect({ groups: ['X25519MLKEM768', 'P-256'] }, { maxVersion: 'TLSv1.2', groups: ['X25519MLKEM768', 'P-256'] })
    expect(pair.server.info!.group).toBe('secp256r1')
  })

  it('our TLS 1.2 client refuses a ServerKeyExchange naming X25519MLKEM768 (groups, illegal_parameter)', () => {
    const c = client({ maxVersion: 'TLSv1.2' })
    const s = server({ maxVersion: 'TLSv1.2' })
    s.receive(c.takeOutgoing())
    const flight = Buffer.from(s.takeOutgoing())
    // ServerKeyExchange (type 12): ECParameters curve_type named_curve (3), then the named curve, X25519 here.
    const at = flight.indexOf(Buffer.from([3, 0x00, 0x1d, 32]))
    expect(at).toBeGreaterThan(0)
    flight[at + 1] = 0x11
    flight[at + 2] = 0xec
    let error: unknown
    try {
      c.receive(flight)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(TlsPolicyError)
    expect(error).toMatchObject({ constraint: 'groups', alert: 'illegal_parameter', offered: 'X25519MLKEM768' })
  })
})
