// TLS 1.3 features against real peers: HelloRetryRequest and its cookie, client certificates, ALPN, SNI, KeyUpdate, close_notify, exporters, tickets; GnuTLS (TLS 1.3 and 1.2) once per crypto provider.
import { randomBytes, X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CertificateVerificationError, TlsAlertReceivedError, TlsError } from '../../src/errors.js'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import {
  nodeTlsConnect,
  type NodeTlsConnectOptions,
  runGnutlsClient,
  runOpenSslClient,
  startGnutlsServer,
  startNodeTlsServer,
  startOpenSslServer,
} from '../helpers/peers.js'
import type { TlsOptions } from 'node:tls'
import type { ConnectOptions, ServerOptions } from '../../src/transport/node.js'
import {
  clientChain,
  disposeAll,
  exchangeBulk,
  expectSameBytes,
  MATRIX_PROVIDERS,
  nodeEndpoint,
  nodeReport,
  opensslCertificateArgs,
  type OpenSslTrace,
  openSslTracing,
  ourConnect,
  type OurSocket,
  parseOpenSslClientReport,
  processEndpoint,
  scratchFile,
  sendLine,
  serverChain,
  startOurServer,
  tracedCookie,
  tracedGroup,
} from './interop13-helpers.js'

const KiB = 1024

let chain: Chain
let client: Chain
beforeAll(async () => {
  ;[chain, client] = await Promise.all([serverChain(), clientChain()])
})
afterEach(disposeAll)
afterAll(cleanupPki)

/** openssl s_server on TLS 1.3 presenting the test chain, one connection. */
function opensslServer(...extra: string[]) {
  return startOpenSslServer(['-tls1_3', '-naccept', '1', ...opensslCertificateArgs(chain), ...extra])
}

/** openssl s_client on TLS 1.3 verifying the test chain for "localhost". */
function opensslClient(port: number, ...extra: string[]) {
  return runOpenSslClient(['-tls1_3', '-CAfile', chain.rootPath, '-verify_return_error', '-verify_hostname', 'localhost', ...extra], { connectTo: port })
}

function ourClient(port: number, options: Omit<ConnectOptions, 'port'> = {}) {
  return ourConnect({ port, ca: chain.rootPem, ...options })
}

function ourServer(options: ServerOptions = {}) {
  return startOurServer({ cert: chain.chainPem, key: chain.keyPem, ...options })
}

function nodeServer(options: TlsOptions = {}) {
  return startNodeTlsServer({ cert: chain.chainPem, key: chain.keyPem, minVersion: 'TLSv1.3', ...options })
}

function nodeClient(port: number, options: Omit<NodeTlsConnectOptions, 'port'> = {}) {
  return nodeTlsConnect({ port, ca: chain.rootPem, servername: 'localhost', minVersion: 'TLSv1.3', ...options })
}

/** One short line each way, through tools that are not -quiet. */
async function linesBothWays(a: Parameters<typeof sendLine>[0], b: Parameters<typeof sendLine>[0], tag: string): Promise<void> {
  await sendLine(a, b, `line-from-${a.name.replace(/\W+/g, '-')}-${tag}`)
  await sendLine(b, a, `line-from-${b.name.replace(/\W+/g, '-')}-${tag}`)
}

/** The DER of a PEM certificate. */
function der(pem: string): Buffer {
  return Buffer.from(new X509Certificate(pem).raw)
}

