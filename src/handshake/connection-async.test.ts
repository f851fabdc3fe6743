// The Connection with a provider that answers through promises: the same handshakes and data as with noble, in order, and the sans-I/O contract (busy, onProgress, settled).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TlsAlertReceivedError, TlsError } from '../errors.js'
import { utf8 } from '../bytes.js'
import { nobleProvider } from '../crypto/noble.js'
import { type AsyncOperation, asyncProvider } from '../../test/helpers/async-provider.js'
import { type Chain, cleanupPki, makeChain, makeClientChain } from '../../test/helpers/pki.js'
import { runPair, runPairAsync } from '../../test/helpers/pair.js'
import type { Connection } from './connection.js'
import { type ContextOptions, createDefaultContext, type TlsContext } from './context.js'

let chain: Chain
let rsaChain: Chain
let clientChain: Chain

beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true })
  rsaChain = await makeChain({ leafKey: 'rsa-2048' })
  clientChain = await makeClientChain({ leafKey: 'ecdsa-p256', caName: 'pure-tls async client CA' })
})
afterAll(() => cleanupPki())

const everything: AsyncOperation[] = ['generateKeyShare', 'agree', 'sign', 'seal', 'open'] // MERGE-X509: add 'verify'

function contexts(clientOptions: ContextOptions, serverOptions: ContextOptions, serverChain = chain): { clientContext: TlsContext; serverContext: TlsContext } {
  return {
    serverContext: createDefaultContext('client-auth', { cert: serverChain.chainPem, key: serverChain.keyPem, ...serverOptions }),
    clientContext: createDefaultContext('server-auth', { ca: serverChain.rootPem, ...clientOptions }),
  }
}

function pair(clientOptions: ContextOptions = {}, serverOptions: ContextOptions = {}, serverChain = chain): { client: Connection; server: Connection } {
  const { clientContext, serverContext } = contexts(clientOptions, serverOptions, serverChain)
  return { client: clientContext.client({ serverName: 'localhost' }), server: serverContext.server() }
}

async function connected(clientOptions: ContextOptions, serverOptions: ContextOptions, chunk?: number): Promise<{ client: Connection; server: Connection }> {
  const p = pair(clientOptions, serverOptions)
  const result = await runPairAsync(p.client, p.server, { chunk })
  expect(result).toEqual({})
  expect(p.client.handshakeComplete && p.server.handshakeComplete).toBe(true)
  return p
}

const big = new Uint8Array(1 << 20).map((_, i) => (i * 31 + 7) & 0xff)

/** Byte-for-byte equality, reported by length and first difference (deep equality on megabytes is slow). */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  const firstDifference = actual.findIndex((b, i) => b !== expected[i])
  expect({ length: actual.length, firstDifference: actual.length === expected.length ? firstDifference : 'n/a' }).toEqual({ length: expected.length, firstDifference: -1 })
}

