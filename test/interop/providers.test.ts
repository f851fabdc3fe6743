// Whole handshakes through each native provider: in memory against noble and itself, and on sockets against openssl s_server / s_client, TLS 1.3 and 1.2.
//
// nodeCryptoProvider is synchronous, so it runs on today's core. webCryptoProvider answers with promises: its rows
// need the core that awaits its provider (the Connection's busy/settled contract); the in-memory shuttle here
// already waits on settled(), which a synchronous provider resolves at once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { nobleProvider } from '../../src/crypto/noble.js'
import { nodeCryptoProvider } from '../../src/crypto/node-crypto.js'
import type { CryptoProvider } from '../../src/crypto/provider.js'
import { createWebCryptoProvider } from '../../src/crypto/webcrypto.js'
import type { Connection } from '../../src/handshake/connection.js'
import { type ContextOptions, createDefaultContext } from '../../src/handshake/context.js'
import { type Chain, cleanupPki, makeClientChain, type PkiKeyType } from '../helpers/pki.js'
import { runOpenSslClient, startOpenSslServer } from '../helpers/peers.js'
import { disposeAll, exchangeBulk, opensslCertificateArgs, ourConnect, processEndpoint, serverChain, startOurServer } from './interop13-helpers.js'
import type { CipherSuiteName } from '../../src/policy/names.js'

afterEach(disposeAll)
afterAll(cleanupPki)

/** `provider` with the calls that matter counted, to show that a handshake really went through it. */
function counted(provider: CryptoProvider): { provider: CryptoProvider; calls: Record<'keyShares' | 'signatures' | 'verifications' | 'aeadKeys', number> } {
  const calls = { keyShares: 0, signatures: 0, verifications: 0, aeadKeys: 0 }
  return {
    calls,
    provider: {
      ...provider,
      generateKeyShare: (group, privateKey) => (calls.keyShares++, provider.generateKeyShare(group, privateKey)),
      sign: (algorithm, key, message) => (calls.signatures++, provider.sign(algorithm, key, message)),
      verify: (algorithm, key, message, signature) => (calls.verifications++, provider.verify(algorithm, key, message, signature)),
      aead(name) {
        const algorithm = provider.aead(name)
        return { ...algorithm, importKey: (key) => (calls.aeadKeys++, algorithm.importKey(key)) }
      },
    },
  }
}

/** One configuration both ends are pinned to. (TLS 1.2: OpenSSL picks an ECDHE-ECDSA suite only when the groups offered include the certificate's curve.) */
interface Cell {
  readonly version: 'TLSv1.3' | 'TLSv1.2'
  readonly suite: CipherSuiteName
  readonly opensslSuite: string
  readonly group: 'X25519' | 'P-256' | 'P-384'
  readonly key: PkiKeyType
}

