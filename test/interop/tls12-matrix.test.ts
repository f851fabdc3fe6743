// TLS 1.2 interop matrix: 6 suites × 3 groups × the certificates each suite takes, once per crypto provider on our side, our client and server against openssl -tls1_2 and node:tls (maxVersion TLSv1.2), 1 MiB each way.
//
// Each cell runs four pairings at once and asserts, from both ends, the version, the suite, the group and the
// extended master secret (RFC 7627):
// - ours: conn.info (version, cipherSuite, group, extendedMasterSecret; as a client also peerVerified and the
//   ServerKeyExchange signature's family).
// - openssl s_server -quiet -brief -trace -msgfile FILE (the 1 MiB connection): "Protocol version"/"Ciphersuite" on
//   stderr; its own decode of the handshake in FILE: the suite and extended_master_secret in the ServerHello it sent,
//   the curve of its ServerKeyExchange. Then a handshake-only s_server without -quiet: the session PEM it prints,
//   through `openssl sess_id -text` ("Cipher", "Extended master secret: yes").
// - openssl s_client -quiet -brief -trace -msgfile FILE (the 1 MiB connection): "Protocol version"/"Ciphersuite"/
//   "Server Temp Key" on stderr and its decode of the ServerHello it received. Then a handshake-only s_client without
//   -quiet: its session text ("Cipher", "Extended master secret: yes"). (-sess_out cannot stand in: it writes nothing
//   for a session with neither a session id nor a ticket, which is what our server gives.)
// - node:tls (both ends): getCipher().standardName, getProtocol(), `openssl sess_id -text` of getSession() for EMS,
//   exportKeyingMaterial() equal to ours; as a client also getEphemeralKeyInfo().name.
// Our client runs with its defaults (TLS 1.2-1.3, every suite and group): the TLS 1.2-only peer picks the cell.
// Our server is 1.3-capable (so it writes the downgrade sentinel, which a 1.2-only client must ignore) and is
// restricted to the cell's TLS 1.2 suite and group, choosing them from the peer's full offer.
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { ConnectionInfo } from '../../src/handshake/session.js'
import { type Chain, cleanupPki } from '../helpers/pki.js'
import { nodeTlsConnect, runOpenSslClient, type SocketPeer, startNodeTlsServer, startOpenSslServer } from '../helpers/peers.js'
import {
  type Cell12,
  cleanupScratch,
  freshScratchPath,
  nodeSessionFacts,
  openSslServerSessionFacts,
  parseSessionText,
  ourClient,
  ourServer,
  readTrace12,
  socketEndpoint,
  TLS13_SUITE_NAMES,
  tls12Cells,
} from './interop12-helpers.js'
import {
  allChecks,
  disposeAll,
  exchangeBulk,
  MATRIX_PROVIDERS,
  opensslCertificateArgs,
  parseOpenSslClientReport,
  processEndpoint,
  serverChain,
} from './interop13-helpers.js'

afterEach(disposeAll)
afterAll(() => {
  cleanupPki()
  cleanupScratch()
})

const EXPORTER_LABEL = 'EXPORTER-pure-tls-interop12'
const EXPORTER_CONTEXT = Buffer.from('a context both ends give')

function expectOurInfo(info: ConnectionInfo, cell: Cell12, role: 'client' | 'server'): void {
  expect(info.version).toBe('TLSv1.2')
  expect(info.cipherSuite).toBe(cell.suite.iana)
  expect(info.group).toBe(cell.group.ours)
  expect(info.extendedMasterSecret).toBe(true)
  expect(info.resumed).toBe(false)
  if (role === 'client') {
    expect(info.peerVerified).toBe(true)
    expect(info.signatureScheme).toMatch(cell.suite.authentication === 'ecdsa' ? /^ecdsa_/ : /^rsa_/)
  }
}

/** The s_server/s_client -brief lines (stderr) for the cell. */
function expectOpenSslBrief(stderr: string, cell: Cell12): void {
  const report = parseOpenSslClientReport(stderr)
  expect(report.version).toBe('TLSv1.2')
  expect(report.cipherSuite).toBe(cell.suite.openssl)
}

/** node's getCipher/getProtocol, its session's EMS, and the RFC 5705 exporter against ours. */
async function expectNodeSide(peer: SocketPeer, ours: Uint8Array, cell: Cell12, role: 'client' | 'server'): Promise<void> {
  const socket = peer.socket
  expect(socket.getProtocol()).toBe('TLSv1.2')
  expect(socket.getCipher().standardName).toBe(cell.suite.iana)
  if (role === 'client') expect((socket.getEphemeralKeyInfo() as { name?: string }).name).toBe(cell.group.node)
  const session = await nodeSessionFacts(socket)
  expect(session.protocol).toBe('TLSv1.2')
  expect(session.extendedMasterSecret).toBe('yes')
  expect(Buffer.from(socket.exportKeyingMaterial(32, EXPORTER_LABEL, EXPORTER_CONTEXT)).equals(Buffer.from(ours))).toBe(true)
}

async function ourClientWithOpenSslServer(cell: Cell12, chain: Chain): Promise<void> {
  const trace = freshScratchPath('s_server-trace')
  const server = await startOpenSslServer([
    '-quiet', '-brief', '-naccept', '1', '-tls1_2', '-cipher', cell.suite.openssl, '-groups', cell.group.name,
    '-trace', '-msgfile', trace, ...opensslCertificateArgs(chain),
  ])
  const client = await ourClient({ port: server.port, ca: chain.rootPem, provider: cell.provider.provider })
  expectOurInfo(client.info, cell, 'client')
  await exchangeBulk(client, processEndpoint('openssl s_server', server))
  await client.end()
  // -naccept 1: s_server exits after our close_notify, which also flushes its -msgfile.
  expect(await server.waitForExit(10_000)).toBe(0)
  expectOpenSslBrief(server.errorOutput(), cell)
  const traced = readTrace12(trace)
  expect(traced).toEqual({ serverVersion: 'TLS 1.2', cipherSuite: cell.suite.iana, clientOfferedEms: true, serverAcceptedEms: true, group: cell.group.name })
  await expectOpenSslServerSession(cell, chain)
}

