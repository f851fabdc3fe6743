// The CLI's key log choice: --keylog, else SSLKEYLOGFILE, else nothing; appended lines, a private file, the variable consumed.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { UsageError } from './args.js'
import { openKeyLog } from './key-log.js'

const directory = mkdtempSync(join(tmpdir(), 'pure-tls-cli-keylog-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

describe('openKeyLog', () => {
  it('is off when neither --keylog nor SSLKEYLOGFILE is given (an empty variable counts as unset)', () => {
    expect(openKeyLog(undefined, {})).toBeUndefined()
    expect(openKeyLog(undefined, { SSLKEYLOGFILE: '' })).toBeUndefined()
  })

  it('appends newline-terminated lines to SSLKEYLOGFILE, creates it 0600, and removes the variable', () => {
    const path = join(directory, 'env.txt')
    writeFileSync(path, 'EARLIER line\n', { mode: 0o600 })
    const env: NodeJS.ProcessEnv = { SSLKEYLOGFILE: path }
    const log = openKeyLog(undefined, env)!
    log.write('CLIENT_RANDOM aa bb')
    log.close()
    log.write('after close is dropped')
    expect(readFileSync(path, 'utf8')).toBe('EARLIER line\nCLIENT_RANDOM aa bb\n')
    expect(env.SSLKEYLOGFILE).toBeUndefined()
    const fresh = join(directory, 'fresh.txt')
    openKeyLog(fresh, {})!.close()
    expect(statSync(fresh).mode & 0o777).toBe(0o600)
  })

  it('prefers --keylog over SSLKEYLOGFILE', () => {
    const flagPath = join(directory, 'flag.txt')
    const envPath = join(directory, 'unused.txt')
    const log = openKeyLog(flagPath, { SSLKEYLOGFILE: envPath })!
    log.write('X 1 2')
    log.close()
    expect(readFileSync(flagPath, 'utf8')).toBe('X 1 2\n')
    expect(existsSync(envPath)).toBe(false)
  })

  it('reports a file it cannot open as a usage error naming where the path came from', () => {
    expect(() => openKeyLog(undefined, { SSLKEYLOGFILE: join(directory, 'missing', 'k.txt') })).toThrow(UsageError)
    expect(() => openKeyLog(join(directory, 'missing', 'k.txt'), {})).toThrow(/--keylog .*ENOENT/)
  })
})
