// The Time of RFC 5280 section 4.1.2.5: UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ, nothing looser.
import { contentsOf, isUniversal, malformed, UNIVERSAL, type Block } from '../crypto/der-reader.js'

function digits(text: Uint8Array, at: number, count: number, what: string): number {
  let value = 0
  for (let i = at; i < at + count; i++) {
    const c = text[i]!
    if (c < 0x30 || c > 0x39) throw malformed(`${what}: non-digit in time`)
    value = value * 10 + (c - 0x30)
  }
  return value
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/** Decodes a Time CHOICE; time zones other than Z, missing seconds and fractions are malformed. */
export function timeOf(block: Block | undefined, what: string): Date {
  let year: number
  let text: Uint8Array
  if (isUniversal(block, UNIVERSAL.utcTime)) {
    text = contentsOf(block!)
    if (text.length !== 13) throw malformed(`${what}: UTCTime must be YYMMDDHHMMSSZ`)
    const yy = digits(text, 0, 2, what)
    year = yy >= 50 ? 1900 + yy : 2000 + yy
    text = text.subarray(2)
  } else if (isUniversal(block, UNIVERSAL.generalizedTime)) {
    text = contentsOf(block!)
    if (text.length !== 15) throw malformed(`${what}: GeneralizedTime must be YYYYMMDDHHMMSSZ`)
    year = digits(text, 0, 4, what)
    text = text.subarray(4)
  } else {
    throw malformed(`${what}: expected UTCTime or GeneralizedTime`)
  }
  // `text` is now MMDDHHMMSSZ.
  if (text[10] !== 0x5a) throw malformed(`${what}: time must end in Z`)
  const month = digits(text, 0, 2, what)
  const day = digits(text, 2, 2, what)
  const hour = digits(text, 4, 2, what)
  const minute = digits(text, 6, 2, what)
  const second = digits(text, 8, 2, what)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw malformed(`${what}: time out of range`)
  }
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, 0)
  return date
}
