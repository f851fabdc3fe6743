// TLS 1.2 in memory, our client against our server: every suite × group, mutual TLS, the RFC 5705 exporter, a tampered Finished, and the extended master secret.
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { concat, utf8 } from '../../src/bytes.js'
import { nobleProvider } from '../../src/crypto/noble.js'
import { CertificateVerificationError, TlsAlertReceivedError, TlsError, TlsPolicyError } from '../../src/errors.js'
import type { Connection } from '../../src/handshake/connection.js'
import { tls12Prf } from '../../src/handshake/prf.js'
import { ExtensionType } from '../../src/handshake/registry.js'
import { type PairResult, runPair } from '../helpers/pair.js'
import { cleanupPki, makeChain, makeClientChain, type PkiKeyType } from '../helpers/pki.js'
import {
  CERTIFICATE_COLUMNS,
  memoryPair,
  onFirst,
  resealFinished,
  rewriteClientHello,
  rewriteServerHello,
  sendThrough,
  Tls12Observer,
  TLS12_SUITES,
  withoutExtensions,
} from '../interop/interop12-helpers.js'
import { GROUPS } from '../interop/interop13-helpers.js'

afterAll(cleanupPki)

function expectConnected(result: PairResult, client: Connection, server: Connection): void {
  expect(result).toEqual({})
  expect(client.handshakeComplete).toBe(true)
  expect(server.handshakeComplete).toBe(true)
}

/** Sends random bytes each way and checks they arrive unchanged. */
function expectDataFlows(client: Connection, server: Connection, size = 40_000): void {
  const up = randomBytes(size)
  const down = randomBytes(size)
  expect(Buffer.from(sendThrough({ client, server }, 'client', up)).equals(up)).toBe(true)
  expect(Buffer.from(sendThrough({ client, server }, 'server', down)).equals(down)).toBe(true)
}

/** The side that refused: its own error (not a received alert) with this alert, and the other side received it. */
function expectRefusedBy(result: PairResult, refuser: 'client' | 'server', alert: string): TlsError {
  const own = refuser === 'client' ? result.clientError : result.serverError
  const other = refuser === 'client' ? result.serverError : result.clientError
  expect(own).toBeInstanceOf(TlsError)
  expect(own).not.toBeInstanceOf(TlsAlertReceivedError)
  expect((own as TlsError).alert).toBe(alert)
  expect(other).toBeInstanceOf(TlsAlertReceivedError)
  expect((other as TlsAlertReceivedError).received).toBe(alert)
  return own as TlsError
}

describe('every TLS 1.2 suite × group (our default client ↔ our server with maxVersion TLSv1.2)', () => {
  for (const suite of TLS12_SUITES) {
    const certificate = CERTIFICATE_COLUMNS.find((c) => c.authentication === suite.authentication)!
    for (const group of GROUPS) {
      it(`${suite.iana} × ${group.name} × ${certificate.label}`, async () => {
        const { client, server } = await memoryPair({
          server: { maxVersion: 'TLSv1.2', cipherSuites: [suite.iana], groups: [group.name] },
          serverKey: certificate.pki,
        })
        expectConnected(runPair(client, server), client, server)
        for (const side of [client, server]) {
          expect(side.info).toMatchObject({ version: 'TLSv1.2', cipherSuite: suite.iana, group: group.ours, extendedMasterSecret: true, resumed: false })
        }
        expect(client.info?.peerVerified).toBe(true)
        expect(client.info?.signatureScheme).toBe(suite.authentication === 'ecdsa' ? 'ecdsa_secp256r1_sha256' : 'rsa_pss_rsae_sha256')
        expect(server.info?.peerCertificates).toHaveLength(0)
        expectDataFlows(client, server)
      })
    }
  }
})

/** The one test root: it issued the server chains of memoryPair and the client chains of makeClientChain. */
async function testRoot(): Promise<string> {
  return (await makeChain({ withIntermediate: true })).rootPem
}

