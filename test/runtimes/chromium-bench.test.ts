// The benchmark in Chromium (printed, never asserted): median handshake time over 20 connections with ECDSA and RSA
// chains, and MB/s of a 16 MiB download, for pure-tls beside subtls and @reclaimprotocol/tls, same page, same tunnel,
// same openssl s_server. Only correctness is checked: every byte of every GET arrived.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Bridge, startBridge } from '../../src/cli/bridge.js'
import { disposePeers, startOpenSslServer } from '../helpers/peers.js'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { bundle } from './bundles.js'
import type { GetOptions, GetTiming, MemoryBulkOptions } from './browser/bench.js'
import { closeAll, launchChromium, openPage, type RunningChromium, serveFiles, type StaticSite } from './chromium.js'

const HANDSHAKES = 20
const BIG = 16 * 1024 * 1024
const SMALL = 'small file\n'

let servers: { name: string; chain: Chain; port: number }[]
let bridge: Bridge
let site: StaticSite
let chromium: RunningChromium
let page: Page
let libraries: string[]

beforeAll(async () => {
  const [ecdsa, rsa] = await Promise.all([makeChain({ leafKey: 'ecdsa-p256' }), makeChain({ leafKey: 'rsa-2048', caKey: 'rsa-2048', caName: 'bench RSA root' })])
  const files = mkdtempSync(join(tmpdir(), 'pure-tls-bench-www-'))
  writeFileSync(join(files, 'small.txt'), SMALL)
  writeFileSync(join(files, 'big.bin'), randomBytes(BIG))
  servers = []
  for (const [name, chain] of [['ECDSA P-256', ecdsa], ['RSA 2048', rsa]] as const) {
    // TLS 1.3 only: subtls speaks nothing else.
    const server = await startOpenSslServer(['-WWW', '-tls1_3', '-cert', chain.leafPath, '-key', chain.keyPath], { cwd: files, lifetimeMs: 900_000 })
    servers.push({ name, chain, port: server.port })
  }
  bridge = await startBridge({ listen: { host: '127.0.0.1', port: 0 }, targets: servers.map((s) => ({ host: '127.0.0.1', port: s.port })) })
  const script = await bundle('test/runtimes/browser/bench.ts', {
    format: 'esm',
    platform: 'browser',
    minify: true,
    // Both other libraries import node's crypto for its webcrypto; in a page that is the page's own.
    virtualModules: { crypto: 'export const webcrypto = globalThis.crypto; export default { webcrypto: globalThis.crypto }' },
  })
  const html = readFileSync(join(import.meta.dirname, 'browser', 'index.html'), 'utf8')
  site = await serveFiles({ 'favicon.ico': '', 'index.html': html, 'page.js': script })
  chromium = await launchChromium()
  ;({ page } = await openPage(chromium.browser, site.url, 'globalThis.pureTlsBench !== undefined'))
  libraries = await page.evaluate(() => (globalThis as unknown as { pureTlsBench: { libraries: string[] } }).pureTlsBench.libraries)
}, 180_000)

afterAll(async () => {
  await closeAll(chromium, site, bridge)
  await disposePeers()
  cleanupPki()
})

function repeat(library: string, options: GetOptions, runs: number): Promise<GetTiming[] | { error: string }> {
  return page.evaluate(
    (l, o, r) => (globalThis as unknown as { pureTlsBench: { repeat(l: string, o: GetOptions, r: number): Promise<GetTiming[] | { error: string }> } }).pureTlsBench.repeat(l, o, r),
    library,
    options,
    runs,
  )
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

describe('benchmark in Chromium (printed)', () => {
  it('measures handshakes and a 16 MiB download for each library', async () => {
    const lines = [`Chromium ${await chromium.browser.version()}, through pure-tls bridge to openssl s_server (TLS 1.3); ${HANDSHAKES} handshakes each`]
    for (const server of servers) {
      for (const library of libraries) {
        const options = (path: string): GetOptions => ({ url: `${bridge.url}127.0.0.1:${server.port}`, serverName: 'localhost', caPem: server.chain.rootPem, path })
        const handshakes = await repeat(library, options('/small.txt'), HANDSHAKES)
        const download = await repeat(library, options('/big.bin'), 1)
        if ('error' in handshakes || 'error' in download) {
          lines.push(`  ${server.name.padEnd(12)} ${library.padEnd(34)} failed: ${'error' in handshakes ? handshakes.error : (download as { error: string }).error}`)
          // The other libraries are measured where they work; ours must work everywhere.
          expect(library.startsWith('pure-tls'), `${library}: ${JSON.stringify([handshakes, download])}`).toBe(false)
          continue
        }
        const [big] = download
        // Headers plus the body: at least every byte of the file.
        expect(big!.bytes).toBeGreaterThan(BIG)
        for (const timing of handshakes) expect(timing.bytes).toBeGreaterThan(SMALL.length)
        const mbPerSecond = BIG / 1e6 / ((big!.totalMs - big!.handshakeMs) / 1000)
        lines.push(`  ${server.name.padEnd(12)} ${library.padEnd(34)} handshake median ${median(handshakes.map((t) => t.handshakeMs)).toFixed(1).padStart(7)} ms   16 MiB ${mbPerSecond.toFixed(1).padStart(6)} MB/s`)
      }
    }
    // pure-tls's records alone, in the page and in memory (no tunnel, no server): what the tunnel runs above limits.
    const chain = servers[0]!.chain
    for (const provider of ['noble', 'webCryptoProvider'] as const) {
      const options: MemoryBulkOptions = { certPem: chain.chainPem, keyPem: chain.keyPem, caPem: chain.rootPem, mebibytes: 16, provider }
      const mbPerSecond = await page.evaluate((o) => (globalThis as unknown as { pureTlsBench: { memoryBulk(o: MemoryBulkOptions): Promise<number> } }).pureTlsBench.memoryBulk(o), options)
      expect(mbPerSecond).toBeGreaterThan(0)
      lines.push(`  in memory    pure-tls (${provider})${' '.repeat(Math.max(0, 23 - provider.length))} TLS 1.3 AES-128-GCM, 16 MiB server to client  ${mbPerSecond.toFixed(1).padStart(6)} MB/s`)
    }
    console.log(lines.join('\n'))
  }, 600_000)
})
