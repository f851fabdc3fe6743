// Every default-policy constraint against real misconfigured peers on 127.0.0.1: our error and the alert the peer reports.
//
// How: every handshake runs through our Node transport (src/transport/node.ts). Our client is connect() and its
// refusal is the TlsError of the socket's 'error' event; our server is createServer() and its refusal is the
// TlsError of 'tlsClientError' (helpers.ts turns both into an Outcome). The peers are openssl s_server / s_client
// (OpenSSL 3.0), started per test and killed after it. Each test asserts two sides:
// - ours: the TlsPolicyError's `constraint` or the CertificateVerificationError's `reason`, and the `alert`;
// - theirs: what OpenSSL prints on stderr, either the alert it received from us ("... alert certificate expired:
//   ... SSL alert number 45") or, when the peer is the one refusing, its own reason ("no shared cipher").
// Where a conforming peer always refuses before our constraint is reached (a TLS 1.1-only server, a server whose
// only group is P-521), a middlebox rewriting our ClientHello makes that peer answer, and our constraint is shown
// refusing the answer: the situation the constraint exists for.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AlertDescription, CertificateVerificationError, TlsAlertReceivedError, TlsPolicyError, type AlertName, type TlsError } from '../../src/errors.js'
import type { ServerOptions } from '../../src/transport/node.js'
import { type Chain, cleanupPki, makeChain, makeClientChain } from '../helpers/pki.js'
import { disposePeers, runOpenSslClient, startOpenSslServer } from '../helpers/peers.js'
import {
  addCipherSuite,
  addSupportedGroup,
  completed,
  disposeOurPeers,
  openSslReceivedAlert,
  ourClientHandshake,
  type Outcome,
  refusal,
  startClientHelloRewriter,
  startOurServer,
} from './helpers.js'

/** TLS 1.3 and TLS 1.2, as OpenSSL's flags. */
const VERSIONS = [{ flag: '-tls1_3' }, { flag: '-tls1_2' }] as const

const ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xc009
const SECP521R1 = 0x0019
const FFDHE2048 = 0x0100

let ecdsa: Chain
let rsa: Chain
let withIntermediate: Chain
let clientChain: Chain
let untrustedClient: Chain

beforeAll(async () => {
  ;[ecdsa, rsa, withIntermediate, clientChain, untrustedClient] = await Promise.all([
    makeChain(),
    makeChain({ leafKey: 'rsa-2048' }),
    makeChain({ withIntermediate: true }),
    makeClientChain(),
    makeClientChain({ caName: 'a client CA nobody trusts' }),
  ])
})
afterEach(async () => {
  await Promise.all([disposeOurPeers(), disposePeers()])
})
afterAll(cleanupPki)

/** s_server arguments serving `chain`'s leaf (and `extra`) for exactly one connection. */
function serving(chain: Chain, ...extra: string[]): string[] {
  return ['-cert', chain.leafPath, '-key', chain.keyPath, '-naccept', '1', ...extra]
}

/** Our client against `openssl s_server args` (or a middlebox in front of it); returns the outcome and the server. */
async function ourClientAgainst(serverArgs: string[], options: Parameters<typeof ourClientHandshake>[1] = {}, middlebox?: Parameters<typeof startClientHelloRewriter>[1]) {
  const server = await startOpenSslServer(serverArgs)
  const relay = middlebox ? await startClientHelloRewriter(server.port, middlebox) : undefined
  const outcome = await ourClientHandshake(relay?.port ?? server.port, { ca: ecdsa.rootPem, ...options })
  return { outcome, server, relay }
}

/** `openssl s_client args` against our server; returns our server's outcome and the client process. */
async function opensslClientAgainst(clientArgs: string[], serverOptions: Partial<ServerOptions> = {}) {
  const server = await startOurServer({ cert: ecdsa.chainPem, key: ecdsa.keyPem, ...serverOptions })
  const client = await runOpenSslClient(clientArgs, { connectTo: server.port })
  return { outcome: await server.firstHandshake, client }
}