describe('mutual TLS 1.2', () => {
  const clientKeys: [PkiKeyType, RegExp][] = [
    ['ecdsa-p256', /^ecdsa_secp256r1_sha256$/],
    ['ecdsa-p384', /^ecdsa_secp(256r1_sha256|384r1_sha384)$/],
    ['rsa-2048', /^rsa_pss_rsae_sha256$/],
    ['ed25519', /^ed25519$/],
  ]
  for (const [key, scheme] of clientKeys) {
    it(`server verifyMode 'required' ↔ client with a ${key} certificate: both verified, the client's CertificateVerify scheme recorded`, async () => {
      const clientChain = await makeClientChain({ leafKey: key, withIntermediate: true })
      const { client, server } = await memoryPair({
        client: { maxVersion: 'TLSv1.2', cert: clientChain.chainPem, key: clientChain.keyPem },
        server: { verifyMode: 'required', ca: await testRoot() },
      })
      expectConnected(runPair(client, server), client, server)
      expect(server.info).toMatchObject({ version: 'TLSv1.2', peerVerified: true })
      expect(server.info?.signatureScheme).toMatch(scheme)
      expect(server.info?.peerCertificates).toHaveLength(2)
      expectDataFlows(client, server, 1000)
    })
  }

  it("server verifyMode 'required' ↔ client without a certificate: TlsPolicyError \"peer certificate\", handshake_failure (TLS 1.2 has no certificate_required)", async () => {
    const { client, server } = await memoryPair({ client: { maxVersion: 'TLSv1.2' }, server: { verifyMode: 'required', ca: await testRoot() } })
    const refusal = expectRefusedBy(runPair(client, server), 'server', 'handshake_failure')
    expect(refusal).toBeInstanceOf(TlsPolicyError)
    expect((refusal as TlsPolicyError).constraint).toBe('peer certificate')
  })

  it("server verifyMode 'optional' ↔ client without a certificate: connects, peerVerified false, no peer certificates", async () => {
    const { client, server } = await memoryPair({ client: { maxVersion: 'TLSv1.2' }, server: { verifyMode: 'optional', ca: await testRoot() } })
    expectConnected(runPair(client, server), client, server)
    expect(server.info).toMatchObject({ version: 'TLSv1.2', peerVerified: false, signatureScheme: undefined })
    expect(server.info?.peerCertificates).toHaveLength(0)
    expectDataFlows(client, server, 1000)
  })

  it("server verifyMode 'optional' ↔ client with a certificate: connects, peerVerified true", async () => {
    const clientChain = await makeClientChain({ withIntermediate: true })
    const { client, server } = await memoryPair({
      client: { maxVersion: 'TLSv1.2', cert: clientChain.chainPem, key: clientChain.keyPem },
      server: { verifyMode: 'optional', ca: clientChain.rootPem },
    })
    expectConnected(runPair(client, server), client, server)
    expect(server.info).toMatchObject({ peerVerified: true, signatureScheme: 'ecdsa_secp256r1_sha256' })
  })

  it("server verifyMode 'required' ↔ client certificate from another CA: CertificateVerificationError unknown-issuer, unknown_ca", async () => {
    const stranger = await makeClientChain({ caName: 'a client CA the server does not know' })
    const { client, server } = await memoryPair({
      client: { maxVersion: 'TLSv1.2', cert: stranger.chainPem, key: stranger.keyPem },
      server: { verifyMode: 'required', ca: await testRoot() },
    })
    const refusal = expectRefusedBy(runPair(client, server), 'server', 'unknown_ca')
    expect(refusal).toBeInstanceOf(CertificateVerificationError)
    expect((refusal as CertificateVerificationError).reason).toBe('unknown-issuer')
  })
})

