// The sans-I/O Connection end to end in memory: both versions, data both ways, key updates, exporters, close, failures.
import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { TlsAlertReceivedError, TlsConfigError, TlsError } from '../errors.js'
import { AeadProtection } from '../record/aead-protection.js'
import { concat, utf8 } from '../bytes.js'
import { type Chain, cleanupPki, makeChain, makeClientChain } from '../../test/helpers/pki.js'
import { runPair } from '../../test/helpers/pair.js'
import type { Connection } from './connection.js'
import { type ContextOptions, createDefaultContext } from './context.js'

let chain: Chain
let clientChain: Chain
let otherRoot: Chain

beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true })
  clientChain = await makeClientChain({ leafKey: 'ecdsa-p256', caName: 'pure-tls client CA' })
  otherRoot = await makeChain({ leafKey: 'ecdsa-p256', caName: 'an unrelated root' })
})
afterAll(() => cleanupPki())

function pair(clientOptions: ContextOptions = {}, serverOptions: ContextOptions = {}): { client: Connection; server: Connection } {
  const server = createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem, ...serverOptions }).server()
  const client = createDefaultContext('server-auth', { ca: chain.rootPem, ...clientOptions }).client({ serverName: 'localhost' })
  return { client, server }
}

function connected(clientOptions: ContextOptions = {}, serverOptions: ContextOptions = {}): { client: Connection; server: Connection } {
  const p = pair(clientOptions, serverOptions)
  const result = runPair(p.client, p.server)
  expect(result.clientError ?? result.serverError).toBeUndefined()
  expect(p.client.handshakeComplete && p.server.handshakeComplete).toBe(true)
  return p
}

function exchange(from: Connection, to: Connection, data: Uint8Array, client: Connection, server: Connection): Uint8Array {
  from.write(data)
  runPair(client, server)
  return to.read()
}