/** Our refusal by a policy constraint, with its alert. */
function expectPolicyRefusal(outcome: Outcome, constraint: string, alert: AlertName): TlsPolicyError {
  const error = refusal(outcome)
  expect(error, error.message).toBeInstanceOf(TlsPolicyError)
  expect((error as TlsPolicyError).constraint).toBe(constraint)
  expect(error.alert).toBe(alert)
  return error as TlsPolicyError
}

/** Our refusal of a certificate, with its reason and alert. */
function expectCertificateRefusal(outcome: Outcome, reason: CertificateVerificationError['reason'], alert: AlertName): CertificateVerificationError {
  const error = refusal(outcome)
  expect(error, error.message).toBeInstanceOf(CertificateVerificationError)
  expect((error as CertificateVerificationError).reason).toBe(reason)
  expect(error.alert).toBe(alert)
  return error as CertificateVerificationError
}

/** The peer refused us: we received its fatal alert. */
function expectPeerRefused(outcome: Outcome, alert: AlertName): TlsError {
  const error = refusal(outcome)
  expect(error, error.message).toBeInstanceOf(TlsAlertReceivedError)
  expect((error as TlsAlertReceivedError).received).toBe(alert)
  expect(error.alert).toBe(alert)
  return error
}

describe('versions', () => {
  it('our client (TLS 1.2–1.3) ↔ openssl s_server -tls1_1: s_server refuses our supported_versions (unsupported protocol), we receive protocol_version', async () => {
    const { outcome, server } = await ourClientAgainst(serving(ecdsa, '-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'))
    expectPeerRefused(outcome, 'protocol_version')
    await server.waitForErrorOutput(/unsupported protocol/)
  })

  it('our client (TLS 1.2 only, no supported_versions) ↔ openssl s_server -tls1_1: at TLS 1.1 none of our AEAD suites exists, s_server sends handshake_failure (no shared cipher)', async () => {
    const { outcome, server } = await ourClientAgainst(serving(ecdsa, '-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'), { maxVersion: 'TLSv1.2' })
    expectPeerRefused(outcome, 'handshake_failure')
    await server.waitForErrorOutput(/no shared cipher/)
  })

  // s_server has settled on TLS 1.1, and its record layer refuses a record of any other version without reading
  // it: our alert (record version 0x0303) is reported as "wrong version number". What we sent is therefore also
  // checked on the wire, through the middlebox: exactly one plaintext fatal protocol_version alert.
  it("our client (TLS 1.2 only) ↔ middlebox adding ECDHE-ECDSA-AES128-SHA ↔ openssl s_server -tls1_1: s_server answers TLS 1.1, our 'versions' constraint sends protocol_version, s_server reports wrong version number", async () => {
    const { outcome, server, relay } = await ourClientAgainst(
      serving(ecdsa, '-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'),
      { maxVersion: 'TLSv1.2' },
      addCipherSuite(ECDHE_ECDSA_WITH_AES_128_CBC_SHA),
    )
    const error = expectPolicyRefusal(outcome, 'versions', 'protocol_version')
    expect(error.offered).toBe('TLSv1.1')
    await server.waitForErrorOutput(/wrong version number/)
    expect([...(relay?.afterClientHello() ?? [])]).toEqual([21, 3, 3, 0, 2, 2, AlertDescription.protocol_version])
  })

  it('our client (minVersion TLSv1.3) ↔ openssl s_server -tls1_2: s_server finds no version in our supported_versions and alerts protocol_version', async () => {
    const { outcome, server } = await ourClientAgainst(serving(ecdsa, '-tls1_2'), { minVersion: 'TLSv1.3' })
    expectPeerRefused(outcome, 'protocol_version')
    await server.waitForErrorOutput(/unsupported protocol/)
  })

  it("openssl s_client -tls1_1 ↔ our server (TLS 1.2–1.3): our 'versions' constraint, protocol_version; s_client receives alert 70", async () => {
    const { outcome, client } = await opensslClientAgainst(['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'])
    const error = expectPolicyRefusal(outcome, 'versions', 'protocol_version')
    expect([error.offered, error.allowed]).toEqual(['TLSv1.1', 'TLSv1.2-TLSv1.3'])
    await client.waitForErrorOutput(openSslReceivedAlert('protocol_version'))
  })

  it("openssl s_client -tls1_2 ↔ our server (minVersion TLSv1.3): our 'versions' constraint, protocol_version; s_client receives alert 70", async () => {
    const { outcome, client } = await opensslClientAgainst(['-tls1_2'], { minVersion: 'TLSv1.3' })
    const error = expectPolicyRefusal(outcome, 'versions', 'protocol_version')
    expect([error.offered, error.allowed]).toEqual(['TLSv1.2', 'TLSv1.3'])
    await client.waitForErrorOutput(openSslReceivedAlert('protocol_version'))
  })
})