describe('HelloRetryRequest', () => {
  it('our client (one X25519 share; X25519, P-256 supported) ↔ openssl s_server -groups P-256: a HelloRetryRequest for P-256', async () => {
    const tracing = openSslTracing()
    const server = await opensslServer('-quiet', '-groups', 'P-256', ...tracing.args)
    const ours = await ourClient(server.port, { groups: ['X25519', 'P-256'] })
    expect(ours.info.helloRetryRequest).toBe(true)
    expect(ours.info.group).toBe('secp256r1')
    await exchangeBulk(ours, processEndpoint('openssl s_server', server), 64 * KiB)
    await ours.end()
    expect(await server.waitForExit()).toBe(0)
    const trace = await tracing.read()
    const { retries, hellos } = trace.serverHellos('sent')
    expect(retries.map(tracedGroup)).toEqual(['P-256'])
    expect(hellos.map(tracedGroup)).toEqual(['P-256'])
    expect(trace.messages('received', 'ClientHello').map(tracedGroup)).toEqual(['X25519', 'P-256'])
  })

  it("openssl s_client -groups P-384:X25519 (one P-384 share) ↔ our server with groups ['X25519']: a HelloRetryRequest for X25519", async () => {
    const server = await ourServer({ groups: ['X25519'] })
    const tracing = openSslTracing()
    const peer = await opensslClient(server.port, '-quiet', '-brief', '-groups', 'P-384:X25519', ...tracing.args)
    const accepted = await server.nextConnection()
    expect(accepted.info.helloRetryRequest).toBe(true)
    expect(accepted.info.group).toBe('x25519')
    await exchangeBulk(accepted, processEndpoint('openssl s_client', peer), 64 * KiB)
    await peer.waitForErrorOutput(/Server Temp Key: .*\n/)
    expect(parseOpenSslClientReport(peer.errorOutput()).group).toBe('X25519')
    await accepted.end()
    expect(await peer.waitForExit()).toBe(0)
    const trace = await tracing.read()
    expect(trace.messages('sent', 'ClientHello').map(tracedGroup)).toEqual(['P-384', 'X25519'])
    expect(trace.serverHellos('received').retries.map(tracedGroup)).toEqual(['X25519'])
  })

  it("node:tls client (ecdhCurve P-384:X25519, one P-384 share) ↔ our server with groups ['X25519']: a HelloRetryRequest for X25519", async () => {
    const server = await ourServer({ groups: ['X25519'] })
    const peer = await nodeClient(server.port, { ecdhCurve: 'P-384:X25519' })
    const accepted = await server.nextConnection()
    expect(accepted.info.helloRetryRequest).toBe(true)
    expect(accepted.info.group).toBe('x25519')
    expect(nodeReport(peer.socket).group).toBe('X25519')
    await exchangeBulk(accepted, nodeEndpoint('node:tls client', peer), 64 * KiB)
  })

  it('our client ↔ openssl s_server -stateless: its HelloRetryRequest carries a cookie and our second ClientHello echoes it', async () => {
    const tracing = openSslTracing()
    const server = await opensslServer('-quiet', '-stateless', ...tracing.args)
    const ours = await ourClient(server.port)
    expect(ours.info.helloRetryRequest).toBe(true)
    await exchangeBulk(ours, processEndpoint('openssl s_server', server), 64 * KiB)
    await ours.end()
    expect(await server.waitForExit()).toBe(0)
    const trace = await tracing.read()
    const { retries } = trace.serverHellos('sent')
    expect(retries).toHaveLength(1)
    const cookie = tracedCookie(retries[0]!)
    expect(cookie).toMatch(/^([0-9a-f]{2}){16,}$/)
    const clientHellos = trace.messages('received', 'ClientHello')
    expect(clientHellos).toHaveLength(2)
    expect(tracedCookie(clientHellos[0]!)).toBeUndefined()
    expect(tracedCookie(clientHellos[1]!)).toBe(cookie)
  })
})

