// Builds what the runtime tests run: programs bundled with esbuild, and the package built and installed as a user gets it.
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { build, type Plugin } from 'esbuild'

const run = promisify(execFile)
export const repositoryRoot = join(import.meta.dirname, '..', '..')

/** Makes the programs' import of the library (../../../src/index.js) an import of the published name, 'pure-tls'. */
const libraryAsPackage: Plugin = {
  name: 'library-as-package',
  setup(build) {
    build.onResolve({ filter: /src\/index\.js$/ }, () => ({ path: 'pure-tls', external: true }))
  },
}

export interface BundleOptions {
  /** 'esm' for a module; 'iife' for a script that sets `globalName` (an engine without modules). */
  format: 'esm' | 'iife'
  globalName?: string
  /** Leave the library out: the bundle imports 'pure-tls', to be resolved from an installed package. */
  libraryExternal?: boolean
  platform?: 'browser' | 'neutral' | 'node'
  minify?: boolean
  /** Defaults to es2022; QuickJS wants es2020. */
  target?: string
  /** Modules supplied here instead of resolved (e.g. 'crypto' for a library that imports node's in a browser). */
  virtualModules?: Record<string, string>
}

function virtualModules(modules: Record<string, string>): Plugin {
  const names = new RegExp(`^(${Object.keys(modules).join('|')})$`)
  return {
    name: 'virtual-modules',
    setup(build) {
      build.onResolve({ filter: names }, (args) => ({ path: args.path, namespace: 'virtual' }))
      build.onLoad({ filter: /.*/, namespace: 'virtual' }, (args) => ({ contents: modules[args.path]!, loader: 'js' }))
    },
  }
}

/** `entry` (a path under the repository) bundled to one string of JavaScript. */
export async function bundle(entry: string, options: BundleOptions): Promise<string> {
  const result = await build({
    entryPoints: [join(repositoryRoot, entry)],
    bundle: true,
    write: false,
    format: options.format,
    ...(options.globalName ? { globalName: options.globalName } : {}),
    platform: options.platform ?? 'neutral',
    mainFields: ['module', 'main'],
    target: options.target ?? 'es2022',
    minify: options.minify ?? false,
    logLevel: 'silent',
    plugins: [...(options.libraryExternal ? [libraryAsPackage] : []), ...(options.virtualModules ? [virtualModules(options.virtualModules)] : [])],
  })
  return result.outputFiles[0]!.text
}

let installed: Promise<string> | undefined

/**
 * The package as a user installs it: compiled by `tsc -p tsconfig.build.json` (what `npm run build` does), packed by
 * `npm pack`, and installed from that tarball into a fresh directory (its dependencies from the npm cache where it has them:
 * after `npm ci` it has the tarballs but not the registry's metadata, so --offline would fail on a fresh machine).
 * Resolves with that directory, where `import 'pure-tls'` finds the package; built once per test process.
 */
export function installedPackage(): Promise<string> {
  installed ??= (async () => {
    const work = mkdtempSync(join(tmpdir(), 'pure-tls-package-'))
    process.once('exit', () => rmSync(work, { recursive: true, force: true }))
    const staging = join(work, 'staging')
    mkdirSync(staging)
    for (const file of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) cpSync(join(repositoryRoot, file), join(staging, file))
    await run(join(repositoryRoot, 'node_modules', '.bin', 'tsc'), ['-p', join(repositoryRoot, 'tsconfig.build.json'), '--outDir', join(staging, 'dist')], { cwd: repositoryRoot }).catch(
      (error: { stdout?: string }) => {
        throw new Error(`the package does not build (tsc -p tsconfig.build.json):\n${error.stdout ?? error}`)
      },
    )
    // Built just above into the staging copy: its prepack (the build, from the repository root) is not run again.
    await run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], { cwd: staging })
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'))!
    const app = join(work, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'runtime-test-app', private: true, type: 'module' }))
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, tarball)], { cwd: app })
    return app
  })()
  return installed
}
