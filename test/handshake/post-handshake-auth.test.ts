// Post-handshake client authentication (RFC 8446 4.6.2) in memory, our client against our server: the answer, the verified chain, the refusals, the bounds.
import { X509Certificate } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nobleProvider } from '../../src/crypto/noble.js'
import { CertificateVerificationError, TlsAlertReceivedError, TlsConfigError, TlsError, TlsPolicyError } from '../../src/errors.js'
import type { Connection } from '../../src/handshake/connection.js'
import { type ClientCertificate, type ContextOptions, createDefaultContext } from '../../src/handshake/context.js'
import { trafficKeys } from '../../src/handshake/key-schedule.js'
import type { ClientCertificateRequest, ConnectionInfo } from '../../src/handshake/session.js'
import { cipherSuiteByCode, type Tls13CipherSuite } from '../../src/policy/suites.js'
import { ContentType } from '../../src/record/content.js'
import { Tls13RecordProtection } from '../../src/record/tls13-protection.js'
import { asyncProvider } from '../helpers/async-provider.js'
import { concatBytes, handshakeMessage, HS, parseRecords } from '../helpers/mitm.js'
import { type PairResult, runPair, runPairAsync, type Tamper } from '../helpers/pair.js'
import { type Chain, cleanupPki, makeChain, makeClientChain } from '../helpers/pki.js'
import { now, openedNow } from '../helpers/sync.js'

const POST_HANDSHAKE_AUTH = 49

let chain: Chain
let clientChain: Chain
let strangerChain: Chain
beforeAll(async () => {
  ;[chain, clientChain, strangerChain] = await Promise.all([
    makeChain({ withIntermediate: true }),
    makeClientChain({ withIntermediate: true }),
    makeClientChain({ caName: 'a stranger CA' }),
  ])
})
afterAll(cleanupPki)

/** A TLS 1.3 pair; the server defers client authentication to after the handshake unless told otherwise. */
function pair(client: ContextOptions = {}, server: ContextOptions = {}, keyLog?: (line: string) => void) {
  const messages: string[] = []
  return {
    messages,
    client: createDefaultContext('server-auth', { ca: chain.rootPem, minVersion: 'TLSv1.3', cipherSuites: ['TLS_AES_128_GCM_SHA256'], keyLog, ...client }).client({
      serverName: 'localhost',
    }),
    server: createDefaultContext('client-auth', {
      cert: chain.chainPem,
      key: chain.keyPem,
      ca: chain.rootPem,
      verifyMode: 'required',
      postHandshakeAuth: true,
      ...server,
    }).server({ onHandshakeMessage: (direction, type) => messages.push(`${direction} ${type}`) }),
  }
}

const withCertificate = (): ContextOptions => ({ cert: clientChain.chainPem, key: clientChain.keyPem })

function expectConnected(result: PairResult): void {
  expect(result.clientError).toBeUndefined()
  expect(result.serverError).toBeUndefined()
}

/** The DER of the first certificate in a PEM chain. */
function leafDer(pem: string): Uint8Array {
  return new Uint8Array(new X509Certificate(pem).raw)
}

/** Asks, shuttles, and returns the settled request. */
async function authenticate(client: Connection, server: Connection, tamper?: Tamper): Promise<{ result: PairResult; outcome: PromiseSettledResult<ConnectionInfo> }> {
  const request = server.requestClientCertificate()
  const result = runPair(client, server, tamper)
  const [outcome] = await Promise.allSettled([request])
  return { result, outcome: outcome! }
}

function expectData(client: Connection, server: Connection): void {
  client.write('ping')
  server.write('pong')
  expectConnected(runPair(client, server))
  expect(Buffer.from(server.read()).toString()).toBe('ping')
  expect(Buffer.from(client.read()).toString()).toBe('pong')
}

