// openssl s_client sending real 0-RTT data to our server, which does not accept it: the data is skipped, the handshake is an ordinary 1-RTT one (RFC 8446 4.2.10).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Chain, cleanupPki } from '../helpers/pki.js'
import { runOpenSslClient, startOpenSslServer } from '../helpers/peers.js'
import { disposeAll, opensslCertificateArgs, processEndpoint, sendLine, serverChain, startOurServer } from './interop13-helpers.js'

let chain: Chain
let scratch: string
beforeAll(async () => {
  chain = await serverChain()
  scratch = mkdtempSync(join(tmpdir(), 'pure-tls-early-data-'))
})
afterEach(disposeAll)
afterAll(() => {
  cleanupPki()
  rmSync(scratch, { recursive: true, force: true })
})

/** A session from openssl s_server -early_data: its ticket lets s_client send 0-RTT data (to whoever it connects to next). */
async function earlyDataSession(): Promise<string> {
  const path = join(scratch, `session-${Date.now()}.pem`)
  const server = await startOpenSslServer(['-tls1_3', '-naccept', '1', '-early_data', ...opensslCertificateArgs(chain)])
  const client = await runOpenSslClient(['-tls1_3', '-sess_out', path, '-CAfile', chain.rootPath, '-servername', 'localhost'], { connectTo: server.port })
  await client.waitForOutput(/Max Early Data: 16384/)
  await client.endInput()
  await client.waitForExit()
  return path
}

describe('0-RTT data from openssl s_client is skipped', () => {
  for (const [what, extra, serverOptions] of [
    ['one record', [], {}],
    ['in 512-byte fragments', ['-max_send_frag', '512'], {}],
    ['after a HelloRetryRequest (the key share is P-256, we take X25519 only)', ['-groups', 'P-256:X25519'], { groups: ['x25519'] }],
  ] as const) {
    it(`${what}: our server completes a 1-RTT handshake, s_client reports the early data rejected, data flows`, async () => {
      const session = await earlyDataSession()
      const early = join(scratch, 'early.txt')
      writeFileSync(early, `GET /early HTTP/1.1\r\n${'x'.repeat(3000)}\r\n\r\n`)
      const server = await startOurServer({ cert: chain.chainPem, key: chain.keyPem, ...serverOptions })
      const client = await runOpenSslClient(
        ['-tls1_3', '-sess_in', session, '-early_data', early, '-CAfile', chain.rootPath, '-servername', 'localhost', ...extra],
        { connectTo: server.port },
      )
      const accepted = await server.nextConnection()
      expect(accepted.info.resumed).toBe(false)
      await client.waitForOutput(/Early data was rejected/)
      await sendLine(processEndpoint('openssl s_client', client), accepted, 'after-the-rejected-early-data')
      await sendLine(accepted, processEndpoint('openssl s_client', client), 'answer-from-our-server')
      // Nothing of the early data reached the application.
      expect(accepted.received.text()).not.toMatch(/GET \/early/)
    })
  }
})
