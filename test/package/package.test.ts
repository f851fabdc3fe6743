// The npm package as a user gets it: `npm pack` (which builds), installed into a fresh project, imported, required, compiled and run.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { disposePeers, type ListeningPeer, startOpenSslServer } from '../helpers/peers.js'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { consumerFiles, typeScriptConfigs } from './consumer.js'

const execFileAsync = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> }
const SLOW_MS = 300_000

interface PackedFile {
  readonly path: string
}

let work: string
let project: string
let packed: readonly string[]
let chain: Chain
let server: ListeningPeer

/** Runs a command to completion; its output, or an error carrying both streams. */
async function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, [...args], { cwd, maxBuffer: 64 * 1024 * 1024, timeout: SLOW_MS })
    return stdout
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`)
  }
}

/** npm pack --json's report; the build's own output (prepack) comes before it on stdout. */
function packReport(stdout: string): { filename: string; files: PackedFile[] }[] {
  const start = stdout.startsWith('[') ? 0 : stdout.lastIndexOf('\n[\n') + 1
  return JSON.parse(stdout.slice(start)) as { filename: string; files: PackedFile[] }[]
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pure-tls-package-'))
  project = join(work, 'consumer')
  // `npm pack` runs prepack (the build) first, as `npm publish` would.
  const report = packReport(await run('npm', ['pack', '--json', '--pack-destination', work], root))
  packed = report[0]!.files.map((file) => file.path)
  const tarball = join(work, report[0]!.filename)
  await run('mkdir', ['-p', project], work)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'pure-tls-consumer', private: true, type: 'commonjs' }))
  for (const [name, text] of Object.entries({ ...consumerFiles, ...typeScriptConfigs })) writeFileSync(join(project, name), text)
  // Offline-friendly: the dependencies come from the npm cache that `npm ci` filled, the registry only for what is missing.
  const tools = ['typescript', '@types/node'].map((name) => `${name}@${manifest.devDependencies[name]}`)
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, ...tools], project)
  chain = await makeChain()
}, SLOW_MS)
afterEach(disposePeers)
afterAll(() => {
  cleanupPki()
  if (work) rmSync(work, { recursive: true, force: true })
})

/** openssl s_server -www with the test chain, for the consumers' handshakes. */
async function wwwServer(): Promise<ListeningPeer> {
  server = await startOpenSslServer(['-www', '-cert', chain.leafPath, '-key', chain.keyPath])
  return server
}

/** Runs a consumer against the server: it prints what was negotiated and the first line of the page. */
async function handshake(file: string): Promise<string> {
  const { port } = await wwwServer()
  return run(process.execPath, [file, String(port), chain.rootPath], project)
}

describe('the npm package', () => {
  it('holds exactly what a user needs: dist JS and types (.d.ts, .d.cts), the bin, README, LICENSE, CHANGELOG', () => {
    for (const file of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/transport/node.js', 'dist/transport/node.d.cts', 'dist/roots.js', 'dist/cli/main.js']) {
      expect(packed, file).toContain(file)
    }
    const unexpected = packed.filter((path) => !/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/.+\.(js|d\.ts|d\.cts))$/.test(path))
    expect(unexpected).toEqual([])
    expect(packed.filter((path) => /\.map$|\.test\.|^src\//.test(path))).toEqual([])
    expect(readFileSync(join(project, 'node_modules/pure-tls/dist/cli/main.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/)
  })

  it('imports all three entry points from .mjs and completes a handshake', async () => {
    const output = await handshake('esm.mjs')
    expect(output).toMatch(/^entry points: \d+ \d+ roots\n/)
    expect(output).toMatch(/TLSv1\.3 verified\nHTTP\/1\.0 200 ok\n$/)
  })

  it('requires all three entry points from .cjs (require(esm), Node >= 20.19) and completes a handshake', async () => {
    const output = await handshake('cjs.cjs')
    expect(output).toMatch(/^entry points: \d+ \d+ roots\n/)
    expect(output).toMatch(/TLSv1\.3 verified\nHTTP\/1\.0 200 ok\n$/)
  })

  for (const config of Object.keys(typeScriptConfigs)) {
    it(`compiles the TypeScript consumer under strict ${config.replace(/^tsconfig\.|\.json$/g, '')}`, async () => {
      await run(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', config], project)
    }, SLOW_MS)
  }

  it('runs the node16-compiled consumers: the .ts one as CommonJS (require), the .mts one as ESM', async () => {
    await run(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.node16.json'], project)
    expect(readFileSync(join(project, 'out-node16/consumer.js'), 'utf8')).toMatch(/require\("pure-tls\/node"\)/)
    for (const file of ['out-node16/consumer.js', 'out-node16/consumer-esm.mjs']) {
      expect(await handshake(file), file).toMatch(/TLSv1\.3 verified\nHTTP\/1\.0 200 ok\n$/)
      await disposePeers()
    }
  }, SLOW_MS)

  it('runs the bin with npx: pure-tls --help, and pure-tls demo does a handshake', async () => {
    expect(await run('npx', ['--no-install', 'pure-tls', '--help'], project)).toMatch(/^usage: pure-tls COMMAND/)
    expect(await run('npx', ['--no-install', 'pure-tls', 'demo'], project)).toMatch(/chain verified\s+yes/)
  }, SLOW_MS)
})
