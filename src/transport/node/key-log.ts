// Key log lines the way tools expect them: node's 'keylog' event (a Buffer ending in a newline) and the SSLKEYLOGFILE convention.
import { appendFileSync } from 'node:fs'

/** One NSS key log line as node's 'keylog' event carries it: ASCII, newline-terminated. */
export function keyLogLine(line: string): Buffer {
  return Buffer.from(`${line}\n`, 'latin1')
}

let warned = false

/**
 * When `SSLKEYLOGFILE` names a file (curl's, Firefox's and Chrome's convention), a function appending each line
 * to it (created with mode 0600, since the lines are secrets); otherwise undefined: nothing is logged unless asked.
 * A file that cannot be written is reported once as a process warning, and the connection goes on.
 */
export function keyLogFile(env: NodeJS.ProcessEnv = process.env): ((line: string) => void) | undefined {
  const path = env.SSLKEYLOGFILE
  if (!path) return undefined
  return (line) => {
    try {
      appendFileSync(path, `${line}\n`, { mode: 0o600 })
    } catch (error) {
      if (warned) return
      warned = true
      process.emitWarning(`SSLKEYLOGFILE ${path} cannot be written: ${error instanceof Error ? error.message : String(error)}`, 'PureTlsWarning')
    }
  }
}
