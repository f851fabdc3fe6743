// What a transport needs from a Connection beyond bytes: per-connection key logs, exported sessions, Finished messages, SNI contexts, ticket keys, a message trace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TlsConfigError } from '../errors.js'
import { type Chain, cleanupPki, makeChain } from '../../test/helpers/pki.js'
import { runPair } from '../../test/helpers/pair.js'
import type { Connection } from './connection.js'
import { createDefaultContext, type TlsContext } from './context.js'

let chain: Chain
let otherChain: Chain

beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256' })
  otherChain = await makeChain({ leafKey: 'ecdsa-p384', caName: 'pure-tls other root', dnsNames: ['other.test'] })
})
afterAll(() => cleanupPki())

function serverContext(options: object = {}, serverChain = chain): TlsContext {
  return createDefaultContext('client-auth', { cert: serverChain.chainPem, key: serverChain.keyPem, ...options })
}

function handshake(client: Connection, server: Connection): void {
  expect(runPair(client, server)).toEqual({})
  expect(client.handshakeComplete && server.handshakeComplete).toBe(true)
}

describe('per-connection key logs', () => {
  it('feeds the connection its own lines, and the context its lines too', () => {
    const contextLines: string[] = []
    const clientLines: string[] = []
    const serverLines: string[] = []
    const client = createDefaultContext('server-auth', { ca: chain.rootPem, keyLog: (l) => contextLines.push(l) }).client({
      serverName: 'localhost',
      keyLog: (l) => clientLines.push(l),
    })
    const server = serverContext().server({ keyLog: (l) => serverLines.push(l) })
    handshake(client, server)
    expect(clientLines.map((l) => l.split(' ')[0])).toEqual([
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
      'SERVER_HANDSHAKE_TRAFFIC_SECRET',
      'CLIENT_TRAFFIC_SECRET_0',
      'SERVER_TRAFFIC_SECRET_0',
      'EXPORTER_SECRET',
    ])
    expect(contextLines).toEqual(clientLines)
    expect([...serverLines].sort()).toEqual([...clientLines].sort())
  })

  it('refuses a key log that is not a function', () => {
    const context = createDefaultContext('server-auth', { ca: chain.rootPem })
    expect(() => context.client({ serverName: 'localhost', keyLog: 'file.txt' as never })).toThrow(TlsConfigError)
  })
})

describe('exported sessions (node getSession/session)', () => {
  it('resumes from the bytes of an earlier connection, even on a fresh client context', () => {
    const server = serverContext({ sessionTickets: true })
    const first = createDefaultContext('server-auth', { ca: chain.rootPem }).client({ serverName: 'localhost' })
    expect(first.session).toBeUndefined()
    handshake(first, server.server())
    const session = first.session
    expect(session).toBeInstanceOf(Uint8Array)
    const again = createDefaultContext('server-auth', { ca: chain.rootPem }).client({ serverName: 'localhost', session })
    const serverSide = server.server()
    handshake(again, serverSide)
    expect(again.info!.resumed && serverSide.info!.resumed).toBe(true)
    expect(again.info!.peerVerified).toBe(true)
    expect(again.info!.peerCertificates).toEqual(first.info!.peerCertificates)
  })

  it('does not offer a session for another server name, and refuses bytes that are not a session', () => {
    const server = serverContext({ sessionTickets: true })
    const first = createDefaultContext('server-auth', { ca: chain.rootPem, checkHostname: false }).client({ serverName: 'localhost' })
    handshake(first, server.server())
    const elsewhere = createDefaultContext('server-auth', { ca: chain.rootPem, checkHostname: false }).client({ serverName: 'example.test', session: first.session })
    const serverSide = server.server()
    handshake(elsewhere, serverSide)
    expect(elsewhere.info!.resumed).toBe(false)
    const context = createDefaultContext('server-auth', { ca: chain.rootPem })
    expect(() => context.client({ serverName: 'localhost', session: new Uint8Array([1, 2, 3]) })).toThrow(expect.objectContaining({ code: 'ERR_TLS_INVALID_SESSION' }))
  })
})

