// `pure-tls serve` against openssl s_client: the generated certificate and its saved CA, --www, echo, ALPN, client verification, --naccept, exit codes.
import { readFile } from 'node:fs/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { disposePeers, runOpenSslClient } from '../helpers/peers.js'
import { type Chain, cleanupPki, makeChain, makeClientChain } from '../helpers/pki.js'
import { scratchFile } from '../interop/interop13-helpers.js'
import { runCli, startCliServer } from './run-cli.js'

let chain: Chain
let client: Chain
beforeAll(async () => {
  ;[chain, client] = await Promise.all([makeChain(), makeClientChain()])
})
afterEach(disposePeers)
afterAll(cleanupPki)

/** s_client verifying the server for "localhost" against `caFile`; stdin closes after `input` unless -ign_eof is passed. */
function opensslClient(port: number, caFile: string, input: string, ...extra: string[]) {
  return runOpenSslClient(['-CAfile', caFile, '-verify_return_error', '-verify_hostname', 'localhost', '-servername', 'localhost', ...extra], {
    connectTo: port,
    input,
    endInput: !extra.includes('-ign_eof'),
  })
}

describe('pure-tls serve', () => {
  it('generates a certificate whose CA --ca-out saves; s_client verifies it and gets the --www page', async () => {
    const caOut = scratchFile()
    const { server, port } = await startCliServer(['--www', '--naccept', '1', '--ca-out', caOut])
    expect(server.errorOutput()).toMatch(/generated a certificate for localhost, 127\.0\.0\.1, ::1; its CA is in /)
    expect(await readFile(caOut, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/)
    const s = await opensslClient(port, caOut, 'GET /served HTTP/1.0\r\n\r\n', '-quiet', '-ign_eof')
    expect(await s.waitForExit()).toBe(0)
    expect(s.output()).toMatch(/^HTTP\/1\.0 200 OK\r\n/)
    expect(s.output()).toContain('request: GET /served HTTP/1.0')
    expect(s.output()).toMatch(/version\s+TLSv1\.3/)
    expect(await server.waitForExit()).toBe(0) // --naccept 1: done after the one connection
    expect(server.errorOutput()).toMatch(/127\.0\.0\.1:\d+: TLSv1\.3 \S+ \S+, ALPN -, SNI localhost, no client certificate/)
  })

  it('echoes what s_client sends, over TLS 1.2 with the certificate and key given', async () => {
    const { server, port } = await startCliServer(['--cert', chain.chainPath, '--key', chain.keyPath, '--naccept', '1', '--tls1.2'])
    const s = await opensslClient(port, chain.rootPath, 'echo me\n', '-quiet', '-ign_eof')
    await s.waitForOutput(/echo me\n/)
    await s.stop()
    expect(await server.waitForExit()).toBe(0)
    expect(server.errorOutput()).toMatch(/: TLSv1\.2 TLS_ECDHE_ECDSA_WITH_\S+ /)
  })

  it('selects ALPN from the client offer', async () => {
    const { server, port } = await startCliServer(['--www', '--naccept', '1', '--alpn', 'h2,http/1.1', '--cert', chain.chainPath, '--key', chain.keyPath])
    const s = await opensslClient(port, chain.rootPath, 'GET / HTTP/1.0\r\n\r\n', '-alpn', 'http/1.1', '-ign_eof')
    expect(await s.waitForExit()).toBe(0)
    expect(s.output()).toMatch(/ALPN protocol: http\/1\.1/)
    await server.waitForExit()
    expect(server.errorOutput()).toMatch(/ALPN http\/1\.1/)
  })

  it('--verify-client required: verifies a client certificate, and refuses a client without one', async () => {
    const args = ['--www', '--naccept', '2', '--cert', chain.chainPath, '--key', chain.keyPath, '--verify-client', 'required', '--ca', client.rootPath]
    const { server, port } = await startCliServer(args)
    const withCert = await opensslClient(port, chain.rootPath, 'GET / HTTP/1.0\r\n\r\n', '-cert', client.leafPath, '-key', client.keyPath, '-quiet', '-ign_eof')
    expect(await withCert.waitForExit()).toBe(0)
    expect(withCert.output()).toMatch(/peer certificate\s+CN=pure-tls test client/)
    expect(withCert.output()).toMatch(/peer verified\s+yes/)
    const without = await opensslClient(port, chain.rootPath, 'GET / HTTP/1.0\r\n\r\n', '-ign_eof')
    await without.waitForExit()
    expect(without.errorOutput()).toMatch(/certificate required/i)
    expect(await server.waitForExit()).toBe(0)
    expect(server.errorOutput()).toMatch(/client certificate verified/)
    expect(server.errorOutput()).toMatch(/handshake failed: policy constraint "peer certificate" refused the peer: offered no certificate.*alert certificate_required/)
  })

  it('exits 2 on usage mistakes, each with a message', async () => {
    const cases: [string[], RegExp][] = [
      [['serve', '--cert', chain.chainPath], /--cert and --key go together/],
      [['serve', '--verify-client', 'required'], /--verify-client needs --ca/],
      [['serve', '--verify-client', 'maybe', '--ca', client.rootPath], /optional or required/],
      [['serve', '--www', '--echo'], /exclude each other/],
      [['serve', '--port', '70000'], /--port must be an integer from 0 to 65535/],
      [['serve', 'extra'], /expected 0 argument/],
    ]
    for (const [args, message] of cases) {
      const result = await runCli(args)
      expect(result.stderr, args.join(' ')).toMatch(message)
      expect(result.code, args.join(' ')).toBe(2)
    }
  })
})

describe('every command', () => {
  it('answers --help with its usage and exit 0, and an unknown command with exit 2', async () => {
    for (const command of ['connect', 'serve', 'verify', 'bridge', 'demo']) {
      const result = await runCli([command, '--help'])
      expect(result.stdout, command).toMatch(new RegExp(`^usage: pure-tls ${command} `))
      expect(result.code, command).toBe(0)
    }
    const top = await runCli(['--help'])
    expect(top.stdout).toMatch(/connect .*\n.*serve .*\n.*verify .*\n.*bridge .*\n.*demo /)
    const unknown = await runCli(['frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/)
  })

  it('runs the demo: a handshake between our own server and client', async () => {
    const result = await runCli(['demo', '--tls1.2'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/version\s+TLSv1\.2/)
    expect(result.stdout).toMatch(/> hello over TLSv1\.2/)
  })
})
