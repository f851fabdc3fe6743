// Key logs for Wireshark: --keylog FILE, else the SSLKEYLOGFILE convention (curl, Firefox, Chrome); never on unless asked.
import { closeSync, openSync, writeSync } from 'node:fs'
import { UsageError } from './args.js'

/** Where the NSS key log lines go, and how to stop writing them. */
export interface KeyLogFile {
  readonly path: string
  /** Appends one line (newline-terminated) at once, so a crash loses nothing already negotiated. */
  readonly write: (line: string) => void
  readonly close: () => void
}

/**
 * The key log a command should write: the `--keylog` file when given, else `$SSLKEYLOGFILE` when set, else none.
 * The file is opened for appending (created with mode 0600: it holds secrets). SSLKEYLOGFILE is removed from the
 * environment of this process once taken, so nothing else in it logs the same secrets a second time.
 */
export function openKeyLog(flagPath: string | undefined, env: NodeJS.ProcessEnv = process.env): KeyLogFile | undefined {
  const fromEnv = env.SSLKEYLOGFILE
  delete env.SSLKEYLOGFILE
  const path = flagPath ?? (fromEnv ? fromEnv : undefined)
  if (path === undefined) return undefined
  let fd: number
  try {
    fd = openSync(path, 'a', 0o600)
  } catch (error) {
    const source = flagPath === undefined ? 'SSLKEYLOGFILE' : '--keylog'
    throw new UsageError(`${source} ${path}: ${error instanceof Error ? error.message : String(error)}`)
  }
  let open = true
  return {
    path,
    write: (line) => {
      if (open) writeSync(fd, `${line}\n`)
    },
    close: () => {
      if (open) closeSync(fd)
      open = false
    },
  }
}