const cells: readonly Cell[] = [
  { version: 'TLSv1.3', suite: 'TLS_AES_128_GCM_SHA256', opensslSuite: 'TLS_AES_128_GCM_SHA256', group: 'X25519', key: 'ecdsa-p256' },
  { version: 'TLSv1.3', suite: 'TLS_AES_256_GCM_SHA384', opensslSuite: 'TLS_AES_256_GCM_SHA384', group: 'P-384', key: 'rsa-2048' },
  { version: 'TLSv1.3', suite: 'TLS_CHACHA20_POLY1305_SHA256', opensslSuite: 'TLS_CHACHA20_POLY1305_SHA256', group: 'P-256', key: 'ed25519' },
  { version: 'TLSv1.2', suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', opensslSuite: 'ECDHE-ECDSA-AES128-GCM-SHA256', group: 'P-384', key: 'ecdsa-p384' },
  { version: 'TLSv1.2', suite: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', opensslSuite: 'ECDHE-RSA-AES256-GCM-SHA384', group: 'X25519', key: 'rsa-2048' },
  { version: 'TLSv1.2', suite: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', opensslSuite: 'ECDHE-ECDSA-CHACHA20-POLY1305', group: 'P-256', key: 'ecdsa-p256' },
]

const title = (cell: Cell) => `${cell.version} ${cell.suite} × ${cell.group} × ${cell.key}`
const pinned = (cell: Cell): ContextOptions => ({ minVersion: cell.version, maxVersion: cell.version, cipherSuites: [cell.suite], groups: [cell.group] })

const providers: readonly (readonly [string, () => CryptoProvider | Promise<CryptoProvider>])[] = [
  ['node:crypto', () => nodeCryptoProvider()],
  ['webcrypto', () => createWebCryptoProvider()],
]

// ---- in memory ----

const MAX_FLIGHTS = 30

/** Moves bytes both ways until neither side has more to send, waiting on each side's provider work (settled()). */
async function shuttle(client: Connection, server: Connection): Promise<void> {
  for (let flight = 0; flight < MAX_FLIGHTS; flight++) {
    await Promise.all([client.settled(), server.settled()])
    const [toServer, toClient] = [client.takeOutgoing(), server.takeOutgoing()]
    if (toServer.length === 0 && toClient.length === 0) return
    if (toServer.length > 0) server.receive(toServer)
    if (toClient.length > 0) client.receive(toClient)
  }
  throw new Error(`the pair did not settle in ${MAX_FLIGHTS} flights`)
}

/** `size` bytes from `from` to `to` through the pair; returns what arrived. */
async function send(from: Connection, to: Connection, client: Connection, server: Connection, data: Uint8Array): Promise<Uint8Array> {
  from.write(data)
  await shuttle(client, server)
  return to.read()
}

const payload = (size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i * 131 + seed) & 0xff)

describe.each(providers)('%s provider: whole handshakes in memory', (_name, make) => {
  let provider: CryptoProvider
  let clientCertificate: Chain
  beforeAll(async () => {
    provider = await make()
    clientCertificate = await makeClientChain({ leafKey: 'ecdsa-p384', withIntermediate: true })
  })

  for (const cell of cells) {
    it(`${title(cell)}: with itself, with noble on either side, client certificates, 100 kB each way`, async () => {
      const chain = await serverChain(cell.key)
      for (const [clientSide, serverSide] of [
        ['native', 'native'],
        ['native', 'noble'],
        ['noble', 'native'],
      ] as const) {
        const clientProvider = counted(clientSide === 'native' ? provider : nobleProvider)
        const serverProvider = counted(serverSide === 'native' ? provider : nobleProvider)
        const client = createDefaultContext('server-auth', {
          ...pinned(cell),
          provider: clientProvider.provider,
          ca: chain.rootPem,
          cert: clientCertificate.chainPem,
          key: clientCertificate.keyPem,
        }).client({ serverName: 'localhost' })
        const server = createDefaultContext('client-auth', {
          ...pinned(cell),
          provider: serverProvider.provider,
          cert: chain.chainPem,
          key: chain.keyPem,
          ca: clientCertificate.rootPem,
          verifyMode: 'required',
        }).server()
        await shuttle(client, server)
        const pairing = `${clientSide} client, ${serverSide} server`
        expect(client.handshakeComplete && server.handshakeComplete, pairing).toBe(true)
        expect(client.info, pairing).toMatchObject({ version: cell.version, cipherSuite: cell.suite, peerVerified: true })
        expect(server.info, pairing).toMatchObject({ version: cell.version, cipherSuite: cell.suite, peerVerified: true })
        const [up, down] = [payload(100_000, 1), payload(100_000, 2)]
        expect(Buffer.compare(await send(client, server, client, server, up), up), `${pairing}: client → server`).toBe(0)
        expect(Buffer.compare(await send(server, client, client, server, down), down), `${pairing}: server → client`).toBe(0)
        for (const calls of [clientProvider.calls, serverProvider.calls]) {
          expect(calls.keyShares && calls.signatures && calls.verifications && calls.aeadKeys, `${pairing}: ${JSON.stringify(calls)}`).toBeGreaterThan(0)
        }
      }
    })
  }

  it('TLS 1.3 resumption: the second connection resumes with a ticket sealed and opened by the provider', async () => {
    const chain = await serverChain('ecdsa-p256')
    const clientContext = createDefaultContext('server-auth', { provider, ca: chain.rootPem, sessionTickets: true })
    const serverContext = createDefaultContext('client-auth', { provider, cert: chain.chainPem, key: chain.keyPem, sessionTickets: true })
    for (const resumed of [false, true]) {
      const [client, server] = [clientContext.client({ serverName: 'localhost' }), serverContext.server()]
      await shuttle(client, server)
      // The ticket travels after the handshake; data both ways carries it.
      expect(await send(server, client, client, server, payload(10, 3))).toHaveLength(10)
      expect(client.info?.resumed).toBe(resumed)
    }
  })
})

// ---- against OpenSSL on real sockets ----

/** openssl arguments pinning the cell. */
function opensslCellArgs(cell: Cell): string[] {
  const suite = cell.version === 'TLSv1.3' ? ['-tls1_3', '-ciphersuites', cell.opensslSuite] : ['-tls1_2', '-cipher', cell.opensslSuite]
  return [...suite, '-groups', cell.group]
}

describe.each(providers)('%s provider against OpenSSL', (_name, make) => {
  let provider: CryptoProvider
  beforeAll(async () => {
    provider = await make()
  })

  for (const cell of cells) {
    it(`${title(cell)}: our client ↔ openssl s_server, openssl s_client ↔ our server, 1 MiB each way`, async () => {
      const chain = await serverChain(cell.key)
      const openssl = await startOpenSslServer(['-quiet', '-naccept', '1', ...opensslCellArgs(cell), ...opensslCertificateArgs(chain)])
      const client = await ourConnect({ port: openssl.port, ca: chain.rootPem, ...pinned(cell), provider })
      await exchangeBulk(client, processEndpoint('openssl s_server', openssl))
      expect(client.info).toMatchObject({ version: cell.version, cipherSuite: cell.suite, peerVerified: true })
      await client.end()
      expect(await openssl.waitForExit()).toBe(0)

      const server = await startOurServer({ cert: chain.chainPem, key: chain.keyPem, ...pinned(cell), provider })
      const sClient = await runOpenSslClient(
        ['-quiet', ...opensslCellArgs(cell), '-CAfile', chain.rootPath, '-verify_return_error', '-verify_hostname', 'localhost', '-servername', 'localhost'],
        { connectTo: server.port },
      )
      const accepted = await server.nextConnection()
      await exchangeBulk(accepted, processEndpoint('openssl s_client', sClient))
      expect(accepted.info).toMatchObject({ version: cell.version, cipherSuite: cell.suite })
      await accepted.end()
      expect(await sClient.waitForExit()).toBe(0)
    })
  }
})
