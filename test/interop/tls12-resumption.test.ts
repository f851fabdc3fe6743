// TLS 1.2 resumption with session tickets (RFC 5077) against real peers: each side's own report that a connection resumed, the abbreviated handshake in OpenSSL's trace, data both ways; and no resumption without the extended master secret.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { type TlsContext } from '../../src/handshake/context.js'
import { createDefaultContext } from '../../src/transport/node.js'
import { type Chain, cleanupPki } from '../helpers/pki.js'
import { nodeTlsConnect, runOpenSslClient, startNodeTlsServer, startOpenSslServer } from '../helpers/peers.js'
import type { PeerProcess } from '../helpers/processes.js'
import { cleanupScratch, freshScratchPath, noEmsOpenSslEnvironment, ourClient, ourServer, parseTrace, type TracedMessage } from './interop12-helpers.js'
import { disposeAll, exchangeBulk, nodeEndpoint, opensslCertificateArgs, type OurSocket, processEndpoint, sendLine, serverChain } from './interop13-helpers.js'

const KiB = 1024
const SUITE = 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'
const OPENSSL_SUITE = 'ECDHE-ECDSA-AES128-GCM-SHA256'

let chain: Chain
beforeAll(async () => {
  chain = await serverChain('ecdsa-p256')
})
afterEach(disposeAll)
afterAll(() => {
  cleanupPki()
  cleanupScratch()
})

/** Our client context with session tickets on, shared by a test's connections (the cache lives in it); TLS 1.2-1.3 unless told. */
function ourClientContext(options: { maxVersion?: 'TLSv1.2'; requireExtendedMasterSecret?: boolean } = {}): TlsContext {
  return createDefaultContext('server-auth', { ca: chain.rootPem, cipherSuites: [SUITE, 'TLS_AES_128_GCM_SHA256'], sessionTickets: true, ...options })
}

function ourTicketServer(options: { requireExtendedMasterSecret?: boolean } = {}) {
  return ourServer({ cert: chain.chainPem, key: chain.keyPem, maxVersion: 'TLSv1.2', cipherSuites: [SUITE], sessionTickets: true, ...options })
}

/** Sends close_notify and waits for the socket to close, so that a one-at-a-time server moves on. */
async function finish(ours: OurSocket): Promise<void> {
  await ours.end()
  await ours.waitForClose()
}

/** An -trace -msgfile log split into its connections: each starts with the ClientHello. */
function tracedConnections(path: string): TracedMessage[][] {
  const connections: TracedMessage[][] = []
  for (const message of parseTrace(readFileSync(path, 'utf8'))) {
    if (message.name === 'ClientHello') connections.push([])
    connections.at(-1)?.push(message)
  }
  return connections
}

/** The names of the messages one side sent in one traced connection. */
function sentBy(connection: TracedMessage[], direction: TracedMessage['direction']): string[] {
  return connection.filter((m) => m.direction === direction).map((m) => m.name)
}

const FULL_FROM_SERVER = ['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone', 'NewSessionTicket', 'Finished']
const FULL_FROM_CLIENT = ['ClientHello', 'ClientKeyExchange', 'Finished']

/** openssl s_client -tls1_2 verifying the test chain for "localhost". */
function opensslClient(port: number, extra: string[], env?: NodeJS.ProcessEnv): Promise<PeerProcess> {
  const args = ['-tls1_2', '-CAfile', chain.rootPath, '-verify_return_error', '-verify_hostname', 'localhost', '-servername', 'localhost', ...extra]
  return runOpenSslClient(args, { connectTo: port, ...(env && { env }) })
}

