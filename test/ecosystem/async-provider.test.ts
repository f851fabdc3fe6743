// The Node adapter with a provider answering through Promises (sign, verify, agree, seal, open): handshakes, 1 MiB each way, alerts, beside node:tls.
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CertificateVerificationError } from '../../src/errors.js'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { withTimeout } from '../helpers/timeouts.js'
import { asyncProvider } from '../helpers/async-provider.js'
import { type ClientSocket, disposeStacks, type Stack, tlsConnect, tlsServer } from './stacks.js'

// Runs once the core drives asynchronous providers (the lead's conversion of src/handshake and src/record).
const MiB = 1024 * 1024
let chain: Chain

beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true })
})
afterEach(disposeStacks)
afterAll(cleanupPki)

function digest(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Writes 1 MiB and resolves with the hash of the 1 MiB echoed back. */
function echoMiB(socket: ClientSocket): Promise<string> {
  return withTimeout(
    new Promise<string>((resolve, reject) => {
      const parts: Buffer[] = []
      let total = 0
      socket.on('data', (d: Buffer) => {
        parts.push(d)
        total += d.length
        if (total >= MiB) resolve(digest(Buffer.concat(parts)))
      })
      socket.on('error', reject)
      socket.write(Buffer.alloc(MiB, 0x42))
    }),
    60_000,
    'the 1 MiB echo',
  )
}

const pairings: [client: Stack, server: Stack, clientAsync: boolean, serverAsync: boolean][] = [
  ['pure-tls', 'node:tls', true, false],
  ['node:tls', 'pure-tls', false, true],
  ['pure-tls', 'pure-tls', true, true],
]

describe('an asynchronous provider under the Node adapter', () => {
  for (const [clientStack, serverStack, clientAsync, serverAsync] of pairings) {
    it(`${clientStack}${clientAsync ? ' (async)' : ''} client ↔ ${serverStack}${serverAsync ? ' (async)' : ''} server: handshake and 1 MiB echoed`, async () => {
      const provider = asyncProvider()
      const { port } = await tlsServer(serverStack, { cert: chain.chainPem, key: chain.keyPem, ...(serverAsync ? { provider } : {}) }, (socket) => socket.pipe(socket))
      const socket = tlsConnect(clientStack, { host: '127.0.0.1', port, servername: 'localhost', ca: chain.rootPem, ...(clientAsync ? { provider } : {}) })
      await withTimeout(once(socket, 'secureConnect'), 30_000, 'the handshake')
      expect(await echoMiB(socket)).toBe(digest(Buffer.alloc(MiB, 0x42)))
    })
  }

  it('a certificate refused during asynchronous verification is the CertificateVerificationError, and the server sees the alert', async () => {
    const { server, port } = await tlsServer('node:tls', { cert: chain.chainPem, key: chain.keyPem })
    const serverError = once(server, 'tlsClientError') as Promise<[Error]>
    const socket = tlsConnect('pure-tls', { host: '127.0.0.1', port, servername: 'other.example', ca: chain.rootPem, provider: asyncProvider() })
    const [error] = (await once(socket, 'error')) as [Error]
    expect(error).toBeInstanceOf(CertificateVerificationError)
    const [seen] = await withTimeout(serverError, 10_000, 'the server seeing the alert')
    expect(seen.message).toMatch(/alert bad certificate/)
  })
})
