// PEM (RFC 7468) text encoding of DER: tolerant of text between blocks, strict base64 inside them.
import { TlsConfigError } from '../errors.js'

/** One `-----BEGIN label-----` … `-----END label-----` block. */
export interface PemBlock {
  readonly label: string
  readonly der: Uint8Array
  /** RFC 1421 encapsulated headers (`Proc-Type`, `DEK-Info`), as legacy encrypted keys carry them. */
  readonly headers: ReadonlyMap<string, string>
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const base64Values = new Map<string, number>([...BASE64_ALPHABET].map((c, i) => [c, i]))

const BEGIN_LINE = /^-----BEGIN ([^-]*(?:-[^-]+)*)-----$/
const END_LINE = /^-----END ([^-]*(?:-[^-]+)*)-----$/
const HEADER_LINE = /^([A-Za-z0-9-]+):\s*(.*)$/

function pemError(message: string): TlsConfigError {
  return new TlsConfigError('pem', message)
}

/** Standard base64 with padding (RFC 4648 section 4). */
export function base64Encode(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    const present = Math.min(3, bytes.length - i)
    for (let j = 0; j < 4; j++) out += j <= present ? BASE64_ALPHABET[(chunk >>> (18 - 6 * j)) & 63] : '='
  }
  return out
}

/**
 * Decodes standard base64, ignoring whitespace; anything else (a stray character, bad padding,
 * non-zero bits in the last character) is an error, because PEM bodies must be canonical.
 */
export function base64Decode(text: string): Uint8Array {
  const clean = text.replace(/[ \t\r\n]/g, '')
  if (clean.length % 4 !== 0) throw pemError(`base64 body has ${clean.length} characters, not a multiple of 4`)
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0
  const out = new Uint8Array((clean.length / 4) * 3 - padding)
  let at = 0
  for (let i = 0; i < clean.length; i += 4) {
    const last = i + 4 === clean.length
    let chunk = 0
    for (let j = 0; j < 4; j++) {
      const c = clean[i + j]!
      const isPad = last && j >= 4 - padding
      const v = isPad ? 0 : base64Values.get(c)
      if (v === undefined) throw pemError(`invalid base64 character ${JSON.stringify(c)} at offset ${i + j}`)
      chunk = (chunk << 6) | v
    }
    const bytes = [(chunk >>> 16) & 0xff, (chunk >>> 8) & 0xff, chunk & 0xff]
    const keep = last ? 3 - padding : 3
    if (bytes.slice(keep).some((b) => b !== 0)) throw pemError('base64 body has non-zero padding bits')
    for (let j = 0; j < keep; j++) out[at++] = bytes[j]!
  }
  return out
}

/** Splits RFC 1421 headers (up to the first blank line) from the base64 lines of a block body. */
function splitHeaders(lines: string[]): { headers: Map<string, string>; body: string[] } {
  const headers = new Map<string, string>()
  if (lines.length === 0 || !HEADER_LINE.test(lines[0]!)) return { headers, body: lines }
  let i = 0
  for (; i < lines.length && lines[i] !== ''; i++) {
    const match = HEADER_LINE.exec(lines[i]!)
    if (!match) throw pemError(`malformed PEM header line ${JSON.stringify(lines[i]!.slice(0, 40))}`)
    headers.set(match[1]!, match[2]!)
  }
  if (i === lines.length) throw pemError('PEM headers are not followed by a blank line')
  return { headers, body: lines.slice(i + 1) }
}

/**
 * The PEM blocks in `text`, in order; with `label`, only blocks with that label. Text outside blocks
 * (comments, `Bag Attributes`, certificate dumps) is skipped as OpenSSL skips it; an unterminated
 * block, a mismatched END line or bad base64 inside a block is an error.
 */
export function pemDecode(text: string, label?: string): PemBlock[] {
  const lines = text.split(/\r?\n|\r/).map((line) => line.trim())
  const blocks: PemBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const begin = BEGIN_LINE.exec(lines[i]!)
    if (!begin) continue
    const blockLabel = begin[1]!
    const start = i + 1
    while (i + 1 < lines.length && !lines[i + 1]!.startsWith('-----')) i++
    const end = i + 1 < lines.length ? END_LINE.exec(lines[i + 1]!) : null
    if (!end) throw pemError(`"BEGIN ${blockLabel}" has no END line`)
    if (end[1] !== blockLabel) throw pemError(`"BEGIN ${blockLabel}" is closed by "END ${end[1]}"`)
    const { headers, body } = splitHeaders(lines.slice(start, i + 1))
    i++
    if (label !== undefined && blockLabel !== label) continue
    const der = base64Decode(body.join(''))
    if (der.length === 0) throw pemError(`"${blockLabel}" block is empty`)
    blocks.push({ label: blockLabel, der, headers })
  }
  return blocks
}

/** A PEM block with 64-character lines and a trailing newline, as OpenSSL writes it. */
export function pemEncode(label: string, der: Uint8Array): string {
  const body = base64Encode(der)
  let out = `-----BEGIN ${label}-----\n`
  for (let i = 0; i < body.length; i += 64) out += `${body.slice(i, i + 64)}\n`
  return `${out}-----END ${label}-----\n`
}
