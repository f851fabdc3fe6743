// TLS 1.3 resumption (PSK-DHE, RFC 8446 2.2) against real peers: each side's own report that the second connection resumed, with data both ways.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type TlsContext } from '../../src/handshake/context.js'
import type { GroupName } from '../../src/policy/names.js'
import { createDefaultContext } from '../../src/transport/node.js'
import { type Chain, cleanupPki } from '../helpers/pki.js'
import { nodeTlsConnect, runOpenSslClient, startNodeTlsServer, startOpenSslServer } from '../helpers/peers.js'
import type { PeerProcess } from '../helpers/processes.js'
import { withTimeout } from '../helpers/timeouts.js'
import {
  disposeAll,
  exchangeBulk,
  nodeEndpoint,
  openSslTracing,
  opensslCertificateArgs,
  ourConnect,
  type OurServer,
  type OurSocket,
  processEndpoint,
  scratchFile,
  sendLine,
  serverChain,
  startOurServer,
} from './interop13-helpers.js'

const KiB = 1024
const SUITE = 'TLS_AES_128_GCM_SHA256'

let chain: Chain
beforeAll(async () => {
  chain = await serverChain('ecdsa-p256')
})
afterEach(disposeAll)
afterAll(cleanupPki)

/** Our client context with session tickets on: one per test, shared by its connections (the cache lives in it). */
function ourClientContext(groups: GroupName[] = ['X25519']): TlsContext {
  return createDefaultContext('server-auth', { ca: chain.rootPem, minVersion: 'TLSv1.3', cipherSuites: [SUITE], groups, sessionTickets: true })
}

function ourServer(groups: GroupName[] = ['X25519']): Promise<OurServer> {
  return startOurServer({ cert: chain.chainPem, key: chain.keyPem, cipherSuites: [SUITE], groups, sessionTickets: true })
}

/** Sends close_notify and waits for the socket to close, so that a one-at-a-time server moves on. */
async function finish(ours: OurSocket): Promise<void> {
  await ours.end()
  await ours.waitForClose()
}

/** openssl s_client verifying the test chain for "localhost", saving (-sess_out) or resuming (-sess_in) a session. */
function opensslClient(port: number, ...extra: string[]): Promise<PeerProcess> {
  const args = ['-tls1_3', '-CAfile', chain.rootPath, '-verify_return_error', '-verify_hostname', 'localhost', '-servername', 'localhost', ...extra]
  return runOpenSslClient(args, { connectTo: port })
}

describe('our client resumes with the tickets of real servers', () => {
  for (const { title, serverGroups, ourGroups } of <{ title: string; serverGroups: string; ourGroups: GroupName[] }[]>[
    { title: `${SUITE} × X25519 × ECDSA P-256`, serverGroups: 'X25519', ourGroups: ['X25519'] },
    { title: `${SUITE} × P-256 after a HelloRetryRequest (we share X25519) × ECDSA P-256`, serverGroups: 'P-256', ourGroups: ['X25519', 'P-256'] },
  ]) {
    it(`our client ↔ openssl s_server: ${title}: the second connection is resumed ("Reused session-id"), no server Certificate`, async () => {
      const tracing = openSslTracing()
      const server = await startOpenSslServer(['-tls1_3', '-naccept', '2', '-groups', serverGroups, ...opensslCertificateArgs(chain), ...tracing.args])
      const endpoint = processEndpoint('openssl s_server', server)
      const context = ourClientContext(ourGroups)

      const first = await ourConnect({ port: server.port, context })
      await sendLine(endpoint, first, 'after-the-tickets-1') // s_server sends its tickets before any data
      expect(first.info.resumed).toBe(false)
      expect(first.socket.connection.tickets.length).toBeGreaterThan(0)
      expect(server.output()).not.toMatch(/Reused session-id/)
      await finish(first)

      const second = await ourConnect({ port: server.port, context })
      expect(second.info.resumed).toBe(true)
      expect(second.info.peerVerified).toBe(true)
      expect(second.info.peerCertificates).toHaveLength(2)
      expect(second.info.helloRetryRequest).toBe(serverGroups !== 'X25519')
      await server.waitForOutput(/Reused session-id/)
      await sendLine(second, endpoint, 'from-our-resumed-client')
      await sendLine(endpoint, second, 'from-openssl-to-our-resumed-client')
      await finish(second)

      expect(await server.waitForExit()).toBe(0)
      const trace = await tracing.read()
      expect(trace.messages('sent', 'Certificate')).toHaveLength(1)
      expect(trace.messages('received', 'ClientHello').filter((text) => /extension_type=psk\(41\)/.test(text)).length).toBeGreaterThan(0)
    })
  }

  it(`our client ↔ node:tls server: ${SUITE} × X25519 × ECDSA P-256: the second connection is resumed (isSessionReused() on the server socket)`, async () => {
    const server = await startNodeTlsServer({ cert: chain.chainPem, key: chain.keyPem, minVersion: 'TLSv1.3' })
    const context = ourClientContext()

    const first = await ourConnect({ port: server.port, context })
    const firstPeer = await server.nextConnection()
    await exchangeBulk(first, nodeEndpoint('node:tls server', firstPeer), 16 * KiB) // the tickets came before the data
    expect(first.info.resumed).toBe(false)
    expect(firstPeer.socket.isSessionReused()).toBe(false)
    expect(first.socket.connection.tickets.length).toBeGreaterThan(0)
    await finish(first)

    const second = await ourConnect({ port: server.port, context })
    const secondPeer = await server.nextConnection()
    expect(second.info.resumed).toBe(true)
    expect(secondPeer.socket.isSessionReused()).toBe(true)
    await exchangeBulk(second, nodeEndpoint('node:tls server', secondPeer), 256 * KiB)
  })
})

