// QuickJS (quickjs-emscripten): the bundle evaluated with no polyfills at all, only a randomBytes passed in; in-memory
// TLS 1.3 handshakes with ECDSA and RSA chains, and application data both ways.
import { randomBytes } from 'node:crypto'
import { getQuickJS, shouldInterruptAfterDeadline } from 'quickjs-emscripten'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanupPki, makeChain } from '../helpers/pki.js'
import { bundle } from './bundles.js'
import type { ChainPems, InMemoryResult } from './programs/in-memory.js'

let chains: ChainPems[]
beforeAll(async () => {
  const [ecdsa, rsa] = await Promise.all([makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true }), makeChain({ leafKey: 'rsa-2048', caKey: 'rsa-2048', caName: 'QuickJS RSA root' })])
  chains = [
    { name: 'ECDSA P-256', rootPem: ecdsa.rootPem, chainPem: ecdsa.chainPem, keyPem: ecdsa.keyPem },
    { name: 'RSA 2048', rootPem: rsa.rootPem, chainPem: rsa.chainPem, keyPem: rsa.keyPem },
  ]
})
afterAll(() => cleanupPki())

/** Evaluates `code` in a fresh QuickJS context with only hostRandomBytes and report defined; returns what was reported. */
async function inQuickJs(code: string, call: string): Promise<string> {
  const quickjs = await getQuickJS()
  const runtime = quickjs.newRuntime()
  runtime.setMemoryLimit(1024 * 1024 * 1024)
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + 240_000))
  const vm = runtime.newContext()
  let reported: string | undefined
  try {
    const random = vm.newFunction('hostRandomBytes', (length) => vm.newArrayBuffer(new Uint8Array(randomBytes(vm.getNumber(length))).buffer))
    const report = vm.newFunction('report', (json) => {
      reported = vm.getString(json)
    })
    vm.setProp(vm.global, 'hostRandomBytes', random)
    vm.setProp(vm.global, 'report', report)
    random.dispose()
    report.dispose()
    for (const source of [code, call]) {
      const result = vm.evalCode(source)
      if (result.error) {
        const text = ['message', 'stack'].map((key) => vm.getProp(result.error!, key).consume((h) => String(vm.dump(h)))).join('\n')
        result.error.dispose()
        throw new Error(`QuickJS: ${text}`)
      }
      result.value.dispose()
    }
  } finally {
    vm.dispose()
    runtime.dispose()
  }
  if (reported === undefined) throw new Error('the program reported nothing')
  return reported
}

describe('QuickJS', () => {
  it('loads the bundle with no polyfills and runs TLS 1.3 handshakes with ECDSA and RSA, data both ways', async () => {
    const code = await bundle('test/runtimes/programs/quickjs.ts', { format: 'iife', globalName: 'program', target: 'es2020' })
    const report = JSON.parse(await inQuickJs(code, `program.run(${JSON.stringify(JSON.stringify(chains))})`)) as {
      globals: string[]
      results?: InMemoryResult[]
      error?: string
    }
    expect(report.globals).toEqual([])
    expect(report.error).toBeUndefined()
    expect(report.results!.map((r) => [r.chain, r.version, r.peerVerified])).toEqual([
      ['ECDSA P-256', 'TLSv1.3', true],
      ['RSA 2048', 'TLSv1.3', true],
    ])
    for (const result of report.results!) {
      expect(result.serverReceived).toBe('hello from the client over TLSv1.3')
      expect(result.clientReceived).toBe('hello from the server over TLSv1.3')
    }
  }, 300_000)
})
