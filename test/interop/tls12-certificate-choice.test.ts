// TLS 1.2 certificate choice against openssl s_client: an ECDSA certificate only on a curve the client lists (RFC 8422 5.1), and refusals that name the constraint that failed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { TlsPolicyError } from '../../src/errors.js'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { disposePeers, runOpenSslClient } from '../helpers/peers.js'
import { completed, disposeOurPeers, openSslReceivedAlert, refusal, startOurServer } from '../policy/helpers.js'

let p256: Chain
let p384: Chain
let rsa: Chain
beforeAll(async () => {
  ;[p256, p384, rsa] = await Promise.all([makeChain(), makeChain({ leafKey: 'ecdsa-p384', caKey: 'ecdsa-p384', caName: 'pure-tls P-384 root' }), makeChain({ leafKey: 'rsa-2048' })])
})
afterEach(async () => {
  await Promise.all([disposeOurPeers(), disposePeers()])
})
afterAll(cleanupPki)

/** Our server holding `chains` (each with its key), against `openssl s_client -tls1_2` with `args`. */
async function against(chains: Chain[], args: string[]) {
  const server = await startOurServer({ certificates: chains.map((c) => ({ cert: c.chainPem, key: c.keyPem })) })
  const client = await runOpenSslClient(['-tls1_2', ...args], { connectTo: server.port })
  return { outcome: await server.firstHandshake, client }
}

describe('an ECDSA certificate only on a curve the client supports (RFC 8422 5.1)', () => {
  for (const groups of ['X25519', 'P-384']) {
    it(`P-256 ECDSA + RSA server, s_client -groups ${groups}: the RSA certificate, the client verifies it`, async () => {
      const { outcome, client } = await against([p256, rsa], ['-groups', groups, '-CAfile', rsa.rootPath, '-verify_return_error'])
      const info = completed(outcome)
      expect(info.cipherSuite).toMatch(/^TLS_ECDHE_RSA_/)
      await client.waitForOutput(/Verify return code: 0 \(ok\)/)
    })
  }

  it('P-256 ECDSA + P-384 ECDSA server, s_client -groups X25519:P-384: the P-384 certificate', async () => {
    const { outcome, client } = await against([p256, p384], ['-groups', 'X25519:P-384', '-CAfile', p384.rootPath, '-verify_return_error'])
    expect(completed(outcome).cipherSuite).toMatch(/^TLS_ECDHE_ECDSA_/)
    await client.waitForOutput(/Verify return code: 0 \(ok\)/)
  })

  it("P-256 ECDSA only, s_client -groups X25519:P-384: refused by our 'groups' constraint naming the certificate's curve", async () => {
    const { outcome, client } = await against([p256], ['-groups', 'X25519:P-384'])
    const error = refusal(outcome)
    expect(error).toBeInstanceOf(TlsPolicyError)
    expect(error).toMatchObject({ constraint: 'groups', alert: 'handshake_failure', allowed: expect.stringMatching(/P-256/) })
    await client.waitForErrorOutput(openSslReceivedAlert('handshake_failure'))
  })
})

describe('a refusal names the constraint that failed', () => {
  it("ECDSA with SHA-512 only (0x0603) against a P-256 certificate: 'signature schemes', not 'cipher suites'", async () => {
    const { outcome, client } = await against([p256], ['-sigalgs', 'ECDSA+SHA512'])
    const error = refusal(outcome)
    expect(error).toBeInstanceOf(TlsPolicyError)
    expect((error as TlsPolicyError).constraint).toBe('signature schemes')
    await client.waitForErrorOutput(openSslReceivedAlert('handshake_failure'))
  })

  it("only RSA suites against an ECDSA-only server: 'cipher suites'", async () => {
    const { outcome } = await against([p256], ['-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'])
    expect(refusal(outcome)).toMatchObject({ constraint: 'cipher suites' })
  })
})