describe('cipher suites', () => {
  const refusedSuites = [
    { what: 'CBC only', openssl: 'ECDHE-ECDSA-AES128-SHA', chain: () => ecdsa, described: /TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA \(0xc009, refused: CBC\)/ },
    { what: 'RSA key exchange only', openssl: 'AES128-GCM-SHA256', chain: () => rsa, described: /TLS_RSA_WITH_AES_128_GCM_SHA256 \(0x009c, refused: RSA key exchange\)/ },
  ]

  for (const { what, openssl, chain, described } of refusedSuites) {
    it(`our client (ECDHE + AEAD suites) ↔ openssl s_server -tls1_2 -cipher ${openssl} (${what}): s_server finds no shared cipher and sends handshake_failure`, async () => {
      const { outcome, server } = await ourClientAgainst(serving(chain(), '-tls1_2', '-cipher', openssl), { ca: chain().rootPem })
      expectPeerRefused(outcome, 'handshake_failure')
      await server.waitForErrorOutput(/no shared cipher/)
    })

    it(`openssl s_client -tls1_2 -cipher ${openssl} (${what}) ↔ our server: our 'cipher suites' constraint, handshake_failure; s_client receives alert 40`, async () => {
      const { outcome, client } = await opensslClientAgainst(['-tls1_2', '-cipher', openssl])
      const error = expectPolicyRefusal(outcome, 'cipher suites', 'handshake_failure')
      expect(error.offered).toMatch(described)
      await client.waitForErrorOutput(openSslReceivedAlert('handshake_failure'))
    })
  }

  it("openssl s_client -tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256 ↔ our server: our 'cipher suites' constraint, handshake_failure; s_client receives alert 40", async () => {
    const { outcome, client } = await opensslClientAgainst(['-tls1_3', '-ciphersuites', 'TLS_AES_128_CCM_SHA256'])
    const error = expectPolicyRefusal(outcome, 'cipher suites', 'handshake_failure')
    expect(error.offered).toMatch(/TLS_AES_128_CCM_SHA256/)
    await client.waitForErrorOutput(openSslReceivedAlert('handshake_failure'))
  })
})

