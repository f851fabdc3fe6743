// Reading the files a command line names (PEM certificates, keys, CA bundles), with the file named in every error.
import { readFileSync } from 'node:fs'
import { UsageError } from './args.js'

/** The text of `path`; a missing or unreadable file is a UsageError naming the option it came from. */
export function readTextFile(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new UsageError(`--${option} ${path}: ${code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error)}`)
  }
}

/** The text of `path` when the option was given, else undefined. */
export function readOptionalFile(option: string, path: string | undefined): string | undefined {
  return path === undefined ? undefined : readTextFile(option, path)
}
