// The test page: pure-tls bundled for the browser, TLS through a WebSocket tunnel, results for the test and on screen.
import { connectOverWebSocket, createDefaultContext, nobleProvider, type CryptoProvider, type SecureStreamPair, webCryptoProvider } from '../../../src/index.js'
import { readAll } from '../programs/read-all.js'

/** Providers the page can run with; the test names one: the default (noble) and the browser's own WebCrypto. */
const providers: Record<string, CryptoProvider> = { noble: nobleProvider, webcrypto: webCryptoProvider() }

/** What the named provider runs natively here (provider.describe()). */
function nativeOperations(name: string): string[] {
  const description = providers[name]?.describe?.()
  return description ? Object.entries(description.operations).filter(([, how]) => how === 'native').map(([operation]) => operation) : []
}

export interface FetchOptions {
  /** ws://bridge/ */
  bridgeUrl: string
  /** The bridge target, HOST:PORT. */
  target: string
  serverName: string
  caPem: string
  path: string
  provider?: string
  api?: 'WebSocket' | 'WebSocketStream'
  maxVersion?: 'TLSv1.2' | 'TLSv1.3'
}

export type FetchResult =
  | { ok: true; version: string; cipherSuite: string; peerVerified: boolean; statusLine: string; bodyLength: number; bodySha256: string; handshakeMs: number; totalMs: number }
  | { ok: false; error: { name: string; code?: string; reason?: string; alert?: string; message: string } }

function show(line: string): void {
  const item = document.createElement('li')
  item.textContent = line
  document.getElementById('log')!.append(item)
}

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('')

/** Connects through the tunnel, GETs `path` over HTTP/1.0, and reports what came back (or the typed error). */
async function fetchOverTls(options: FetchOptions): Promise<FetchResult> {
  const started = performance.now()
  let tls: SecureStreamPair
  try {
    const provider = providers[options.provider ?? 'noble']
    if (!provider) throw new Error(`no provider ${options.provider}`)
    const context = createDefaultContext('server-auth', { ca: options.caPem, provider, ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}) })
    tls = await connectOverWebSocket({ url: `${options.bridgeUrl}${options.target}`, serverName: options.serverName, context, ...(options.api ? { api: options.api } : {}) })
  } catch (caught) {
    const error = caught as { name: string; code?: string; reason?: string; alert?: string; message: string }
    show(`${options.target} as ${options.serverName}: ${error.name} ${error.code ?? ''} ${error.reason ?? ''}: ${error.message}`)
    return { ok: false, error: { name: error.name, code: error.code, reason: error.reason, alert: error.alert, message: error.message } }
  }
  const handshakeMs = performance.now() - started
  const info = tls.connection.info!
  const writer = tls.writable.getWriter()
  await writer.write(`GET ${options.path} HTTP/1.0\r\nHost: ${options.serverName}\r\n\r\n`)
  writer.releaseLock()
  const response = await readAll(tls.readable)
  let headerEnd = 0
  while (headerEnd + 3 < response.length && !(response[headerEnd] === 13 && response[headerEnd + 1] === 10 && response[headerEnd + 2] === 13 && response[headerEnd + 3] === 10)) headerEnd++
  const body = response.subarray(headerEnd + 4)
  const statusLine = new TextDecoder().decode(response.subarray(0, response.indexOf(13)))
  const bodySha256 = hex(await crypto.subtle.digest('SHA-256', body as Uint8Array<ArrayBuffer>))
  const totalMs = performance.now() - started
  show(`${options.target}: ${info.version} ${info.cipherSuite}, ${statusLine}, ${body.length} bytes, SHA-256 ${bodySha256.slice(0, 16)}…`)
  return { ok: true, version: info.version, cipherSuite: info.cipherSuite, peerVerified: info.peerVerified, statusLine, bodyLength: body.length, bodySha256, handshakeMs, totalMs }
}

Object.assign(globalThis, { pureTlsPage: { fetchOverTls, nativeOperations } })
