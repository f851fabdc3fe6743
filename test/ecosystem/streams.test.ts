// Streams and failures as node:tls users see them, beside node:tls: stream.pipeline of 4 MiB with the hash compared, clients vanishing mid-write, certificate_required.
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { type Duplex, Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { TlsAlertReceivedError } from '../../src/errors.js'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { withTimeout } from '../helpers/timeouts.js'
import { type ClientSocket, disposeStacks, stacks, tlsConnect, tlsServer } from './stacks.js'

const MiB = 1024 * 1024

let chain: Chain
let clientChain: Chain

beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true })
  clientChain = await makeChain({ leafKey: 'ecdsa-p256', caName: 'pure-tls test client CA', purpose: 'clientAuth' })
})
afterEach(disposeStacks)
afterAll(cleanupPki)

/** `size` bytes of a repeatable pattern, produced in 64 KiB chunks. */
function patterned(size: number, seed: number): Readable {
  let sent = 0
  return new Readable({
    read() {
      if (sent >= size) return this.push(null)
      const chunk = Buffer.alloc(Math.min(64 * 1024, size - sent))
      for (let i = 0; i < chunk.length; i++) chunk[i] = ((sent + i) * seed) & 0xff
      sent += chunk.length
      this.push(chunk)
    },
  })
}

function sha256Of(size: number, seed: number): Promise<string> {
  const hash = createHash('sha256')
  return pipeline(patterned(size, seed), hash).then(() => hash.digest('hex'))
}

/** A Writable hashing what it receives; `digest()` once it finished. */
function hashSink(): Writable & { digest(): string } {
  const hash = createHash('sha256')
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      callback()
    },
  })
  return Object.assign(sink, { digest: () => hash.digest('hex') })
}

describe('streams and failures, beside node:tls', () => {
  it('stream.pipeline moves 4 MiB each way between every pairing of the two stacks, hashes equal', async () => {
    const [upHash, downHash] = await Promise.all([sha256Of(4 * MiB, 7), sha256Of(4 * MiB, 11)])
    for (const serverStack of stacks) {
      const received: string[] = []
      // Half-close on both ends: each side ends its writing when its 4 MiB are out, and goes on reading.
      const { port } = await tlsServer(serverStack, { cert: chain.chainPem, key: chain.keyPem, allowHalfOpen: true }, (socket) => {
        const sink = hashSink()
        // Both directions at once: the server streams its 4 MiB while it hashes the client's.
        void Promise.all([pipeline(socket, sink), pipeline(patterned(4 * MiB, 11), socket)]).then(() => received.push(sink.digest()), () => undefined)
      })
      for (const clientStack of stacks) {
        const socket = tlsConnect(clientStack, { host: '127.0.0.1', port, servername: 'localhost', ca: chain.rootPem, allowHalfOpen: true })
        const sink = hashSink()
        await withTimeout(Promise.all([pipeline(patterned(4 * MiB, 7), socket), pipeline(socket, sink)]), 60_000, `${clientStack} -> ${serverStack}`)
        expect(sink.digest(), `${clientStack} client <- ${serverStack} server`).toBe(downHash)
      }
      await withTimeout(
        (async () => {
          while (received.length < stacks.length) await new Promise((resolve) => setTimeout(resolve, 10))
        })(),
        10_000,
        'the server hashes',
      )
      expect(received, `${serverStack} server <- both clients`).toEqual([upHash, upHash])
    }
  })

  it('50 clients destroying as the first bytes from the server arrive, while it writes: 0 unhandled errors, every socket closes', async () => {
    for (const stack of stacks) {
      const unhandled: unknown[] = []
      const onUncaught = (error: unknown) => unhandled.push(error)
      process.on('uncaughtException', onUncaught)
      let closed = 0
      let secured = 0
      // The handler attaches no error listener, as in the issue: whatever the socket does must not escape.
      const { server, port } = await tlsServer(stack, { cert: chain.chainPem, key: chain.keyPem }, (socket: Duplex) => {
        secured++
        socket.once('close', () => closed++)
        socket.end(Buffer.alloc(256 * 1024, 0x61))
      })
      server.on('tlsClientError', () => undefined)
      const clients = Array.from({ length: 50 }, () => {
        const client = tlsConnect('node:tls', { host: '127.0.0.1', port, servername: 'localhost', ca: chain.rootPem })
        client.on('error', () => undefined)
        client.once('data', () => client.destroy())
        return once(client, 'close')
      })
      await withTimeout(Promise.all(clients), 30_000, `${stack}: 50 clients`)
      await withTimeout(
        (async () => {
          while (closed < secured || (server as unknown as { _connections: number })._connections > 0) await new Promise((resolve) => setTimeout(resolve, 20))
        })(),
        30_000,
        `${stack}: the server sockets closing`,
      )
      process.off('uncaughtException', onUncaught)
      expect(unhandled, stack).toEqual([])
      expect(secured, `${stack}: handshakes the server completed`).toBeGreaterThan(0)
      expect(closed, stack).toBe(secured)
    }
  })

  it('a server requiring a client certificate: the certificate_required alert is what the client reports (5 runs each)', async () => {
    for (const serverStack of stacks) {
      const { server, port } = await tlsServer(serverStack, {
        cert: chain.chainPem,
        key: chain.keyPem,
        ca: clientChain.rootPem,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.3',
      })
      server.on('tlsClientError', () => undefined)
      for (const clientStack of stacks) {
        for (let run = 0; run < 5; run++) {
          const error = await withTimeout(failureOf(tlsConnect(clientStack, { host: '127.0.0.1', port, servername: 'localhost', ca: chain.rootPem })), 15_000, 'the refusal')
          if (clientStack === 'pure-tls') {
            expect(error, `our client <- ${serverStack} server, run ${run}`).toBeInstanceOf(TlsAlertReceivedError)
            expect(error).toMatchObject({ received: 'certificate_required', code: 'ERR_TLS_ALERT_RECEIVED' })
          } else {
            expect(error, `node:tls client <- ${serverStack} server, run ${run}`).toMatchObject({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' })
          }
        }
      }
    }
  })
})

/** Writes as soon as the handshake completes (the scenario) and resolves with the error the socket ends with. */
function failureOf(socket: ClientSocket): Promise<Error> {
  return new Promise((resolve) => {
    socket.once('secureConnect', () => {
      socket.write('GET / HTTP/1.1\r\n\r\n')
      setTimeout(() => socket.writable && socket.write('more'), 5)
    })
    socket.once('error', resolve)
    socket.once('close', () => resolve(new Error('closed without an error')))
  })
}
