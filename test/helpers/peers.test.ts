// Self-test of the peer helpers: real peers against each other move 1 MiB each way byte for byte, and nothing hangs.
import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Chain, cleanupPki, makeChain, makeClientChain } from './pki.js'
import { disposePeers, nodeTlsConnect, runGnutlsClient, runOpenSslClient, startGnutlsServer, startNodeTlsServer, startOpenSslServer } from './peers.js'
import { isListening } from './ports.js'

const MiB = 1024 * 1024
/** gnutls-cli writes what it receives to stdout a byte at a time, so its transfers are kept smaller. */
const GNUTLS_BYTES = 256 * 1024

let chain: Chain
beforeAll(async () => {
  chain = await makeChain({ withIntermediate: true })
})
afterEach(disposePeers)
afterAll(cleanupPki)

function serverCertificateArgs(): string[] {
  return ['-cert', chain.leafPath, '-key', chain.keyPath, '-cert_chain', chain.intermediatePath as string]
}

function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length)
  expect(Buffer.compare(actual, expected)).toBe(0)
}

describe('openssl s_server and s_client', () => {
  it('move 1 MiB each way, at the same time, byte for byte (-quiet on both)', async () => {
    const server = await startOpenSslServer(['-quiet', '-naccept', '1', ...serverCertificateArgs()])
    const client = await runOpenSslClient(['-quiet', '-CAfile', chain.rootPath, '-verify_return_error', '-verify_hostname', 'localhost'], {
      connectTo: server.port,
    })
    const up = randomBytes(MiB)
    const down = randomBytes(MiB)
    await Promise.all([client.write(up), server.write(down)])
    expectSameBytes(await server.stdout.waitForBytes(MiB, 20_000), up)
    expectSameBytes(await client.stdout.waitForBytes(MiB, 20_000), down)
    await server.stop()
    // Once the server is gone the client sees the end of the connection and exits; nothing extra arrived.
    await client.waitForExit(5_000)
    expectSameBytes(server.stdout.bytes(), up)
    expectSameBytes(client.stdout.bytes(), down)
  })

  it('run a handshake-only client to its exit code, 0 for a verified server and 1 for an unknown CA', async () => {
    const server = await startOpenSslServer(['-tls1_3', ...serverCertificateArgs()])
    const good = await runOpenSslClient(['-CAfile', chain.rootPath, '-verify_return_error', '-verify_hostname', 'localhost'], {
      connectTo: server.port,
      endInput: true,
    })
    expect(await good.waitForExit()).toBe(0)
    expect(good.output()).toMatch(/Verify return code: 0 \(ok\)/)
    const stranger = await makeChain({ caName: 'a root nobody trusts' })
    const bad = await runOpenSslClient(['-CAfile', stranger.rootPath, '-verify_return_error'], { connectTo: server.port, endInput: true })
    expect(await bad.waitForExit()).toBe(1)
    expect(bad.errorOutput()).toMatch(/unable to get local issuer certificate|certificate verify failed/)
  })

  it('drive TLS 1.3 key updates from s_server stdin when not -quiet', async () => {
    const server = await startOpenSslServer(['-tls1_3', ...serverCertificateArgs()])
    const client = await runOpenSslClient(['-ign_eof', '-CAfile', chain.rootPath], { connectTo: server.port })
    await server.waitForOutput(/CIPHER is TLS_/)
    await server.write('k\n')
    await server.waitForOutput(/SSL_do_handshake -> 1/)
    await server.write('after-update\n')
    await client.waitForOutput(/after-update/)
    await client.write('to-server\n')
    await server.waitForOutput(/to-server/)
  })

  it('accept client certificates issued by the same CA', async () => {
    const client = await makeClientChain()
    const server = await startOpenSslServer(['-Verify', '1', '-verify_return_error', '-CAfile', chain.rootPath, ...serverCertificateArgs()])
    const peer = await runOpenSslClient(['-CAfile', chain.rootPath, '-cert', client.leafPath, '-key', client.keyPath, '-ign_eof'], {
      connectTo: server.port,
      input: 'hello\n',
    })
    await server.waitForOutput(/hello/)
    expect(server.errorOutput()).not.toMatch(/error/)
    await peer.stop()
  })

  it('fails fast with the server stderr when s_server cannot start, and stops what it started', async () => {
    await expect(startOpenSslServer(['-cert', '/nonexistent.pem'])).rejects.toThrow(/nonexistent/)
    const server = await startOpenSslServer(['-quiet', ...serverCertificateArgs()])
    await server.stop()
    expect(server.running).toBe(false)
    expect(await isListening(server.port)).toBe(false)
  })

  it('rejects a wait on a process that exited at once instead of waiting out the timeout', async () => {
    const server = await startOpenSslServer(['-quiet', ...serverCertificateArgs()])
    await server.stop()
    const started = Date.now()
    await expect(server.waitForOutput(/never printed/, 30_000)).rejects.toThrow(/exited/)
    expect(Date.now() - started).toBeLessThan(1_000)
  })
})

