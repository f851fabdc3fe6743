// The Node adapter over real TCP on 127.0.0.1: pure-tls server and client, echo with back-pressure, end() before the handshake, handshake timeout, name mismatch.
import { once } from 'node:events'
import * as net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Chain, cleanupPki, makeChain } from '../../test/helpers/pki.js'
import { CertificateVerificationError, TlsAlertReceivedError } from '../errors.js'
import { connect, createServer, type TlsServer, type TlsSocket } from './node.js'

let chain: Chain
let server: TlsServer
let port: number

beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true })
  server = createServer({ cert: chain.chainPem, key: chain.keyPem, alpnProtocols: ['echo/1'] }, (socket) => socket.pipe(socket))
  server.on('tlsClientError', () => undefined)
  server.listen(0, '127.0.0.1')
  await once(server.server, 'listening')
  port = server.address().port
})
afterAll(async () => {
  server.close()
  cleanupPki()
})

function collect(socket: TlsSocket, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let total = 0
    socket.on('data', (d: Buffer) => {
      parts.push(d)
      total += d.length
      if (total >= bytes) resolve(Buffer.concat(parts))
    })
    socket.on('error', reject)
  })
}

describe('node transport', () => {
  it('echoes 4 MiB through a pure-tls server, with the reader pausing (back-pressure) along the way', async () => {
    const client = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: chain.rootPem, alpnProtocols: ['echo/1'] })
    await once(client, 'secureConnect')
    expect(client.alpnProtocol).toBe('echo/1')
    expect(client.authorized).toBe(true)
    expect(client.getProtocol()).toBe('TLSv1.3')

    const payload = Buffer.alloc(4 << 20, 0).map((_, i) => (i * 7) & 0xff)
    const received = collect(client, payload.length)
    // Slow consumer: pause reading for a moment every 512 KiB.
    let seen = 0
    client.on('data', (d: Buffer) => {
      seen += d.length
      if (seen % (512 * 1024) < d.length) {
        client.pause()
        setTimeout(() => client.resume(), 5)
      }
    })
    client.write(payload)
    expect((await received).equals(payload)).toBe(true)
    client.end()
  })

  it("delivers end('data') called right after connect(), before the handshake, then closes cleanly", async () => {
    const client = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: chain.rootPem })
    const ended = once(client, 'end')
    client.end('said before the handshake')
    const echoed = await collect(client, 'said before the handshake'.length)
    expect(echoed.toString()).toBe('said before the handshake')
    await ended
    expect(client.connection.error).toBeUndefined()
  })

  it('drops a client that never completes its handshake after handshakeTimeout', async () => {
    const slow = createServer({ cert: chain.chainPem, key: chain.keyPem, handshakeTimeout: 200 }, () => undefined)
    slow.listen(0, '127.0.0.1')
    await once(slow.server, 'listening')
    const socket = net.connect({ host: '127.0.0.1', port: slow.address().port })
    const [error] = (await once(slow, 'tlsClientError')) as [Error]
    expect(error).toMatchObject({ code: 'ERR_TLS_HANDSHAKE_TIMEOUT' })
    await once(socket, 'close')
    slow.close()
  })

  it('emits a CertificateVerificationError when the host name does not match, and the server sees the alert', async () => {
    const clientError = new Promise<Error>((resolve) => {
      const client = connect({ host: '127.0.0.1', port, servername: 'not-the-host.example', ca: chain.rootPem })
      client.on('error', resolve)
    })
    const serverError = once(server, 'tlsClientError') as Promise<[Error]>
    const error = await clientError
    expect(error).toBeInstanceOf(CertificateVerificationError)
    expect(error).toMatchObject({ reason: 'hostname-mismatch', alert: 'bad_certificate' })
    const [seen] = await serverError
    expect(seen).toBeInstanceOf(TlsAlertReceivedError)
    expect(seen).toMatchObject({ received: 'bad_certificate' })
  })
})
