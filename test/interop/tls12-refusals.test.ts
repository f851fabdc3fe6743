// TLS 1.2 refusals against real peers: TLS 1.0/1.1, CBC and RSA key exchange, a peer without the extended master secret, renegotiation, TLS_FALLBACK_SCSV.
import { readFileSync } from 'node:fs'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { TlsAlertReceivedError, TlsError, TlsPolicyError } from '../../src/errors.js'
import { cleanupPki } from '../helpers/pki.js'
import { runOpenSslClient, startGnutlsServer, startOpenSslServer } from '../helpers/peers.js'
import { cleanupScratch, freshScratchPath, noEmsOpenSslEnvironment, ourClient, ourServer, parseTrace, readTrace12, tracedAlerts } from './interop12-helpers.js'
import { disposeAll, opensslCertificateArgs, processEndpoint, sendLine, serverChain } from './interop13-helpers.js'

afterEach(disposeAll)
afterAll(() => {
  cleanupPki()
  cleanupScratch()
})

/** The error our client's handshake failed with (the test fails if it succeeded). */
async function ourClientRefusal(options: Parameters<typeof ourClient>[0]): Promise<TlsError> {
  const outcome = await ourClient(options).then(
    (socket) => new Error(`the handshake succeeded: ${JSON.stringify(socket.info)}`),
    (error: unknown) => error,
  )
  if (!(outcome instanceof TlsError)) throw outcome
  return outcome
}

function expectReceivedAlert(error: TlsError, alert: string): void {
  expect(error).toBeInstanceOf(TlsAlertReceivedError)
  expect((error as TlsAlertReceivedError).received).toBe(alert)
}

function expectPolicyRefusal(error: unknown, constraint: string, alert: string): TlsPolicyError {
  expect(error).toBeInstanceOf(TlsPolicyError)
  const refusal = error as TlsPolicyError
  expect(refusal.constraint).toBe(constraint)
  expect(refusal.alert).toBe(alert)
  return refusal
}

/** openssl s_server limited to TLS 1.1: OpenSSL 3.0 refuses TLS 1.1 at its default security level 1, so level 0. */
const TLS11_SERVER_ARGS = ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']

describe('TLS 1.0 and 1.1 peers', () => {
  it('our default client (TLS 1.2-1.3) ↔ openssl s_server -tls1_1: OpenSSL finds no common version and sends protocol_version', async () => {
    const chain = await serverChain('rsa-2048')
    const server = await startOpenSslServer([...TLS11_SERVER_ARGS, '-naccept', '1', ...opensslCertificateArgs(chain)])
    const error = await ourClientRefusal({ port: server.port, ca: chain.rootPem })
    expectReceivedAlert(error, 'protocol_version')
    await server.waitForExit()
    expect(server.errorOutput()).toMatch(/unsupported protocol/)
  })

  it('our TLS 1.2-only client ↔ openssl s_server -tls1_1: OpenSSL settles on TLS 1.1 first, then finds none of our AEAD suites usable there (handshake_failure)', async () => {
    const chain = await serverChain('rsa-2048')
    const server = await startOpenSslServer([...TLS11_SERVER_ARGS, '-naccept', '1', ...opensslCertificateArgs(chain)])
    const error = await ourClientRefusal({ port: server.port, ca: chain.rootPem, maxVersion: 'TLSv1.2' })
    expectReceivedAlert(error, 'handshake_failure')
    await server.waitForExit()
    expect(server.errorOutput()).toMatch(/no shared cipher/)
  })

  for (const [flag, name] of [['-tls1', 'TLSv1.0'], ['-tls1_1', 'TLSv1.1']] as const) {
    it(`openssl s_client ${flag} (${name} only) ↔ our server: TlsPolicyError "versions", protocol_version`, async () => {
      const chain = await serverChain('rsa-2048')
      const server = await ourServer({ cert: chain.chainPem, key: chain.keyPem })
      const client = await runOpenSslClient([flag, '-cipher', 'DEFAULT@SECLEVEL=0', '-CAfile', chain.rootPath], { connectTo: server.port, endInput: true })
      const refusal = expectPolicyRefusal(await server.nextClientError(), 'versions', 'protocol_version')
      expect(refusal.offered).toBe(name)
      expect(refusal.allowed).toBe('TLSv1.2-TLSv1.3')
      expect(await client.waitForExit()).toBe(1)
      expect(client.errorOutput()).toMatch(/alert protocol version/)
    })
  }
})