describe('client certificates (mutual TLS)', () => {
  it('our client presents its chain to openssl s_server -Verify 1 -verify_return_error -CAfile', async () => {
    const server = await opensslServer('-Verify', '1', '-verify_return_error', '-CAfile', chain.rootPath)
    const ours = await ourClient(server.port, { cert: client.chainPem, key: client.keyPem })
    await server.waitForOutput(/CIPHER is TLS_/)
    expect(server.output()).toMatch(/Client certificate\n[\s\S]*subject=CN = pure-tls test client\n/)
    await linesBothWays(ours, processEndpoint('openssl s_server', server), 'mtls')
    expect(server.errorOutput()).not.toMatch(/verify error|alert/i)
  })

  it('our client presents its chain to a node:tls server with requestCert and rejectUnauthorized', async () => {
    const server = await nodeServer({ requestCert: true, rejectUnauthorized: true, ca: chain.rootPem })
    const ours = await ourClient(server.port, { cert: client.chainPem, key: client.keyPem })
    const accepted = await server.nextConnection()
    expect(accepted.socket.authorized).toBe(true)
    expect(accepted.socket.getPeerCertificate().raw).toEqual(der(client.leafPem))
    await exchangeBulk(ours, nodeEndpoint('node:tls server', accepted), 16 * KiB)
  })

  it("our server (verifyMode 'required', ca) verifies openssl s_client -cert -key -cert_chain", async () => {
    const server = await ourServer({ verifyMode: 'required', ca: chain.rootPem })
    const peer = await opensslClient(server.port, '-quiet', ...opensslCertificateArgs(client))
    const accepted = await server.nextConnection()
    expect(accepted.info.peerVerified).toBe(true)
    expect(Buffer.from(accepted.info.peerCertificates[0]!)).toEqual(der(client.leafPem))
    expect(accepted.info.peerCertificates).toHaveLength(2)
    expect(accepted.info.signatureScheme).toBe('ecdsa_secp256r1_sha256')
    await exchangeBulk(accepted, processEndpoint('openssl s_client', peer), 16 * KiB)
  })

  it("our server (verifyMode 'required', ca) verifies a node:tls client's cert and key", async () => {
    const server = await ourServer({ verifyMode: 'required', ca: chain.rootPem })
    const peer = await nodeClient(server.port, { cert: client.chainPem, key: client.keyPem })
    const accepted = await server.nextConnection()
    expect(accepted.info.peerVerified).toBe(true)
    expect(Buffer.from(accepted.info.peerCertificates[0]!)).toEqual(der(client.leafPem))
    await exchangeBulk(accepted, nodeEndpoint('node:tls client', peer), 16 * KiB)
  })

  it("our server (verifyMode 'required') refuses a node:tls client without a certificate: certificate_required both ways", async () => {
    const server = await ourServer({ verifyMode: 'required', ca: chain.rootPem })
    // A TLS 1.3 client finishes before the server has judged its (empty) Certificate: the alert comes after.
    const nodeFailure = nodeClient(server.port).then(
      async (peer) => {
        await peer.received.waitForClose()
        return peer.error
      },
      (error: Error) => error,
    )
    const ours = await server.nextClientError()
    expect(ours).toBeInstanceOf(TlsError)
    expect((ours as TlsError).alert).toBe('certificate_required')
    expect((await nodeFailure)?.message).toMatch(/certificate required/i)
  })
})

describe('refusals: each side receives the alert the other sent', () => {
  let stranger: Chain
  beforeAll(async () => {
    stranger = await makeChain({ caName: 'a root nobody here trusts', withIntermediate: true })
  })

  it('openssl s_client that does not trust our certificate: our server receives its unknown_ca alert', async () => {
    const server = await startOurServer({ cert: stranger.chainPem, key: stranger.keyPem })
    const peer = await opensslClient(server.port, '-quiet')
    // OpenSSL 3.0 sends this alert unprotected (it switches to its handshake keys only for its own flight).
    const error = await server.nextClientError()
    expect(error, String(error)).toBeInstanceOf(TlsAlertReceivedError)
    expect((error as TlsAlertReceivedError).received).toBe('unknown_ca')
    expect(await peer.waitForExit()).not.toBe(0)
  })

  it("our client that does not trust openssl s_server's certificate: s_server reports our unknown_ca alert", async () => {
    const server = await startOpenSslServer(['-tls1_3', '-naccept', '1', ...opensslCertificateArgs(stranger)])
    const failure = await ourClient(server.port).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure, String(failure)).toBeInstanceOf(CertificateVerificationError)
    expect((failure as CertificateVerificationError).alert).toBe('unknown_ca')
    await server.waitForErrorOutput(/alert unknown ca|SSL alert number 48/)
  })

  it("our client that does not trust a node:tls server's certificate: node reports our unknown_ca alert", async () => {
    const server = await startNodeTlsServer({ cert: stranger.chainPem, key: stranger.keyPem, minVersion: 'TLSv1.3' })
    await expect(ourClient(server.port)).rejects.toBeInstanceOf(CertificateVerificationError)
    expect((await server.nextClientError()).message).toMatch(/alert unknown ca/)
  })
})