describe('real clients resume with the TLS 1.2 tickets of our server', () => {
  it(`openssl s_client -tls1_2 -sess_out, then -sess_in twice ↔ our server: ${SUITE} × X25519 × ECDSA P-256: "Reused, TLSv1.2", no Certificate`, async () => {
    const server = await ourTicketServer()
    const session = freshScratchPath('s_client-session')

    const first = await opensslClient(server.port, ['-sess_out', session])
    await first.waitForOutput(new RegExp(`New, TLSv1\\.2, Cipher is ${OPENSSL_SUITE}`))
    expect((await server.nextConnection()).info).toMatchObject({ resumed: false, extendedMasterSecret: true })
    await first.endInput()
    expect(await first.waitForExit()).toBe(0)

    for (const round of [1, 2]) {
      const trace = freshScratchPath('s_client-trace')
      const again = await opensslClient(server.port, ['-sess_in', session, '-trace', '-msgfile', trace])
      await again.waitForOutput(new RegExp(`Reused, TLSv1\\.2, Cipher is ${OPENSSL_SUITE}`))
      const ours = await server.nextConnection()
      expect(ours.info).toMatchObject({ version: 'TLSv1.2', cipherSuite: SUITE, resumed: true, extendedMasterSecret: true, group: undefined })
      const client = processEndpoint('openssl s_client', again)
      await sendLine(client, ours, `from-resumed-openssl-${round}`)
      await sendLine(ours, client, `from-our-server-to-resumed-openssl-${round}`)
      await again.endInput()
      expect(await again.waitForExit()).toBe(0)
      const [connection] = tracedConnections(trace)
      expect(sentBy(connection!, 'Received')).toEqual(['ServerHello', 'NewSessionTicket', 'Finished'])
      expect(sentBy(connection!, 'Sent')).toEqual(['ClientHello', 'Finished'])
    }
  })

  it(`node:tls client with the 'session' it got ↔ our server: ${SUITE} × X25519 × ECDSA P-256: isSessionReused() true, 256 KiB both ways`, async () => {
    const server = await ourTicketServer()
    const connect = (session?: Buffer) => nodeTlsConnect({ port: server.port, ca: chain.rootPem, servername: 'localhost', maxVersion: 'TLSv1.2', session })

    const first = await connect()
    // TLS 1.2: the ticket came inside the handshake, so the session (node emitted 'session' before 'secureConnect') is ready.
    const session = first.socket.getSession()!
    expect(first.socket.isSessionReused()).toBe(false)
    expect((await server.nextConnection()).info.resumed).toBe(false)
    await first.close()

    const second = await connect(session)
    expect(second.socket.isSessionReused()).toBe(true)
    expect(second.socket.getProtocol()).toBe('TLSv1.2')
    const ours = await server.nextConnection()
    expect(ours.info).toMatchObject({ resumed: true, cipherSuite: SUITE })
    await exchangeBulk(nodeEndpoint('node:tls client', second), ours, 256 * KiB)
  })
})

describe('our client resumes with the TLS 1.2 tickets of real servers', () => {
  it(`our client (TLS 1.2-1.3) ↔ openssl s_server -tls1_2: ${SUITE} × X25519 × ECDSA P-256: resumed twice from the one ticket ("Reused session-id"), no Certificate`, async () => {
    const trace = freshScratchPath('s_server-trace')
    const server = await startOpenSslServer(['-tls1_2', '-naccept', '3', '-trace', '-msgfile', trace, ...opensslCertificateArgs(chain)])
    const endpoint = processEndpoint('openssl s_server', server)
    const context = ourClientContext()

    const first = await ourClient({ port: server.port, context })
    expect(first.info).toMatchObject({ version: 'TLSv1.2', resumed: false })
    expect(first.socket.connection.tickets).toHaveLength(1)
    await sendLine(first, endpoint, 'from-our-first-client')
    await finish(first)

    for (const round of [1, 2]) {
      const again = await ourClient({ port: server.port, context })
      expect(again.info).toMatchObject({ version: 'TLSv1.2', cipherSuite: SUITE, resumed: true, peerVerified: true, group: undefined })
      expect(again.info.peerCertificates).toHaveLength(2)
      await sendLine(again, endpoint, `from-our-resumed-client-${round}`)
      await sendLine(endpoint, again, `from-openssl-to-our-resumed-client-${round}`)
      await finish(again)
    }
    expect(await server.waitForExit()).toBe(0)
    expect(server.output().match(/Reused session-id/g)).toHaveLength(2)

    const [full, ...resumed] = tracedConnections(trace)
    expect(sentBy(full!, 'Sent')).toEqual(FULL_FROM_SERVER)
    expect(sentBy(full!, 'Received')).toEqual(FULL_FROM_CLIENT)
    expect(resumed).toHaveLength(2)
    for (const connection of resumed) {
      // OpenSSL does not renew a ticket it resumes: our client offers the one ticket again.
      expect(sentBy(connection, 'Sent')).toEqual(['ServerHello', 'Finished'])
      expect(sentBy(connection, 'Received')).toEqual(['ClientHello', 'Finished'])
    }
  })

  it(`our TLS 1.2 client ↔ node:tls server: ${SUITE} × X25519 × ECDSA P-256: the second connection is resumed (isSessionReused() on the server socket)`, async () => {
    const server = await startNodeTlsServer({ cert: chain.chainPem, key: chain.keyPem, maxVersion: 'TLSv1.2' })
    const context = ourClientContext({ maxVersion: 'TLSv1.2' })

    const first = await ourClient({ port: server.port, context })
    const firstPeer = await server.nextConnection()
    await exchangeBulk(first, nodeEndpoint('node:tls server', firstPeer), 16 * KiB)
    expect(first.info.resumed).toBe(false)
    expect(firstPeer.socket.isSessionReused()).toBe(false)
    expect(first.socket.connection.tickets).toHaveLength(1)
    await finish(first)

    const second = await ourClient({ port: server.port, context })
    const secondPeer = await server.nextConnection()
    expect(second.info).toMatchObject({ version: 'TLSv1.2', resumed: true, cipherSuite: SUITE })
    expect(secondPeer.socket.isSessionReused()).toBe(true)
    await exchangeBulk(second, nodeEndpoint('node:tls server', secondPeer), 256 * KiB)
  })
})