describe('a server asks after the handshake and reports the verified chain', () => {
  it('no CertificateRequest in the handshake; after it, info carries the client chain, verified, and the CertificateVerify scheme', async () => {
    const { client, server, messages } = pair(withCertificate())
    expectConnected(runPair(client, server))
    expect(messages).not.toContain('sent certificate_request')
    const before = server.info!
    expect(before).toMatchObject({ peerVerified: false, peerCertificates: [] })
    const { result, outcome } = await authenticate(client, server)
    expectConnected(result)
    expect(outcome.status).toBe('fulfilled')
    const info = (outcome as PromiseFulfilledResult<ConnectionInfo>).value
    expect(info).toBe(server.info)
    expect(info).toMatchObject({ peerVerified: true, signatureScheme: 'ecdsa_secp256r1_sha256', version: 'TLSv1.3' })
    expect(info.peerCertificates).toHaveLength(2)
    expect(Buffer.from(info.peerCertificates[0]!).equals(leafDer(clientChain.leafPem))).toBe(true)
    expect(Object.isFrozen(info)).toBe(true)
    // The earlier info is a separate frozen object, unchanged.
    expect(before).toMatchObject({ peerVerified: false, peerCertificates: [] })
    expect(messages.filter((m) => m.startsWith('received'))).toEqual(
      expect.arrayContaining(['received certificate', 'received certificate_verify', 'received finished']),
    )
    expectData(client, server)
  })

  it('asks again and again, one at a time; a second request while one is outstanding is refused and changes nothing', async () => {
    const { client, server } = pair(withCertificate())
    expectConnected(runPair(client, server))
    const first = server.requestClientCertificate()
    expect(() => server.requestClientCertificate()).toThrow(expect.objectContaining({ code: 'ERR_TLS_CERTIFICATE_REQUEST_PENDING' }))
    expectConnected(runPair(client, server))
    await expect(first).resolves.toMatchObject({ peerVerified: true })
    for (let i = 0; i < 3; i++) {
      const { result, outcome } = await authenticate(client, server)
      expectConnected(result)
      expect(outcome.status).toBe('fulfilled')
    }
    expectData(client, server)
  })

  it('after KeyUpdates both ways the answer is keyed by the current client_application_traffic_secret_N', async () => {
    const { client, server } = pair(withCertificate())
    expectConnected(runPair(client, server))
    client.updateKeys(true)
    expectConnected(runPair(client, server))
    client.updateKeys(false)
    const { result, outcome } = await authenticate(client, server)
    expectConnected(result)
    expect(outcome.status).toBe('fulfilled')
    expectData(client, server)
  })

  it("under the server's record_size_limit of 64 an RSA chain's answer takes dozens of records, all accepted", async () => {
    const rsa = await makeClientChain({ leafKey: 'rsa-2048', caKey: 'rsa-2048', withIntermediate: true })
    // Leaf, intermediate and root: about 2.8 KB of Certificate.
    const { client, server } = pair({ cert: rsa.chainPem + rsa.rootPem, key: rsa.keyPem }, { recordSizeLimit: 64, ca: [chain.rootPem, rsa.rootPem] })
    expectConnected(runPair(client, server))
    const records: number[] = []
    const count: Tamper = (bytes, direction) => {
      if (direction === 'client->server') records.push(parseRecords(bytes).length)
      return bytes
    }
    const { result, outcome } = await authenticate(client, server, count)
    expectConnected(result)
    expect(outcome).toMatchObject({ status: 'fulfilled', value: { peerVerified: true, signatureScheme: 'rsa_pss_rsae_sha256' } })
    // Far more than the 32 records in a row without application data that are allowed to start messages.
    expect(records.reduce((a, b) => a + b, 0)).toBeGreaterThan(32)
  })

  it('with an asynchronous provider on both sides (key shares, signatures, AEAD through promises)', async () => {
    // As in connection-async.test.ts: chain verification does not await the provider yet (it fails closed), so verify stays synchronous.
    const provider = asyncProvider(nobleProvider, { asynchronous: ['generateKeyShare', 'agree', 'sign', 'seal', 'open'] })
    const { client, server } = pair({ ...withCertificate(), provider }, { provider })
    expectConnected(await runPairAsync(client, server))
    const request = server.requestClientCertificate()
    expectConnected(await runPairAsync(client, server, { chunk: 7 }))
    await expect(request).resolves.toMatchObject({ peerVerified: true, signatureScheme: 'ecdsa_secp256r1_sha256' })
  })

  it("a client's clientCertificate callback is asked, with the request, and may answer through a promise", async () => {
    const requests: ClientCertificateRequest[] = []
    const clientCertificate = (request: ClientCertificateRequest): Promise<ClientCertificate> => {
      requests.push(request)
      return Promise.resolve({ cert: clientChain.chainPem, key: clientChain.keyPem })
    }
    const { client, server } = pair({ clientCertificate })
    expectConnected(runPair(client, server))
    const request = server.requestClientCertificate()
    expectConnected(await runPairAsync(client, server))
    await expect(request).resolves.toMatchObject({ peerVerified: true })
    expect(requests).toHaveLength(1)
    expect(requests[0]).toMatchObject({ postHandshake: true, version: 'TLSv1.3', serverName: 'localhost' })
    expect(requests[0]!.signatureSchemes).toContain('ecdsa_secp256r1_sha256')
  })

  it('the same callback answers a CertificateRequest in the handshake (TLS 1.3 and 1.2)', () => {
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      const requests: ClientCertificateRequest[] = []
      const clientCertificate = (request: ClientCertificateRequest) => {
        requests.push(request)
        return { cert: clientChain.chainPem, key: clientChain.keyPem }
      }
      const { client, server } = pair({ clientCertificate, minVersion: 'TLSv1.2', maxVersion, cipherSuites: undefined }, { postHandshakeAuth: false })
      expectConnected(runPair(client, server))
      expect(server.info).toMatchObject({ peerVerified: true, version: maxVersion })
      expect(requests).toEqual([expect.objectContaining({ postHandshake: false, version: maxVersion })])
    }
  })
})

