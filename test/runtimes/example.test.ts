// examples/browser, as a person would use it: `npm run example:browser`, open the page in Chromium, press Connect.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PeerProcess } from '../helpers/processes.js'
import { repositoryRoot } from './bundles.js'
import { launchChromium, type RunningChromium } from './chromium.js'

let example: PeerProcess
let url: string
let chromium: RunningChromium

beforeAll(async () => {
  example = new PeerProcess(process.execPath, [join(repositoryRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(repositoryRoot, 'examples', 'browser', 'serve.ts')], {
    name: 'example:browser',
    lifetimeMs: 300_000,
  })
  url = (await example.waitForOutput(/open (http:\/\/127\.0\.0\.1:\d+\/)/, 60_000))[1]!
  chromium = await launchChromium()
}, 120_000)

afterAll(async () => {
  await chromium?.close()
  await example?.stop()
})

async function connectAs(serverName: string): Promise<{ status: string; output: string }> {
  const page = await chromium.browser.newPage()
  await page.goto(url, { waitUntil: 'load' })
  await page.$eval('#server-name', (input, name) => ((input as HTMLInputElement).value = name), serverName)
  await page.click('#connect')
  await page.waitForFunction(() => !/^(connecting…)?$/.test(document.getElementById('status')!.textContent ?? '') && (document.getElementById('status')!.textContent!.includes('Error') || document.getElementById('output')!.textContent!.includes('you sent')), { timeout: 30_000 })
  const read = (id: string) => page.$eval(`#${id}`, (element) => element.textContent ?? '')
  const result = { status: await read('status'), output: await read('output') }
  await page.close()
  return result
}

describe('examples/browser', () => {
  it('shows the greeting the TLS server sent, over a verified TLS 1.3 connection', async () => {
    const { status, output } = await connectAs('localhost')
    expect(status).toMatch(/^TLSv1\.3, TLS_\w+, certificate verified$/)
    expect(output).toMatch(/^HTTP\/1\.0 200 OK/)
    expect(output).toMatch(/hello, browser: this came over TLSv1\.3/)
    expect(output).toMatch(/you sent: GET \/ HTTP\/1\.0/)
  })

  it('shows the typed error when the name does not match the certificate', async () => {
    const { status, output } = await connectAs('not-localhost.example')
    expect(status).toMatch(/^CertificateVerificationError \(ERR_TLS_CERT_VERIFY\): certificate verify failed \(hostname-mismatch\)/)
    expect(output).toBe('')
  })
})
