// `pure-tls verify`: chains made by the openssl CLI, verified or refused with our reason and the failing depth, beside `openssl verify`.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { runCli } from './run-cli.js'

const execFileAsync = promisify(execFile)

let good: Chain
let withIntermediate: Chain
beforeAll(async () => {
  ;[good, withIntermediate] = await Promise.all([makeChain(), makeChain({ withIntermediate: true, caName: 'cli verify root' })])
})
afterAll(cleanupPki)

/** openssl verify's verdict on the same files: true when it accepts. */
async function opensslAccepts(chain: Chain, ...extra: string[]): Promise<boolean> {
  const untrusted = chain.intermediatePath ? ['-untrusted', chain.intermediatePath] : []
  try {
    await execFileAsync('openssl', ['verify', '-x509_strict', '-CAfile', chain.rootPath, ...untrusted, ...extra, chain.leafPath])
    return true
  } catch {
    return false
  }
}

describe('pure-tls verify', () => {
  it('accepts a good chain and prints the path from the leaf to the anchor (as openssl verify does)', async () => {
    const result = await runCli(['verify', withIntermediate.chainPath, '--ca', withIntermediate.rootPath, '--host', 'localhost'])
    expect(result.stdout).toMatch(/: OK\n\s+depth 0\s+CN=localhost\n\s+depth 1\s+CN=.*\n\s+depth 2\s+CN=/)
    expect(result.code).toBe(0)
    expect(await opensslAccepts(withIntermediate)).toBe(true)
  })

  it('checks the host name against the SAN: a DNS name, an IP address, and a mismatch', async () => {
    expect((await runCli(['verify', good.chainPath, '--ca', good.rootPath, '--host', '127.0.0.1'])).code).toBe(0)
    const mismatch = await runCli(['verify', good.chainPath, '--ca', good.rootPath, '--host', 'other.example'])
    expect(mismatch.code).toBe(3)
    expect(mismatch.stderr).toMatch(/hostname-mismatch at depth 0: .*other\.example/)
    expect(await opensslAccepts(good, '-verify_hostname', 'other.example')).toBe(false)
  })

  it('refuses an expired leaf, and a chain checked at a time before it was valid', async () => {
    const expired = await makeChain({ expired: true })
    const result = await runCli(['verify', expired.chainPath, '--ca', expired.rootPath])
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/certificate verification failed: expired at depth 0/)
    expect(await opensslAccepts(expired)).toBe(false)
    const early = await runCli(['verify', good.chainPath, '--ca', good.rootPath, '--time', '2001-01-01T00:00:00Z'])
    expect(early.code).toBe(3)
    expect(early.stderr).toMatch(/not-yet-valid at depth \d/)
  })

  it('checks the purpose: a serverAuth leaf is not a client certificate', async () => {
    const result = await runCli(['verify', good.chainPath, '--ca', good.rootPath, '--purpose', 'client'])
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/bad-eku at depth 0/)
    expect(await opensslAccepts(good, '-purpose', 'sslclient')).toBe(false)
  })

  it('names the depth of the link that has no trusted issuer', async () => {
    // The intermediate is left out: the leaf's issuer is unknown (depth 0).
    const result = await runCli(['verify', withIntermediate.leafPath, '--ca', withIntermediate.rootPath])
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/unknown-issuer at depth 0/)
    // Another CA entirely: the chain verifies up to the intermediate, whose issuer is unknown (depth 1).
    const other = await runCli(['verify', withIntermediate.chainPath, '--ca', good.rootPath])
    expect(other.code).toBe(3)
    expect(other.stderr).toMatch(/unknown-issuer at depth 1/)
  })

  it('exits 2 on usage mistakes', async () => {
    const cases: [string[], RegExp][] = [
      [['verify'], /expected 1 argument/],
      [['verify', '/nonexistent.pem'], /no such file/],
      [['verify', good.keyPath, '--ca', good.rootPath], /no CERTIFICATE block/],
      [['verify', good.chainPath, '--purpose', 'email'], /--purpose must be server or client/],
      [['verify', good.chainPath, '--time', 'yesterday'], /--time: "yesterday" is not/],
    ]
    for (const [args, message] of cases) {
      const result = await runCli(args)
      expect(result.stderr, args.join(' ')).toMatch(message)
      expect(result.code, args.join(' ')).toBe(2)
    }
  })
})