describe('Finished messages (node getFinished/getPeerFinished)', () => {
  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: each side's local Finished is the other's peer Finished`, () => {
      const client = createDefaultContext('server-auth', { ca: chain.rootPem, maxVersion: version }).client({ serverName: 'localhost' })
      const server = serverContext().server()
      handshake(client, server)
      const length = version === 'TLSv1.3' ? 32 : 12
      expect(client.info!.finished.local).toHaveLength(length)
      expect(client.info!.finished.local).toEqual(server.info!.finished.peer)
      expect(client.info!.finished.peer).toEqual(server.info!.finished.local)
      expect(client.info!.finished.local).not.toEqual(client.info!.finished.peer)
    })
  }
})

describe('SNI contexts (node SNICallback/addContext)', () => {
  it('answers each name with the certificate of the context chosen for it', () => {
    const defaults = serverContext()
    const other = serverContext({}, otherChain)
    const asked: string[] = []
    const sni = (name: string) => {
      asked.push(name)
      return name === 'other.test' ? other : undefined
    }
    const toOther = createDefaultContext('server-auth', { ca: otherChain.rootPem }).client({ serverName: 'other.test' })
    handshake(toOther, defaults.server({ sni }))
    expect(toOther.info!.peerVerified).toBe(true)
    const toDefault = createDefaultContext('server-auth', { ca: chain.rootPem }).client({ serverName: 'localhost' })
    handshake(toDefault, defaults.server({ sni }))
    expect(asked).toEqual(['other.test', 'localhost'])
  })

  it('fails the handshake (internal_error) when sni returns something else', () => {
    const client = createDefaultContext('server-auth', { ca: chain.rootPem }).client({ serverName: 'localhost' })
    const server = serverContext().server({ sni: () => ({}) as TlsContext })
    const result = runPair(client, server)
    expect(result.serverError).toMatchObject({ alert: 'internal_error' })
  })
})

describe('ticket keys (node getTicketKeys/setTicketKeys)', () => {
  it('lets a second server resume the sessions of the first once they share keys', () => {
    const a = serverContext({ sessionTickets: true })
    const b = serverContext({ sessionTickets: true })
    expect(a.ticketKeys).toHaveLength(48)
    const clientContext = createDefaultContext('server-auth', { ca: chain.rootPem, sessionTickets: true })
    handshake(clientContext.client({ serverName: 'localhost' }), a.server())
    const withoutShared = clientContext.client({ serverName: 'localhost' })
    handshake(withoutShared, b.server())
    expect(withoutShared.info!.resumed).toBe(false)
    b.setTicketKeys(a.ticketKeys)
    handshake(clientContext.client({ serverName: 'localhost' }), a.server())
    const shared = clientContext.client({ serverName: 'localhost' })
    handshake(shared, b.server())
    expect(shared.info!.resumed).toBe(true)
  })

  it('refuses keys of the wrong size, and contexts without tickets', () => {
    expect(() => serverContext({ sessionTickets: true }).setTicketKeys(new Uint8Array(47))).toThrow(TlsConfigError)
    expect(() => serverContext().ticketKeys).toThrow(TlsConfigError)
  })
})

describe('the handshake message trace', () => {
  it('reports each message each side sent and received, in order, with its body length', () => {
    const seen: string[] = []
    const client = createDefaultContext('server-auth', { ca: chain.rootPem }).client({
      serverName: 'localhost',
      onHandshakeMessage: (direction, type, length) => seen.push(`${direction} ${type} ${length > 0}`),
    })
    handshake(client, serverContext().server())
    expect(seen).toEqual([
      'sent client_hello true',
      'received server_hello true',
      'received encrypted_extensions true',
      'received certificate true',
      'received certificate_verify true',
      'received finished true',
      'sent finished true',
    ])
  })
})
