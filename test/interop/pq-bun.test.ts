// X25519MLKEM768 against Bun (BoringSSL): Bun restricted to the hybrid, as server and as client, data both ways, HelloRetryRequest both ways, and the hybrid secret's order checked on a capture.
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js'
import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { nobleProvider } from '../../src/crypto/noble.js'
import type { SyncCryptoProvider } from '../../src/crypto/provider.js'
import { TlsAlertReceivedError } from '../../src/errors.js'
import { cleanupPki, type Chain } from '../helpers/pki.js'
import { disposeAll, exchangeBulk, ourConnect, processEndpoint, serverChain, startOurServer } from './interop13-helpers.js'
import {
  openFirstRecord,
  recordsOf,
  serverHandshakeTrafficSecret,
  serverHelloKeyShare,
  startBunClient,
  startBunServer,
  startRecordingRelay,
} from './pq-helpers.js'

const KiB = 1024
const HYBRID = 'X25519MLKEM768'
const X25519MLKEM768 = 0x11ec

let chain: Chain
beforeAll(async () => {
  chain = await serverChain('ecdsa-p256')
})
afterEach(disposeAll)
afterAll(cleanupPki)

function bunServer(ecdhCurve: string) {
  return startBunServer(chain.chainPath, chain.keyPath, ecdhCurve)
}

function ourServer(options: Parameters<typeof startOurServer>[0] = {}) {
  return startOurServer({ cert: chain.chainPem, key: chain.keyPem, ...options })
}

describe('our client ↔ Bun server', () => {
  it(`Bun with ecdhCurve ${HYBRID} only: the default client negotiates it in one round trip, 256 KiB each way`, async () => {
    const bun = await bunServer(HYBRID)
    const ours = await ourConnect({ port: bun.port, ca: chain.rootPem })
    expect([ours.info.version, ours.info.group, ours.info.helloRetryRequest]).toEqual(['TLSv1.3', 'X25519MLKEM768', false])
    expect((await bun.secured()).protocol).toBe('TLSv1.3')
    await exchangeBulk(ours, processEndpoint('bun server', bun), 256 * KiB)
    await ours.end()
    expect(await bun.waitForExit()).toBe(0)
  })

  it(`the restriction is real: a client offering only X25519 is refused by that Bun server (handshake_failure)`, async () => {
    const bun = await bunServer(HYBRID)
    const failure = ourConnect({ port: bun.port, ca: chain.rootPem, groups: ['X25519'] })
    await expect(failure).rejects.toBeInstanceOf(TlsAlertReceivedError)
    await expect(failure).rejects.toMatchObject({ received: 'handshake_failure' })
    await bun.waitForErrorOutput(/NO_SHARED_GROUP/)
  })

  it(`a client whose one share is X25519 (listing ${HYBRID} second): Bun's HelloRetryRequest asks for the hybrid`, async () => {
    const bun = await bunServer(HYBRID)
    const ours = await ourConnect({ port: bun.port, ca: chain.rootPem, groups: ['X25519', HYBRID] })
    expect([ours.info.group, ours.info.helloRetryRequest]).toEqual(['X25519MLKEM768', true])
    await exchangeBulk(ours, processEndpoint('bun server', bun), 16 * KiB)
  })
})

