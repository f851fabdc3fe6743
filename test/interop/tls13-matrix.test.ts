// TLS 1.3 interop matrix: 3 suites × 3 groups × 4 server keys, once per crypto provider on our side, each cell our client and our server against openssl and node:tls with 1 MiB each way.
//
// What each pairing asserts about the negotiated suite and group, from both ends:
// - ours: conn.info (version, cipherSuite, group; as a client also the server's signature scheme and peerVerified).
// - openssl s_client: its -brief summary on stderr ("Protocol version", "Ciphersuite", "Server Temp Key", "Signature type").
// - openssl s_server: its -brief summary ("Protocol version", "Ciphersuite") and, since OpenSSL 3.0 prints no
//   negotiated group on the server, the key_share group of the ServerHello in its own -trace decode.
// - node:tls client: getProtocol(), getCipher().standardName, getEphemeralKeyInfo().name.
// - node:tls server: getProtocol(), getCipher().standardName; node has no server-side API for the group
//   (getEphemeralKeyInfo() is {} on a server), so the group there is forced by ecdhCurve naming that one
//   group (node would fail the handshake on any other) and observed on our client's side.
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { type Chain, cleanupPki } from '../helpers/pki.js'
import { nodeTlsConnect, runOpenSslClient, type SocketPeer, startNodeTlsServer, startOpenSslServer } from '../helpers/peers.js'
import {
  allChecks,
  disposeAll,
  exchangeBulk,
  type Group,
  GROUPS,
  MATRIX_PROVIDERS,
  type MatrixProvider,
  nodeEndpoint,
  nodeReport,
  opensslCertificateArgs,
  openSslServerReporting,
  ourConnect,
  type OurSocket,
  parseOpenSslClientReport,
  processEndpoint,
  SERVER_KEYS,
  type ServerKey,
  serverChain,
  startOurServer,
  type Tls13Suite,
  TLS13_SUITES,
} from './interop13-helpers.js'

afterEach(disposeAll)
afterAll(cleanupPki)

interface Cell {
  readonly suite: Tls13Suite
  readonly group: Group
  readonly key: ServerKey
  readonly chain: Chain
  readonly provider: MatrixProvider
}

function expectOurs(socket: OurSocket, cell: Cell): void {
  const info = socket.info
  expect(info.version).toBe('TLSv1.3')
  expect(info.cipherSuite).toBe(cell.suite)
  expect(info.group).toBe(cell.group.ours)
  expect(info.helloRetryRequest).toBe(false)
}

function expectOurClient(socket: OurSocket, cell: Cell): void {
  expectOurs(socket, cell)
  expect(socket.info.signatureScheme).toBe(cell.key.scheme)
  expect(socket.info.peerVerified).toBe(true)
}

function expectNode(peer: SocketPeer, cell: Cell, role: 'client' | 'server'): void {
  const report = nodeReport(peer.socket)
  expect(report.version).toBe('TLSv1.3')
  expect(report.cipherSuite).toBe(cell.suite)
  if (role === 'client') expect(report.group).toBe(cell.group.node)
}

/** The OpenSSL arguments that force the cell on an OpenSSL peer. */
function opensslCellArgs(cell: Cell): string[] {
  return ['-tls1_3', '-ciphersuites', cell.suite, '-groups', cell.group.name]
}

/** The options that force the cell (and its provider) on our side. */
function ourCellOptions(cell: Cell) {
  return { cipherSuites: [cell.suite], groups: [cell.group.name], maxVersion: 'TLSv1.3' as const, provider: cell.provider.provider }
}

/** The node:tls options that force the cell. */
function nodeCellOptions(cell: Cell) {
  return { ciphersuites: cell.suite, ecdhCurve: cell.group.node, minVersion: 'TLSv1.3' as const, maxVersion: 'TLSv1.3' as const }
}