describe('groups', () => {
  // A server retries (HelloRetryRequest) only for a group the client lists in supported_groups; ours lists only
  // X25519, P-256 and P-384, so a server limited to P-521 or ffdhe2048 has nothing to retry to and refuses.
  const serverOnly = [
    { group: 'P-521', version: VERSIONS[0], says: /no suitable key share/ },
    { group: 'ffdhe2048', version: VERSIONS[0], says: /no suitable key share/ },
    { group: 'P-521', version: VERSIONS[1], says: /no shared cipher/ },
    { group: 'ffdhe2048', version: VERSIONS[1], says: /no shared cipher/ },
  ]

  for (const { group, version, says } of serverOnly) {
    it(`our client (X25519, P-256, P-384) ↔ openssl s_server ${version.flag} -groups ${group}: s_server has no group to retry to and sends handshake_failure`, async () => {
      const { outcome, server } = await ourClientAgainst(serving(ecdsa, version.flag, '-groups', group))
      expectPeerRefused(outcome, 'handshake_failure')
      await server.waitForErrorOutput(says)
    })
  }

  const pickedByServer = [
    { group: 'P-521', code: SECP521R1, wire: 'secp521r1', version: VERSIONS[0], how: 'HelloRetryRequest' },
    { group: 'ffdhe2048', code: FFDHE2048, wire: 'ffdhe2048', version: VERSIONS[0], how: 'HelloRetryRequest' },
    { group: 'P-521', code: SECP521R1, wire: 'secp521r1', version: VERSIONS[1], how: 'ServerKeyExchange' },
  ]

  for (const { group, code, wire, version, how } of pickedByServer) {
    it(`our client ↔ middlebox adding ${group} to supported_groups ↔ openssl s_server ${version.flag} -groups ${group}: the server's ${how} picks ${group}, our 'groups' constraint sends illegal_parameter, s_server receives alert 47`, async () => {
      const { outcome, server } = await ourClientAgainst(serving(ecdsa, version.flag, '-groups', group), {}, addSupportedGroup(code))
      const error = expectPolicyRefusal(outcome, 'groups', 'illegal_parameter')
      expect(error.offered).toBe(wire)
      await server.waitForErrorOutput(openSslReceivedAlert('illegal_parameter'))
    })
  }

  const clientOnly = [
    { group: 'P-521', wire: 'secp521r1', version: VERSIONS[0] },
    { group: 'ffdhe2048', wire: 'ffdhe2048', version: VERSIONS[0] },
    { group: 'P-521', wire: 'secp521r1', version: VERSIONS[1] },
  ]

  for (const { group, wire, version } of clientOnly) {
    it(`openssl s_client ${version.flag} -groups ${group} ↔ our server: our 'groups' constraint, handshake_failure, naming ${wire} as offered; s_client receives alert 40`, async () => {
      const { outcome, client } = await opensslClientAgainst([version.flag, '-groups', group])
      const error = expectPolicyRefusal(outcome, 'groups', 'handshake_failure')
      expect(error.offered).toBe(wire)
      // The ML-KEM hybrid is ours in TLS 1.3 only.
      expect(error.allowed).toBe(version.flag === '-tls1_3' ? 'X25519MLKEM768, X25519, P-256, P-384' : 'X25519, P-256, P-384')
      await client.waitForErrorOutput(openSslReceivedAlert('handshake_failure'))
    })
  }

  it('openssl s_client -tls1_3 -groups P-521:P-256 (key share P-521 only) ↔ our server: HelloRetryRequest for P-256, then connected', async () => {
    const { outcome } = await opensslClientAgainst(['-tls1_3', '-groups', 'P-521:P-256'])
    const info = completed(outcome)
    expect([info.group, info.helloRetryRequest]).toEqual(['secp256r1', true])
  })
})

describe('server certificate (our client verifies)', () => {
  const badServers = [
    { what: 'an expired leaf', chain: () => makeChain({ expired: true }), reason: 'expired', alert: 'certificate_expired' },
    { what: 'a leaf for other.example only', chain: () => makeChain({ dnsNames: ['other.example'], ipAddresses: [] }), reason: 'hostname-mismatch', alert: 'bad_certificate' },
    { what: 'a self-signed leaf not in our CA bundle', chain: () => makeChain({ selfSigned: true }), reason: 'unknown-issuer', alert: 'unknown_ca' },
  ] as const
  const cells = VERSIONS.flatMap((version) => badServers.map((bad) => ({ ...bad, version })))

  for (const { what, chain, reason, alert, version } of cells) {
    it(`our client ↔ openssl s_server ${version.flag} with ${what}: CertificateVerificationError ${reason}, ${alert}; s_server receives alert ${AlertDescription[alert]}`, async () => {
      const { outcome, server } = await ourClientAgainst(serving(await chain(), version.flag))
      expectCertificateRefusal(outcome, reason, alert)
      await server.waitForErrorOutput(openSslReceivedAlert(alert))
    })
  }

  for (const { flag } of VERSIONS) {
    it(`our client ↔ openssl s_server ${flag} sending the leaf without its intermediate: CertificateVerificationError unknown-issuer, unknown_ca; s_server receives alert 48`, async () => {
      const { outcome, server } = await ourClientAgainst(serving(withIntermediate, flag))
      const error = expectCertificateRefusal(outcome, 'unknown-issuer', 'unknown_ca')
      expect(error.depth).toBe(0)
      await server.waitForErrorOutput(openSslReceivedAlert('unknown_ca'))
    })

    it(`our client ↔ openssl s_server ${flag} sending leaf + intermediate (control): verified`, async () => {
      const { outcome } = await ourClientAgainst(serving(withIntermediate, flag, '-cert_chain', withIntermediate.intermediatePath as string))
      expect(completed(outcome).peerVerified).toBe(true)
    })

    it(`our client (verifyMode 'none') ↔ openssl s_server ${flag} with a self-signed leaf: connected, peerVerified false`, async () => {
      const selfSigned = await makeChain({ selfSigned: true })
      const { outcome } = await ourClientAgainst(serving(selfSigned, flag), { verifyMode: 'none' })
      const info = completed(outcome)
      expect(info.peerVerified).toBe(false)
      expect(info.peerCertificates).toHaveLength(1)
      expect(outcome.ok && outcome.socket.authorized).toBe(false)
    })
  }
})