describe('ALPN', () => {
  it("our client (alpnProtocols ['h2', 'http/1.1']) ↔ openssl s_server -alpn http/1.1", async () => {
    const server = await opensslServer('-alpn', 'http/1.1')
    const ours = await ourClient(server.port, { alpnProtocols: ['h2', 'http/1.1'] })
    expect(ours.info.alpnProtocol).toBe('http/1.1')
    expect(ours.socket.alpnProtocol).toBe('http/1.1')
    await server.waitForOutput(/CIPHER is TLS_/)
    expect(server.output()).toMatch(/ALPN protocols advertised by the client: h2, http\/1\.1\n/)
    expect(server.output()).toMatch(/ALPN protocols selected: http\/1\.1\n/)
  })

  it("our client (alpnProtocols ['h2', 'http/1.1']) ↔ node:tls server (ALPNProtocols ['http/1.1'])", async () => {
    const server = await nodeServer({ ALPNProtocols: ['http/1.1'] })
    const ours = await ourClient(server.port, { alpnProtocols: ['h2', 'http/1.1'] })
    const accepted = await server.nextConnection()
    expect(ours.info.alpnProtocol).toBe('http/1.1')
    expect(accepted.socket.alpnProtocol).toBe('http/1.1')
  })

  it("openssl s_client -alpn spdy/3,http/1.1 ↔ our server (alpnProtocols ['h2', 'http/1.1'])", async () => {
    const server = await ourServer({ alpnProtocols: ['h2', 'http/1.1'] })
    const peer = await opensslClient(server.port, '-alpn', 'spdy/3,http/1.1')
    const accepted = await server.nextConnection()
    expect(accepted.info.alpnProtocol).toBe('http/1.1')
    await peer.waitForOutput(/ALPN protocol: http\/1\.1\n/)
  })

  it("node:tls client (ALPNProtocols ['h2']) ↔ our server (alpnProtocols ['h2', 'http/1.1'])", async () => {
    const server = await ourServer({ alpnProtocols: ['h2', 'http/1.1'] })
    const peer = await nodeClient(server.port, { ALPNProtocols: ['h2'] })
    const accepted = await server.nextConnection()
    expect(accepted.info.alpnProtocol).toBe('h2')
    expect(peer.socket.alpnProtocol).toBe('h2')
  })
})

describe('SNI', () => {
  const name = 'sni.pure-tls.test'
  let named: Chain
  beforeAll(async () => {
    named = await makeChain({ dnsNames: ['localhost', name], withIntermediate: true })
  })

  it(`our server receives ${name} from openssl s_client -servername`, async () => {
    const server = await startOurServer({ cert: named.chainPem, key: named.keyPem })
    const peer = await runOpenSslClient(['-tls1_3', '-quiet', '-CAfile', named.rootPath, '-verify_return_error', '-verify_hostname', name, '-servername', name], {
      connectTo: server.port,
    })
    const accepted = await server.nextConnection()
    expect(accepted.info.serverName).toBe(name)
    expect(accepted.socket.servername).toBe(name)
    await exchangeBulk(accepted, processEndpoint('openssl s_client', peer), KiB)
  })

  it(`our server receives ${name} from a node:tls client (servername)`, async () => {
    const server = await startOurServer({ cert: named.chainPem, key: named.keyPem })
    const peer = await nodeTlsConnect({ port: server.port, ca: named.rootPem, servername: name, minVersion: 'TLSv1.3' })
    const accepted = await server.nextConnection()
    expect(accepted.info.serverName).toBe(name)
    expect(peer.socket.authorized).toBe(true)
  })
})