describe('node:tls server and client', () => {
  it('move 1 MiB each way byte for byte', async () => {
    const server = await startNodeTlsServer({ cert: chain.chainPem, key: chain.keyPem })
    const client = await nodeTlsConnect({ port: server.port, ca: chain.rootPem, servername: 'localhost' })
    const connection = await server.nextConnection()
    const up = randomBytes(MiB)
    const down = randomBytes(MiB)
    await Promise.all([client.write(up), connection.write(down)])
    expectSameBytes(await connection.received.waitForBytes(MiB), up)
    expectSameBytes(await client.received.waitForBytes(MiB), down)
    await client.end()
    expectSameBytes(await connection.received.waitForClose(), up)
  })

  it('reports a refused handshake on both sides', async () => {
    const server = await startNodeTlsServer({ cert: chain.chainPem, key: chain.keyPem })
    await expect(nodeTlsConnect({ port: server.port, ca: chain.rootPem, servername: 'wrong.example' })).rejects.toThrow(/wrong.example/)
    await expect(server.nextClientError()).resolves.toBeInstanceOf(Error)
    await expect(server.nextConnection(200)).rejects.toThrow(/timed out/)
  })
})

describe('interop between the helpers', () => {
  it('node:tls client against openssl s_server -quiet', async () => {
    const server = await startOpenSslServer(['-quiet', '-naccept', '1', ...serverCertificateArgs()])
    const client = await nodeTlsConnect({ port: server.port, ca: chain.rootPem, servername: 'localhost' })
    const up = randomBytes(64 * 1024)
    await client.write(up)
    expectSameBytes(await server.stdout.waitForBytes(up.length), up)
    await server.write('from openssl')
    await client.received.waitForText(/from openssl/)
  })

  it('openssl s_client against a node:tls server', async () => {
    const server = await startNodeTlsServer({ cert: chain.chainPem, key: chain.keyPem })
    const client = await runOpenSslClient(['-quiet', '-CAfile', chain.rootPath, '-verify_return_error'], { connectTo: server.port, input: 'ping' })
    const connection = await server.nextConnection()
    await connection.received.waitForText(/ping/)
    await connection.write('pong')
    await client.waitForOutput(/pong/)
  })
})

describe('gnutls-serv and gnutls-cli', () => {
  it('gnutls-cli moves 256 KiB each way byte for byte with openssl s_server (--logfile keeps stdout for data)', async () => {
    const server = await startOpenSslServer(['-quiet', '-naccept', '1', ...serverCertificateArgs()])
    const client = await runGnutlsClient(['--x509cafile', chain.rootPath, '--verify-hostname', 'localhost', '--logfile', '/dev/null'], {
      connectTo: server.port,
    })
    const up = randomBytes(GNUTLS_BYTES)
    const down = randomBytes(GNUTLS_BYTES)
    await Promise.all([client.write(up), server.write(down)])
    expectSameBytes(await server.stdout.waitForBytes(GNUTLS_BYTES, 20_000), up)
    expectSameBytes(await client.stdout.waitForBytes(GNUTLS_BYTES, 20_000), down)
  })

  it('gnutls-serv --echo returns 256 KiB of text lines exactly (it is not binary-clean)', async () => {
    const server = await startGnutlsServer(['--echo', '--crlf', '-q', '--x509certfile', chain.chainPath, '--x509keyfile', chain.keyPath])
    const client = await runGnutlsClient(['--x509cafile', chain.rootPath, '--verify-hostname', 'localhost', '--logfile', '/dev/null'], {
      connectTo: server.port,
    })
    const lines = Buffer.from(randomBytes((GNUTLS_BYTES / 4) * 3).toString('base64').replace(/.{63}/g, '$&\r\n'))
    await client.write(lines)
    expectSameBytes(await client.stdout.waitForBytes(lines.length, 20_000), lines)
  })
})
