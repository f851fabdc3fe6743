// The review's checks against real peers: TLS 1.2 mutual authentication with openssl in both roles and every client key type, and what our server does with the SNI values openssl s_client sends.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { SignatureSchemeOptionName } from '../../src/policy/names.js'
import { type Chain, cleanupPki, makeClientChain, type PkiKeyType } from '../helpers/pki.js'
import { runOpenSslClient, startOpenSslServer } from '../helpers/peers.js'
import { disposeAll, exchangeBulk, opensslCertificateArgs, ourConnect, processEndpoint, sendLine, serverChain, startOurServer } from './interop13-helpers.js'

let chain: Chain
const clients = new Map<PkiKeyType, Chain>()
beforeAll(async () => {
  chain = await serverChain()
  for (const key of ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'] as const) clients.set(key, await makeClientChain({ leafKey: key, withIntermediate: true, caName: `pure-tls ${key} client CA` }))
})
afterEach(disposeAll)
afterAll(cleanupPki)

/** A client key and the one scheme the other side allows it to sign with. */
const CASES: { key: PkiKeyType; scheme: SignatureSchemeOptionName }[] = [
  { key: 'ecdsa-p256', scheme: 'ecdsa_secp256r1_sha256' },
  { key: 'ecdsa-p384', scheme: 'ecdsa_secp384r1_sha384' },
  { key: 'rsa-2048', scheme: 'rsa_pss_rsae_sha256' },
  { key: 'rsa-2048', scheme: 'rsa_pkcs1_sha384' },
  { key: 'rsa-2048', scheme: 'rsa_pkcs1_sha512' },
]

describe('TLS 1.2 mutual authentication with openssl, every client key type and scheme', () => {
  for (const { key, scheme } of CASES) {
    it(`our client (${key}, ${scheme}) to openssl s_server -verify -client_sigalgs`, async () => {
      const client = clients.get(key)!
      const server = await startOpenSslServer([
        '-tls1_2', '-naccept', '1', ...opensslCertificateArgs(chain),
        '-Verify', '1', '-verify_return_error', '-CAfile', client.rootPath, '-client_sigalgs', scheme,
      ])
      const ours = await ourConnect({ port: server.port, ca: chain.rootPem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', cert: client.chainPem, key: client.keyPem })
      await server.waitForOutput(/CIPHER is ECDHE-/)
      expect(server.output()).toMatch(/Client certificate\n/)
      await sendLine(ours, processEndpoint('openssl s_server', server), `mtls12-${scheme}`)
      await sendLine(processEndpoint('openssl s_server', server), ours, `back-${scheme}`)
      expect(server.errorOutput()).not.toMatch(/verify error|alert/i)
    })

    it(`openssl s_client -cert (${key}) to our server requiring ${scheme}`, async () => {
      const client = clients.get(key)!
      const server = await startOurServer({
        cert: chain.chainPem, key: chain.keyPem, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2',
        // TLS 1.2 does not tie ECDSA schemes to curves: our P-256 key can sign with whichever ECDSA scheme is allowed.
        verifyMode: 'required', ca: client.rootPem, signatureSchemes: scheme.startsWith('ecdsa') ? [scheme] : ['ecdsa_secp256r1_sha256', scheme],
      })
      const peer = await runOpenSslClient(['-tls1_2', '-quiet', '-CAfile', chain.rootPath, '-verify_return_error', ...opensslCertificateArgs(client)], { connectTo: server.port })
      const accepted = await server.nextConnection()
      expect(accepted.info.version).toBe('TLSv1.2')
      expect(accepted.info.peerVerified).toBe(true)
      expect(accepted.info.signatureScheme).toBe(scheme)
      await exchangeBulk(accepted, processEndpoint('openssl s_client', peer), 16 * 1024)
    })
  }
})

describe('SNI values from openssl s_client (RFC 6066 3)', () => {
  async function serverAnd(servername: string) {
    const server = await startOurServer({ cert: chain.chainPem, key: chain.keyPem })
    const peer = await runOpenSslClient(['-tls1_3', '-quiet', '-CAfile', chain.rootPath, '-servername', servername], { connectTo: server.port })
    return { server, peer }
  }

  it('reports a mixed-case name lower-cased', async () => {
    const { server } = await serverAnd('LocalHost')
    expect((await server.nextConnection()).info.serverName).toBe('localhost')
  })

  it('ignores an IP literal (the handshake completes, with no server name)', async () => {
    const { server } = await serverAnd('127.0.0.1')
    expect((await server.nextConnection()).info.serverName).toBeUndefined()
  })

  for (const bad of ['*.test', `${'a'.repeat(70)}.test`])
    it(`refuses ${JSON.stringify(bad.slice(0, 20))} with illegal_parameter`, async () => {
      const { server, peer } = await serverAnd(bad)
      expect(await server.nextClientError()).toMatchObject({ alert: 'illegal_parameter' })
      await peer.waitForExit()
      expect(peer.errorOutput()).toMatch(/illegal parameter/)
    })
})