describe('answers without a certificate', () => {
  it("'optional': a client whose callback finds none answers with an empty Certificate; info says unverified", async () => {
    const { client, server } = pair({ clientCertificate: () => undefined }, { verifyMode: 'optional' })
    expectConnected(runPair(client, server))
    const { result, outcome } = await authenticate(client, server)
    expectConnected(result)
    expect((outcome as PromiseFulfilledResult<ConnectionInfo>).value).toMatchObject({ peerVerified: false, peerCertificates: [], signatureScheme: undefined })
    expectData(client, server)
  })

  it("'required': an empty answer ends the connection with certificate_required and rejects the request", async () => {
    const { client, server } = pair({ clientCertificate: () => undefined })
    expectConnected(runPair(client, server))
    const { result, outcome } = await authenticate(client, server)
    expect(result.serverError).toBeInstanceOf(TlsPolicyError)
    expect((result.serverError as TlsError).alert).toBe('certificate_required')
    expect((result.clientError as TlsAlertReceivedError).received).toBe('certificate_required')
    expect(outcome).toEqual({ status: 'rejected', reason: result.serverError })
  })

  it('a certificate from a CA the server does not trust: unknown_ca, the request rejected with the verification error', async () => {
    const { client, server } = pair({ cert: strangerChain.chainPem, key: strangerChain.keyPem })
    expectConnected(runPair(client, server))
    const { result, outcome } = await authenticate(client, server)
    expect(result.serverError).toBeInstanceOf(CertificateVerificationError)
    expect((result.clientError as TlsAlertReceivedError).received).toBe((result.serverError as TlsError).alert)
    expect(outcome.status).toBe('rejected')
  })

  it('a callback that throws ends the connection (internal_error); one returning garbage too', async () => {
    for (const clientCertificate of [
      () => {
        throw new Error('the smartcard is gone')
      },
      () => ({ cert: 'not a certificate', key: clientChain.keyPem }),
    ]) {
      const { client, server } = pair({ clientCertificate })
      expectConnected(runPair(client, server))
      const { result, outcome } = await authenticate(client, server)
      expect((result.clientError as TlsError).alert).toBe('internal_error')
      expect(outcome.status).toBe('rejected')
    }
  })
})

