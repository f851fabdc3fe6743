// `pure-tls connect` against openssl s_server: the summary, stdin <-> stdout, versions, groups, suites, ALPN, client certificates, the trace, failures and their exit codes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { disposePeers, startOpenSslServer } from '../helpers/peers.js'
import { type Chain, cleanupPki, makeChain, makeClientChain } from '../helpers/pki.js'
import { freePort } from '../helpers/ports.js'
import { runCli, startCli } from './run-cli.js'

let chain: Chain
let client: Chain
let intermediateChain: Chain
beforeAll(async () => {
  ;[chain, client, intermediateChain] = await Promise.all([makeChain(), makeClientChain(), makeChain({ withIntermediate: true, caName: 'cli intermediate root' })])
})
afterEach(disposePeers)
afterAll(cleanupPki)

const serverCertificate = (c: Chain = chain) => ['-cert', c.leafPath, '-key', c.keyPath, ...(c.intermediatePath ? ['-cert_chain', c.intermediatePath] : [])]
const HTTP_REQUEST = 'GET /cli-test HTTP/1.0\r\n\r\n'

/** openssl s_server -www for one connection. */
function wwwServer(...extra: string[]) {
  return startOpenSslServer(['-www', '-naccept', '1', ...serverCertificate(), ...extra])
}

function connectArgs(port: number, ...extra: string[]): string[] {
  return ['connect', `127.0.0.1:${port}`, '--ca', chain.rootPath, '--servername', 'localhost', ...extra]
}