for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
  describe(`${version} with every provider operation answering through a promise`, () => {
    const provider = () => asyncProvider(nobleProvider, { asynchronous: everything })

    it('completes the handshake, verifying the chain, with input arriving byte by byte while the provider works', async () => {
      const { client, server } = await connected({ maxVersion: version, provider: provider() }, { provider: provider() }, 1)
      expect(client.info!.version).toBe(version)
      expect(client.info!.peerVerified).toBe(true)
      expect(client.info!.cipherSuite).toBe(server.info!.cipherSuite)
      expect(client.busy || server.busy).toBe(false)
    })

    it('moves 1 MiB each way in order, written before and after the handshake, delivered in odd-sized chunks', async () => {
      const { client, server } = pair({ maxVersion: version, provider: provider() }, { provider: provider() })
      client.write(utf8.encode('early '))
      client.write(big.subarray(0, 100_000))
      await runPairAsync(client, server, { chunk: 4099 })
      client.write(big.subarray(100_000))
      server.write(big)
      await runPairAsync(client, server, { chunk: 16_411 })
      expectSameBytes(server.read(), Buffer.concat([Buffer.from('early '), Buffer.from(big)]))
      expectSameBytes(client.read(), big)
    })

    it('authenticates a client certificate, signed asynchronously', async () => {
      const { server } = await connected(
        { maxVersion: version, provider: provider(), cert: clientChain.chainPem, key: clientChain.keyPem },
        { provider: provider(), verifyMode: 'required', ca: clientChain.rootPem },
      )
      expect(server.info!.peerVerified).toBe(true)
      expect(server.info!.peerCertificates.length).toBeGreaterThan(0)
    })

    it('closes with close_notify both ways after data', async () => {
      const { client, server } = await connected({ maxVersion: version, provider: provider() }, { provider: provider() })
      client.write('last words')
      client.close()
      await runPairAsync(client, server)
      expect(utf8.decode(server.read())).toBe('last words')
      expect(server.peerClosed).toBe(true)
      server.close()
      await runPairAsync(client, server)
      expect(client.state).toBe('closed')
    })

    it('reports a tampered record through settled() and sends the alert', async () => {
      const { client, server } = await connected({ maxVersion: version, provider: provider() }, { provider: provider() })
      client.write('hello')
      await client.settled()
      const sealed = client.takeOutgoing()
      sealed[sealed.length - 1]! ^= 1
      server.receive(sealed)
      expect(server.busy).toBe(true)
      await expect(server.settled()).rejects.toMatchObject({ alert: 'bad_record_mac' })
      expect(server.state).toBe('failed')
      client.receive(server.takeOutgoing())
      await expect(client.settled()).rejects.toBeInstanceOf(TlsAlertReceivedError)
      expect(client.error).toMatchObject({ received: 'bad_record_mac' })
    })
  })
}

describe('TLS 1.3 features with an asynchronous provider', () => {
  const provider = () => asyncProvider(nobleProvider, { delay: 'microtask', asynchronous: everything })

  it('updates keys both ways mid-stream without losing or reordering data', async () => {
    const { client, server } = await connected({ provider: provider() }, { provider: provider() })
    client.write(big.subarray(0, 50_000))
    client.updateKeys(true)
    client.write(big.subarray(50_000))
    await runPairAsync(client, server, { chunk: 7777 })
    expectSameBytes(server.read(), big)
    server.write('after both updates')
    await runPairAsync(client, server)
    expect(utf8.decode(client.read())).toBe('after both updates')
  })

  it('answers a HelloRetryRequest with a second share made asynchronously', async () => {
    const { client } = await connected({ provider: provider(), groups: ['secp256r1', 'x25519'] }, { provider: provider(), groups: ['x25519'] })
    expect(client.info!.helloRetryRequest).toBe(true)
    expect(client.info!.group).toBe('x25519')
  })

  it('resumes from a ticket sealed and opened asynchronously', async () => {
    const { clientContext, serverContext } = contexts({ provider: provider(), sessionTickets: true }, { provider: provider(), sessionTickets: true })
    const first = { client: clientContext.client({ serverName: 'localhost' }), server: serverContext.server() }
    await runPairAsync(first.client, first.server)
    expect(first.client.tickets).toHaveLength(1)
    const second = { client: clientContext.client({ serverName: 'localhost' }), server: serverContext.server() }
    expect(await runPairAsync(second.client, second.server)).toEqual({})
    expect(second.client.info!.resumed && second.server.info!.resumed).toBe(true)
  })

  it('works with an RSA server certificate (asynchronous PSS signing)', async () => {
    const p = pair({ provider: provider() }, { provider: provider() }, rsaChain)
    expect(await runPairAsync(p.client, p.server)).toEqual({})
    expect(p.client.info!.signatureScheme).toMatch(/^rsa_pss_rsae/)
  })

  it('mixes synchronous and asynchronous operations, and one side of each kind', async () => {
    // MERGE-X509: add ['verify']
    for (const asynchronous of [['seal', 'open'], ['sign'], ['agree'], ['generateKeyShare']] as AsyncOperation[][]) {
      const { client, server } = await connected({ provider: asyncProvider(nobleProvider, { asynchronous }) }, {})
      client.write(big.subarray(0, 40_000))
      await runPairAsync(client, server, { chunk: 1000 })
      expectSameBytes(server.read(), big.subarray(0, 40_000))
    }
  })

  it('refuses an all-zero X25519 share before any ServerHello goes out (RFC 8446 7.4.2), as with noble', async () => {
    for (const provider of [nobleProvider, asyncProvider()]) {
      const server = createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem, provider }).server()
      const client = createDefaultContext('server-auth', { ca: chain.rootPem, groups: ['X25519'] }).client({ serverName: 'localhost' })
      const hello = client.takeOutgoing()
      // Our one share is X25519: replace its 32 bytes with the point 1, whose shared secret is all zeros.
      const at = Buffer.from(hello).indexOf(Buffer.from([0x00, 0x1d, 0x00, 0x20])) + 4
      hello.set(new Uint8Array(32), at)
      hello[at] = 1
      try {
        server.receive(hello)
      } catch {
        // the synchronous provider throws here
      }
      await server.settled().catch(() => undefined)
      expect(server.error).toMatchObject({ alert: 'illegal_parameter' })
      const out = server.takeOutgoing()
      // Only the plaintext alert: 15 03 03 00 02 02 2f.
      expect(Buffer.from(out).toString('hex')).toBe('1503030002022f')
    }
  })
})