describe('who may ask, and when', () => {
  it('a client with neither a certificate nor a callback does not offer post_handshake_auth: it cannot be asked, and is asked in the handshake instead', () => {
    const optional = pair({}, { verifyMode: 'optional' })
    expectConnected(runPair(optional.client, optional.server))
    expect(optional.messages).toContain('sent certificate_request')
    expect(() => optional.server.requestClientCertificate()).toThrow(expect.objectContaining({ code: 'ERR_TLS_NO_POST_HANDSHAKE_AUTH' }))
    expectData(optional.client, optional.server)
    // Under 'required' such a client is refused in the handshake, as without postHandshakeAuth.
    const required = pair()
    const result = runPair(required.client, required.server)
    expect((result.serverError as TlsError).alert).toBe('certificate_required')
  })

  it('the offer: post_handshake_auth in the ClientHello exactly when the client has a certificate or a callback', () => {
    for (const [options, offered] of [
      [{}, false],
      [withCertificate(), true],
      [{ clientCertificate: () => undefined }, true],
      [{ ...withCertificate(), minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', cipherSuites: undefined }, false],
    ] as const) {
      const { client } = pair(options as ContextOptions)
      const [record] = parseRecords(client.takeOutgoing())
      expect(extensionTypesOfClientHello(record!.fragment).includes(POST_HANDSHAKE_AUTH), JSON.stringify(options)).toBe(offered)
    }
  })

  it('misuses throw and leave the connection sound: a client, before the handshake, TLS 1.2, after close()', () => {
    const { client, server } = pair(withCertificate())
    expect(() => server.requestClientCertificate()).toThrow(expect.objectContaining({ code: 'ERR_TLS_NOT_READY' }))
    expectConnected(runPair(client, server))
    expect(() => client.requestClientCertificate()).toThrow(expect.objectContaining({ code: 'ERR_TLS_NOT_SERVER' }))
    const tls12 = pair({ ...withCertificate(), maxVersion: 'TLSv1.2', minVersion: 'TLSv1.2', cipherSuites: undefined }, { verifyMode: 'optional' })
    expectConnected(runPair(tls12.client, tls12.server))
    expect(() => tls12.server.requestClientCertificate()).toThrow(expect.objectContaining({ code: 'ERR_TLS_POST_HANDSHAKE_AUTH_TLS12' }))
    expectData(client, server)
    server.close()
    expect(() => server.requestClientCertificate()).toThrow(expect.objectContaining({ code: 'ERR_TLS_WRITE_AFTER_CLOSE' }))
  })

  it('a server without a verifier cannot ask: postHandshakeAuth needs verifyMode optional or required', () => {
    expect(() => createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem, postHandshakeAuth: true })).toThrow(TlsConfigError)
    expect(() => createDefaultContext('server-auth', { ca: chain.rootPem, postHandshakeAuth: true })).toThrow(TlsConfigError)
    expect(() => createDefaultContext('server-auth', { ca: chain.rootPem, ...withCertificate(), clientCertificate: () => undefined })).toThrow(TlsConfigError)
    expect(() => createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem, clientCertificate: () => undefined })).toThrow(TlsConfigError)
    expect(() => createDefaultContext('server-auth', { ca: chain.rootPem, clientCertificate: 'me' as never })).toThrow(TlsConfigError)
  })

  it('the client closes before answering: the request is rejected; its late answer is never sent', async () => {
    let answer: ((found: ClientCertificate) => void) | undefined
    const { client, server } = pair({ clientCertificate: () => new Promise<ClientCertificate>((resolve) => (answer = resolve)) })
    expectConnected(runPair(client, server))
    const request = server.requestClientCertificate()
    expectConnected(runPair(client, server))
    expect(client.busy).toBe(true)
    client.close()
    expectConnected(runPair(client, server))
    await expect(request).rejects.toBeInstanceOf(TlsAlertReceivedError)
    answer!({ cert: clientChain.chainPem, key: clientChain.keyPem })
    await client.settled()
    expect(client.takeOutgoing()).toHaveLength(0)
    expect(() => server.requestClientCertificate()).toThrow(expect.objectContaining({ code: 'ERR_TLS_PEER_CLOSED' }))
  })
})

