// The layering rules of DESIGN.md, checked: the core bundles for a browser, and imports only point down.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const src = join(root, 'src')

/** Floors of DESIGN.md: a file may import only from its own floor or below. */
const floors: Record<string, number> = { bytes: 0, errors: 0, crypto: 1, record: 2, x509: 2, policy: 2, handshake: 3, transport: 4, cli: 5 }

/** Node-only files below the transport: each may import Node built-ins, and only the Node entry point may import it. */
const nodeOnly = ['x509/node-store.ts', 'crypto/node-crypto.ts']

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : []
  })
}

function floorOf(path: string): number | undefined {
  const top = relative(src, path).split('/')[0]!.replace(/\.ts$/, '')
  return floors[top]
}

function importsOf(path: string): string[] {
  return [...readFileSync(path, 'utf8').matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)].map((m) => m[1]!)
}

describe('layering', () => {
  it('bundles the public entry points for a browser with no Node built-ins and no polyfills', async () => {
    for (const entry of ['index.ts', 'roots.ts']) {
      const result = await build({ entryPoints: [join(src, entry)], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' })
      expect(result.errors).toEqual([])
      expect(result.outputFiles[0]!.text).not.toMatch(/from\s*["']node:/)
    }
  })

  it("keeps out of the core noble's ready-made curves (they touch crypto.getRandomValues as they load) and asn1js/pkijs (the CLI's alone)", async () => {
    const result = await build({ entryPoints: [join(src, 'index.ts')], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.some((path) => path.includes('@noble/curves/abstract/weierstrass.js')), 'the check sees node_modules').toBe(true)
    const forbidden = /@noble\/curves\/(nist|ed25519|ed448|secp256k1)\.js$|\/(asn1js|pkijs|@peculiar)\//
    expect(inputs.filter((path) => forbidden.test(path))).toEqual([])
  })

  it('keeps imports pointing down the floors, and Node built-ins in the transport and the Node-only files (trust store, node:crypto provider)', () => {
    const violations: string[] = []
    for (const file of sourceFiles(src)) {
      const floor = floorOf(file)
      if (floor === undefined) continue
      for (const spec of importsOf(file)) {
        const name = relative(src, file)
        if (spec.startsWith('node:')) {
          if (floor < 4 && !nodeOnly.includes(name)) violations.push(`${name} imports ${spec}`)
          continue
        }
        if (!spec.startsWith('.')) continue
        const target = floorOf(join(file, '..', spec))
        if (target !== undefined && target > floor) violations.push(`${name} (floor ${floor}) imports ${spec} (floor ${target})`)
      }
    }
    expect(violations).toEqual([])
  })

  it('loads the Node-only trust store from the Node transport alone', () => {
    const importers = sourceFiles(src).filter((f) => importsOf(f).some((s) => s.endsWith('node-store.js')))
    expect(importers.map((f) => relative(src, f))).toEqual(['transport/node/options.ts'])
  })

  it('lets nothing but the Node entry point import the node:crypto provider', () => {
    const importers = sourceFiles(src).filter((f) => importsOf(f).some((s) => s.endsWith('/node-crypto.js')))
    expect(importers.map((f) => relative(src, f)).filter((name) => name !== 'transport/node.ts')).toEqual([])
  })
})
