// The README's default-policy table must match the defaults in the code: createDefaultContext(...).policy through policyRows.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { policyRows } from '../../src/policy/policy.js'
import { createDefaultContext } from '../../src/transport/node.js'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'

const README = fileURLToPath(new URL('../../README.md', import.meta.url))
const START = '<!-- policy-table:start -->'
const END = '<!-- policy-table:end -->'

/** The README table: its header cells and its rows by first cell. */
interface Table {
  readonly header: string[]
  readonly rows: Map<string, string[]>
}

function cells(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((cell) => cell.trim())
}

/** Parses the first Markdown table between the markers (there must be exactly one pair). */
function readmeTable(): Table {
  const text = readFileSync(README, 'utf8')
  expect(text.split(START)).toHaveLength(2)
  expect(text.split(END)).toHaveLength(2)
  const section = text.slice(text.indexOf(START) + START.length, text.indexOf(END))
  const lines = section.split('\n').filter((line) => line.trim().startsWith('|'))
  expect(lines.length, 'no table between the markers').toBeGreaterThan(2)
  const [header, separator, ...body] = lines.map(cells)
  expect(separator!.every((cell) => /^:?-{3,}:?$/.test(cell)), 'the second line is not a table separator').toBe(true)
  const rows = new Map<string, string[]>()
  for (const row of body) {
    expect(row, `row ${row[0]} has ${row.length} cells, the header ${header!.length}`).toHaveLength(header!.length)
    expect(rows.has(row[0]!), `row ${row[0]} appears twice`).toBe(false)
    rows.set(row[0]!, row)
  }
  return { header: header!, rows }
}

/** The first `code span` of a cell: the value the code must print. */
function firstCodeSpan(cell: string): string | undefined {
  return /`([^`]+)`/.exec(cell)?.[1]
}

let chain: Chain
let table: Table
beforeAll(async () => {
  chain = await makeChain()
  table = readmeTable()
})
afterAll(cleanupPki)

function column(title: RegExp): number {
  const index = table.header.findIndex((cell) => title.test(cell))
  expect(index, `no column matching ${title} in ${table.header.join(' | ')}`).toBeGreaterThan(0)
  return index
}

describe('README policy table', () => {
  it('sits after "## Use", between the markers, with columns for our client, our server and Python', () => {
    const text = readFileSync(README, 'utf8')
    expect(text.indexOf('## Use')).toBeGreaterThan(-1)
    expect(text.indexOf(START)).toBeGreaterThan(text.indexOf('## Use'))
    expect([column(/pure-tls client/), column(/pure-tls server/), column(/Python/)]).toEqual([1, 2, 3])
  })

  it('has a row for every constraint policyRows prints (except role), and no other', () => {
    const names = policyRows(createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem }).policy)
      .map(([name]) => name)
      .filter((name) => name !== 'role')
    expect([...table.rows.keys()].sort()).toEqual([...names].sort())
  })

  const contexts = {
    'pure-tls client': () => createDefaultContext('server-auth'),
    'pure-tls server': () => createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem }),
  }

  for (const [title, make] of Object.entries(contexts)) {
    it(`${title} column × every row = the default context's policyRows value (the first code span; "same" = the client's value)`, () => {
      const ours = column(new RegExp(title))
      const clientValues = new Map(policyRows(contexts['pure-tls client']().policy))
      for (const [name, value] of policyRows(make().policy)) {
        if (name === 'role') continue
        const cell = table.rows.get(name)?.[ours]
        expect(cell, `no README row for ${name}`).toBeDefined()
        if (/^same\b/.test(cell!)) expect(value, `${name}: "same" in ${title}, but the client's value differs`).toBe(clientValues.get(name))
        else expect(firstCodeSpan(cell!), `${name} in ${title}`).toBe(value)
      }
    })
  }

  it('every row says what Python does', () => {
    const python = column(/Python/)
    for (const [name, row] of table.rows) expect(row[python]!.length, `${name}: empty Python cell`).toBeGreaterThan(3)
  })
})
