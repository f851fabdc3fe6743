// Post-handshake client authentication (RFC 8446 4.6.2) against Python's ssl and the OpenSSL tools, both roles: who asks, the answer verified, data flowing after.
import { X509Certificate } from 'node:crypto'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { Duplex } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { TlsAlertReceivedError, TlsError } from '../../src/errors.js'
import { type ContextOptions, createDefaultContext } from '../../src/handshake/context.js'
import { type ByteStreamPair, secureStreams } from '../../src/transport/web-streams.js'
import { OutputBuffer } from '../helpers/output.js'
import type { ConnectionInfo } from '../../src/handshake/session.js'
import { type Chain, cleanupPki, makeClientChain } from '../helpers/pki.js'
import { runOpenSslClient, startOpenSslServer } from '../helpers/peers.js'
import { PeerProcess } from '../helpers/processes.js'
import { withTimeout } from '../helpers/timeouts.js'
import {
  clientChain,
  disposeAll,
  type Endpoint,
  opensslCertificateArgs,
  openSslTracing,
  ourConnect,
  type OurSocket,
  processEndpoint,
  sendLine,
  serverChain,
  startOurServer,
} from './interop13-helpers.js'

const PYTHON_PEER = fileURLToPath(new URL('./python/post_handshake_auth.py', import.meta.url))
const CLIENT_CN = 'pure-tls test client'

let chain: Chain
let client: Chain
let stranger: Chain
beforeAll(async () => {
  ;[chain, client, stranger] = await Promise.all([serverChain(), clientChain(), makeClientChain({ caName: 'a stranger CA' })])
})
afterEach(disposeAll)
afterAll(cleanupPki)

/** The DER of the first certificate in a PEM chain. */
function leafDer(pem: string): Buffer {
  return Buffer.from(new X509Certificate(pem).raw)
}

/**
 * Asks the client on one of our server's connections for its certificate. The transport adapter does not expose the
 * request yet: the test calls the Connection and puts the CertificateRequest on the socket itself.
 */
function requestClientCertificate(accepted: OurSocket): Promise<ConnectionInfo> {
  const { connection, socket } = accepted.socket
  const authenticated = connection.requestClientCertificate()
  socket.write(connection.takeOutgoing())
  return withTimeout(authenticated, 15_000, 'the client answering our CertificateRequest')
}

/** Our server, asking TLS 1.3 clients that offer post_handshake_auth only after the handshake. */
function ourServer(options: ContextOptions = {}) {
  return startOurServer({ cert: chain.chainPem, key: chain.keyPem, ca: chain.rootPem, verifyMode: 'required', postHandshakeAuth: true, ...options })
}

/** Our client with the test client certificate (or what `options` give instead). */
function ourClient(port: number, options: ContextOptions = {}) {
  return ourConnect({ port, ca: chain.rootPem, cert: client.chainPem, key: client.keyPem, ...options })
}

/**
 * Our client through secureStreams over a TCP socket: unlike the Node adapter, it follows asynchronous work
 * (onProgress), which an asynchronous clientCertificate callback needs.
 */
async function streamsClient(port: number, options: ContextOptions): Promise<Endpoint> {
  const socket = connect(port, '127.0.0.1')
  await withTimeout(once(socket, 'connect'), 10_000, 'connecting')
  streamSockets.add(socket)
  const transport = Duplex.toWeb(socket) as unknown as ByteStreamPair
  const connection = createDefaultContext('server-auth', { ca: chain.rootPem, ...options }).client({ serverName: 'localhost' })
  const streams = secureStreams(connection, transport)
  await withTimeout(streams.handshake, 15_000, 'the handshake through secureStreams')
  expect(connection.info?.version).toBe('TLSv1.3')
  const received = new OutputBuffer('our secureStreams client')
  const reader = streams.readable.getReader()
  void (async () => {
    for (let next = await reader.read(); !next.done; next = await reader.read()) received.append(next.value)
    received.close('our secureStreams client: the server closed')
  })().catch((error: unknown) => received.close(`our secureStreams client: ${String(error)}`))
  const writer = streams.writable.getWriter()
  return { name: 'our secureStreams client', received, write: (data) => writer.write(typeof data === 'string' ? new TextEncoder().encode(data) : data) }
}

