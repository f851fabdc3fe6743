// node:tls option names on our policy: refusals are TlsConfigErrors saying why; ciphers, ecdhCurve, sigalgs, ALPNProtocols, versions negotiate as they do in node:tls.
import { once } from 'node:events'
import type * as tls from 'node:tls'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Chain, cleanupPki, makeChain } from '../../../test/helpers/pki.js'
import { disposeStacks, type SharedConnectOptions, stacks, tlsConnect, tlsServer } from '../../../test/ecosystem/stacks.js'
import { TlsConfigError, TlsError } from '../../errors.js'
import { createDefaultContext } from './options.js'
import { connect, createServer } from '../node.js'
import { clientPlan, serverPlan } from './options.js'

let chain: Chain

beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true })
})
afterEach(disposeStacks)
afterAll(cleanupPki)

function refusal(make: () => unknown): TlsConfigError {
  try {
    make()
  } catch (error) {
    expect(error).toBeInstanceOf(TlsConfigError)
    return error as TlsConfigError
  }
  throw new Error('no TlsConfigError')
}

describe('options refused, each with why', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['minVersion', { minVersion: 'TLSv1' }, /TLSv1 is refused: pure-tls implements TLS 1.2 and 1.3 only/],
    ['minVersion', { minVersion: 'TLSv1.1' }, /TLSv1.1 is refused/],
    ['maxVersion', { maxVersion: 'TLSv1.1' }, /TLSv1.1 is refused/],
    ['pfx', { pfx: Buffer.from('x') }, /PKCS#12 is not read/],
    ['passphrase', { key: { pem: 'x', passphrase: 'secret' } }, /encrypted private keys are not read/],
    ['secureProtocol', { secureProtocol: 'TLSv1_method' }, /use minVersion and maxVersion/],
    ['dhparam', { dhparam: 'x' }, /ECDHE only/],
    ['crl', { crl: 'x' }, /revocation lists are not checked/],
    ['secureContext', { secureContext: {} }, /SecureContext holds OpenSSL state/],
    ['ciphers', { ciphers: 'HIGH:!aNULL' }, /OpenSSL cipher-string rules are not interpreted/],
    ['cipherSuites', { ciphers: 'AES128-SHA' }, /"AES128-SHA" is not implemented \(or is refused\)/],
    ['groups', { ecdhCurve: 'ffdhe2048' }, /"ffdhe2048" is not implemented/],
    ['ALPNProtocols', { ALPNProtocols: ['h2'], alpnProtocols: ['h2'] }, /give ALPNProtocols or alpnProtocols, not both/],
    ['ALPNProtocols', { ALPNProtocols: Buffer.from([5, 0x68]) }, /malformed wire-format buffer/],
    ['checkServerIdentity', { checkServerIdentity: 'no' }, /must be a function/],
    ['key', { cert: 'x', key: ['a', 'b'] }, /2 keys given/],
  ]
  for (const [option, options, reason] of cases) {
    it(`connect({ ${Object.keys(options).join(', ')} }) is a TlsConfigError on ${option}`, () => {
      const error = refusal(() => clientPlan({ host: 'localhost', port: 1, ...options }))
      expect(error.option).toBe(option)
      expect(error.message).toMatch(reason)
    })
  }

  it('connect() refuses before any socket exists (nothing is opened for a refused option)', () => {
    expect(() => connect({ port: 1, minVersion: 'TLSv1' })).toThrow(TlsConfigError)
  })

  it('a context option beside a given context is refused unless the context already says the same', () => {
    const context = createDefaultContext('server-auth', { ca: chain.rootPem, minVersion: 'TLSv1.3' })
    expect(refusal(() => clientPlan({ port: 1, context, ca: chain.rootPem })).option).toBe('ca')
    expect(refusal(() => clientPlan({ port: 1, context, minVersion: 'TLSv1.2' })).option).toBe('minVersion')
    expect(clientPlan({ port: 1, context, minVersion: 'TLSv1.3' }).context).toBe(context)
  })

  it('createServer: requestCert without ca is refused (node:tls would trust every public root for client certificates)', () => {
    expect(refusal(() => createServer({ cert: chain.chainPem, key: chain.keyPem, requestCert: true })).message).toMatch(/pure-tls does not guess/)
    expect(refusal(() => createServer({ cert: chain.chainPem, key: chain.keyPem, SNICallback: () => undefined })).option).toBe('SNICallback')
    expect(refusal(() => createServer({ cert: chain.chainPem, key: chain.keyPem, ticketKeys: Buffer.alloc(47) })).option).toBe('ticketKeys')
    expect(refusal(() => createServer({ cert: chain.chainPem, key: chain.keyPem, handshakeTimeout: -1 })).option).toBe('handshakeTimeout')
  })
})