describe('suites outside ECDHE + AEAD', () => {
  const cases = [
    { cipher: 'ECDHE-RSA-AES128-SHA', what: 'only CBC (ECDHE-RSA-AES128-SHA)', offered: /TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA \(0xc013, refused: CBC\)/ },
    { cipher: 'AES128-GCM-SHA256', what: 'only RSA key exchange (AES128-GCM-SHA256)', offered: /TLS_RSA_WITH_AES_128_GCM_SHA256 \(0x009c, refused: RSA key exchange\)/ },
  ]
  for (const { cipher, what, offered } of cases) {
    it(`openssl s_client -tls1_2 offering ${what} ↔ our server: TlsPolicyError "cipher suites", handshake_failure`, async () => {
      const chain = await serverChain('rsa-2048')
      const server = await ourServer({ cert: chain.chainPem, key: chain.keyPem })
      const client = await runOpenSslClient(['-tls1_2', '-cipher', cipher, '-CAfile', chain.rootPath], { connectTo: server.port, endInput: true })
      const refusal = expectPolicyRefusal(await server.nextClientError(), 'cipher suites', 'handshake_failure')
      expect(refusal.offered).toMatch(offered)
      expect(refusal.allowed).toMatch(/TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256/)
      expect(await client.waitForExit()).toBe(1)
      expect(client.errorOutput()).toMatch(/alert handshake failure/)
    })
  }
})

