// All randomness comes from the provider: whole handshakes (ECDSA and RSA, TLS 1.3 and 1.2) in a process where
// crypto and Math.random throw when touched, with a seeded randomBytes: the same seed gives the same bytes on the wire.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PeerProcess } from '../helpers/processes.js'
import { cleanupPki, makeChain } from '../helpers/pki.js'
import { bundle } from './bundles.js'
import type { ChainPems, InMemoryResult } from './programs/in-memory.js'

let chains: ChainPems[]
let script: string
beforeAll(async () => {
  const [ecdsa, rsa] = await Promise.all([makeChain({ leafKey: 'ecdsa-p256' }), makeChain({ leafKey: 'rsa-2048', caKey: 'rsa-2048', caName: 'one-source RSA root' })])
  chains = [
    { name: 'ECDSA P-256', rootPem: ecdsa.rootPem, chainPem: ecdsa.chainPem, keyPem: ecdsa.keyPem },
    { name: 'RSA 2048', rootPem: rsa.rootPem, chainPem: rsa.chainPem, keyPem: rsa.keyPem },
  ]
  script = join(mkdtempSync(join(tmpdir(), 'pure-tls-one-source-')), 'one-random-source.mjs')
  writeFileSync(script, await bundle('test/runtimes/programs/one-random-source.ts', { format: 'esm', platform: 'node' }))
})
afterAll(() => cleanupPki())

describe('one source of randomness', () => {
  it('touches neither crypto nor Math.random, and the same seed gives the same handshakes byte for byte', async () => {
    const child = new PeerProcess(process.execPath, [script], { name: 'node (poisoned crypto)' })
    await child.write(JSON.stringify(chains))
    await child.endInput()
    expect(await child.waitForExit(120_000), child.errorOutput()).toBe(0)
    const { runs, touched } = JSON.parse(child.output()) as { runs: (InMemoryResult[] | { error: string })[]; touched: string[] }
    expect(touched).toEqual([])
    const [first, again, other] = runs as InMemoryResult[][]
    expect(runs.filter((run) => 'error' in run)).toEqual([])
    expect(first!.map((r) => `${r.chain} ${r.version} ${r.peerVerified}`)).toEqual(['ECDSA P-256 TLSv1.3 true', 'ECDSA P-256 TLSv1.2 true', 'RSA 2048 TLSv1.3 true', 'RSA 2048 TLSv1.2 true'])
    for (const result of first!) expect(result.serverReceived).toBe(`hello from the client over ${result.version}`)
    expect(again!.map((r) => r.wire)).toEqual(first!.map((r) => r.wire))
    for (let i = 0; i < first!.length; i++) expect(other![i]!.wire, first![i]!.chain).not.toBe(first![i]!.wire)
  })
})
