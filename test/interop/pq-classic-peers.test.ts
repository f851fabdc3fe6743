// Peers that do not know X25519MLKEM768 (OpenSSL 3.0, GnuTLS 3.7): our client offering it still connects (they take our X25519 share), our server still serves them, TLS 1.2 ignores the hybrid.
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cleanupPki, type Chain } from '../helpers/pki.js'
import { runGnutlsClient, runOpenSslClient, startGnutlsServer, startOpenSslServer } from '../helpers/peers.js'
import {
  disposeAll,
  exchangeBulk,
  expectSameBytes,
  openSslTracing,
  opensslCertificateArgs,
  ourConnect,
  parseOpenSslClientReport,
  processEndpoint,
  scratchFile,
  serverChain,
  startOurServer,
} from './interop13-helpers.js'

const KiB = 1024

let chain: Chain
beforeAll(async () => {
  chain = await serverChain('ecdsa-p256')
})
afterEach(disposeAll)
afterAll(cleanupPki)

/** The NamedGroups of a trace-decoded hello's key_share, in order ("UNKNOWN (4588)" is how OpenSSL 3.0 names the hybrid). */
function tracedShares(helloText: string): string[] {
  const keyShare = helloText.slice(helloText.indexOf('extension_type=key_share'))
  const end = keyShare.search(/\n\s+extension_type=(?!key_share)/)
  return [...(end < 0 ? keyShare : keyShare.slice(0, end)).matchAll(/NamedGroup: (\S+)/g)].map((m) => m[1]!)
}

describe('OpenSSL 3.0', () => {
  it('our default client ↔ openssl s_server -tls1_3: it ignores our hybrid share and takes X25519, no HelloRetryRequest, 256 KiB each way', async () => {
    const tracing = openSslTracing()
    const server = await startOpenSslServer(['-tls1_3', '-naccept', '1', '-quiet', ...opensslCertificateArgs(chain), ...tracing.args])
    const ours = await ourConnect({ port: server.port, ca: chain.rootPem })
    expect([ours.info.group, ours.info.helloRetryRequest]).toEqual(['x25519', false])
    await exchangeBulk(ours, processEndpoint('openssl s_server', server), 256 * KiB)
    await ours.end()
    expect(await server.waitForExit()).toBe(0)
    const trace = await tracing.read()
    expect(tracedShares(trace.messages('received', 'ClientHello')[0]!)).toEqual(['UNKNOWN', 'ecdh_x25519'])
    expect(tracedShares(trace.serverHellos('sent').hellos[0]!)).toEqual(['ecdh_x25519'])
  })

  it('our default client (listing the hybrid) ↔ openssl s_server -tls1_2: TLS 1.2 with X25519', async () => {
    const server = await startOpenSslServer(['-tls1_2', '-naccept', '1', '-quiet', ...opensslCertificateArgs(chain)])
    const ours = await ourConnect({ port: server.port, ca: chain.rootPem, minVersion: 'TLSv1.2' })
    expect([ours.info.version, ours.info.group]).toEqual(['TLSv1.2', 'x25519'])
    await exchangeBulk(ours, processEndpoint('openssl s_server', server), 64 * KiB)
  })

  it('openssl s_client -tls1_3 ↔ our default server: X25519 from its share, 256 KiB each way', async () => {
    const server = await startOurServer({ cert: chain.chainPem, key: chain.keyPem })
    const peer = await runOpenSslClient(['-tls1_3', '-quiet', '-brief', '-CAfile', chain.rootPath, '-verify_return_error', '-verify_hostname', 'localhost'], {
      connectTo: server.port,
    })
    const accepted = await server.nextConnection()
    expect([accepted.info.group, accepted.info.helloRetryRequest]).toEqual(['x25519', false])
    await exchangeBulk(accepted, processEndpoint('openssl s_client', peer), 256 * KiB)
    await peer.waitForErrorOutput(/Server Temp Key: .*\n/)
    expect(parseOpenSslClientReport(peer.errorOutput()).group).toBe('X25519')
  })

  it('issue 14 defect 6: openssl s_client -groups P-256:X25519 (one P-256 share) ↔ our default server: a ServerHello for P-256, no HelloRetryRequest', async () => {
    const server = await startOurServer({ cert: chain.chainPem, key: chain.keyPem })
    const tracing = openSslTracing()
    const peer = await runOpenSslClient(['-tls1_3', '-quiet', '-brief', '-groups', 'P-256:X25519', '-CAfile', chain.rootPath, ...tracing.args], { connectTo: server.port })
    const accepted = await server.nextConnection()
    expect([accepted.info.group, accepted.info.helloRetryRequest]).toEqual(['secp256r1', false])
    await exchangeBulk(accepted, processEndpoint('openssl s_client', peer), 16 * KiB)
    await accepted.end()
    await peer.waitForExit()
    const trace = await tracing.read()
    expect(tracedShares(trace.messages('sent', 'ClientHello')[0]!)).toEqual(['secp256r1'])
    const { retries, hellos } = trace.serverHellos('received')
    expect([retries.length, hellos.map(tracedShares)]).toEqual([0, [['secp256r1']]])
  })
})

describe('GnuTLS 3.7', () => {
  /** "- Description: (TLS1.3-X.509)-(ECDHE-X25519)-(ECDSA-SECP256R1-SHA256)-(CHACHA20-POLY1305)": the group part. */
  function gnutlsGroup(text: string): string | undefined {
    return text.match(/- Description: \(TLS1\.3[^)]*\)-\(([^)]*)\)/)?.[1]
  }

  it('our default client ↔ gnutls-serv --echo (its NORMAL priorities): X25519', async () => {
    const server = await startGnutlsServer(['--echo', '--crlf', '--x509certfile', chain.chainPath, '--x509keyfile', chain.keyPath])
    const ours = await ourConnect({ port: server.port, ca: chain.rootPem })
    expect([ours.info.group, ours.info.helloRetryRequest]).toEqual(['x25519', false])
    const lines = Buffer.from(randomBytes(24 * KiB).toString('base64').replace(/.{63}/g, '$&\r\n') + '\r\n')
    await ours.write(lines)
    expectSameBytes('gnutls-serv echo', await ours.received.waitForBytes(lines.length, 20_000), lines)
    await server.waitForOutput(/- Description: .*\n/)
    expect(gnutlsGroup(server.output())).toBe('ECDHE-X25519')
  })

  it('gnutls-cli (NORMAL) ↔ our default server: X25519, 64 KiB each way', async () => {
    const server = await startOurServer({ cert: chain.chainPem, key: chain.keyPem })
    const logfile = scratchFile()
    const peer = await runGnutlsClient(['--x509cafile', chain.rootPath, '--verify-hostname', 'localhost', '--logfile', logfile], { connectTo: server.port })
    const accepted = await server.nextConnection()
    expect([accepted.info.version, accepted.info.group]).toEqual(['TLSv1.3', 'x25519'])
    await exchangeBulk(accepted, processEndpoint('gnutls-cli', peer), 64 * KiB)
    await accepted.end()
    await peer.waitForExit()
    expect(gnutlsGroup(await readFile(logfile, 'utf8'))).toBe('ECDHE-X25519')
  })
})