for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
  describe(`${version} in memory`, () => {
    it('agrees on the parameters at both ends and verifies the server', () => {
      const { client, server } = connected({ maxVersion: version, alpnProtocols: ['h2', 'http/1.1'] }, { alpnProtocols: ['http/1.1'] })
      for (const info of [client.info!, server.info!]) {
        expect(info.version).toBe(version)
        expect(info.alpnProtocol).toBe('http/1.1')
        expect(info.serverName).toBe('localhost')
      }
      expect(client.info!.cipherSuite).toBe(server.info!.cipherSuite)
      expect(client.info!.group).toBe(server.info!.group)
      expect(client.info!.peerVerified).toBe(true)
      expect(client.info!.peerCertificates).toHaveLength(2)
      expect(server.info!.peerCertificates).toHaveLength(0)
      if (version === 'TLSv1.2') expect(client.info!.extendedMasterSecret).toBe(true)
    })

    it('moves 1 MiB each way in order, including data written before the handshake finished', () => {
      const { client, server } = pair({ maxVersion: version })
      client.write(utf8.encode('early '))
      runPair(client, server)
      const big = new Uint8Array(1 << 20).map((_, i) => (i * 31 + 7) & 0xff)
      expect(Buffer.from(exchange(client, server, big, client, server))).toEqual(Buffer.concat([Buffer.from('early '), Buffer.from(big)]))
      expect(Buffer.from(exchange(server, client, big, client, server))).toEqual(Buffer.from(big))
    })

    it('derives the same exporter output at both ends, different per label and context', () => {
      const { client, server } = connected({ maxVersion: version })
      const a = client.exportKeyingMaterial('EXPERIMENTAL test', utf8.encode('ctx'), 32)
      expect(server.exportKeyingMaterial('EXPERIMENTAL test', utf8.encode('ctx'), 32)).toEqual(a)
      expect(client.exportKeyingMaterial('EXPERIMENTAL other', utf8.encode('ctx'), 32)).not.toEqual(a)
      expect(client.exportKeyingMaterial('EXPERIMENTAL test', utf8.encode('ctz'), 32)).not.toEqual(a)
    })

    it('closes with close_notify both ways', () => {
      const { client, server } = connected({ maxVersion: version })
      client.close()
      runPair(client, server)
      expect(server.peerClosed).toBe(true)
      server.write(utf8.encode('after your close'))
      server.close()
      runPair(client, server)
      expect(utf8.decode(client.read())).toBe('after your close')
      expect(client.peerClosed).toBe(true)
      expect(client.state).toBe('closed')
      expect(() => client.write(utf8.encode('x'))).toThrow(TlsError)
    })

    it('authenticates a client certificate when the server requires one', () => {
      const { client, server } = connected(
        { maxVersion: version, cert: clientChain.chainPem, key: clientChain.keyPem },
        { verifyMode: 'required', ca: clientChain.rootPem },
      )
      expect(server.info!.peerVerified).toBe(true)
      expect(server.info!.peerCertificates.length).toBeGreaterThan(0)
      expect(client.info!.peerVerified).toBe(true)
    })

    it('refuses a client without a certificate when one is required, naming the constraint', () => {
      const { client, server } = pair({ maxVersion: version }, { verifyMode: 'required', ca: clientChain.rootPem })
      const result = runPair(client, server)
      expect(result.serverError).toMatchObject({ constraint: 'peer certificate', alert: version === 'TLSv1.3' ? 'certificate_required' : 'handshake_failure' })
      expect(result.clientError).toBeInstanceOf(TlsAlertReceivedError)
    })

    it('lets a client without a certificate through when verification is optional, and says it was not verified', () => {
      const { server } = connected({ maxVersion: version }, { verifyMode: 'optional', ca: clientChain.rootPem })
      expect(server.info!.peerVerified).toBe(false)
      expect(server.info!.peerCertificates).toHaveLength(0)
    })

    it('picks among several server certificates the one naming the SNI host', async () => {
      const alpha = await makeChain({ leafKey: 'ecdsa-p256', dnsNames: ['alpha.test'], caName: 'sni root' })
      const beta = await makeChain({ leafKey: 'ecdsa-p256', dnsNames: ['beta.test'], caName: 'sni root' })
      const serverContext = createDefaultContext('client-auth', {
        certificates: [
          { cert: alpha.chainPem, key: alpha.keyPem },
          { cert: beta.chainPem, key: beta.keyPem },
        ],
      })
      for (const name of ['alpha.test', 'beta.test']) {
        const server = serverContext.server()
        const client = createDefaultContext('server-auth', { ca: alpha.rootPem, maxVersion: version }).client({ serverName: name })
        expect(runPair(client, server)).toEqual({})
        expect(client.info!.peerVerified).toBe(true)
        expect(server.info!.serverName).toBe(name)
      }
    })

    it('refuses a server whose chain leads to a root it does not trust (unknown_ca reaches the server)', () => {
      const { client, server } = pair({ maxVersion: version, ca: otherRoot.rootPem })
      const result = runPair(client, server)
      expect(result.clientError).toMatchObject({ reason: 'unknown-issuer', alert: 'unknown_ca' })
      expect(result.serverError).toMatchObject({ received: 'unknown_ca' })
      expect(client.handshakeComplete).toBe(false)
    })
  })
}

describe('TLS 1.3 specifics', () => {
  it('updates keys in both directions with data flowing after each update', () => {
    const { client, server } = connected()
    client.updateKeys(true)
    expect(utf8.decode(exchange(client, server, utf8.encode('after client update'), client, server))).toBe('after client update')
    expect(utf8.decode(exchange(server, client, utf8.encode('server after answering'), client, server))).toBe('server after answering')
    server.updateKeys(false)
    expect(utf8.decode(exchange(server, client, utf8.encode('after server update'), client, server))).toBe('after server update')
    expect(utf8.decode(exchange(client, server, utf8.encode('client still fine'), client, server))).toBe('client still fine')
  })

  it('performs a HelloRetryRequest when the server wants a group the client sent no share for', () => {
    const { client, server } = connected({ groups: ['X25519', 'P-256'] }, { groups: ['P-384', 'P-256'] })
    expect(client.info!.helloRetryRequest).toBe(true)
    expect(server.info!.helloRetryRequest).toBe(true)
    expect(client.info!.group).toBe('secp256r1')
  })

  it('updates its write keys by itself before the AEAD confidentiality limit (RFC 8446 5.5)', () => {
    const { client, server } = connected({ cipherSuites: ['TLS_AES_128_GCM_SHA256'] })
    const limit = client['records'].currentWriteProtection.confidentialityLimit
    const spy = vi.spyOn(AeadProtection.prototype, 'recordsProtected', 'get').mockReturnValue(limit - 10)
    const before = client['records'].currentWriteProtection
    client.write(utf8.encode('near the limit'))
    spy.mockRestore()
    expect(client['records'].currentWriteProtection).not.toBe(before)
    expect(utf8.decode((runPair(client, server), server.read()))).toBe('near the limit')
    expect(utf8.decode(exchange(server, client, utf8.encode('still in step'), client, server))).toBe('still in step')
  })

  it('refuses KeyUpdate on TLS 1.2 without harming the connection', () => {
    const { client, server } = connected({ maxVersion: 'TLSv1.2' })
    expect(() => client.updateKeys()).toThrow(expect.objectContaining({ code: 'ERR_TLS_KEY_UPDATE_TLS12' }))
    expect(client.state).toBe('open')
    expect(utf8.decode(exchange(client, server, utf8.encode('still fine'), client, server))).toBe('still fine')
  })
})