describe('pure-tls connect', () => {
  it('sends stdin to openssl s_server -www, writes the page to stdout, the summary to stderr, and exits 0', async () => {
    const server = await wwwServer()
    const result = await runCli(connectArgs(server.port), { input: HTTP_REQUEST })
    expect(result.stderr).toMatch(/version\s+TLSv1\.3/)
    expect(result.stderr).toMatch(/peer verified\s+yes/)
    expect(result.stdout).toMatch(/^HTTP\/1\.0 200 ok/)
    expect(result.stdout).toMatch(/Protocol\s*: TLSv1\.3/) // s_server -www describes the session it served
    expect(result.code).toBe(0)
  })

  it('moves bytes both ways with a plain s_server: our stdin arrives on its stdout, its stdin on our stdout', async () => {
    const server = await startOpenSslServer(['-quiet', '-naccept', '1', ...serverCertificate()])
    const cli = startCli(connectArgs(server.port, '--quiet', '--ign-eof'))
    await cli.write('from pure-tls\n')
    await server.waitForOutput(/from pure-tls\n/)
    await server.write('from openssl\n')
    await cli.waitForOutput(/from openssl\n/)
    await server.stop() // the server goes away: our side ends and exits
    expect(await cli.waitForExit()).toBe(0)
    expect(cli.output()).toBe('from openssl\n')
    expect(cli.errorOutput()).toBe('')
  })

  it('TLS 1.2 with a chosen group and suite, shown in the summary', async () => {
    // In TLS 1.2 the groups also bound the server's ECDSA certificate curve (RFC 8422 section 5.1): P-256 here.
    const server = await wwwServer()
    const result = await runCli(connectArgs(server.port, '--tls1.2', '--groups', 'P-256', '--ciphersuites', 'ECDHE-ECDSA-AES256-GCM-SHA384'), { input: HTTP_REQUEST })
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/version\s+TLSv1\.2/)
    expect(result.stderr).toMatch(/cipher suite\s+TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384/)
    expect(result.stderr).toMatch(/key exchange\s+secp256r1/)
    expect(result.stderr).toMatch(/extended master secret\s+yes/)
    expect(result.stdout).toMatch(/Cipher\s*: ECDHE-ECDSA-AES256-GCM-SHA384/)
  })

  it('TLS 1.3 with P-384 and AES-256-GCM, as the server saw it', async () => {
    const server = await wwwServer()
    const result = await runCli(connectArgs(server.port, '--groups', 'P-384', '--ciphersuites', 'TLS_AES_256_GCM_SHA384'), { input: HTTP_REQUEST })
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/key exchange\s+secp384r1/)
    expect(result.stdout).toMatch(/Cipher\s*: TLS_AES_256_GCM_SHA384/)
  })

  it('negotiates ALPN with s_server -alpn', async () => {
    const server = await wwwServer('-alpn', 'h2,http/1.1')
    const result = await runCli(connectArgs(server.port, '--alpn', 'h2'), { input: HTTP_REQUEST })
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/ALPN\s+h2/)
  })

  it('presents a client certificate to s_server -Verify, which verifies it', async () => {
    const server = await startOpenSslServer(['-naccept', '1', '-Verify', '1', '-verify_return_error', '-CAfile', client.rootPath, ...serverCertificate()])
    const result = await runCli(connectArgs(server.port, '--cert', client.leafPath, '--key', client.keyPath), { input: 'hello\n' })
    expect(result.code).toBe(0)
    await server.waitForOutput(/hello/)
    expect(server.output() + server.errorOutput()).toMatch(/subject=CN ?= ?pure-tls test client/)
  })

  it('--show-chain prints every certificate the server sent, with its PEM', async () => {
    const server = await startOpenSslServer(['-www', '-naccept', '1', ...serverCertificate(intermediateChain)])
    const result = await runCli(['connect', `127.0.0.1:${server.port}`, '--ca', intermediateChain.rootPath, '--servername', 'localhost', '--show-chain'], {
      input: HTTP_REQUEST,
    })
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/depth 0:\n\s+subject\s+CN=localhost/)
    expect(result.stderr).toMatch(/depth 1:\n\s+subject\s+CN=/)
    expect(result.stderr.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2)
    expect(result.stderr).toMatch(/names\s+DNS:localhost, IP:127\.0\.0\.1/)
  })

  it('--trace lists each TLS 1.2 handshake message with its size, both directions', async () => {
    const server = await wwwServer()
    const result = await runCli(connectArgs(server.port, '--tls1.2', '--trace'), { input: HTTP_REQUEST })
    expect(result.code).toBe(0)
    for (const line of [/^-> ClientHello \(\d+ bytes\)$/m, /^<- ServerHello \(\d+ bytes\)$/m, /^<- Certificate \(\d+ bytes\)$/m, /^<- ServerKeyExchange \(\d+ bytes\)$/m, /^<- ServerHelloDone \(0 bytes\)$/m, /^-> ClientKeyExchange \(\d+ bytes\)$/m]) {
      expect(result.stderr).toMatch(line)
    }
    // The trace comes before the summary, and the ClientHello before the ServerHello.
    expect(result.stderr.indexOf('-> ClientHello')).toBeLessThan(result.stderr.indexOf('<- ServerHello'))
    expect(result.stderr.indexOf('<- ServerHelloDone')).toBeLessThan(result.stderr.indexOf('connected to'))
  })

  it('--trace in TLS 1.3 shows the hellos and what follows them', async () => {
    const server = await wwwServer()
    const result = await runCli(connectArgs(server.port, '--trace'), { input: HTTP_REQUEST })
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/^-> ClientHello \(\d+ bytes\)$/m)
    expect(result.stderr).toMatch(/^<- ServerHello \(\d+ bytes\)$/m)
    // The encrypted messages by name too: the trace comes from the connection, not from the wire.
    for (const name of ['EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished']) expect(result.stderr).toMatch(new RegExp(`^<- ${name} \\(\\d+ bytes\\)$`, 'm'))
    expect(result.stderr).toMatch(/^-> Finished \(32 bytes\)$/m)
  })

  it('exits 3 with the reason and depth when the chain does not verify', async () => {
    const server = await wwwServer()
    const unknownCa = await runCli(['connect', `127.0.0.1:${server.port}`, '--servername', 'localhost'], { input: HTTP_REQUEST })
    expect(unknownCa.code).toBe(3)
    expect(unknownCa.stderr).toMatch(/certificate verification failed: unknown-issuer at depth 0/)
  })

  it('exits 3 on a host name mismatch, and 0 with --no-check-hostname', async () => {
    const server = await startOpenSslServer(['-www', '-naccept', '2', ...serverCertificate()])
    const mismatch = await runCli(connectArgs(server.port, '--servername', 'wrong.example'), { input: HTTP_REQUEST })
    expect(mismatch.code).toBe(3)
    expect(mismatch.stderr).toMatch(/hostname-mismatch at depth 0/)
    const unchecked = await runCli(connectArgs(server.port, '--servername', 'wrong.example', '--no-check-hostname'), { input: HTTP_REQUEST })
    expect(unchecked.code).toBe(0)
    expect(unchecked.stdout).toMatch(/^HTTP\/1\.0 200 ok/)
  })

  it('--insecure connects without verifying, and says so', async () => {
    const server = await wwwServer()
    const result = await runCli(['connect', `127.0.0.1:${server.port}`, '--insecure'], { input: HTTP_REQUEST })
    expect(result.code).toBe(0)
    expect(result.stderr).toMatch(/warning: --insecure/)
    expect(result.stderr).toMatch(/peer verified\s+NO/)
  })

  it('exits 1 with the refusal when the server allows only TLS 1.2 and we ask for 1.3', async () => {
    const server = await wwwServer('-tls1_2')
    const result = await runCli(connectArgs(server.port, '--tls1.3'), { input: HTTP_REQUEST })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/protocol_version/)
  })

  it('exits 1 naming ECONNREFUSED when nothing listens', async () => {
    const port = await freePort()
    const result = await runCli(connectArgs(port))
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/ECONNREFUSED/)
  })

  it('exits 2 on usage mistakes, each with a message', async () => {
    const cases: [string[], RegExp][] = [
      [['connect'], /expected 1 argument/],
      [['connect', 'localhost:99999'], /port 99999/],
      [['connect', 'localhost:443', '--bogus'], /Unknown option '--bogus'/],
      [['connect', 'localhost:443', '--ca', '/nonexistent/ca.pem'], /--ca \/nonexistent\/ca\.pem: no such file/],
      [['connect', 'localhost:443', '--min-version', '1.1'], /minVersion: TLSv1\.1 is refused/],
      [['connect', 'localhost:443', '--groups', 'ffdhe2048'], /groups: "ffdhe2048" is not implemented/],
    ]
    for (const [args, message] of cases) {
      const result = await runCli(args)
      expect(result.stderr, args.join(' ')).toMatch(message)
      expect(result.code, args.join(' ')).toBe(2)
    }
  })
})
