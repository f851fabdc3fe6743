// The Web Streams adapter over an in-memory duplex pipe: handshake, data both ways, back-pressure, close and failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Chain, cleanupPki, makeChain } from '../../test/helpers/pki.js'
import { TlsError } from '../errors.js'
import { createDefaultContext } from '../handshake/context.js'
import { type ByteStreamPair, secureStreams } from './web-streams.js'

let chain: Chain
beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256' })
})
afterAll(() => cleanupPki())

/** Two byte-stream ends joined by a pair of pipes with small buffers, so back-pressure is real. */
function duplexPipe(): [ByteStreamPair, ByteStreamPair] {
  const strategy = new CountQueuingStrategy({ highWaterMark: 2 })
  const aToB = new TransformStream<Uint8Array, Uint8Array>({}, strategy, strategy)
  const bToA = new TransformStream<Uint8Array, Uint8Array>({}, strategy, strategy)
  return [
    { readable: bToA.readable, writable: aToB.writable },
    { readable: aToB.readable, writable: bToA.writable },
  ]
}

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of readable as unknown as AsyncIterable<Uint8Array>) parts.push(chunk)
  return Buffer.concat(parts)
}

function endpoints(clientCa: string) {
  const [clientSide, serverSide] = duplexPipe()
  const server = secureStreams(createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem }).server(), serverSide)
  const client = secureStreams(createDefaultContext('server-auth', { ca: clientCa }).client({ serverName: 'localhost' }), clientSide)
  return { client, server }
}

describe('secureStreams', () => {
  it('handshakes, moves 256 KiB each way through small buffers, and closes cleanly', async () => {
    const { client, server } = endpoints(chain.rootPem)
    const [clientInfo, serverInfo] = await Promise.all([client.handshake, server.handshake])
    expect(clientInfo.version).toBe('TLSv1.3')
    expect(clientInfo.peerVerified).toBe(true)
    expect(serverInfo.cipherSuite).toBe(clientInfo.cipherSuite)

    const payload = new Uint8Array(256 * 1024).map((_, i) => (i * 13) & 0xff)
    const send = async (pair: typeof client) => {
      const writer = pair.writable.getWriter()
      for (let at = 0; at < payload.length; at += 16 * 1024) await writer.write(payload.subarray(at, at + 16 * 1024))
      await writer.close()
    }
    const [fromClient, fromServer] = await Promise.all([readAll(server.readable), readAll(client.readable), send(client), send(server)])
    expect(Buffer.from(fromClient)).toEqual(Buffer.from(payload))
    expect(Buffer.from(fromServer)).toEqual(Buffer.from(payload))
  })

  it('rejects the handshake with the TlsError when the server is not trusted', async () => {
    const other = await makeChain({ leafKey: 'ecdsa-p256', caName: 'another root for streams' })
    const { client, server } = endpoints(other.rootPem)
    await expect(client.handshake).rejects.toMatchObject({ reason: 'unknown-issuer' })
    await expect(server.handshake).rejects.toBeInstanceOf(TlsError)
  })
})