describe('closing and floods', () => {
  it('delivers data written and closed before the handshake finished, then the close_notify, both versions', () => {
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) {
      const { client, server } = pair({ maxVersion })
      client.write(utf8.encode('said early'))
      client.close()
      expect(runPair(client, server)).toEqual({})
      expect(utf8.decode(server.read())).toBe('said early')
      expect(server.peerClosed).toBe(true)
    }
  })

  it('ends a handshake the peer closes with close_notify instead of waiting forever', () => {
    const { client, server } = pair()
    server.takeOutgoing()
    server.close()
    // The server has not finished its handshake: its close_notify goes out once the handshake would complete,
    // so inject one by hand, as a peer giving up would send it.
    let error: unknown
    try {
      client.receive(new Uint8Array([21, 3, 3, 0, 2, 1, 0]))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(TlsAlertReceivedError)
    expect(error).toMatchObject({ received: 'close_notify' })
  })

  it('ignores whatever follows the peer close_notify (RFC 8446 6.1)', () => {
    const { client, server } = connected()
    server.close()
    const closing = server.takeOutgoing()
    client.receive(concat(closing, new Uint8Array([23, 3, 3, 0, 20, ...new Uint8Array(20)])))
    expect(client.peerClosed).toBe(true)
    expect(client.error).toBeUndefined()
    expect(client.read()).toHaveLength(0)
  })

  it('refuses KeyUpdate after close(), and sends no answer to a KeyUpdate once closed', () => {
    const { client, server } = connected()
    client.close()
    expect(() => client.updateKeys()).toThrow(expect.objectContaining({ code: 'ERR_TLS_WRITE_AFTER_CLOSE' }))
    runPair(client, server)
    server.updateKeys(true)
    client.receive(server.takeOutgoing())
    expect(client.takeOutgoing()).toHaveLength(0)
    expect(client.error).toBeUndefined()
  })

  it('bounds post-handshake messages that carry no data: a KeyUpdate flood is refused', () => {
    const { client, server } = connected()
    for (let i = 0; i < 40; i++) server.updateKeys(false)
    const result = runPair(client, server)
    expect(result.clientError).toMatchObject({ alert: 'unexpected_message' })
    expect(String((result.clientError as Error).message)).toMatch(/post-handshake record/)
  })
})

describe('configuration', () => {
  it('needs trust anchors for a verifying client: no ca and no default roots is a config error', () => {
    expect(() => createDefaultContext('server-auth', {})).toThrow(TlsConfigError)
  })

  it('refuses an RSASSA-PSS private key when the context is made, not in every handshake', () => {
    const { privateKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048 })
    const key = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
    expect(() => createDefaultContext('client-auth', { cert: chain.chainPem, key })).toThrow(expect.objectContaining({ option: 'key' }))
  })

  it('needs a server name when the host name is checked, and a valid one', () => {
    const context = createDefaultContext('server-auth', { ca: chain.rootPem })
    expect(() => context.client()).toThrow(/serverName/)
    for (const bad of ['has space.example', 'bücher.example', 'tab\there.example'])
      expect(() => context.client({ serverName: bad })).toThrow(expect.objectContaining({ option: 'serverName' }))
    expect(() => context.client({ serverName: '127.0.0.1' })).not.toThrow()
  })
})

describe('hostile bytes', () => {
  it('turns garbage into a TlsError with an alert queued, never another error type', () => {
    const { server } = pair()
    let error: unknown
    try {
      server.receive(utf8.encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(TlsError)
    expect(server.takeOutgoing().length).toBeGreaterThan(0)
    expect(() => server.receive(new Uint8Array([22, 3, 3, 0, 1, 1]))).toThrow(TlsError)
  })
})
