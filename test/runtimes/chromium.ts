// Headless Chromium for the runtime tests: Debian's /usr/bin/chromium driven by puppeteer-core (no browser download),
// and a static HTTP server on 127.0.0.1 for the page.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'

export const CHROMIUM = '/usr/bin/chromium'

/** The flags every run uses: headless, no sandbox or GPU, and nothing that talks to the network on its own. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

export interface RunningChromium {
  readonly browser: Browser
  close(): Promise<void>
}

/** Chromium with a fresh profile, removed on close. */
export async function launchChromium(): Promise<RunningChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'pure-tls-chromium-'))
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: [...FLAGS, `--user-data-dir=${profile}`], timeout: 60_000 })
  return {
    browser,
    async close() {
      await browser.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

export interface StaticSite {
  /** http://127.0.0.1:PORT/ */
  readonly url: string
  close(): Promise<void>
}

const types: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8' }

/** Serves `files` (path → contents) on 127.0.0.1; anything else is a 404. */
export async function serveFiles(files: Record<string, string>): Promise<StaticSite> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!.replace(/^\//, '') || 'index.html'
    const body = files[path]
    if (body === undefined) return void response.writeHead(404).end()
    response.writeHead(200, { 'Content-Type': types[path.split('.').pop()!] ?? 'application/octet-stream', 'Cache-Control': 'no-store' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

/** A page of `site` opened and loaded, with its console errors collected (a failed page load is reported by them). */
export async function openPage(browser: Browser, url: string, ready: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(String(error)))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  await page.goto(url, { waitUntil: 'load' })
  await page.waitForFunction(ready, { timeout: 30_000 })
  return { page, errors }
}

/** Closes what a test opened, in order, skipping what was never opened (a failed beforeAll). */
export async function closeAll(...things: ({ close(): Promise<void> } | undefined)[]): Promise<void> {
  for (const thing of things) await thing?.close()
}