describe('KeyUpdate', () => {
  /** The KeyUpdate messages a trace shows in one direction, as their request flag. */
  function keyUpdates(trace: OpenSslTrace, direction: 'sent' | 'received'): string[] {
    return trace.messages(direction, 'KeyUpdate').map((text) => text.match(/update_(not_)?requested/)?.[0] ?? '?')
  }

  it("openssl s_server sends KeyUpdate ('k' then 'K') to our client; lines flow both ways after each, and we answer 'K'", async () => {
    const tracing = openSslTracing()
    const server = await opensslServer(...tracing.args)
    const ours = await ourClient(server.port)
    const peer = processEndpoint('openssl s_server', server)
    await server.waitForOutput(/CIPHER is TLS_/)
    for (const [command, count] of [['k', 1], ['K', 2]] as const) {
      await server.write(`${command}\n`)
      await server.waitForOutput(new RegExp(`(SSL_do_handshake -> 1[\\s\\S]*){${count}}`))
      await linesBothWays(peer, ours, `after-${command}`)
    }
    await ours.end()
    expect(await server.waitForExit()).toBe(0)
    const trace = await tracing.read()
    expect(keyUpdates(trace, 'sent')).toEqual(['update_not_requested', 'update_requested'])
    expect(keyUpdates(trace, 'received')).toEqual(['update_not_requested'])
  })

  it("openssl s_client sends KeyUpdate ('k' then 'K') to our server; lines flow both ways after each, and we answer 'K'", async () => {
    const server = await ourServer()
    const tracing = openSslTracing()
    const peerProcess = await opensslClient(server.port, ...tracing.args)
    const accepted = await server.nextConnection()
    const peer = processEndpoint('openssl s_client', peerProcess)
    await peerProcess.waitForOutput(/Verify return code: 0 \(ok\)/)
    for (const [command, count] of [['k', 1], ['K', 2]] as const) {
      await peerProcess.write(`${command}\n`)
      await peerProcess.waitForErrorOutput(new RegExp(`(KEYUPDATE[\\s\\S]*){${count}}`))
      await linesBothWays(peer, accepted, `after-${command}`)
    }
    await accepted.end()
    expect(await peerProcess.waitForExit()).toBe(0)
    const trace = await tracing.read()
    expect(keyUpdates(trace, 'sent')).toEqual(['update_not_requested', 'update_requested'])
    expect(keyUpdates(trace, 'received')).toEqual(['update_not_requested'])
  })

  it('our client updateKeys(true) three times against openssl s_server: it answers each, 64 KiB each way after each', async () => {
    const tracing = openSslTracing()
    const server = await opensslServer('-quiet', ...tracing.args)
    const ours = await ourClient(server.port)
    const peer = processEndpoint('openssl s_server', server)
    for (let i = 0; i < 3; i++) {
      ours.socket.updateKeys(true)
      await exchangeBulk(ours, peer, 64 * KiB)
    }
    await ours.end()
    expect(await server.waitForExit()).toBe(0)
    const trace = await tracing.read()
    expect(keyUpdates(trace, 'received')).toEqual(['update_requested', 'update_requested', 'update_requested'])
    expect(keyUpdates(trace, 'sent')).toEqual(['update_not_requested', 'update_not_requested', 'update_not_requested'])
  })

  it('our server updateKeys(true) against openssl s_client: it answers, 64 KiB each way after', async () => {
    const server = await ourServer()
    const tracing = openSslTracing()
    const peerProcess = await opensslClient(server.port, '-quiet', ...tracing.args)
    const accepted = await server.nextConnection()
    const peer = processEndpoint('openssl s_client', peerProcess)
    await exchangeBulk(accepted, peer, KiB)
    accepted.socket.updateKeys(true)
    await exchangeBulk(accepted, peer, 64 * KiB)
    await accepted.end()
    expect(await peerProcess.waitForExit()).toBe(0)
    const trace = await tracing.read()
    expect(keyUpdates(trace, 'received')).toEqual(['update_requested'])
    expect(keyUpdates(trace, 'sent')).toEqual(['update_not_requested'])
  })

  it('our client and our server updateKeys(true) against node:tls peers: 64 KiB each way after', async () => {
    const nodeSide = await nodeServer()
    const ours = await ourClient(nodeSide.port)
    const accepted = await nodeSide.nextConnection()
    ours.socket.updateKeys(true)
    await exchangeBulk(ours, nodeEndpoint('node:tls server', accepted), 64 * KiB)

    const server = await ourServer()
    const peer = await nodeClient(server.port)
    const ourAccepted = await server.nextConnection()
    await exchangeBulk(ourAccepted, nodeEndpoint('node:tls client', peer), KiB)
    ourAccepted.socket.updateKeys(true)
    await exchangeBulk(ourAccepted, nodeEndpoint('node:tls client', peer), 64 * KiB)
  })
})