const streamSockets = new Set<Socket>()
afterEach(() => {
  for (const socket of streamSockets) socket.destroy()
  streamSockets.clear()
})

function python(mode: 'server' | 'client', ...args: string[]): PeerProcess {
  return new PeerProcess('python3', ['-u', PYTHON_PEER, mode, ...args], { name: `python ssl ${mode}` })
}

function expectClientAuthenticated(info: ConnectionInfo): void {
  expect(info).toMatchObject({ version: 'TLSv1.3', peerVerified: true })
  expect(Buffer.from(info.peerCertificates[0]!).equals(leafDer(client.leafPem))).toBe(true)
  expect(info.peerCertificates).toHaveLength(2)
}

describe("Python's ssl", () => {
  for (const [label, connect] of [
    ['node adapter, a configured certificate', (port: number) => ourClient(port)],
    [
      'secureStreams, a clientCertificate callback answering through a promise',
      (port: number) => streamsClient(port, { clientCertificate: () => Promise.resolve({ cert: client.chainPem, key: client.keyPem }) }),
    ],
  ] as const) {
    it(`a Python server calls verify_client_post_handshake() on our client (${label}) and sees our certificate`, async () => {
      const server = python('server', '--cert', chain.chainPath, '--key', chain.keyPath, '--ca', chain.rootPath)
      const port = Number((await server.waitForOutput(/PORT (\d+)\n/))[1])
      const ours = await connect(port)
      // Before it asks, Python has no certificate of ours.
      expect((await server.waitForOutput(/HANDSHAKE TLSv1.3 before: (.*)\n/))[1]).toMatch(/^(null|\{\})$/)
      await ours.write('auth\n')
      await ours.received.waitForText(/requested\n/)
      await ours.write('answered\n')
      await ours.received.waitForText(new RegExp(`authenticated ${CLIENT_CN}\n`))
      const peer = JSON.parse((await server.waitForOutput(/PEER (.*)\n/))[1]!)
      expect(peer).toEqual({ cn: CLIENT_CN, line: 'answered' })
      await ours.write('bye\n')
      expect(await server.waitForExit()).toBe(0)
      expect(server.output()).toMatch(/DONE\n/)
    })
  }

  it('our server asks a Python client (post_handshake_auth = True) after the handshake and reports its verified chain', async () => {
    const server = await ourServer()
    const peer = python('client', '--cert', client.chainPath, '--key', client.keyPath, '--ca', chain.rootPath, '--port', String(server.port))
    const accepted = await server.nextConnection()
    expect(accepted.info).toMatchObject({ version: 'TLSv1.3', peerVerified: false, peerCertificates: [] })
    await accepted.received.waitForText(/hello\n/)
    const authenticated = requestClientCertificate(accepted)
    await accepted.write('please\n')
    const info = await authenticated
    expectClientAuthenticated(info)
    expect(accepted.info).toBe(info)
    // Python's OpenSSL signs with its ECDSA P-256 key.
    expect(info.signatureScheme).toBe('ecdsa_secp256r1_sha256')
    await accepted.received.waitForText(/echo please\n/)
    await accepted.write('bye\n')
    expect(await peer.waitForExit()).toBe(0)
    expect(peer.output()).toMatch(/HANDSHAKE TLSv1.3\nGOT please\nDONE\n/)
  })
})

