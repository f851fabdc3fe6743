// Headless Chromium: the library bundled by esbuild for the browser, TLS 1.3 and 1.2 through our WebSocket bridge to
// openssl s_server and to a node:tls server, ECDSA and RSA chains verified against a test CA, a 1 MiB HTTP download
// whose SHA-256 is compared, and the refusals (a wrong host name, a target the bridge does not allow) shown in the page.
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Bridge, startBridge } from '../../src/cli/bridge.js'
import { disposePeers, type NodeTlsServer, startNodeTlsServer, startOpenSslServer } from '../helpers/peers.js'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { bundle } from './bundles.js'
import type { FetchOptions, FetchResult } from './browser/page.js'
import { closeAll, launchChromium, openPage, type RunningChromium, serveFiles, type StaticSite } from './chromium.js'

const DOWNLOAD = 1024 * 1024
const payload = randomBytes(DOWNLOAD)
const payloadSha256 = createHash('sha256').update(payload).digest('hex')

interface Target {
  readonly name: string
  readonly chain: Chain
  readonly port: number
}

let chains: Record<'ECDSA' | 'RSA', Chain>
let targets: Target[]
let bridge: Bridge
let site: StaticSite
let chromium: RunningChromium
let page: Page
let pageErrors: string[]

/** A node:tls server answering every HTTP request with the payload, then closing. */
async function nodeHttpsLike(chain: Chain): Promise<NodeTlsServer> {
  const server = await startNodeTlsServer({ cert: chain.chainPem, key: chain.keyPem, minVersion: 'TLSv1.2' })
  server.server.on('secureConnection', (socket) => {
    let request = ''
    socket.on('data', (chunk: Buffer) => {
      request += chunk.toString('latin1')
      if (!request.includes('\r\n\r\n')) return
      socket.write(`HTTP/1.0 200 OK\r\nContent-Length: ${payload.length}\r\n\r\n`)
      socket.end(payload)
    })
  })
  return server
}

beforeAll(async () => {
  const [ecdsa, rsa] = await Promise.all([makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true }), makeChain({ leafKey: 'rsa-2048', caKey: 'rsa-2048', caName: 'Chromium RSA root' })])
  chains = { ECDSA: ecdsa, RSA: rsa }
  const files = mkdtempSync(join(tmpdir(), 'pure-tls-www-'))
  writeFileSync(join(files, 'download.bin'), payload)
  targets = []
  for (const [name, chain] of Object.entries(chains)) {
    const openssl = await startOpenSslServer(['-WWW', '-cert', chain.leafPath, '-key', chain.keyPath, ...(chain.intermediatePath ? ['-cert_chain', chain.intermediatePath] : [])], { cwd: files, lifetimeMs: 600_000 })
    targets.push({ name: `openssl s_server, ${name}`, chain, port: openssl.port })
    const node = await nodeHttpsLike(chain)
    targets.push({ name: `node:tls, ${name}`, chain, port: node.port })
  }
  bridge = await startBridge({ listen: { host: '127.0.0.1', port: 0 }, targets: targets.map((t) => ({ host: '127.0.0.1', port: t.port })) })
  const pageScript = await bundle('test/runtimes/browser/page.ts', { format: 'esm', platform: 'browser', minify: true })
  site = await serveFiles({ 'favicon.ico': '', 'index.html': readFileSync(join(import.meta.dirname, 'browser', 'index.html'), 'utf8'), 'page.js': pageScript })
  chromium = await launchChromium()
  ;({ page, errors: pageErrors } = await openPage(chromium.browser, site.url, 'globalThis.pureTlsPage !== undefined'))
}, 180_000)

afterAll(async () => {
  await closeAll(chromium, site, bridge)
  await disposePeers()
  cleanupPki()
})

function fetchInPage(options: Omit<FetchOptions, 'bridgeUrl'>): Promise<FetchResult> {
  return page.evaluate((o) => (globalThis as unknown as { pureTlsPage: { fetchOverTls(o: FetchOptions): Promise<FetchResult> } }).pureTlsPage.fetchOverTls(o), { bridgeUrl: bridge.url, ...options })
}

describe('Chromium, through the WebSocket bridge', () => {
  const versions = ['TLSv1.3', 'TLSv1.2'] as const
  const cases = ['openssl s_server, ECDSA', 'node:tls, ECDSA', 'openssl s_server, RSA', 'node:tls, RSA'].flatMap((name) => ['noble', 'webcrypto'].map((provider) => [name, provider] as const))
  it.each(cases)(
    '%s, provider %s: TLS 1.3 and 1.2 handshakes verified against the test CA, a 1 MiB GET whose SHA-256 matches',
    async (name, provider) => {
      const target = targets.find((t) => t.name === name)!
      for (const [i, maxVersion] of versions.entries()) {
        // Both tunnel APIs: WebSocketStream (the default in Chromium) and WebSocket.
        const api = i === 0 ? 'WebSocketStream' : 'WebSocket'
        const result = await fetchInPage({ target: `127.0.0.1:${target.port}`, serverName: 'localhost', caPem: target.chain.rootPem, path: '/download.bin', maxVersion, api, provider })
        expect(result, `${name} ${maxVersion} over ${api}`).toMatchObject({ ok: true, version: maxVersion, peerVerified: true, bodyLength: DOWNLOAD, bodySha256: payloadSha256 })
        expect((result as { statusLine: string }).statusLine).toMatch(/^HTTP\/1\.0 200 ok/i)
      }
      expect(pageErrors).toEqual([])
    },
    120_000,
  )

  it("runs the webcrypto provider on Chromium's own SubtleCrypto: X25519, P-256, P-384, ECDSA, Ed25519, RSA and AES-GCM native", async () => {
    const native = await page.evaluate(() => (globalThis as unknown as { pureTlsPage: { nativeOperations(name: string): string[] } }).pureTlsPage.nativeOperations('webcrypto'))
    expect(native).toEqual(expect.arrayContaining(['AES-128-GCM', 'AES-256-GCM', 'x25519', 'secp256r1', 'secp384r1', 'ecdsa', 'rsa-pss', 'rsa-pkcs1']))
    expect(native).not.toContain('CHACHA20-POLY1305')
  })

  it('shows the typed error in the page when the host name is wrong', async () => {
    const target = targets[0]!
    const result = await fetchInPage({ target: `127.0.0.1:${target.port}`, serverName: 'wrong.example', caPem: target.chain.rootPem, path: '/' })
    expect(result).toEqual({
      ok: false,
      error: { name: 'CertificateVerificationError', code: 'ERR_TLS_CERT_VERIFY', reason: 'hostname-mismatch', alert: 'bad_certificate', message: expect.stringMatching(/wrong\.example/) },
    })
    expect(await page.$eval('#log', (log) => log.textContent)).toMatch(/CertificateVerificationError ERR_TLS_CERT_VERIFY hostname-mismatch/)
  })

  it('shows why the bridge refused a target it does not allow', async () => {
    const result = await fetchInPage({ target: '127.0.0.1:1', serverName: 'localhost', caPem: chains.ECDSA.rootPem, path: '/' })
    expect(result).toMatchObject({ ok: false, error: { code: 'ERR_TLS_TRANSPORT', message: expect.stringMatching(/1008: 127\.0\.0\.1:1 is not an allowed target of this bridge/) } })
  })
})
