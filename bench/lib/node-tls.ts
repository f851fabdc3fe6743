// node:tls (native OpenSSL) over loopback TCP in this process, pinned to a scenario's parameters: full handshakes, and bulk data on one connection.
import { once } from 'node:events'
import { constants } from 'node:crypto'
import tls from 'node:tls'
import type { AddressInfo } from 'node:net'
import type { Workload } from './measure.js'
import type { BenchChain } from './pki.js'
import { SERVER_NAME } from './pki.js'
import type { Setup } from './scenarios.js'

const HANDSHAKE_TIMEOUT_MS = 10_000

/** OpenSSL's cipher string for the suite (node takes TLS 1.3 suites in `ciphers` too). */
function parameters(s: Setup): Pick<tls.SecureContextOptions, 'minVersion' | 'maxVersion' | 'ciphers' | 'ecdhCurve'> {
  return { minVersion: s.version, maxVersion: s.version, ciphers: s.suite.openSslName, ecdhCurve: s.groups.join(':') }
}

export interface NodeTlsPeer {
  /** One full handshake: connect, both ends finished, certificate and host name verified; then both sockets are destroyed. */
  handshake(): Promise<void>
  close(): Promise<void>
}

/**
 * A node:tls server on 127.0.0.1 and a reused client SecureContext. No resumption: the server sends no tickets
 * (SSL_OP_NO_TICKET) and keeps no session cache (node's default), and the client never offers a session.
 */
export async function startNodeTls(s: Setup, chain: BenchChain): Promise<NodeTlsPeer> {
  const server = tls.createServer({
    ...parameters(s),
    key: chain.keyPem,
    cert: chain.chainPem,
    secureOptions: constants.SSL_OP_NO_TICKET,
  })
  const waiting: ((socket: tls.TLSSocket) => void)[] = []
  server.on('secureConnection', (socket) => {
    socket.on('error', () => {})
    const next = waiting.shift()
    if (next) next(socket)
    else socket.destroy()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const secureContext = tls.createSecureContext({ ...parameters(s), ca: chain.rootPem })

  /** Connects once; resolves when both ends have finished the handshake, with both sockets (the caller destroys them). */
  async function connected(): Promise<{ client: tls.TLSSocket; accepted: tls.TLSSocket }> {
    const serverSide = new Promise<tls.TLSSocket>((resolve) => waiting.push(resolve))
    const client = tls.connect({ host: '127.0.0.1', port, servername: SERVER_NAME, secureContext, rejectUnauthorized: true })
    const timer = setTimeout(() => client.destroy(new Error('node:tls handshake timed out')), HANDSHAKE_TIMEOUT_MS)
    try {
      await once(client, 'secureConnect')
      if (!client.authorized) throw new Error(`node:tls client did not verify the server: ${String(client.authorizationError)}`)
      if (client.isSessionReused()) throw new Error('node:tls reused a session')
      return { client, accepted: await serverSide }
    } catch (e) {
      client.destroy()
      throw e
    } finally {
      clearTimeout(timer)
    }
  }

  async function handshake(): Promise<void> {
    const { client, accepted } = await connected()
    accepted.destroy()
    client.destroy()
  }

  /** Checks once that the negotiated parameters are the pinned ones. */
  async function checked(): Promise<void> {
    const { client, accepted } = await connected()
    try {
      const cipher = client.getCipher()
      const curve = client.getEphemeralKeyInfo()
      const expectedCurve = s.group === 'X25519' ? 'X25519' : 'prime256v1'
      if (client.getProtocol() !== s.version || cipher.standardName !== s.suite.name || (curve !== null && 'name' in curve && curve.name !== expectedCurve))
        throw new Error(`node:tls ${s.id} negotiated ${client.getProtocol()} ${cipher.standardName} ${JSON.stringify(curve)}`)
    } finally {
      accepted.destroy()
      client.destroy()
    }
  }

  await checked()
  return {
    handshake,
    async close() {
      server.close()
      await once(server, 'close')
    },
  }
}

/** Writes per bulk run: 64 × 16 KiB (1 MiB) in flight at once, so the run measures throughput rather than round trips. */
const BULK_WRITES = 64

export interface NodeTlsBulk {
  readonly workload: Workload
  close(): Promise<void>
}

/**
 * One node:tls connection over loopback pinned to `s`; each run writes 1 MiB client → server in `payload`-sized
 * writes and waits until the server has read all of it. Both ends' CPU (OpenSSL, TLSWrap, the TCP stack's syscalls)
 * is in this process.
 */
export async function startNodeTlsBulk(s: Setup, chain: BenchChain, payload: Uint8Array): Promise<NodeTlsBulk> {
  const server = tls.createServer({ ...parameters(s), key: chain.keyPem, cert: chain.chainPem })
  let received = 0
  let waiting: { target: number; resolve: () => void } | undefined
  const accepted = new Promise<tls.TLSSocket>((resolve) => server.once('secureConnection', resolve))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const client = tls.connect({ host: '127.0.0.1', port, servername: SERVER_NAME, ca: chain.rootPem, ...parameters(s) })
  await once(client, 'secureConnect')
  const socket = await accepted
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length
    if (waiting && received >= waiting.target) waiting.resolve()
  })
  const run = async (): Promise<number> => {
    const target = received + BULK_WRITES * payload.length
    const arrived = new Promise<void>((resolve) => (waiting = { target, resolve }))
    for (let i = 0; i < BULK_WRITES; i++) client.write(payload)
    await arrived
    return BULK_WRITES * payload.length
  }
  return {
    workload: { name: `node:tls bulk ${s.id}`, run },
    async close() {
      client.destroy()
      socket.destroy()
      server.close()
      await once(server, 'close')
    },
  }
}
