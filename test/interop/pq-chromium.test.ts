// Chromium's own TLS stack (Debian's headless chromium, driven by puppeteer-core) loads a page from our server over X25519MLKEM768; the group is asserted on both sides.
import { createHash, X509Certificate } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import puppeteer, { type Browser } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionInfo } from '../../src/handshake/session.js'
import { createServer, type ServerOptions, type TlsServer, type TlsSocket } from '../../src/transport/node.js'
import { cleanupPki, type Chain } from '../helpers/pki.js'
import { withTimeout } from '../helpers/timeouts.js'
import { serverChain } from './interop13-helpers.js'

const CHROMIUM = '/usr/bin/chromium'
const PAGE_TEXT = 'pure-tls over a post-quantum hybrid'

let chain: Chain
let profile: string
let browser: Browser

/** base64(SHA-256(SubjectPublicKeyInfo)) of a certificate: what --ignore-certificate-errors-spki-list takes. */
function spkiHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(spki).digest('base64')
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`)
  chain = await serverChain('ecdsa-p256')
  profile = mkdtempSync(join(tmpdir(), 'pure-tls-chromium-'))
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--ignore-certificate-errors-spki-list=${spkiHash(chain.leafPem)}`,
    ],
  })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  if (profile) rmSync(profile, { recursive: true, force: true })
  await cleanupPki()
})

/** Our HTTPS server: a small HTML page at /, 404 elsewhere; the handshake info of each connection that asked for /. */
async function startPageServer(options: Omit<ServerOptions, 'cert' | 'key'> = {}): Promise<{ port: number; pageConnections: ConnectionInfo[]; close(): Promise<void> }> {
  const pageConnections: ConnectionInfo[] = []
  const sockets: TlsSocket[] = []
  const server: TlsServer = createServer({ cert: chain.chainPem, key: chain.keyPem, ...options }, (socket: TlsSocket) => {
    sockets.push(socket)
    let request = ''
    socket.on('data', (chunk: Buffer) => {
      request += chunk.toString('latin1')
      if (!request.includes('\r\n\r\n')) return
      const path = request.split(' ')[1]
      if (path === '/') pageConnections.push(socket.info!)
      const body = path === '/' ? `<!doctype html><title>pq</title><body><p id="text">${PAGE_TEXT}: ${socket.info!.group}</p></body>` : 'not found'
      socket.end(`HTTP/1.1 ${path === '/' ? '200 OK' : '404 Not Found'}\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`)
    })
    socket.on('error', () => {})
  })
  await withTimeout(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve())), 10_000, 'starting the page server')
  return {
    port: server.address().port,
    pageConnections,
    async close() {
      // Chromium may keep a spare connection open: end every one, then wait for the listener to close.
      for (const socket of sockets) socket.socket.destroy()
      await withTimeout(new Promise<void>((resolve) => server.close(() => resolve())), 10_000, 'closing the page server')
    },
  }
}

/** Loads https://127.0.0.1:port/ in a fresh page; returns the page text and the key exchange group Chromium reports (DevTools). */
async function load(port: number): Promise<{ text: string; keyExchangeGroup: string | undefined; protocol: string | undefined }> {
  const page = await browser.newPage()
  try {
    const devtools = await page.createCDPSession()
    await devtools.send('Network.enable')
    const security = new Promise<{ keyExchangeGroup?: string; protocol?: string }>((resolve) =>
      devtools.on('Network.responseReceived', (event) => {
        if (event.response.url.endsWith(`:${port}/`)) resolve(event.response.securityDetails ?? {})
      }),
    )
    await page.goto(`https://127.0.0.1:${port}/`, { waitUntil: 'load', timeout: 30_000 })
    const text = await page.$eval('#text', (element) => element.textContent ?? '')
    const details = await withTimeout(security, 10_000, 'the DevTools security details')
    return { text, keyExchangeGroup: details.keyExchangeGroup, protocol: details.protocol }
  } finally {
    await page.close()
  }
}

describe('Chromium ↔ our server', () => {
  it('negotiates X25519MLKEM768 with our default server: the group on our side, the page and the group on Chromium’s', async () => {
    const { port, pageConnections, close } = await startPageServer()
    try {
      const loaded = await load(port)
      expect(loaded.text).toBe(`${PAGE_TEXT}: X25519MLKEM768`)
      expect([loaded.protocol, loaded.keyExchangeGroup]).toEqual(['TLS 1.3', 'X25519MLKEM768'])
      expect(pageConnections.map((info) => [info.version, info.group, info.helloRetryRequest])).toEqual([['TLSv1.3', 'X25519MLKEM768', false]])
    } finally {
      await close()
    }
  })

  it('with our server restricted to X25519, Chromium’s second share is used instead (so the first test saw the hybrid, not a default)', async () => {
    const { port, pageConnections, close } = await startPageServer({ groups: ['X25519'] })
    try {
      const loaded = await load(port)
      expect(loaded.text).toBe(`${PAGE_TEXT}: x25519`)
      expect(loaded.keyExchangeGroup).toBe('X25519')
      expect(pageConnections.map((info) => [info.group, info.helloRetryRequest])).toEqual([['x25519', false]])
    } finally {
      await close()
    }
  })
})
