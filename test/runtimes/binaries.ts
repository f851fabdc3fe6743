// Where the deno and bun binaries are after `npm ci`, with or without their install scripts having run.
//
// Both npm packages ship the real binary in a platform package (@deno/linux-x64-glibc, @oven/bun-linux-x64, ...)
// chosen through optionalDependencies. The main package's postinstall would link or move it next to its launcher;
// npm 11 runs no install scripts unless they are allowed, so the platform package is looked at first.
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { repositoryRoot } from './bundles.js'

const modules = join(repositoryRoot, 'node_modules')

/** Whether `path` is an ELF or Mach-O executable (not a launcher script or a placeholder). */
function isNativeExecutable(path: string): boolean {
  if (!existsSync(path) || statSync(path).size < 1_000_000) return false
  const magic = Buffer.alloc(4)
  const fd = openSync(path, 'r')
  readSync(fd, magic, 0, 4, 0)
  closeSync(fd)
  return magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])) || magic.readUInt32BE() === 0xcffaedfe || magic.readUInt32LE() === 0xfeedfacf
}

function firstExecutable(name: string, candidates: string[]): string {
  const found = candidates.find(isNativeExecutable)
  if (!found) throw new Error(`no ${name} binary after npm ci; looked at:\n  ${candidates.join('\n  ')}`)
  return found
}

const platform = `${process.platform}-${process.arch}`

/** The deno executable from the `deno` npm package. */
export function denoBinary(): string {
  const denoPlatform = { 'linux-x64': 'linux-x64-glibc', 'linux-arm64': 'linux-arm64-glibc', 'darwin-x64': 'darwin-x64', 'darwin-arm64': 'darwin-arm64' }[platform]
  return firstExecutable('deno', [join(modules, '@deno', denoPlatform ?? platform, 'deno'), join(modules, 'deno', 'deno')])
}

/** The bun executable from the `bun` npm package. */
export function bunBinary(): string {
  const bunPlatform = { 'linux-x64': 'bun-linux-x64', 'linux-arm64': 'bun-linux-aarch64', 'darwin-x64': 'bun-darwin-x64', 'darwin-arm64': 'bun-darwin-aarch64' }[platform]
  return firstExecutable('bun', [join(modules, '@oven', bunPlatform ?? `bun-${platform}`, 'bin', 'bun'), join(modules, 'bun', 'bin', 'bun.exe')])
}