describe('Bun client ↔ our server', () => {
  it(`Bun with ecdhCurve ${HYBRID} only ↔ our default server: the hybrid, 256 KiB each way`, async () => {
    const server = await ourServer()
    const bun = startBunClient(server.port, chain.rootPath, HYBRID)
    const accepted = await server.nextConnection()
    expect([accepted.info.group, accepted.info.helloRetryRequest]).toEqual(['X25519MLKEM768', false])
    expect((await bun.secured()).protocol).toBe('TLSv1.3')
    await exchangeBulk(accepted, processEndpoint('bun client', bun), 256 * KiB)
    await accepted.end()
    expect(await bun.waitForExit()).toBe(0)
  })

  // BoringSSL sends a key share for the hybrid wherever it is listed, and one for the first classical group.
  it(`Bun with ecdhCurve X25519:${HYBRID} (both shares, the hybrid listed last) ↔ our default server: our preference, the hybrid`, async () => {
    const server = await ourServer()
    const bun = startBunClient(server.port, chain.rootPath, `X25519:${HYBRID}`)
    const accepted = await server.nextConnection()
    expect([accepted.info.group, accepted.info.helloRetryRequest]).toEqual(['X25519MLKEM768', false])
    await exchangeBulk(accepted, processEndpoint('bun client', bun), 16 * KiB)
  })

  it(`Bun with ecdhCurve X25519:${HYBRID} ↔ our server without the hybrid: its X25519 share is used, no HelloRetryRequest`, async () => {
    const server = await ourServer({ groups: ['X25519', 'P-256'] })
    const bun = startBunClient(server.port, chain.rootPath, `X25519:${HYBRID}`)
    const accepted = await server.nextConnection()
    expect([accepted.info.group, accepted.info.helloRetryRequest]).toEqual(['x25519', false])
    await exchangeBulk(accepted, processEndpoint('bun client', bun), 16 * KiB)
  })

  it(`Bun with ecdhCurve X25519:P-256:${HYBRID} (shares X25519 and the hybrid) ↔ our server with P-256 only: a HelloRetryRequest for P-256`, async () => {
    const server = await ourServer({ groups: ['P-256'] })
    const bun = startBunClient(server.port, chain.rootPath, `X25519:P-256:${HYBRID}`)
    const accepted = await server.nextConnection()
    expect([accepted.info.group, accepted.info.helloRetryRequest]).toEqual(['secp256r1', true])
    await exchangeBulk(accepted, processEndpoint('bun client', bun), 16 * KiB)
  })
})

describe('the hybrid secret against a capture of a Bun handshake', () => {
  it('ML-KEM secret ‖ X25519 secret (the draft order) opens Bun’s first encrypted record; the reverse order does not', async () => {
    // Our client's hybrid share from a known ML-KEM seed and X25519 scalar, so the secret can be rebuilt outside pure-tls.
    const seed = Buffer.alloc(64, 0x5a)
    const scalar = Buffer.alloc(32, 0x3c)
    const provider: SyncCryptoProvider = {
      ...nobleProvider,
      generateKeyShare: (group, privateKey) => nobleProvider.generateKeyShare(group, privateKey ?? (group === HYBRID ? Buffer.concat([seed, scalar]) : undefined)),
    }
    const keyLog: string[] = []
    const bun = await bunServer(HYBRID)
    const relay = await startRecordingRelay(bun.port)
    const ours = await ourConnect({ port: relay.port, ca: chain.rootPem, provider, cipherSuites: ['TLS_AES_128_GCM_SHA256'], keyLog: (line) => keyLog.push(line) })
    expect(ours.info.group).toBe('X25519MLKEM768')
    await exchangeBulk(ours, processEndpoint('bun server', bun), KiB)
    await relay.close()

    const [clientHello] = recordsOf(Buffer.concat(relay.clientToServer))
    const fromServer = recordsOf(Buffer.concat(relay.serverToClient))
    const serverHello = fromServer[0]!
    const firstProtected = fromServer.find((record) => record.type === 23)!
    const share = serverHelloKeyShare(serverHello.fragment)
    expect([share.group, share.keyExchange.length]).toEqual([X25519MLKEM768, 1120])

    // Each half by itself: ML-KEM-768 decapsulation, and X25519 by node:crypto (OpenSSL).
    const mlKemSecret = Buffer.from(ml_kem768.decapsulate(share.keyExchange.subarray(0, 1088), ml_kem768.keygen(seed).secretKey))
    const x25519Secret = diffieHellman({
      privateKey: createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), scalar]), format: 'der', type: 'pkcs8' }),
      publicKey: createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), share.keyExchange.subarray(1088)]), format: 'der', type: 'spki' }),
    })
    const open = (sharedSecret: Buffer) =>
      openFirstRecord(serverHandshakeTrafficSecret(sharedSecret, clientHello!.fragment, serverHello.fragment), firstProtected)

    const draftOrder = open(Buffer.concat([mlKemSecret, x25519Secret]))
    expect(draftOrder?.type).toBe(22) // handshake
    expect(draftOrder?.content[0]).toBe(8) // EncryptedExtensions
    expect(open(Buffer.concat([x25519Secret, mlKemSecret]))).toBeUndefined()

    // And our key log agrees with the secret rebuilt here.
    const logged = keyLog.find((line) => line.startsWith('SERVER_HANDSHAKE_TRAFFIC_SECRET '))!.split(' ')[2]
    expect(logged).toBe(serverHandshakeTrafficSecret(Buffer.concat([mlKemSecret, x25519Secret]), clientHello!.fragment, serverHello.fragment).toString('hex'))
  })
})
