// Deno and Bun (their npm packages' binaries): the built package imported as a user would, in-memory handshakes, and
// TLS to openssl s_server through the runtime's own TCP API (Deno.connect, Bun.connect); each process exits by itself.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { disposePeers, startOpenSslServer } from '../helpers/peers.js'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { PeerProcess } from '../helpers/processes.js'
import { bunBinary, denoBinary } from './binaries.js'
import { bundle, installedPackage } from './bundles.js'
import type { RuntimeInput, RuntimeReport } from './programs/runtime-checks.js'

let ecdsa: Chain
let rsa: Chain
let app: string
beforeAll(async () => {
  ;[ecdsa, rsa, app] = await Promise.all([
    makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true }),
    makeChain({ leafKey: 'rsa-2048', caKey: 'rsa-2048', caName: 'Deno and Bun RSA root' }),
    installedPackage(),
  ])
  for (const runtime of ['deno', 'bun']) {
    writeFileSync(join(app, `${runtime}.mjs`), await bundle(`test/runtimes/programs/${runtime}.ts`, { format: 'esm', libraryExternal: true }))
  }
}, 300_000)
afterEach(() => disposePeers())
afterAll(() => cleanupPki())

const runtimes: Record<string, () => [string, string[]]> = {
  deno: () => [denoBinary(), ['run', '--no-prompt', '--allow-net=127.0.0.1', 'deno.mjs']],
  bun: () => [bunBinary(), ['run', 'bun.mjs']],
}

describe.each(Object.keys(runtimes))('%s', (runtime) => {
  it('imports the installed package, handshakes in memory, and talks TLS to openssl s_server over its own TCP API', async () => {
    const server = await startOpenSslServer(['-www', '-naccept', '1', '-cert', ecdsa.leafPath, '-key', ecdsa.keyPath, '-cert_chain', ecdsa.intermediatePath!])
    const input: RuntimeInput = {
      chains: [
        { name: 'ECDSA P-256', rootPem: ecdsa.rootPem, chainPem: ecdsa.chainPem, keyPem: ecdsa.keyPem },
        { name: 'RSA 2048', rootPem: rsa.rootPem, chainPem: rsa.chainPem, keyPem: rsa.keyPem },
      ],
      port: server.port,
      caPem: ecdsa.rootPem,
    }
    const [binary, args] = runtimes[runtime]!()
    const child = new PeerProcess(binary, [...args, JSON.stringify(input)], { name: runtime, cwd: app, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } })
    // Exiting by itself is part of the test: a transport left open would keep the process alive.
    expect(await child.waitForExit(120_000), child.errorOutput()).toBe(0)
    const report = JSON.parse(child.output()) as RuntimeReport
    expect(report.inMemory.map((r) => `${r.chain} ${r.version} ${r.peerVerified}`)).toEqual([
      'ECDSA P-256 TLSv1.3 true',
      'ECDSA P-256 TLSv1.2 true',
      'RSA 2048 TLSv1.3 true',
      'RSA 2048 TLSv1.2 true',
    ])
    for (const r of report.inMemory) expect([r.serverReceived, r.clientReceived]).toEqual([`hello from the client over ${r.version}`, `hello from the server over ${r.version}`])
    expect(report.overTcp).toMatchObject({ version: 'TLSv1.3', peerVerified: true, statusLine: 'HTTP/1.0 200 ok' })
    // s_server -naccept 1 exits once the connection is closed properly.
    expect(await server.waitForExit(10_000)).toBe(0)
  }, 180_000)
})