describe('peers without the extended master secret (RFC 7627)', () => {
  // OpenSSL 3.0 has no -no_ems flag; OPENSSL_CONF with "Options = -ExtendedMasterSecret" sets SSL_OP_NO_EXTENDED_MASTER_SECRET.
  async function startNoEmsOpenSslServer() {
    const chain = await serverChain('ecdsa-p256')
    const trace = freshScratchPath('no-ems-s_server-trace')
    const server = await startOpenSslServer(['-tls1_2', '-naccept', '1', '-trace', '-msgfile', trace, ...opensslCertificateArgs(chain)], {
      env: noEmsOpenSslEnvironment(),
    })
    return { chain, server, trace }
  }

  it('openssl s_server -tls1_2 with OPENSSL_CONF "Options = -ExtendedMasterSecret" ↔ our default client: TlsPolicyError "extended master secret", handshake_failure', async () => {
    const { chain, server, trace } = await startNoEmsOpenSslServer()
    const error = await ourClientRefusal({ port: server.port, ca: chain.rootPem })
    expectPolicyRefusal(error, 'extended master secret', 'handshake_failure')
    expect(await server.waitForExit()).toBe(0)
    expect(server.errorOutput()).toMatch(/alert handshake failure/)
    expect(readTrace12(trace)).toMatchObject({ serverVersion: 'TLS 1.2', clientOfferedEms: true, serverAcceptedEms: false })
  })

  it('the same no-EMS openssl s_server ↔ our client with requireExtendedMasterSecret: false: connects without EMS, data flows', async () => {
    const { chain, server, trace } = await startNoEmsOpenSslServer()
    const client = await ourClient({ port: server.port, ca: chain.rootPem, requireExtendedMasterSecret: false })
    expect(client.info).toMatchObject({ version: 'TLSv1.2', extendedMasterSecret: false, peerVerified: true })
    await server.waitForOutput(/CIPHER is/)
    await sendLine(client, processEndpoint('openssl s_server', server), 'client-to-openssl')
    await sendLine(processEndpoint('openssl s_server', server), client, 'openssl-to-client')
    await client.end()
    expect(await server.waitForExit()).toBe(0)
    expect(readTrace12(trace)).toMatchObject({ serverVersion: 'TLS 1.2', clientOfferedEms: true, serverAcceptedEms: false })
  })

  it('openssl s_client -tls1_2 with OPENSSL_CONF "Options = -ExtendedMasterSecret" ↔ our default server: refused; ↔ our server with requireExtendedMasterSecret: false: connects', async () => {
    const chain = await serverChain('ecdsa-p256')
    const strict = await ourServer({ cert: chain.chainPem, key: chain.keyPem })
    const refused = await runOpenSslClient(['-tls1_2', '-CAfile', chain.rootPath], { connectTo: strict.port, endInput: true, env: noEmsOpenSslEnvironment() })
    expectPolicyRefusal(await strict.nextClientError(), 'extended master secret', 'handshake_failure')
    expect(await refused.waitForExit()).toBe(1)
    expect(refused.errorOutput()).toMatch(/alert handshake failure/)

    const loose = await ourServer({ cert: chain.chainPem, key: chain.keyPem, requireExtendedMasterSecret: false })
    const accepted = await runOpenSslClient(['-tls1_2', '-ign_eof', '-CAfile', chain.rootPath], { connectTo: loose.port, env: noEmsOpenSslEnvironment() })
    const connection = await loose.nextConnection()
    expect(connection.info).toMatchObject({ version: 'TLSv1.2', extendedMasterSecret: false })
    await accepted.waitForOutput(/Extended master secret: no/)
    await sendLine(connection, processEndpoint('openssl s_client', accepted), 'server-to-openssl')
  })

  // GnuTLS 3.7 names EMS "session hash" in priority strings; gnutls-serv prints "Options: extended master secret, ..." when it is in use.
  const GNUTLS_TLS12 = 'NORMAL:-VERS-ALL:+VERS-TLS1.2'
  async function startGnutlsEcho(priority: string) {
    const chain = await serverChain('ecdsa-p256')
    const server = await startGnutlsServer(['--echo', '--x509certfile', chain.chainPath, '--x509keyfile', chain.keyPath, '--priority', priority])
    return { chain, server }
  }

  it(`gnutls-serv --priority ${GNUTLS_TLS12}:%NO_SESSION_HASH ↔ our default client: refused; ↔ requireExtendedMasterSecret: false: connects without EMS`, async () => {
    const { chain, server } = await startGnutlsEcho(`${GNUTLS_TLS12}:%NO_SESSION_HASH`)
    expectPolicyRefusal(await ourClientRefusal({ port: server.port, ca: chain.rootPem }), 'extended master secret', 'handshake_failure')
    await server.waitForOutput(/Received alert '40': Handshake failed/)

    const client = await ourClient({ port: server.port, ca: chain.rootPem, requireExtendedMasterSecret: false })
    expect(client.info).toMatchObject({ version: 'TLSv1.2', extendedMasterSecret: false })
    await sendLine(client, client, 'echoed-by-gnutls')
    const options = (await server.waitForOutput(/- Options: (.*)/))[1]!
    expect(options).toMatch(/safe renegotiation/)
    expect(options).not.toMatch(/extended master secret/)
  })

  it(`control: gnutls-serv --priority ${GNUTLS_TLS12} (EMS on) ↔ our client with requireExtendedMasterSecret: false still negotiates EMS`, async () => {
    const { chain, server } = await startGnutlsEcho(GNUTLS_TLS12)
    const client = await ourClient({ port: server.port, ca: chain.rootPem, requireExtendedMasterSecret: false })
    expect(client.info).toMatchObject({ version: 'TLSv1.2', extendedMasterSecret: true })
    await sendLine(client, client, 'echoed-by-gnutls')
    expect((await server.waitForOutput(/- Options: (.*)/))[1]).toMatch(/extended master secret/)
  })
})