describe('real clients resume with the tickets of our server', () => {
  for (const { title, serverGroups, clientGroups } of <{ title: string; serverGroups: GroupName[]; clientGroups: string }[]>[
    { title: `${SUITE} × X25519 × ECDSA P-256`, serverGroups: ['X25519'], clientGroups: 'X25519' },
    { title: `${SUITE} × P-256 after a HelloRetryRequest (openssl shares X25519) × ECDSA P-256`, serverGroups: ['P-256'], clientGroups: 'X25519:P-256' },
  ]) {
    it(`openssl s_client -sess_out, then -sess_in ↔ our server: ${title}: the second is "Reused, TLSv1.3"`, async () => {
      const server = await ourServer(serverGroups)
      const session = scratchFile()

      const first = await opensslClient(server.port, '-groups', clientGroups, '-sess_out', session)
      await first.waitForOutput(/Post-Handshake New Session Ticket arrived/)
      expect(first.output()).toMatch(new RegExp(`New, TLSv1\\.3, Cipher is ${SUITE}`))
      expect((await server.nextConnection()).info.resumed).toBe(false)
      await first.endInput()
      expect(await first.waitForExit()).toBe(0)

      const second = await opensslClient(server.port, '-groups', clientGroups, '-sess_in', session)
      await second.waitForOutput(new RegExp(`Reused, TLSv1\\.3, Cipher is ${SUITE}`))
      const ours = await server.nextConnection()
      expect(ours.info.resumed).toBe(true)
      expect(ours.info.helloRetryRequest).toBe(serverGroups[0] !== 'X25519')
      const client = processEndpoint('openssl s_client', second)
      await sendLine(client, ours, 'from-resumed-openssl')
      await sendLine(ours, client, 'from-our-server-to-resumed-openssl')
      await second.endInput()
      expect(await second.waitForExit()).toBe(0)
    })
  }

  it(`node:tls client with the 'session' it got ↔ our server: ${SUITE} × X25519 × ECDSA P-256: isSessionReused() true`, async () => {
    const server = await ourServer()
    const connect = (session?: Buffer) => nodeTlsConnect({ port: server.port, ca: chain.rootPem, servername: 'localhost', minVersion: 'TLSv1.3', session })

    const first = await connect()
    const session = await withTimeout(new Promise<Buffer>((resolve) => first.socket.once('session', resolve)), 10_000, "node:tls client's 'session' event")
    expect(first.socket.isSessionReused()).toBe(false)
    expect((await server.nextConnection()).info.resumed).toBe(false)
    await first.close()

    const second = await connect(session)
    expect(second.socket.isSessionReused()).toBe(true)
    const ours = await server.nextConnection()
    expect(ours.info.resumed).toBe(true)
    expect(ours.info.cipherSuite).toBe(SUITE)
    await exchangeBulk(nodeEndpoint('node:tls client', second), ours, 256 * KiB)
  })
})