describe('the RFC 5705 exporter in TLS 1.2', () => {
  it('gives both ends the same keying material: PRF(master_secret, label, client_random + server_random [+ uint16 length + context])', async () => {
    const observer = new Tls12Observer()
    const { client, server } = await memoryPair({ client: { maxVersion: 'TLSv1.2', keyLog: observer.keyLog } })
    expectConnected(runPair(client, server, observer.watch), client, server)
    const context = utf8.encode('a context')
    const cases: [string, Uint8Array | undefined, number][] = [
      ['EXPORTER-test', undefined, 32],
      ['EXPORTER-test', context, 32],
      ['EXPORTER-test', new Uint8Array(0), 32],
      ['EXPORTER-other', context, 100],
      ['EXPORTER-test', context, 1],
    ]
    const outputs = cases.map(([label, ctx, length]) => {
      const fromClient = client.exportKeyingMaterial(label, ctx, length)
      expect(Buffer.from(server.exportKeyingMaterial(label, ctx, length)).equals(Buffer.from(fromClient))).toBe(true)
      expect(fromClient).toHaveLength(length)
      const seed = ctx === undefined ? concat(observer.clientRandom!, observer.serverRandom!) : concat(observer.clientRandom!, observer.serverRandom!, new Uint8Array([ctx.length >> 8, ctx.length & 0xff]), ctx)
      const expected = tls12Prf(nobleProvider, observer.suite!.hash, observer.masterSecret!, label, seed, length)
      expect(Buffer.from(fromClient).equals(Buffer.from(expected))).toBe(true)
      return Buffer.from(fromClient).toString('hex')
    })
    // No context, an empty context and a context are three different inputs; so are two labels.
    expect(new Set(outputs.slice(0, 4)).size).toBe(4)
  })

  it('differs between two connections', async () => {
    const a = await memoryPair({ client: { maxVersion: 'TLSv1.2' } })
    const b = await memoryPair({ client: { maxVersion: 'TLSv1.2' } })
    runPair(a.client, a.server)
    runPair(b.client, b.server)
    expect(Buffer.from(a.client.exportKeyingMaterial('EXPORTER-test', undefined, 32)).equals(Buffer.from(b.client.exportKeyingMaterial('EXPORTER-test', undefined, 32)))).toBe(false)
  })
})

/** Flips one bit of a Finished message's verify_data (its last byte; the 4-byte header stays). */
function flipVerifyData(finished: Uint8Array): Uint8Array {
  const out = finished.slice()
  out[out.length - 1]! ^= 0x01
  return out
}

describe('a tampered Finished', () => {
  for (const suite of ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'] as const) {
    it(`control (${suite}): the man in the middle reseals the client's Finished unchanged, and the handshake completes`, async () => {
      const observer = new Tls12Observer()
      const { client, server } = await memoryPair({ client: { maxVersion: 'TLSv1.2', keyLog: observer.keyLog }, server: { cipherSuites: [suite] } })
      expectConnected(runPair(client, server, resealFinished(observer, 'client->server', (finished) => finished)), client, server)
    })

    it(`${suite}: the client's verify_data changed and resealed under the right key → our server: decrypt_error`, async () => {
      const observer = new Tls12Observer()
      const { client, server } = await memoryPair({ client: { maxVersion: 'TLSv1.2', keyLog: observer.keyLog }, server: { cipherSuites: [suite] } })
      const refusal = expectRefusedBy(runPair(client, server, resealFinished(observer, 'client->server', flipVerifyData)), 'server', 'decrypt_error')
      expect(refusal.message).toMatch(/Finished|verify_data/i)
    })

    it(`${suite}: the server's verify_data changed and resealed under the right key → our client: decrypt_error`, async () => {
      const observer = new Tls12Observer()
      const { client, server } = await memoryPair({ client: { maxVersion: 'TLSv1.2', keyLog: observer.keyLog }, server: { cipherSuites: [suite] } })
      expectRefusedBy(runPair(client, server, resealFinished(observer, 'server->client', flipVerifyData)), 'client', 'decrypt_error')
      expect(client.handshakeComplete).toBe(false)
    })
  }

  it("a bit flipped in the client's protected Finished record (no keys) → our server: bad_record_mac", async () => {
    const { client, server } = await memoryPair({ client: { maxVersion: 'TLSv1.2' } })
    let flipped = false
    const result = runPair(client, server, (bytes, direction) => {
      // The client's second flight: ClientKeyExchange, ChangeCipherSpec, then the protected Finished, last.
      if (direction !== 'client->server' || flipped || bytes[0] !== 22 || bytes[5] !== 16) return bytes
      flipped = true
      const out = bytes.slice()
      out[out.length - 1]! ^= 0x80
      return out
    })
    expect(flipped).toBe(true)
    expectRefusedBy(result, 'server', 'bad_record_mac')
  })
})