describe('the sans-I/O contract', () => {
  it('with the noble provider: never busy, no onProgress, settled() at once', async () => {
    const { client, server } = pair()
    let progress = 0
    client.onProgress = server.onProgress = () => progress++
    expect(runPair(client, server)).toEqual({})
    expect(client.busy || server.busy).toBe(false)
    await client.settled()
    client.write(big.subarray(0, 100_000))
    expect(client.busy).toBe(false)
    runPair(client, server)
    expect(server.read()).toHaveLength(100_000)
    expect(progress).toBe(0)
  })

  it('with an asynchronous provider: calls onProgress only after receive() returned, and settled() when idle', async () => {
    const { client, server } = pair({ provider: asyncProvider() }, { provider: asyncProvider() })
    let insideReceive = false
    let calledInside = 0
    let calls = 0
    const onProgress = () => {
      calls++
      if (insideReceive) calledInside++
    }
    client.onProgress = server.onProgress = onProgress
    expect(client.busy).toBe(true) // its key share is being made
    expect(client.takeOutgoing()).toHaveLength(0)
    await client.settled()
    const hello = client.takeOutgoing()
    expect(hello.length).toBeGreaterThan(0)
    insideReceive = true
    server.receive(hello)
    insideReceive = false
    expect(server.busy).toBe(true)
    await server.settled()
    expect(server.busy).toBe(false)
    expect(server.takeOutgoing().length).toBeGreaterThan(0)
    expect(calls).toBeGreaterThan(0)
    expect(calledInside).toBe(0)
  })

  it('accepts any binary input and strings, and refuses anything else with a typed error, not a failure', () => {
    const { client, server } = pair()
    const hello = client.takeOutgoing()
    server.receive(hello.buffer.slice(hello.byteOffset, hello.byteOffset + hello.byteLength))
    runPair(client, server)
    expect(server.handshakeComplete).toBe(true)
    client.write('a string')
    client.write(new DataView(utf8.encode(', a view').buffer))
    client.write(new Uint16Array([0x2021]))
    runPair(client, server)
    // The Uint16Array's bytes as the platform stores them (little endian here): 0x21 0x20.
    expect(utf8.decode(server.read())).toBe('a string, a view! ')
    for (const bad of [42, {}, null, [1, 2]] as unknown[]) {
      expect(() => client.write(bad as string)).toThrow(expect.objectContaining({ code: 'ERR_TLS_INVALID_ARGUMENT' }))
      expect(() => server.receive(bad as Uint8Array)).toThrow(TlsError)
    }
    expect(client.state).toBe('open')
    expect(server.state).toBe('open')
  })
})