describe('close_notify', () => {
  it('our client closes: openssl s_server reads close_notify, answers with its own and exits 0; our stream ends cleanly', async () => {
    const server = await opensslServer('-quiet')
    const ours = await ourClient(server.port)
    await exchangeBulk(ours, processEndpoint('openssl s_server', server), KiB)
    await ours.end()
    expect(await server.waitForExit()).toBe(0)
    await ours.received.waitForClose()
    expect(ours.socket.connection.peerClosed).toBe(true)
    expect(ours.socket.connection.error).toBeUndefined()
    expect(ours.error).toBeNull()
  })

  it('openssl s_client closes (end of its stdin): our server reads close_notify and its stream ends cleanly; our close_notify ends s_client with 0', async () => {
    const server = await ourServer()
    const peerProcess = await opensslClient(server.port)
    const accepted = await server.nextConnection()
    await peerProcess.waitForOutput(/Verify return code: 0 \(ok\)/)
    await linesBothWays(processEndpoint('openssl s_client', peerProcess), accepted, 'before-close')
    await peerProcess.endInput()
    await accepted.received.waitForClose()
    expect(accepted.received.text()).toMatch(/line-from-openssl-s_client-before-close\n$/)
    expect(accepted.socket.connection.peerClosed).toBe(true)
    expect(accepted.error).toBeNull()
    await accepted.end()
    expect(await peerProcess.waitForExit()).toBe(0)
  })

  it("openssl s_server 'Q' drops the TCP connection without close_notify: our client's stream ends, and peerClosed stays false (truncation is visible)", async () => {
    const server = await opensslServer()
    const ours = await ourClient(server.port)
    await server.waitForOutput(/CIPHER is TLS_/)
    await linesBothWays(ours, processEndpoint('openssl s_server', server), 'before-drop')
    // s_server's 'Q' closes the socket before SSL_shutdown (apps/s_server.c), so no close_notify is sent.
    await server.write('Q\n')
    await ours.received.waitForClose()
    expect(ours.socket.connection.peerClosed).toBe(false)
    expect(await server.waitForExit()).toBe(0)
  })

  it('node:tls server closes first: our client reads close_notify, still writes (half-close), then closes: node reads end', async () => {
    const nodeSide = await nodeServer()
    const ours = await ourClient(nodeSide.port, { allowHalfOpen: true })
    const accepted = await nodeSide.nextConnection()
    await exchangeBulk(ours, nodeEndpoint('node:tls server', accepted), KiB)
    await accepted.end()
    await ours.received.waitForClose()
    expect(ours.socket.connection.peerClosed).toBe(true)
    expect(ours.error).toBeNull()
    await ours.write('after the peer closed\n')
    await accepted.received.waitForText(/after the peer closed\n/)
    await ours.end()
    await accepted.received.waitForClose()
    expect(accepted.error).toBeNull()
  })

  it('node:tls client closes: our server reads close_notify, still writes (half-close), then closes: node reads end', async () => {
    const server = await ourServer({ allowHalfOpen: true })
    const peer = await nodeClient(server.port)
    const accepted = await server.nextConnection()
    await exchangeBulk(accepted, nodeEndpoint('node:tls client', peer), KiB)
    await peer.end()
    await accepted.received.waitForClose()
    expect(accepted.socket.connection.peerClosed).toBe(true)
    expect(accepted.error).toBeNull()
    await accepted.write('after the peer closed\n')
    await peer.received.waitForText(/after the peer closed\n/)
    await accepted.end()
    await peer.received.waitForClose()
    expect(peer.error).toBeNull()
  })

  it('our client closes against a node:tls server: node reads end; it closes back: our stream ends cleanly', async () => {
    const nodeSide = await nodeServer({ allowHalfOpen: false })
    const ours = await ourClient(nodeSide.port)
    const accepted = await nodeSide.nextConnection()
    await exchangeBulk(ours, nodeEndpoint('node:tls server', accepted), KiB)
    await ours.end()
    await accepted.received.waitForClose()
    expect(accepted.error).toBeNull()
    await ours.received.waitForClose()
    expect(ours.socket.connection.peerClosed).toBe(true)
    expect(ours.error).toBeNull()
  })
})