async function ourClientWithOpenSslServer(cell: Cell): Promise<void> {
  const reporting = openSslServerReporting()
  const server = await startOpenSslServer(['-quiet', '-naccept', '1', ...reporting.args, ...opensslCellArgs(cell), ...opensslCertificateArgs(cell.chain)])
  const client = await ourConnect({ port: server.port, ca: cell.chain.rootPem, ...ourCellOptions(cell) })
  await exchangeBulk(client, processEndpoint('openssl s_server', server))
  expectOurClient(client, cell)
  await client.end()
  // s_server -naccept 1 exits after the close_notify; its trace is complete only then.
  expect(await server.waitForExit()).toBe(0)
  const report = await reporting.read(server)
  expect(report, JSON.stringify(report)).toMatchObject({ version: 'TLSv1.3', cipherSuite: cell.suite, group: cell.group.name })
}

async function ourClientWithNodeServer(cell: Cell): Promise<void> {
  const server = await startNodeTlsServer({ cert: cell.chain.chainPem, key: cell.chain.keyPem, ...nodeCellOptions(cell) })
  const client = await ourConnect({ port: server.port, ca: cell.chain.rootPem, ...ourCellOptions(cell) })
  const accepted = await server.nextConnection()
  await exchangeBulk(client, nodeEndpoint('node:tls server', accepted))
  expectOurClient(client, cell)
  expectNode(accepted, cell, 'server')
}

async function openSslClientWithOurServer(cell: Cell): Promise<void> {
  const server = await startOurServer({ cert: cell.chain.chainPem, key: cell.chain.keyPem, ...ourCellOptions(cell) })
  const client = await runOpenSslClient(
    ['-quiet', '-brief', ...opensslCellArgs(cell), '-CAfile', cell.chain.rootPath, '-verify_return_error', '-verify_hostname', 'localhost', '-servername', 'localhost'],
    { connectTo: server.port },
  )
  const accepted = await server.nextConnection()
  await exchangeBulk(accepted, processEndpoint('openssl s_client', client))
  expectOurs(accepted, cell)
  await client.waitForErrorOutput(/Server Temp Key: .*\n/)
  const report = parseOpenSslClientReport(client.errorOutput())
  expect(report, JSON.stringify(report)).toEqual({ version: 'TLSv1.3', cipherSuite: cell.suite, group: cell.group.name, signatureType: cell.key.opensslSignatureType })
  expect(client.errorOutput()).toMatch(/Verification: OK/)
  // Our close_notify ends s_client cleanly.
  await accepted.end()
  expect(await client.waitForExit()).toBe(0)
}

async function nodeClientWithOurServer(cell: Cell): Promise<void> {
  const server = await startOurServer({ cert: cell.chain.chainPem, key: cell.chain.keyPem, ...ourCellOptions(cell) })
  const client = await nodeTlsConnect({ port: server.port, ca: cell.chain.rootPem, servername: 'localhost', ...nodeCellOptions(cell) })
  const accepted = await server.nextConnection()
  expect(client.socket.authorized).toBe(true)
  await exchangeBulk(accepted, nodeEndpoint('node:tls client', client))
  expectOurs(accepted, cell)
  expectNode(client, cell, 'client')
}

for (const provider of MATRIX_PROVIDERS) {
  for (const key of SERVER_KEYS) {
    describe(`${provider.name} provider, server certificate ${key.label}`, () => {
      for (const suite of TLS13_SUITES) {
        for (const group of GROUPS) {
          const cell = `${suite} × ${group.name} × ${key.label} (${provider.name})`
          it(`${cell}: our client ↔ openssl s_server, our client ↔ node:tls server, openssl s_client ↔ our server, node:tls client ↔ our server`, async () => {
            const chain = await serverChain(key.pki)
            const c: Cell = { suite, group, key, chain, provider }
            await allChecks({
              [`our client ↔ openssl s_server: ${cell}`]: () => ourClientWithOpenSslServer(c),
              [`our client ↔ node:tls server: ${cell}`]: () => ourClientWithNodeServer(c),
              [`openssl s_client ↔ our server: ${cell}`]: () => openSslClientWithOurServer(c),
              [`node:tls client ↔ our server: ${cell}`]: () => nodeClientWithOurServer(c),
            })
          })
        }
      }
    })
  }
}
