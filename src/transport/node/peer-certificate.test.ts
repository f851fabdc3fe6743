// getPeerCertificate(), getPeerX509Certificate(): our object equals node:tls's for the same server, field for field, chain included.
import { once } from 'node:events'
import * as tls from 'node:tls'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { makeRichChain, type RichChain, type RichLeaf } from '../../../test/ecosystem/rich-chain.js'
import { disposeStacks, tlsConnect, tlsServer } from '../../../test/ecosystem/stacks.js'
import { connect } from '../node.js'

let rich: RichChain

beforeAll(async () => {
  rich = await makeRichChain()
})
afterEach(disposeStacks)
afterAll(() => rich.dispose())

/**
 * A node:tls server with the `kind` leaf, and a connected client of each stack. The ec leaf carries a dNSName with a
 * quote, which our verifier refuses (RFC 5280 4.2.1.6) and OpenSSL accepts: for it both clients tolerate the
 * refusal (rejectUnauthorized false), since what is compared is the object each stack builds, not the verdict.
 */
async function bothClients(kind: RichLeaf): Promise<{ ours: ReturnType<typeof connect>; theirs: tls.TLSSocket }> {
  const { port } = await tlsServer('node:tls', { cert: rich.chains[kind].chainPem, key: rich.chains[kind].keyPem })
  const options = { host: '127.0.0.1', port, servername: 'localhost', ca: rich.rootPem, rejectUnauthorized: kind !== 'ec' }
  const ours = tlsConnect('pure-tls', options) as unknown as ReturnType<typeof connect>
  const theirs = tlsConnect('node:tls', options) as unknown as tls.TLSSocket
  await Promise.all([once(ours, 'secureConnect'), once(theirs, 'secureConnect')])
  return { ours, theirs }
}

describe("node's peer-certificate object", () => {
  it("ec leaf (refused by us, tolerated by both): getPeerCertificate() equals node:tls's", async () => {
    const { ours, theirs } = await bothClients('ec')
    expect(ours.getPeerCertificate()).toEqual(theirs.getPeerCertificate())
    expect(ours.getPeerX509Certificate()!.fingerprint256).toBe(theirs.getPeerX509Certificate()!.fingerprint256)
  })

  for (const kind of ['rsa', 'ed25519'] as const) {
    it(`${kind} leaf: getPeerCertificate() and getPeerCertificate(true) equal node:tls's, issuer chain to the root included`, async () => {
      const { ours, theirs } = await bothClients(kind)
      expect(ours.getPeerCertificate()).toEqual(theirs.getPeerCertificate())
      const detailed = ours.getPeerCertificate(true) as tls.DetailedPeerCertificate
      const expected = theirs.getPeerCertificate(true)
      // toEqual follows the self-reference at the root on both sides.
      expect(detailed).toEqual(expected)
      expect(detailed.issuerCertificate.issuerCertificate.issuerCertificate).toBe(detailed.issuerCertificate.issuerCertificate)
      const [x509, theirX509] = [ours.getPeerX509Certificate()!, theirs.getPeerX509Certificate()!]
      expect(x509.fingerprint256).toBe(theirX509.fingerprint256)
      expect(x509.subject).toBe(theirX509.subject)
    })
  }

  it('the RSA leaf shows every field node shows: multi-valued OU, SAN forms, AIA, EKU, modulus, exponent', async () => {
    const { ours } = await bothClients('rsa')
    const cert = ours.getPeerCertificate() as tls.PeerCertificate
    expect(cert.subject).toMatchObject({ OU: ['Web', 'Ops'], O: 'Acme, Inc.', emailAddress: 'ops@acme.example' })
    expect(cert.subjectaltname).toBe('DNS:localhost, DNS:*.acme.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, email:ops@acme.example, URI:https://acme.example/')
    expect(cert.infoAccess).toEqual({ 'OCSP - URI': ['http://ocsp.acme.example/'], 'CA Issuers - URI': ['http://ca.acme.example/int.crt'] })
    expect(cert.ext_key_usage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'])
    expect(cert).toMatchObject({ bits: 2048, exponent: '0x10001', ca: false })
    expect(cert.valid_from).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/)
  })

  it('a SAN value with a quote is written as a JSON string, as node does', async () => {
    const { ours } = await bothClients('ec')
    expect((ours.getPeerCertificate() as tls.PeerCertificate).subjectaltname).toBe('IP Address:127.0.0.1, DNS:localhost, DNS:"quote\\"d.example"')
  })

  it('no peer certificate is {} (a server not asking for one), and null once the socket is destroyed', async () => {
    const { port } = await tlsServer('pure-tls', { cert: rich.chains.rsa.chainPem, key: rich.chains.rsa.keyPem }, (socket) => {
      socket.end(JSON.stringify((socket as ReturnType<typeof connect>).getPeerCertificate()))
    })
    const client = tlsConnect('node:tls', { host: '127.0.0.1', port, servername: 'localhost', ca: rich.rootPem })
    const [reply] = (await once(client, 'data')) as [Buffer]
    expect(reply.toString()).toBe('{}')
    const ours = tlsConnect('pure-tls', { host: '127.0.0.1', port, servername: 'localhost', ca: rich.rootPem }) as unknown as ReturnType<typeof connect>
    await once(ours, 'secureConnect')
    ours.destroy()
    expect(ours.getPeerCertificate()).toBeNull()
  })
})