describe('the extended master secret (RFC 7627)', () => {
  const loosened = { requireExtendedMasterSecret: false } as const

  for (const [title, options] of [
    ['our client with requireExtendedMasterSecret: false ↔ our default server', { client: { maxVersion: 'TLSv1.2' as const, ...loosened } }],
    ['our default client ↔ our server with requireExtendedMasterSecret: false', { client: { maxVersion: 'TLSv1.2' as const }, server: loosened }],
    ['both sides with requireExtendedMasterSecret: false', { client: { maxVersion: 'TLSv1.2' as const, ...loosened }, server: loosened }],
  ] as const) {
    it(`${title}: EMS is still negotiated when offered`, async () => {
      const { client, server } = await memoryPair(options)
      expectConnected(runPair(client, server), client, server)
      expect(client.info?.extendedMasterSecret).toBe(true)
      expect(server.info?.extendedMasterSecret).toBe(true)
    })
  }

  const stripFromClientHello = () =>
    onFirst('client->server', (bytes) => rewriteClientHello(bytes, (hello) => withoutExtensions(hello, ExtensionType.extended_master_secret)))
  const stripFromServerHello = () =>
    onFirst('server->client', (bytes) =>
      rewriteServerHello(bytes, (hello) => ({ ...hello, extensions: hello.extensions.filter((e) => e.type !== ExtensionType.extended_master_secret) })),
    )

  it('a man in the middle removes EMS from our ClientHello → our default server: TlsPolicyError "extended master secret", handshake_failure', async () => {
    const { client, server } = await memoryPair({ client: { maxVersion: 'TLSv1.2' } })
    const refusal = expectRefusedBy(runPair(client, server, stripFromClientHello()), 'server', 'handshake_failure')
    expect(refusal).toMatchObject({ constraint: 'extended master secret' })
  })

  it('the same against a server with requireExtendedMasterSecret: false → our default client: TlsPolicyError "extended master secret", handshake_failure', async () => {
    const { client, server } = await memoryPair({ client: { maxVersion: 'TLSv1.2' }, server: loosened })
    const refusal = expectRefusedBy(runPair(client, server, stripFromClientHello()), 'client', 'handshake_failure')
    expect(refusal).toMatchObject({ constraint: 'extended master secret' })
  })

  it('the same with both sides loosened: both use the classic master secret, but the Finished covers the tampered hello → our server: decrypt_error', async () => {
    const { client, server } = await memoryPair({ client: { maxVersion: 'TLSv1.2', ...loosened }, server: loosened })
    expectRefusedBy(runPair(client, server, stripFromClientHello()), 'server', 'decrypt_error')
  })

  it('a man in the middle removes EMS from the ServerHello → our default client: TlsPolicyError "extended master secret", handshake_failure', async () => {
    const { client, server } = await memoryPair({ client: { maxVersion: 'TLSv1.2' } })
    const refusal = expectRefusedBy(runPair(client, server, stripFromServerHello()), 'client', 'handshake_failure')
    expect(refusal).toMatchObject({ constraint: 'extended master secret' })
  })

  it('the same with a loosened client: client and server derive different master secrets → our server cannot open the Finished (bad_record_mac)', async () => {
    const { client, server } = await memoryPair({ client: { maxVersion: 'TLSv1.2', ...loosened } })
    expectRefusedBy(runPair(client, server, stripFromServerHello()), 'server', 'bad_record_mac')
  })
})