describe('client certificate (our server verifies)', () => {
  const required = (): Partial<ServerOptions> => ({ verifyMode: 'required', ca: clientChain.rootPem })
  const noCertificate = [
    { version: VERSIONS[0], alert: 'certificate_required', number: 116 },
    { version: VERSIONS[1], alert: 'handshake_failure', number: 40 },
  ] as const

  for (const { version, alert, number } of noCertificate) {
    it(`openssl s_client ${version.flag} without a certificate ↔ our server (verifyMode 'required'): our 'peer certificate' constraint, ${alert}; s_client receives alert ${number}`, async () => {
      const { outcome, client } = await opensslClientAgainst([version.flag], required())
      expectPolicyRefusal(outcome, 'peer certificate', alert)
      await client.waitForErrorOutput(openSslReceivedAlert(alert))
    })
  }

  for (const { flag } of VERSIONS) {
    it(`openssl s_client ${flag} with a certificate from an untrusted CA ↔ our server (verifyMode 'required'): CertificateVerificationError unknown-issuer, unknown_ca; s_client receives alert 48`, async () => {
      const { outcome, client } = await opensslClientAgainst([flag, '-cert', untrustedClient.leafPath, '-key', untrustedClient.keyPath], required())
      expectCertificateRefusal(outcome, 'unknown-issuer', 'unknown_ca')
      await client.waitForErrorOutput(openSslReceivedAlert('unknown_ca'))
    })

    it(`openssl s_client ${flag} with a certificate from the trusted CA ↔ our server (verifyMode 'required', control): verified`, async () => {
      const { outcome } = await opensslClientAgainst([flag, '-cert', clientChain.leafPath, '-key', clientChain.keyPath], required())
      expect(completed(outcome).peerVerified).toBe(true)
    })
  }
})

describe('alpn', () => {
  for (const { flag } of VERSIONS) {
    it(`openssl s_client ${flag} -alpn http/1.1 ↔ our server (alpnProtocols ['h2'], alpnStrict): our 'alpn' constraint, no_application_protocol; s_client receives alert 120`, async () => {
      const { outcome, client } = await opensslClientAgainst([flag, '-alpn', 'http/1.1'], { alpnProtocols: ['h2'], alpnStrict: true })
      const error = expectPolicyRefusal(outcome, 'alpn', 'no_application_protocol')
      expect([error.offered, error.allowed]).toEqual(['http/1.1', 'h2'])
      await client.waitForErrorOutput(openSslReceivedAlert('no_application_protocol'))
    })

    it(`openssl s_client ${flag} -alpn http/1.1 ↔ our server (alpnProtocols ['h2'], not strict, control): connected without ALPN`, async () => {
      const { outcome } = await opensslClientAgainst([flag, '-alpn', 'http/1.1'], { alpnProtocols: ['h2'] })
      expect(completed(outcome).alpnProtocol).toBeUndefined()
    })
  }
})
