// Shared pieces of the post-quantum interop tests: Bun as a TLS peer, a recording TCP relay, and an independent TLS 1.3 handshake-key derivation to check the hybrid secret against a capture.
import { createDecipheriv, createHash, createHmac } from 'node:crypto'
import { existsSync, openSync, readSync, closeSync } from 'node:fs'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { freePort, waitUntilListening } from '../helpers/ports.js'
import { PeerProcess } from '../helpers/processes.js'
import { withTimeout } from '../helpers/timeouts.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const BUN_PEER_SCRIPT = fileURLToPath(new URL('./pq-bun-peer.mjs', import.meta.url))

/**
 * The Bun binary the `bun` npm package installed. Its own postinstall moves the platform package's binary over
 * node_modules/bun/bin/bun.exe; where install scripts did not run, the binary is still in @oven/bun-linux-x64.
 * Either way it is an ELF file (the unreplaced bun.exe is a small placeholder).
 */
export function bunBinary(): string {
  const candidates = ['node_modules/@oven/bun-linux-x64/bin/bun', 'node_modules/bun/bin/bun.exe'].map((path) => root + path)
  const found = candidates.find(isElf)
  if (!found) throw new Error(`no Bun binary after npm ci (looked for ${candidates.join(', ')})`)
  return found
}

function isElf(path: string): boolean {
  if (!existsSync(path)) return false
  const fd = openSync(path, 'r')
  try {
    const magic = Buffer.alloc(4)
    return readSync(fd, magic, 0, 4, 0) === 4 && magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))
  } finally {
    closeSync(fd)
  }
}

/** A Bun TLS peer process: stdin is sent over TLS, stdout is what arrived, stderr says "secure PROTOCOL CIPHER". */
export class BunPeer extends PeerProcess {
  /** Waits for the handshake; returns the protocol and cipher Bun reports. */
  async secured(timeoutMs = 15_000): Promise<{ protocol: string; cipher: string }> {
    const [, protocol, cipher] = await this.waitForErrorOutput(/secure (\S+) (\S+)/, timeoutMs)
    return { protocol: protocol!, cipher: cipher! }
  }
}

/** A Bun node:tls server on 127.0.0.1 for one connection, with `ecdhCurve` as given; resolved once it listens. */
export async function startBunServer(certificatePath: string, keyPath: string, ecdhCurve: string): Promise<BunPeer & { port: number }> {
  const port = await freePort()
  const peer = new BunPeer(bunBinary(), [BUN_PEER_SCRIPT, 'server', String(port), certificatePath, keyPath, ecdhCurve], { name: `bun server :${port}` })
  await waitUntilListening(port, {
    timeoutMs: 15_000,
    ...(peer.pid === undefined ? {} : { pid: peer.pid }),
    abandoned: () => (peer.running ? null : `${peer.name} exited with ${peer.exitCode}: ${peer.errorOutput()}`),
  })
  return Object.assign(peer, { port })
}

/** A Bun node:tls client to 127.0.0.1:port (server name localhost) trusting `caPath`, with `ecdhCurve` as given. */
export function startBunClient(port: number, caPath: string, ecdhCurve: string): BunPeer {
  return new BunPeer(bunBinary(), [BUN_PEER_SCRIPT, 'client', String(port), caPath, ecdhCurve], { name: `bun client -> :${port}` })
}

// ---- a relay that records both directions ----

export interface RecordingRelay {
  readonly port: number
  /** Everything the client sent, and everything the server sent, in order. */
  readonly clientToServer: Buffer[]
  readonly serverToClient: Buffer[]
  close(): Promise<void>
}

/** A TCP relay on 127.0.0.1 to `targetPort` for one connection, keeping a copy of every byte each way. */
export async function startRecordingRelay(targetPort: number): Promise<RecordingRelay> {
  const clientToServer: Buffer[] = []
  const serverToClient: Buffer[] = []
  const sockets: Socket[] = []
  const server: Server = createServer((inbound) => {
    const outbound = createConnection({ host: '127.0.0.1', port: targetPort })
    sockets.push(inbound, outbound)
    inbound.on('data', (chunk: Buffer) => (clientToServer.push(chunk), outbound.write(chunk)))
    outbound.on('data', (chunk: Buffer) => (serverToClient.push(chunk), inbound.write(chunk)))
    inbound.on('end', () => outbound.end())
    outbound.on('end', () => inbound.end())
    inbound.on('error', () => outbound.destroy())
    outbound.on('error', () => inbound.destroy())
  })
  await withTimeout(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), 5_000, 'starting the relay')
  const address = server.address()
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    clientToServer,
    serverToClient,
    async close() {
      for (const socket of sockets) socket.destroy()
      await withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), 5_000, 'closing the relay')
    },
  }
}