describe('renegotiation is refused (RFC 5746 4.2 / 4.4: a warning no_renegotiation)', () => {
  it("openssl s_server -tls1_2 'R' (HelloRequest) ↔ our client: we answer a warning no_renegotiation; OpenSSL then ends the connection with a fatal handshake_failure", async () => {
    const chain = await serverChain('ecdsa-p256')
    const trace = freshScratchPath('renegotiation-s_server-trace')
    const server = await startOpenSslServer(['-tls1_2', '-naccept', '1', '-trace', '-msgfile', trace, ...opensslCertificateArgs(chain)])
    const client = await ourClient({ port: server.port, ca: chain.rootPem })
    expect(client.info.version).toBe('TLSv1.2')
    const openssl = processEndpoint('openssl s_server', server)
    await server.waitForOutput(/CIPHER is/)
    await sendLine(client, openssl, 'before-renegotiation')
    await sendLine(openssl, client, 'from-openssl-before')

    await server.write('R\n')
    await server.waitForOutput(/SSL_do_handshake -> 1/)
    // OpenSSL 3.0 treats a refused renegotiation it asked for as fatal (ssl3_read_bytes: SSL_R_NO_RENEGOTIATION).
    await client.waitForClose()
    expect(client.error).toBeInstanceOf(TlsAlertReceivedError)
    expect((client.error as TlsAlertReceivedError).received).toBe('handshake_failure')
    expect(await server.waitForExit()).toBe(0)
    expect(server.errorOutput()).toMatch(/no renegotiation/)
    const text = readFileSync(trace, 'utf8')
    expect(parseTrace(text).filter((m) => m.direction === 'Sent' && m.name === 'HelloRequest')).toHaveLength(1)
    expect(tracedAlerts(text, 'Received')).toEqual(['warning no renegotiation'])
    expect(tracedAlerts(text, 'Sent')).toEqual(['fatal handshake failure'])
  })

  it("openssl s_client -tls1_2 'R' (a renegotiating ClientHello) ↔ our server: we answer a warning no_renegotiation; OpenSSL then ends the connection with a fatal handshake_failure", async () => {
    const chain = await serverChain('ecdsa-p256')
    const server = await ourServer({ cert: chain.chainPem, key: chain.keyPem })
    const trace = freshScratchPath('renegotiation-s_client-trace')
    const client = await runOpenSslClient(['-tls1_2', '-CAfile', chain.rootPath, '-trace', '-msgfile', trace], { connectTo: server.port })
    const connection = await server.nextConnection()
    expect(connection.info.version).toBe('TLSv1.2')
    const openssl = processEndpoint('openssl s_client', client)
    await client.waitForOutput(/Extended master secret: yes/)
    await sendLine(connection, openssl, 'before-renegotiation')
    await sendLine(openssl, connection, 'from-openssl-before')

    await client.write('R\n')
    await client.waitForErrorOutput(/RENEGOTIATING/)
    await connection.waitForClose()
    expect(connection.error).toBeInstanceOf(TlsAlertReceivedError)
    expect((connection.error as TlsAlertReceivedError).received).toBe('handshake_failure')
    await client.waitForExit()
    expect(client.errorOutput()).toMatch(/no renegotiation/)
    const text = readFileSync(trace, 'utf8')
    expect(parseTrace(text).filter((m) => m.direction === 'Sent' && m.name === 'ClientHello')).toHaveLength(2)
    expect(tracedAlerts(text, 'Received')).toEqual(['warning no renegotiation'])
    expect(tracedAlerts(text, 'Sent')).toEqual(['fatal handshake failure'])
  })
})

describe('TLS_FALLBACK_SCSV (RFC 7507)', () => {
  it('openssl s_client -tls1_2 -fallback_scsv ↔ our 1.3-capable server: inappropriate_fallback', async () => {
    const chain = await serverChain('ecdsa-p256')
    const server = await ourServer({ cert: chain.chainPem, key: chain.keyPem })
    const client = await runOpenSslClient(['-tls1_2', '-fallback_scsv', '-CAfile', chain.rootPath], { connectTo: server.port, endInput: true })
    const error = await server.nextClientError()
    expect(error).toBeInstanceOf(TlsError)
    expect((error as TlsError).alert).toBe('inappropriate_fallback')
    expect(await client.waitForExit()).toBe(1)
    expect(client.errorOutput()).toMatch(/alert inappropriate fallback/)
  })

  it('control: the same client ↔ our server with maxVersion TLSv1.2 (no fallback happened): connects', async () => {
    const chain = await serverChain('ecdsa-p256')
    const server = await ourServer({ cert: chain.chainPem, key: chain.keyPem, maxVersion: 'TLSv1.2' })
    const client = await runOpenSslClient(['-tls1_2', '-fallback_scsv', '-CAfile', chain.rootPath, '-verify_return_error'], { connectTo: server.port, endInput: true })
    const connection = await server.nextConnection()
    expect(connection.info.version).toBe('TLSv1.2')
    expect(await client.waitForExit()).toBe(0)
    expect(client.output()).toMatch(/Verify return code: 0 \(ok\)/)
  })
})