describe('options mapped onto the policy', () => {
  it('node names become policy values; PEM Buffers are read as PEM', () => {
    const plan = clientPlan({
      host: 'example.test',
      port: 443,
      ca: Buffer.from(chain.rootPem),
      ciphers: 'TLS_CHACHA20_POLY1305_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256',
      ecdhCurve: 'P-256:X25519',
      sigalgs: 'ECDSA+SHA256:ed25519',
      ALPNProtocols: Buffer.from([2, 0x68, 0x32, 8, ...Buffer.from('http/1.1')]),
      minVersion: 'TLSv1.2',
    })
    expect(plan.context.policy).toMatchObject({
      cipherSuites: [0x1303, 0xc02b],
      groups: ['secp256r1', 'x25519'],
      signatureSchemes: [0x0403, 0x0807],
      alpnProtocols: ['h2', 'http/1.1'],
      caSource: 'given',
      verifyMode: 'required',
      checkHostname: true,
    })
    expect(plan.hostname).toBe('example.test')
  })

  it("ciphers naming only TLS 1.3 suites turn TLS 1.2 off; naming only TLS 1.2 ones keeps node's TLS 1.3 defaults", () => {
    expect(clientPlan({ port: 1, ciphers: 'TLS_AES_128_GCM_SHA256' }).context.policy).toMatchObject({ minVersion: 0x0304, cipherSuites: [0x1301] })
    expect(clientPlan({ port: 1, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }).context.policy.cipherSuites).toEqual([0x1303, 0x1301, 0x1302, 0xc02f])
  })

  it('rejectUnauthorized: false is named in the policy (verifyMode none), never a silent default; checkServerIdentity takes over the name check', () => {
    expect(clientPlan({ port: 1, rejectUnauthorized: false }).context.policy).toMatchObject({ verifyMode: 'none', checkHostname: false })
    expect(clientPlan({ port: 1, checkServerIdentity: () => undefined }).context.policy).toMatchObject({ verifyMode: 'required', checkHostname: false })
    expect(clientPlan({ port: 1 }).context.policy).toMatchObject({ verifyMode: 'required', checkHostname: true })
  })

  it('server: requestCert with rejectUnauthorized true requires a client certificate, with false asks for one', () => {
    const base = { cert: chain.chainPem, key: chain.keyPem, ca: chain.rootPem }
    expect(serverPlan({ ...base, requestCert: true }).context.policy.verifyMode).toBe('required')
    expect(serverPlan({ ...base, requestCert: true, rejectUnauthorized: false }).context.policy.verifyMode).toBe('optional')
    expect(serverPlan(base).context.policy.verifyMode).toBe('none')
  })

  it('ciphers, ecdhCurve and ALPNProtocols negotiate what node:tls negotiates with the same options', async () => {
    const { port } = await tlsServer('node:tls', { cert: chain.chainPem, key: chain.keyPem, ALPNProtocols: ['h2', 'http/1.1'] })
    const seen: Record<string, unknown> = {}
    const options: SharedConnectOptions = {
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: chain.rootPem,
      ciphers: 'TLS_CHACHA20_POLY1305_SHA256',
      ecdhCurve: 'P-384',
      ALPNProtocols: ['http/1.1'],
    }
    for (const stack of stacks) {
      const socket = tlsConnect(stack, options) as unknown as tls.TLSSocket
      await once(socket, 'secureConnect')
      seen[stack] = { cipher: socket.getCipher(), key: socket.getEphemeralKeyInfo(), alpn: socket.alpnProtocol, protocol: socket.getProtocol() }
    }
    expect(seen['pure-tls']).toEqual(seen['node:tls'])
    expect(seen['pure-tls']).toEqual({
      cipher: { name: 'TLS_CHACHA20_POLY1305_SHA256', standardName: 'TLS_CHACHA20_POLY1305_SHA256', version: 'TLSv1.3' },
      key: { type: 'ECDH', name: 'secp384r1', size: 384 },
      alpn: 'http/1.1',
      protocol: 'TLSv1.3',
    })
  })

  it('TLS 1.2 with an OpenSSL suite name: getCipher() gives the OpenSSL and IANA names as node:tls does', async () => {
    const { port } = await tlsServer('node:tls', { cert: chain.chainPem, key: chain.keyPem, maxVersion: 'TLSv1.2' })
    const seen: unknown[] = []
    for (const stack of stacks) {
      const socket = tlsConnect(stack, { host: '127.0.0.1', port, servername: 'localhost', ca: chain.rootPem, ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384', ecdhCurve: 'X25519:P-256' }) as unknown as tls.TLSSocket
      await once(socket, 'secureConnect')
      seen.push([socket.getCipher(), socket.getEphemeralKeyInfo(), socket.getProtocol()])
    }
    expect(seen[0]).toEqual(seen[1])
    expect(seen[0]).toEqual([
      { name: 'ECDHE-ECDSA-AES256-GCM-SHA384', standardName: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', version: 'TLSv1.2' },
      { type: 'ECDH', name: 'X25519', size: 253 },
      'TLSv1.2',
    ])
  })

  it('ciphers with only TLS 1.3 names against a TLS 1.2-only server fails for both stacks (TLS 1.2 is off)', async () => {
    const { server, port } = await tlsServer('node:tls', { cert: chain.chainPem, key: chain.keyPem, maxVersion: 'TLSv1.2' })
    server.on('tlsClientError', () => undefined)
    for (const stack of stacks) {
      const socket = tlsConnect(stack, { host: '127.0.0.1', port, servername: 'localhost', ca: chain.rootPem, ciphers: 'TLS_AES_128_GCM_SHA256' })
      const [error] = (await once(socket, 'error')) as [Error]
      if (stack === 'pure-tls') expect(error).toBeInstanceOf(TlsError)
      expect(error.message, stack).toMatch(/protocol.version|protocol_version/i)
    }
  })
})