describe('no resumption without the extended master secret (RFC 7627 5.3), against OpenSSL without it', () => {
  it('openssl s_client without EMS ↔ our server (requireExtendedMasterSecret: false): no session_ticket, no NewSessionTicket, nothing for -sess_out to save', async () => {
    const server = await ourTicketServer({ requireExtendedMasterSecret: false })
    const session = freshScratchPath('s_client-no-ems-session')
    const trace = freshScratchPath('s_client-no-ems-trace')
    const client = await opensslClient(server.port, ['-sess_out', session, '-trace', '-msgfile', trace], noEmsOpenSslEnvironment())
    await client.waitForOutput(/New, TLSv1\.2/)
    const ours = await server.nextConnection()
    expect(ours.info).toMatchObject({ resumed: false, extendedMasterSecret: false })
    await sendLine(ours, processEndpoint('openssl s_client', client), 'from-our-server-without-ems')
    await client.endInput()
    expect(await client.waitForExit()).toBe(0)
    const [connection] = tracedConnections(trace)
    expect(sentBy(connection!, 'Received')).toEqual(['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone', 'Finished'])
    expect(connection!.find((m) => m.name === 'ServerHello')!.extensions).not.toContain('session_ticket')
    // A TLS 1.2 session with neither a session id nor a ticket cannot be resumed: s_client does not write it.
    expect(existsSync(session)).toBe(false)
  })

  it('openssl s_server without EMS ↔ our client (requireExtendedMasterSecret: false): its ticket is not kept, the second connection offers none and is full', async () => {
    const trace = freshScratchPath('s_server-no-ems-trace')
    const server = await startOpenSslServer(['-tls1_2', '-naccept', '2', '-trace', '-msgfile', trace, ...opensslCertificateArgs(chain)], { env: noEmsOpenSslEnvironment() })
    const context = ourClientContext({ maxVersion: 'TLSv1.2', requireExtendedMasterSecret: false })
    for (const round of [1, 2]) {
      const ours = await ourClient({ port: server.port, context })
      expect(ours.info).toMatchObject({ resumed: false, extendedMasterSecret: false })
      expect(ours.socket.connection.tickets).toHaveLength(0)
      await sendLine(ours, processEndpoint('openssl s_server', server), `from-our-client-without-ems-${round}`)
      await finish(ours)
    }
    expect(await server.waitForExit()).toBe(0)
    expect(server.output()).not.toMatch(/Reused session-id/)
    const connections = tracedConnections(trace)
    expect(connections).toHaveLength(2)
    for (const connection of connections) expect(sentBy(connection, 'Sent')).toEqual(FULL_FROM_SERVER)
    // The second ClientHello asks for a ticket with an empty session_ticket: it has nothing to offer.
    expect(connections[1]!.find((m) => m.name === 'ClientHello')!.text).toMatch(/extension_type=session_ticket\(35\), length=0\b/)
  })
})
