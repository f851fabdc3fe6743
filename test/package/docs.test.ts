// The API reference: TypeDoc over the three entry points must find every export documented (typedoc.json's validation).
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const execFileAsync = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')
const TYPEDOC = join(root, 'node_modules', 'typedoc', 'bin', 'typedoc')

/** TypeDoc's exit code and what it printed (warnings are errors in typedoc.json: an undocumented export fails). */
async function typedoc(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [TYPEDOC, ...args], { cwd: root, timeout: 240_000, env: { ...process.env, NO_COLOR: '1' } })
    return { code: 0, output: stdout + stderr }
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}

describe('npm run docs', () => {
  it('documents every export of pure-tls, pure-tls/node and pure-tls/roots (TypeDoc validation, warnings as errors)', async () => {
    const { code, output } = await typedoc('--emit', 'none')
    expect(output.split('\n').filter((line) => /warning|error/i.test(line) && !/Found 0 errors and 0 warnings/.test(line))).toEqual([])
    expect(code).toBe(0)
  }, 240_000)
})
