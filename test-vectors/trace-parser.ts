// A parser for the TLS 1.3 example-trace document (RFC 8448 layout): sections of {client}/{server} steps with labelled hex fields.
import { fromHex } from '../src/bytes.js'

/** One labelled value of a step, e.g. `expanded (32 octets):  6f 26 ...`. */
export interface TraceField {
  readonly name: string
  /** The octet count the document announces; undefined for prose values such as `salt:  0 (all zero octets)`. */
  readonly octets: number | undefined
  /** The bytes (exactly `octets` of them), or undefined for a prose value. */
  readonly value: Uint8Array | undefined
  /** The text after the colon on the first line, for prose values. */
  readonly text: string
  readonly line: number
}

/** One `{client}  derive secret ...` paragraph and its fields. */
export interface TraceStep {
  readonly actor: 'client' | 'server'
  /** The heading after the actor, joined onto one line, e.g. `derive secret "tls13 c hs traffic":`. */
  readonly title: string
  readonly fields: readonly TraceField[]
  readonly line: number
}

export interface TraceScenario {
  /** The section number, e.g. 3 for "Simple 1-RTT Handshake". */
  readonly section: number
  readonly title: string
  readonly steps: readonly TraceStep[]
}

/** A record a step sent: `{server}  send handshake record:` with its payload and the complete record bytes. */
export interface TraceRecord {
  readonly sender: 'client' | 'server'
  readonly contentType: string
  readonly payload: Uint8Array
  readonly record: Uint8Array
  readonly line: number
}

export class TraceParseError extends Error {
  constructor(line: number, message: string) {
    super(`trace line ${line}: ${message}`)
    this.name = 'TraceParseError'
  }
}

const pageFooter = /\[Page \d+\]\s*$/
const pageHeader = /^(Internet-Draft|RFC \d+)\s{2,}\S/
const sectionHeading = /^(\d+)\.\s+(\S.*)$/
const stepHeading = /^ {3}\{(client|server)\}\s+(\S.*)$/
const fieldLine = /^ {6}([A-Za-z][^:()]*?)(?: \((\d+) octets?\))?:\s+(\S.*)$/
const hexLine = /^\s+((?:[0-9a-f]{2}\s*)+)$/

interface Line {
  readonly number: number
  readonly text: string
}

/** The document's lines without page headers, footers and form feeds (blank lines stay: they separate paragraphs). */
function contentLines(document: string): Line[] {
  return document
    .split(/\r?\n/)
    .map((text, i) => ({ number: i + 1, text: text.replace(/\f/g, '').trimEnd() }))
    .filter((l) => !pageFooter.test(l.text) && !pageHeader.test(l.text))
}

function hexBytes(text: string): string[] {
  return text.trim().split(/\s+/)
}

/** Reads the document into its numbered sections; only sections holding steps are returned. */
export function parseTraces(document: string): TraceScenario[] {
  const lines = contentLines(document)
  const scenarios: TraceScenario[] = []
  let section: { section: number; title: string; steps: TraceStep[] } | undefined
  let step: { actor: 'client' | 'server'; title: string; fields: TraceField[]; line: number } | undefined
  let i = 0

  const nextNonBlank = (): Line | undefined => {
    while (i < lines.length && lines[i]!.text === '') i++
    return lines[i]
  }

  while (i < lines.length) {
    const { number, text } = lines[i]!
    if (text === '') {
      i++
      continue
    }
    const sectionMatch = sectionHeading.exec(text)
    if (sectionMatch) {
      if (section && section.steps.length > 0) scenarios.push(section)
      section = { section: Number(sectionMatch[1]), title: sectionMatch[2]!.trim(), steps: [] }
      step = undefined
      i++
      continue
    }
    const stepMatch = stepHeading.exec(text)
    if (stepMatch && section) {
      i++
      let title = stepMatch[2]!
      // A heading may wrap (and a page break may fall inside it): read on until its parentheses balance.
      while ((title.match(/\(/g)?.length ?? 0) > (title.match(/\)/g)?.length ?? 0)) {
        const more = nextNonBlank()
        if (!more) throw new TraceParseError(number, `heading "${title}" never closes its parenthesis`)
        title += ` ${more.text.trim()}`
        i++
      }
      step = { actor: stepMatch[1] as 'client' | 'server', title, fields: [], line: number }
      section.steps.push(step)
      continue
    }
    const fieldMatch = fieldLine.exec(text)
    if (fieldMatch && step) {
      i++
      step.fields.push(readField(fieldMatch, number))
      continue
    }
    if (step && !text.startsWith('   {') && /^ {6}/.test(text)) {
      throw new TraceParseError(number, `unexpected line inside step "${step.title}": ${text.trim()}`)
    }
    // Prose (introductions, notes) ends the current step.
    step = undefined
    i++
  }
  if (section && section.steps.length > 0) scenarios.push(section)
  return scenarios

  function readField(match: RegExpExecArray, line: number): TraceField {
    const name = match[1]!.trim()
    const text = match[3]!.trim()
    if (match[2] === undefined) return { name, octets: undefined, value: undefined, text, line }
    const octets = Number(match[2])
    if (octets === 0) {
      if (text !== '(empty)') throw new TraceParseError(line, `${name} announces 0 octets but shows "${text}"`)
      return { name, octets, value: new Uint8Array(0), text, line }
    }
    if (!hexLine.test(` ${text}`)) throw new TraceParseError(line, `${name} does not start with hex: ${text}`)
    const hex = hexBytes(text)
    while (hex.length < octets) {
      const more = nextNonBlank()
      if (!more || !hexLine.test(more.text)) {
        throw new TraceParseError(more?.number ?? line, `${name} announces ${octets} octets, found ${hex.length} before "${more?.text.trim() ?? 'end of document'}"`)
      }
      hex.push(...hexBytes(more.text))
      i++
    }
    if (hex.length !== octets) throw new TraceParseError(line, `${name} announces ${octets} octets, found ${hex.length}`)
    return { name, octets, value: fromHex(hex.join('')), text, line }
  }
}

/** The named field's bytes; throws when the step lacks it or shows prose instead of bytes. */
export function fieldValue(step: TraceStep, name: string): Uint8Array {
  const field = step.fields.find((f) => f.name === name)
  if (!field || field.value === undefined) throw new Error(`step "${step.title}" (line ${step.line}) has no hex field "${name}"`)
  return field.value
}

const sendRecord = /^send (\w+) record:$/

/** Every record a scenario's steps send, in document order. */
export function traceRecords(scenario: TraceScenario): TraceRecord[] {
  return scenario.steps.flatMap((step) => {
    const match = sendRecord.exec(step.title)
    if (!match) return []
    return [{ sender: step.actor, contentType: match[1]!, payload: fieldValue(step, 'payload'), record: fieldValue(step, 'complete record'), line: step.line }]
  })
}
