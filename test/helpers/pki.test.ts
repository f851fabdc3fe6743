// Self-test of the openssl-made test PKI: every key type verifies with openssl and parses in node:crypto.
import { execFile } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { type Chain, type PkiKeyType, cleanupPki, makeChain, makeClientChain } from './pki.js'

afterAll(cleanupPki)

/** `openssl verify` of the chain's leaf; resolves with its combined output and whether it passed. */
function opensslVerify(chain: Chain, extra: string[]): Promise<{ ok: boolean; output: string }> {
  const untrusted = chain.intermediatePath ? ['-untrusted', chain.intermediatePath] : []
  const args = ['verify', '-x509_strict', '-CAfile', chain.rootPath, ...untrusted, ...extra, chain.leafPath]
  return new Promise((resolve) => {
    execFile('openssl', args, (error, stdout, stderr) => resolve({ ok: error === null, output: stdout + stderr }))
  })
}

describe('makeChain', () => {
  const keyTypes: PkiKeyType[] = ['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa-2048', 'rsa-pss-2048']

  it.each(keyTypes)('makes a verifiable server chain with a %s leaf and intermediate', async (leafKey) => {
    const chain = await makeChain({ leafKey, caKey: leafKey, withIntermediate: true })
    const result = await opensslVerify(chain, ['-purpose', 'sslserver', '-verify_hostname', 'localhost', '-verify_ip', '::1'])
    expect(result.output).toContain(': OK')
    expect(result.ok).toBe(true)
    expect(chain.chainPem).toBe(chain.leafPem + chain.intermediatePem)
    const leaf = new X509Certificate(chain.leafPem)
    expect(leaf.checkHost('localhost')).toBe('localhost')
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(leaf.verify(new X509Certificate(chain.intermediatePem as string).publicKey)).toBe(true)
  })

  it('shares the CA between chains of one caName and separates other names', async () => {
    const [server, client, other] = await Promise.all([
      makeChain({ caKey: 'ecdsa-p384' }),
      makeClientChain({ caKey: 'ecdsa-p384' }),
      makeChain({ caKey: 'ecdsa-p384', caName: 'another root' }),
    ])
    expect(client.rootPem).toBe(server.rootPem)
    expect(other.rootPem).not.toBe(server.rootPem)
    expect(client.keyPem).not.toBe(server.keyPem)
    expect((await opensslVerify(client, ['-purpose', 'sslclient'])).ok).toBe(true)
    expect((await opensslVerify(client, ['-purpose', 'sslserver'])).ok).toBe(false)
    expect(await makeChain({ caKey: 'ecdsa-p384' })).toBe(server)
  })

  it('makes expired and not-yet-valid leaves', async () => {
    const expired = await makeChain({ expired: true })
    expect((await opensslVerify(expired, [])).output).toMatch(/certificate has expired/)
    expect(new Date(new X509Certificate(expired.leafPem).validTo).getTime()).toBeLessThan(Date.now())
    const future = await makeChain({ notYetValid: true })
    expect((await opensslVerify(future, [])).output).toMatch(/not yet valid/)
  })

  it('makes explicit dates past 2049 as GeneralizedTime', async () => {
    const chain = await makeChain({ notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2051-06-01T12:00:00Z') })
    const leaf = new X509Certificate(chain.leafPem)
    expect(new Date(leaf.validTo).toISOString()).toBe('2051-06-01T12:00:00.000Z')
    expect((await opensslVerify(chain, [])).ok).toBe(true)
  })

  it('makes self-signed leaves, leaves without SAN, and leaves with extra extensions', async () => {
    const self = await makeChain({ selfSigned: true, dnsNames: ['self.test'] })
    expect(self.rootPem).toBe(self.leafPem)
    expect((await opensslVerify(self, ['-verify_hostname', 'self.test'])).ok).toBe(true)
    const noSan = await makeChain({ dnsNames: [], ipAddresses: [], commonName: 'cn-only.test' })
    expect(new X509Certificate(noSan.leafPem).subjectAltName).toBeUndefined()
    const critical = await makeChain({ leafExtensions: ['1.3.6.1.4.1.55555.1 = critical, ASN1:NULL'] })
    expect((await opensslVerify(critical, [])).output).toMatch(/unhandled critical extension|unsupported certificate purpose/i)
  })
})