/** TLS records of a byte stream: content type and fragment. */
export function recordsOf(stream: Buffer): { type: number; header: Buffer; fragment: Buffer }[] {
  const records: { type: number; header: Buffer; fragment: Buffer }[] = []
  for (let at = 0; at + 5 <= stream.length; ) {
    const length = stream.readUInt16BE(at + 3)
    records.push({ type: stream[at]!, header: stream.subarray(at, at + 5), fragment: stream.subarray(at + 5, at + 5 + length) })
    at += 5 + length
  }
  return records
}

/** The key_exchange of the key_share extension in a ServerHello message (header included). */
export function serverHelloKeyShare(serverHello: Buffer): { group: number; keyExchange: Buffer } {
  let at = 4 + 2 + 32
  at += 1 + serverHello[at]! // legacy_session_id_echo
  at += 2 + 1 // cipher_suite, legacy_compression_method
  const end = at + 2 + serverHello.readUInt16BE(at)
  for (at += 2; at < end; ) {
    const type = serverHello.readUInt16BE(at)
    const length = serverHello.readUInt16BE(at + 2)
    if (type === 51) return { group: serverHello.readUInt16BE(at + 4), keyExchange: serverHello.subarray(at + 8, at + 4 + length) }
    at += 4 + length
  }
  throw new Error('the ServerHello has no key_share')
}

// ---- RFC 8446 section 7.1, written out with node:crypto for SHA-256 suites, independent of src/handshake ----

function hkdfExtract(salt: Buffer, ikm: Buffer): Buffer {
  return createHmac('sha256', salt).update(ikm).digest()
}

/** HKDF-Expand-Label for outputs up to one SHA-256 block. */
function hkdfExpandLabel(secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`)
  const info = Buffer.concat([Buffer.of(length >> 8, length & 0xff, fullLabel.length), fullLabel, Buffer.of(context.length), context])
  return createHmac('sha256', secret).update(Buffer.concat([info, Buffer.of(1)])).digest().subarray(0, length)
}

/** The server_handshake_traffic_secret of a full handshake (no PSK) from the (EC)DHE / hybrid shared secret. */
export function serverHandshakeTrafficSecret(sharedSecret: Buffer, clientHello: Buffer, serverHello: Buffer): Buffer {
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest()
  const earlySecret = hkdfExtract(Buffer.alloc(32), Buffer.alloc(32))
  const derived = hkdfExpandLabel(earlySecret, 'derived', sha256(Buffer.alloc(0)), 32)
  const handshakeSecret = hkdfExtract(derived, sharedSecret)
  return hkdfExpandLabel(handshakeSecret, 's hs traffic', sha256(Buffer.concat([clientHello, serverHello])), 32)
}

/**
 * Opens the first record protected under a TLS_AES_128_GCM_SHA256 traffic secret (sequence number 0): the inner
 * plaintext's content type and content (padding removed), or undefined when it does not authenticate.
 */
export function openFirstRecord(trafficSecret: Buffer, record: { header: Buffer; fragment: Buffer }): { type: number; content: Buffer } | undefined {
  const key = hkdfExpandLabel(trafficSecret, 'key', Buffer.alloc(0), 16)
  const iv = hkdfExpandLabel(trafficSecret, 'iv', Buffer.alloc(0), 12)
  const decipher = createDecipheriv('aes-128-gcm', key, iv)
  decipher.setAAD(record.header)
  decipher.setAuthTag(record.fragment.subarray(record.fragment.length - 16))
  try {
    const inner = Buffer.concat([decipher.update(record.fragment.subarray(0, record.fragment.length - 16)), decipher.final()])
    let end = inner.length - 1
    while (end > 0 && inner[end] === 0) end--
    return { type: inner[end]!, content: inner.subarray(0, end) }
  } catch {
    return undefined
  }
}