describe('exporters (RFC 8446 7.5)', () => {
  const exports: [label: string, context: Buffer | undefined, length: number][] = [
    ['EXPORTER-pure-tls-test', Buffer.from('a context value'), 32],
    ['EXPORTER-pure-tls-test', undefined, 64],
    ['EXPORTER-pure-tls-other', Buffer.alloc(0), 48],
  ]

  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'] as const) {
    it(`our exportKeyingMaterial equals node:tls's, our client ↔ node:tls server and node:tls client ↔ our server: ${suite}`, async () => {
      // node's TLS 1.3 suite option is `ciphersuites`, which @types/node's TlsOptions lacks: passed by spread.
      const nodeSuite = { ciphersuites: suite, minVersion: 'TLSv1.3' as const }
      const nodeSide = await nodeServer({ ...nodeSuite })
      const ours = await ourClient(nodeSide.port)
      const nodeAccepted = await nodeSide.nextConnection()
      const server = await ourServer({ cipherSuites: [suite] })
      const peer = await nodeClient(server.port, { ...nodeSuite })
      const ourAccepted = await server.nextConnection()
      const seen = new Set<string>()
      for (const [label, context, length] of exports) {
        const clientSide = Buffer.from(ours.socket.exportKeyingMaterial(length, label, context))
        expect(clientSide).toHaveLength(length)
        expect(clientSide).toEqual(nodeAccepted.socket.exportKeyingMaterial(length, label, context as Buffer))
        const serverSide = Buffer.from(ourAccepted.socket.exportKeyingMaterial(length, label, context))
        expect(serverSide).toEqual(peer.socket.exportKeyingMaterial(length, label, context as Buffer))
        seen.add(clientSide.toString('hex')).add(serverSide.toString('hex'))
      }
      expect(seen.size).toBe(exports.length * 2)
    })
  }

  it('our exportKeyingMaterial equals openssl s_server -keymatexport', async () => {
    const label = 'EXPERIMENTAL-pure-tls'
    const server = await opensslServer('-keymatexport', label, '-keymatexportlen', '40')
    const ours = await ourClient(server.port)
    const [, printed] = await server.waitForOutput(/Keying material: ([0-9A-F]+)\n/)
    expect(Buffer.from(ours.socket.exportKeyingMaterial(40, label)).toString('hex').toUpperCase()).toBe(printed)
  })
})

describe('NewSessionTicket', () => {
  it('our client keeps the two tickets openssl s_server -num_tickets 2 sends, and carries on', async () => {
    const server = await opensslServer('-quiet', '-num_tickets', '2')
    const ours = await ourClient(server.port, { cipherSuites: ['TLS_AES_256_GCM_SHA384'] })
    await exchangeBulk(ours, processEndpoint('openssl s_server', server), 16 * KiB)
    const tickets = ours.socket.connection.tickets
    expect(tickets).toHaveLength(2)
    for (const ticket of tickets) {
      expect(ticket).toMatchObject({ version: 'TLSv1.3', cipherSuite: 0x1302, serverName: 'localhost' })
      expect(ticket.ticket.length).toBeGreaterThan(0)
      expect(ticket.lifetimeSeconds).toBeGreaterThan(0)
      // The PSK a ticket stands for stays inside the connection.
      expect(ticket).not.toHaveProperty('secret')
    }
    expect(Buffer.compare(tickets[0]!.ticket, tickets[1]!.ticket)).not.toBe(0)
    expect(ours.socket.connection.error).toBeUndefined()
  })
})

