// The benchmark page: the same HTTP GET through the same tunnel with pure-tls, subtls and @reclaimprotocol/tls.
import { loadX509FromPem, makeTLSClient, setCryptoImplementation } from '@reclaimprotocol/tls'
import { webcryptoCrypto } from '@reclaimprotocol/tls/webcrypto'
import { startTls, WebSocketReadQueue } from 'subtls'
import { connectOverWebSocket, createDefaultContext, type CryptoProvider, nobleProvider, webCryptoProvider } from '../../../src/index.js'

setCryptoImplementation(webcryptoCrypto)

export interface GetOptions {
  /** ws://bridge/HOST:PORT */
  url: string
  serverName: string
  caPem: string
  path: string
}

/** How long the handshake took (connect included) and the whole GET; how many body-and-header bytes came. */
export interface GetTiming {
  handshakeMs: number
  totalMs: number
  bytes: number
}

const request = (options: GetOptions) => Uint8Array.from(`GET ${options.path} HTTP/1.0\r\nHost: ${options.serverName}\r\n\r\n`, (c) => c.charCodeAt(0))

async function openWebSocket(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url)
  socket.binaryType = 'arraybuffer'
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true })
    socket.addEventListener('error', reject, { once: true })
  })
  return socket
}

/** The WebCrypto provider, probed once when the page loads (Chromium's SubtleCrypto has X25519, P-256, AES-GCM…). */
const webCrypto = webCryptoProvider()

/** pure-tls with `provider`: the default (noble, pure JavaScript) or the page's WebCrypto. */
const pureTls = (provider: CryptoProvider) => async (options: GetOptions): Promise<GetTiming> => {
  const started = performance.now()
  const context = createDefaultContext('server-auth', { ca: options.caPem, provider })
  const tls = await connectOverWebSocket({ url: options.url, serverName: options.serverName, context, api: 'WebSocket' })
  const handshakeMs = performance.now() - started
  const writer = tls.writable.getWriter()
  await writer.write(request(options))
  writer.releaseLock()
  let bytes = 0
  const reader = tls.readable.getReader()
  for (let next = await reader.read(); !next.done; next = await reader.read()) bytes += next.value.length
  return { handshakeMs, totalMs: performance.now() - started, bytes }
}

async function subtls(options: GetOptions): Promise<GetTiming> {
  const started = performance.now()
  const socket = await openWebSocket(options.url)
  const queue = new WebSocketReadQueue(socket)
  const { read, write } = await startTls(options.serverName, options.caPem, queue.read.bind(queue), socket.send.bind(socket))
  // subtls finishes its handshake on the first read or write.
  await write(request(options))
  const handshakeMs = performance.now() - started
  let bytes = 0
  for (let chunk = await read(); chunk !== undefined; chunk = await read()) bytes += chunk.length
  socket.close()
  return { handshakeMs, totalMs: performance.now() - started, bytes }
}

async function reclaim(options: GetOptions): Promise<GetTiming> {
  const started = performance.now()
  const socket = await openWebSocket(options.url)
  let bytes = 0
  let handshakeMs = 0
  let finish!: () => void
  let fail!: (error: unknown) => void
  const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)))
  const tls = makeTLSClient({
    host: options.serverName,
    rootCAs: [loadX509FromPem(options.caPem)],
    verifyServerCertificate: true,
    write({ header, content }) {
      const packet = new Uint8Array(header.length + content.length)
      packet.set(header)
      packet.set(content, header.length)
      socket.send(packet)
    },
    onHandshake() {
      handshakeMs = performance.now() - started
      void tls.write(request(options))
    },
    onApplicationData: (plaintext) => void (bytes += plaintext.length),
    onTlsEnd: (error) => (error ? fail(error) : finish()),
  })
  // Records are handled one after another, in arrival order.
  let inOrder = Promise.resolve()
  socket.addEventListener('message', (event) => {
    inOrder = inOrder.then(() => tls.handleReceivedBytes(new Uint8Array(event.data as ArrayBuffer))).catch(fail)
  })
  socket.addEventListener('close', () => finish())
  await tls.startHandshake()
  await done
  socket.close()
  return { handshakeMs, totalMs: performance.now() - started, bytes }
}

const libraries: Record<string, (options: GetOptions) => Promise<GetTiming>> = {
  'pure-tls (noble)': pureTls(nobleProvider),
  'pure-tls (webCryptoProvider)': pureTls(webCrypto),
  subtls,
  '@reclaimprotocol/tls (webcrypto)': reclaim,
}

/** What the in-page bulk transfer needs: a server chain, its key and the CA; how many MiB to move. */
export interface MemoryBulkOptions {
  certPem: string
  keyPem: string
  caPem: string
  mebibytes: number
  provider: 'noble' | 'webCryptoProvider'
}

/**
 * pure-tls's own record throughput in the page, without the tunnel: a client and a server Connection in memory, both
 * on `provider`, TLS 1.3 with AES-128-GCM, the server sending `mebibytes` to the client. Resolves with MB/s.
 */
async function memoryBulk(options: MemoryBulkOptions): Promise<number> {
  const provider = options.provider === 'noble' ? nobleProvider : webCrypto
  const common = { provider, minVersion: 'TLSv1.3', cipherSuites: ['TLS_AES_128_GCM_SHA256'] } as const
  const server = createDefaultContext('client-auth', { ...common, cert: options.certPem, key: options.keyPem }).server()
  const client = createDefaultContext('server-auth', { ...common, ca: options.caPem }).client({ serverName: 'localhost' })
  const shuttle = async (): Promise<void> => {
    for (;;) {
      await Promise.all([client.settled(), server.settled()])
      const toServer = client.takeOutgoing()
      const toClient = server.takeOutgoing()
      if (toServer.length === 0 && toClient.length === 0 && !client.busy && !server.busy) return
      if (toServer.length) server.receive(toServer)
      if (toClient.length) client.receive(toClient)
    }
  }
  await shuttle()
  const chunk = new Uint8Array(1 << 20).fill(0x61)
  let received = 0
  const started = performance.now()
  for (let i = 0; i < options.mebibytes; i++) {
    server.write(chunk)
    await shuttle()
    received += client.read().length
  }
  const seconds = (performance.now() - started) / 1000
  if (received !== options.mebibytes * chunk.length) throw new Error(`received ${received} bytes`)
  return (received / 1e6) / seconds
}

/** `runs` GETs in a row with `library`; any failure is reported as its message. */
async function repeat(library: string, options: GetOptions, runs: number): Promise<GetTiming[] | { error: string }> {
  const timings: GetTiming[] = []
  try {
    for (let i = 0; i < runs; i++) timings.push(await libraries[library]!(options))
    return timings
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
  }
}

Object.assign(globalThis, { pureTlsBench: { libraries: Object.keys(libraries), repeat, memoryBulk } })