describe('OpenSSL', () => {
  /** openssl s_server on TLS 1.3, not -quiet (its 'c' command requests a certificate), checking client chains against the test root. */
  function opensslServer(...extra: string[]) {
    return startOpenSslServer(['-tls1_3', '-naccept', '1', ...opensslCertificateArgs(chain), '-CAfile', chain.rootPath, '-verify_return_error', ...extra])
  }

  it("openssl s_server's 'c' command asks our client after the handshake; OpenSSL verifies the chain and lines flow both ways after", async () => {
    const tracing = openSslTracing()
    const server = await opensslServer(...tracing.args)
    const ours = await ourClient(server.port)
    const peer = processEndpoint('openssl s_server', server)
    await server.waitForOutput(/CIPHER is TLS_/)
    await sendLine(ours, peer, 'before-auth')
    await server.write('c\n')
    await server.waitForOutput(/SSL_do_handshake -> 1/)
    await sendLine(ours, peer, 'after-auth')
    await sendLine(peer, ours, 'from-server-after-auth')
    await ours.end()
    expect(await server.waitForExit()).toBe(0)
    const trace = await tracing.read()
    expect(trace.messages('sent', 'CertificateRequest')).toHaveLength(1)
    const [certificate] = trace.messages('received', 'Certificate')
    // OpenSSL decoded our chain (leaf and intermediate) and our CertificateVerify and Finished after it.
    expect(certificate).toMatch(new RegExp(`Subject: CN = ${CLIENT_CN}\n`))
    expect(certificate).toMatch(/Subject: CN = pure-tls test root intermediate\n/)
    expect(trace.messages('received', 'CertificateVerify')).toHaveLength(1)
    expect(trace.messages('received', 'Finished')).toHaveLength(2)
  })

  it("openssl s_server's 'c' command refuses a client certificate from a CA it does not trust: our client gets the alert", async () => {
    const server = await opensslServer()
    const ours = await ourClient(server.port, { cert: stranger.chainPem, key: stranger.keyPem })
    await server.waitForOutput(/CIPHER is TLS_/)
    const closed = ours.waitForClose(15_000)
    await server.write('c\n')
    await closed
    expect(ours.error).toBeInstanceOf(TlsAlertReceivedError)
    expect((ours.error as TlsAlertReceivedError).received).toBe('unknown_ca')
  })

  it('openssl s_client -enable_pha: our server asks after the handshake and reports the verified chain; data both ways after', async () => {
    const server = await ourServer()
    const peerProcess = await runOpenSslClient(
      ['-tls1_3', '-quiet', '-enable_pha', '-CAfile', chain.rootPath, '-verify_return_error', '-verify_hostname', 'localhost', ...opensslCertificateArgs(client)],
      { connectTo: server.port },
    )
    const accepted = await server.nextConnection()
    expect(accepted.info.peerVerified).toBe(false)
    const info = await requestClientCertificate(accepted)
    expectClientAuthenticated(info)
    const peer = processEndpoint('openssl s_client', peerProcess)
    await sendLine(accepted, peer, 'to-s_client-after-auth')
    await sendLine(peer, accepted, 'from-s_client-after-auth')
    // A second request on the same connection works the same way.
    expectClientAuthenticated(await requestClientCertificate(accepted))
    await sendLine(peer, accepted, 'after-the-second')
    await accepted.end()
    expect(await peerProcess.waitForExit()).toBe(0)
  })

  it("openssl s_client -enable_pha without a certificate answers empty: under 'required' our server ends it with certificate_required", async () => {
    const server = await ourServer()
    const peerProcess = await runOpenSslClient(['-tls1_3', '-quiet', '-enable_pha', '-CAfile', chain.rootPath, '-verify_return_error'], { connectTo: server.port })
    const accepted = await server.nextConnection()
    const refused = await requestClientCertificate(accepted).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(refused).toBeInstanceOf(TlsError)
    expect((refused as TlsError).alert).toBe('certificate_required')
    await peerProcess.waitForExit()
    expect(peerProcess.errorOutput()).toMatch(/certificate required/i)
  })
})