describe.each(MATRIX_PROVIDERS)('GnuTLS, our side on the $name provider', ({ provider }) => {
  /** "- Description: (TLS1.3-X.509)-(ECDHE-SECP384R1)-(RSA-PSS-RSAE-SHA256)-(AES-256-GCM)" from gnutls-serv / gnutls-cli. */
  function gnutlsDescription(text: string): string[] {
    const description = text.match(/- Description: (.*)\n/)?.[1]
    return description?.match(/\(([^)]*)\)/g)?.map((part) => part.slice(1, -1)) ?? []
  }

  /** Our client against gnutls-serv --echo with `priority`: base64 lines there and back (gnutls-serv --echo is line-oriented, peers.ts). */
  async function ourClientEchoedByGnutls(chain: Chain, priority: string, options: Omit<ConnectOptions, 'port'>): Promise<{ info: OurSocket['info']; description: string[] }> {
    const server = await startGnutlsServer(['--echo', '--crlf', '--x509certfile', chain.chainPath, '--x509keyfile', chain.keyPath, '--priority', priority])
    const ours = await ourConnect({ port: server.port, ca: chain.rootPem, provider, ...options })
    const lines = Buffer.from(randomBytes(48 * KiB).toString('base64').replace(/.{63}/g, '$&\r\n') + '\r\n')
    await ours.write(lines)
    expectSameBytes('gnutls-serv echo', await ours.received.waitForBytes(lines.length, 20_000), lines)
    await server.waitForOutput(/- Description: .*\n/)
    return { info: ours.info, description: gnutlsDescription(server.output()) }
  }

  /** gnutls-cli with `priority` against our server: 256 KiB each way (gnutls-cli moves stdin slowly, about 4 s per MiB). */
  async function gnutlsClientWithOurServer(chain: Chain, priority: string, options: ServerOptions): Promise<{ info: OurSocket['info']; log: string }> {
    const server = await startOurServer({ cert: chain.chainPem, key: chain.keyPem, provider, ...options })
    const logfile = scratchFile()
    const peer = await runGnutlsClient(['--x509cafile', chain.rootPath, '--verify-hostname', 'localhost', '--logfile', logfile, '--priority', priority], { connectTo: server.port })
    const accepted = await server.nextConnection()
    await exchangeBulk(accepted, processEndpoint('gnutls-cli', peer), 256 * KiB)
    await accepted.end()
    await peer.waitForExit()
    const log = await readFile(logfile, 'utf8')
    expect(log).toMatch(/The certificate is trusted/)
    return { info: accepted.info, log }
  }

  it('our client ↔ gnutls-serv --echo: TLS_AES_256_GCM_SHA384 × P-384 × RSA-2048', async () => {
    const { info, description } = await ourClientEchoedByGnutls(
      await serverChain('rsa-2048'),
      'NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-256-GCM:-GROUP-ALL:+GROUP-SECP384R1',
      {},
    )
    expect(info).toMatchObject({ version: 'TLSv1.3', cipherSuite: 'TLS_AES_256_GCM_SHA384', group: 'secp384r1', signatureScheme: 'rsa_pss_rsae_sha256' })
    expect(description).toEqual(['TLS1.3-X.509', 'ECDHE-SECP384R1', 'RSA-PSS-RSAE-SHA256', 'AES-256-GCM'])
  })

  it('gnutls-cli ↔ our server: TLS_CHACHA20_POLY1305_SHA256 × X25519 × Ed25519', async () => {
    const { info, log } = await gnutlsClientWithOurServer(
      await serverChain('ed25519'),
      'NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305:-GROUP-ALL:+GROUP-X25519',
      { cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'], groups: ['X25519'] },
    )
    expect(info).toMatchObject({ version: 'TLSv1.3', cipherSuite: 'TLS_CHACHA20_POLY1305_SHA256', group: 'x25519' })
    expect(gnutlsDescription(log)).toEqual(['TLS1.3-X.509', 'ECDHE-X25519', 'EdDSA-Ed25519', 'CHACHA20-POLY1305'])
  })

  it('our client ↔ gnutls-serv --echo, TLS 1.2: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 × P-256 × ECDSA P-256', async () => {
    const { info, description } = await ourClientEchoedByGnutls(
      await serverChain('ecdsa-p256'),
      'NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:-GROUP-ALL:+GROUP-SECP256R1',
      { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
    )
    expect(info).toMatchObject({ version: 'TLSv1.2', cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', group: 'secp256r1', extendedMasterSecret: true })
    expect(description).toEqual(['TLS1.2-X.509', 'ECDHE-SECP256R1', 'ECDSA-SHA256', 'AES-128-GCM'])
  })

  it('gnutls-cli ↔ our server, TLS 1.2: TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 × X25519 × RSA-2048', async () => {
    const { info, log } = await gnutlsClientWithOurServer(
      await serverChain('rsa-2048'),
      'NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+CHACHA20-POLY1305:-GROUP-ALL:+GROUP-X25519',
      { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', cipherSuites: ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'], groups: ['X25519'] },
    )
    expect(info).toMatchObject({ version: 'TLSv1.2', cipherSuite: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', group: 'x25519', extendedMasterSecret: true })
    expect(gnutlsDescription(log)).toEqual(['TLS1.2-X.509', 'ECDHE-X25519', 'RSA-PSS-RSAE-SHA256', 'CHACHA20-POLY1305'])
  })
})
