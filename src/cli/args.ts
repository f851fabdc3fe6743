// Command-line parsing for the pure-tls commands: one declarative spec per command gives both the parser and its --help.
import { parseArgs } from 'node:util'

/** One `--name` option of a command. */
export interface OptionSpec {
  /** `string` takes a value (`--ca FILE`), `boolean` is a flag (`--insecure`). */
  readonly type: 'string' | 'boolean'
  /** A one-letter alias (`-q`). */
  readonly short?: string
  /** The value's placeholder in --help, e.g. `FILE` or `LIST`. */
  readonly value?: string
  /** May be given several times; the values are collected in order. */
  readonly multiple?: boolean
  /** One line of --help. */
  readonly help: string
}

/** A command's name, usage line, options and how many positional arguments it takes. */
export interface CommandSpec {
  /** The word after `pure-tls`, e.g. `connect`. */
  readonly name: string
  /** What follows `pure-tls NAME` in the usage line, e.g. `HOST[:PORT] [options]`. */
  readonly usage: string
  /** A paragraph shown under the usage line. */
  readonly description: string
  readonly options: Readonly<Record<string, OptionSpec>>
  readonly positionals: { readonly min: number; readonly max: number }
  /** Command lines shown at the end of --help. */
  readonly examples?: readonly string[]
}

/** A mistake on the command line: reported with the command's usage line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

type Value = string | boolean | (string | boolean)[] | undefined

/** What was given on the command line: option values by name, and the positional arguments. */
export interface ParsedCommandLine {
  readonly values: Readonly<Record<string, Value>>
  readonly positionals: readonly string[]
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help and exit' }

/** Parses `argv` by the spec; 'help' when --help was asked for. Unknown options and wrong counts are UsageErrors. */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): ParsedCommandLine | 'help' {
  const options = { ...spec.options, help: HELP }
  let parsed: { values: Record<string, Value>; positionals: string[] }
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '') : String(error))
  }
  if (parsed.values.help === true) return 'help'
  const count = parsed.positionals.length
  if (count < spec.positionals.min || count > spec.positionals.max) {
    const wanted = spec.positionals.min === spec.positionals.max ? `${spec.positionals.min}` : `${spec.positionals.min} to ${spec.positionals.max}`
    throw new UsageError(`expected ${wanted} argument(s) besides the options, got ${count}${count > 0 ? `: ${parsed.positionals.join(' ')}` : ''}`)
  }
  return parsed
}

/** The value of a string option, or undefined when it was not given. */
export function stringOption(parsed: ParsedCommandLine, name: string): string | undefined {
  const value = parsed.values[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new UsageError(`--${name} takes a value`)
  return value
}

/** A flag's value: true when given. */
export function flag(parsed: ParsedCommandLine, name: string): boolean {
  return parsed.values[name] === true
}

/** A list option: comma-separated, repeatable (`--alpn h2,http/1.1` or `--alpn h2 --alpn http/1.1`); undefined if absent. */
export function listOption(parsed: ParsedCommandLine, name: string): string[] | undefined {
  const value = parsed.values[name]
  if (value === undefined) return undefined
  const items = (Array.isArray(value) ? value : [value]).flatMap((item) => String(item).split(','))
  const names = items.map((item) => item.trim()).filter((item) => item.length > 0)
  if (names.length === 0) throw new UsageError(`--${name} needs at least one name`)
  return names
}

/** An integer option within [min, max], or `fallback` when absent. */
export function integerOption(parsed: ParsedCommandLine, name: string, fallback: number, min: number, max: number): number {
  const text = stringOption(parsed, name)
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`)
  return value
}

function optionLabel(name: string, option: OptionSpec): string {
  const long = `--${name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`
  return option.short ? `-${option.short}, ${long}` : `    ${long}`
}

/** The --help text of a command. */
export function formatHelp(spec: CommandSpec): string {
  const entries = Object.entries({ ...spec.options, help: HELP })
  const labels = entries.map(([name, option]) => optionLabel(name, option))
  const width = Math.max(...labels.map((label) => label.length))
  const lines = [`usage: pure-tls ${spec.name} ${spec.usage}`, '', spec.description, '', 'options:']
  entries.forEach(([, option], i) => lines.push(`  ${labels[i]!.padEnd(width)}  ${option.help}${option.multiple ? ' (repeatable)' : ''}`))
  if (spec.examples?.length) lines.push('', 'examples:', ...spec.examples.map((example) => `  ${example}`))
  return `${lines.join('\n')}\n`
}