/** The extension types of the ClientHello in a plaintext handshake record's fragment. */
function extensionTypesOfClientHello(fragment: Uint8Array): number[] {
  const body = fragment.subarray(4)
  let at = 2 + 32
  at += 1 + body[at]!
  at += 2 + ((body[at]! << 8) | body[at + 1]!)
  at += 1 + body[at]!
  const end = at + 2 + ((body[at]! << 8) | body[at + 1]!)
  const types: number[] = []
  for (at += 2; at < end; at += 4 + ((body[at + 2]! << 8) | body[at + 3]!)) types.push((body[at]! << 8) | body[at + 1]!)
  return types
}

/**
 * Opens and re-seals one direction's records under the application traffic keys (from the client's key log), so a
 * test can add, split or change post-handshake messages. No KeyUpdate may happen: it knows only secret 0.
 */
class ApplicationKeyTap {
  private readonly secrets = new Map<string, Uint8Array>()
  private opener: Tls13RecordProtection | undefined
  private sealer: Tls13RecordProtection | undefined
  private readonly suite = cipherSuiteByCode(0x1301) as Tls13CipherSuite

  readonly keyLog = (line: string): void => {
    const [label, , secret] = line.split(' ')
    if (label && secret) this.secrets.set(label, Uint8Array.from(Buffer.from(secret, 'hex')))
  }

  private protection(label: string): Tls13RecordProtection {
    const { key, iv } = trafficKeys(nobleProvider, this.suite.hash, this.secrets.get(label)!, this.suite.keyLength, this.suite.ivLength)
    return new Tls13RecordProtection(nobleProvider, this.suite.aead, key, iv)
  }

  /** A tamper for runPair after the handshake: `edit` gets each record's content in `direction` and returns records to send. */
  tamper(direction: 'client->server' | 'server->client', edit: (type: number, content: Uint8Array) => { type: number; content: Uint8Array }[]): Tamper {
    const label = direction === 'client->server' ? 'CLIENT_TRAFFIC_SECRET_0' : 'SERVER_TRAFFIC_SECRET_0'
    return (bytes, way) => {
      if (way !== direction) return bytes
      this.opener ??= this.protection(label)
      this.sealer ??= this.protection(label)
      const out = parseRecords(bytes).flatMap((record) => {
        const opened = openedNow(this.opener!.open(ContentType.application_data, record.fragment, record.header))
        return edit(opened.type, opened.fragment).map(({ type, content }) => now(this.sealer!.seal(type as ContentType, content)))
      })
      return concatBytes(...out)
    }
  }

  /** One record of `type` carrying `content`, as `direction`'s sender would seal it next (nothing sent before under secret 0). */
  forge(direction: 'client->server' | 'server->client', type: number, content: Uint8Array): Uint8Array {
    return now(this.protection(direction === 'client->server' ? 'CLIENT_TRAFFIC_SECRET_0' : 'SERVER_TRAFFIC_SECRET_0').seal(type as ContentType, content))
  }
}

/** Splits a run of handshake messages (one record's content) into the messages. */
function messagesOf(content: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let at = 0; at < content.length; ) {
    const length = (content[at + 1]! << 16) | (content[at + 2]! << 8) | content[at + 3]!
    out.push(content.subarray(at, at + 4 + length))
    at += 4 + length
  }
  return out
}

const handshake = (content: Uint8Array) => ({ type: ContentType.handshake, content })