/** A handshake-only s_server without -quiet prints its session, which `openssl sess_id -text` describes. */
async function expectOpenSslServerSession(cell: Cell12, chain: Chain): Promise<void> {
  const server = await startOpenSslServer(['-naccept', '1', '-tls1_2', '-cipher', cell.suite.openssl, '-groups', cell.group.name, ...opensslCertificateArgs(chain)])
  const client = await ourClient({ port: server.port, ca: chain.rootPem, provider: cell.provider.provider })
  await server.waitForOutput(/CIPHER is/)
  await client.end()
  expect(await server.waitForExit(10_000)).toBe(0)
  expect(await openSslServerSessionFacts(server.output())).toEqual({ protocol: 'TLSv1.2', cipher: cell.suite.openssl, extendedMasterSecret: 'yes' })
}

async function ourClientWithNodeServer(cell: Cell12, chain: Chain): Promise<void> {
  const server = await startNodeTlsServer({ cert: chain.chainPem, key: chain.keyPem, maxVersion: 'TLSv1.2', ciphers: cell.suite.openssl, ecdhCurve: cell.group.node })
  const client = await ourClient({ port: server.port, ca: chain.rootPem, provider: cell.provider.provider })
  const connection = await server.nextConnection()
  expectOurInfo(client.info, cell, 'client')
  await expectNodeSide(connection, client.socket.exportKeyingMaterial(32, EXPORTER_LABEL, EXPORTER_CONTEXT), cell, 'server')
  await exchangeBulk(client, socketEndpoint('node:tls server', connection))
}

/** Our server for one cell: 1.3-capable, its TLS 1.2 choice narrowed to the cell's suite and group. */
function startOurServerFor(cell: Cell12, chain: Chain) {
  return ourServer({
    cert: chain.chainPem,
    key: chain.keyPem,
    cipherSuites: [...TLS13_SUITE_NAMES, cell.suite.iana],
    groups: [cell.group.name],
    provider: cell.provider.provider,
  })
}

async function openSslClientWithOurServer(cell: Cell12, chain: Chain): Promise<void> {
  const server = await startOurServerFor(cell, chain)
  const trace = freshScratchPath('s_client-trace')
  const client = await runOpenSslClient(
    ['-quiet', '-brief', '-tls1_2', '-CAfile', chain.rootPath, '-verify_return_error', '-verify_hostname', 'localhost', '-trace', '-msgfile', trace],
    { connectTo: server.port },
  )
  const connection = await server.nextConnection()
  expectOurInfo(connection.info, cell, 'server')
  await exchangeBulk(processEndpoint('openssl s_client', client), connection)
  await connection.end()
  // s_client exits on our close_notify, which flushes its -msgfile.
  expect(await client.waitForExit(10_000)).toBe(0)
  const stderr = client.errorOutput()
  expectOpenSslBrief(stderr, cell)
  expect(parseOpenSslClientReport(stderr).group).toBe(cell.group.name)
  const traced = readTrace12(trace)
  expect(traced).toEqual({ serverVersion: 'TLS 1.2', cipherSuite: cell.suite.iana, clientOfferedEms: true, serverAcceptedEms: true, group: cell.group.name })

  // A handshake-only s_client without -quiet prints its session: "Extended master secret: yes".
  const handshakeOnly = await runOpenSslClient(['-tls1_2', '-CAfile', chain.rootPath, '-verify_return_error'], { connectTo: server.port, endInput: true })
  await server.nextConnection()
  expect(await handshakeOnly.waitForExit(10_000)).toBe(0)
  expect(parseSessionText(handshakeOnly.output())).toEqual({ protocol: 'TLSv1.2', cipher: cell.suite.openssl, extendedMasterSecret: 'yes' })
}

async function nodeClientWithOurServer(cell: Cell12, chain: Chain): Promise<void> {
  const server = await startOurServerFor(cell, chain)
  const client = await nodeTlsConnect({ port: server.port, ca: chain.rootPem, servername: 'localhost', maxVersion: 'TLSv1.2' })
  const connection = await server.nextConnection()
  expectOurInfo(connection.info, cell, 'server')
  await expectNodeSide(client, connection.socket.exportKeyingMaterial(32, EXPORTER_LABEL, EXPORTER_CONTEXT), cell, 'client')
  await exchangeBulk(socketEndpoint('node:tls client', client), connection)
}

describe.each(MATRIX_PROVIDERS)('TLS 1.2 matrix, our side on the $name provider: our client ↔ openssl s_server -tls1_2 and node:tls server; openssl s_client -tls1_2 and node:tls client ↔ our server', (provider) => {
  for (const cell of tls12Cells(provider)) {
    it(`${cell.title}: our client ↔ openssl s_server, our client ↔ node:tls server, openssl s_client ↔ our server, node:tls client ↔ our server`, async () => {
      const chain = await serverChain(cell.certificate.pki)
      await allChecks({
        'our client ↔ openssl s_server': () => ourClientWithOpenSslServer(cell, chain),
        'our client ↔ node:tls server': () => ourClientWithNodeServer(cell, chain),
        'openssl s_client ↔ our server': () => openSslClientWithOurServer(cell, chain),
        'node:tls client ↔ our server': () => nodeClientWithOurServer(cell, chain),
      })
    })
  }
})