describe('refusals on the wire', () => {
  function tappedPair(client: ContextOptions = withCertificate(), server: ContextOptions = {}) {
    const tap = new ApplicationKeyTap()
    const connections = pair(client, server, tap.keyLog)
    expectConnected(runPair(connections.client, connections.server))
    return { tap, ...connections }
  }

  /** The client's answer with `between` inserted after its Certificate. */
  function answerWith(tap: ApplicationKeyTap, between: { type: number; content: Uint8Array }): Tamper {
    return tap.tamper('client->server', (type, content) => {
      if (type !== ContentType.handshake || content[0] !== HS.certificate) return [{ type, content }]
      const [certificate, ...rest] = messagesOf(content)
      return [handshake(certificate!), between, handshake(concatBytes(...rest))]
    })
  }

  it('application data between the Certificate and the Finished of the answer: unexpected_message', async () => {
    const { tap, client, server } = tappedPair()
    const { result, outcome } = await authenticate(client, server, answerWith(tap, { type: ContentType.application_data, content: Uint8Array.from([1]) }))
    expect((result.serverError as TlsError).alert).toBe('unexpected_message')
    expect((result.serverError as Error).message).toMatch(/answer to our CertificateRequest/)
    expect(outcome.status).toBe('rejected')
  })

  it('a KeyUpdate between the Certificate and the CertificateVerify: unexpected_message', async () => {
    const { tap, client, server } = tappedPair()
    const keyUpdate = handshake(handshakeMessage(HS.key_update, Uint8Array.from([0])))
    const { result } = await authenticate(client, server, answerWith(tap, keyUpdate))
    expect((result.serverError as TlsError).alert).toBe('unexpected_message')
    expect((result.serverError as Error).message).toMatch(/expected certificate_verify/)
  })

  it('an answer that does not echo the certificate_request_context: illegal_parameter', async () => {
    const { tap, client, server } = tappedPair()
    const tamper = tap.tamper('client->server', (type, content) => {
      if (type !== ContentType.handshake || content[0] !== HS.certificate) return [{ type, content }]
      const edited = content.slice()
      edited[4 + 1 + 7]! ^= 1 // the last byte of the 8-byte context
      return [handshake(edited)]
    })
    const { result } = await authenticate(client, server, tamper)
    expect((result.serverError as TlsError).alert).toBe('illegal_parameter')
  })

  it('an unsolicited Certificate from the client: unexpected_message', () => {
    const { tap, client, server } = tappedPair()
    const certificate = handshakeMessage(HS.certificate, Uint8Array.from([0, 0, 0, 0]))
    expect(() => server.receive(tap.forge('client->server', ContentType.handshake, certificate))).toThrow(
      expect.objectContaining({ alert: 'unexpected_message', message: expect.stringMatching(/without an outstanding CertificateRequest/) }),
    )
    expect(client.error).toBeUndefined()
  })

  it('a CertificateRequest to a client that did not offer post_handshake_auth: unexpected_message', () => {
    const { tap, client } = tappedPair({}, { verifyMode: 'optional' })
    // context "01", signature_algorithms with ecdsa_secp256r1_sha256.
    const request = handshakeMessage(HS.certificate_request, Uint8Array.from([1, 1, 0, 8, 0, 13, 0, 4, 0, 2, 4, 3]))
    expect(() => client.receive(tap.forge('server->client', ContentType.handshake, request))).toThrow(expect.objectContaining({ alert: 'unexpected_message' }))
  })

  it(`a client answers at most 32 CertificateRequests per connection`, async () => {
    const { client, server } = pair(withCertificate())
    expectConnected(runPair(client, server))
    for (let i = 0; i < 32; i++) expect((await authenticate(client, server)).outcome.status).toBe('fulfilled')
    const { result, outcome } = await authenticate(client, server)
    expect((result.clientError as TlsError).alert).toBe('unexpected_message')
    expect((result.clientError as Error).message).toMatch(/more than 32/)
    expect(outcome.status).toBe('rejected')
  })
})
