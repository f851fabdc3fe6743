// The Alert message (RFC 8446 section 6, RFC 5246 section 7.2): two bytes, level and description.
import { TlsError } from '../errors.js'

/** AlertLevel; TLS 1.3 ignores it on receipt except for close_notify and user_canceled (RFC 8446 6). */
export const AlertLevel = { warning: 1, fatal: 2 } as const

export type AlertLevel = (typeof AlertLevel)[keyof typeof AlertLevel]

export interface Alert {
  readonly level: AlertLevel
  /** The description code (src/errors.ts AlertDescription); unknown codes are kept, RFC 8446 6 treats them as errors. */
  readonly description: number
}

export function encodeAlert(level: AlertLevel, description: number): Uint8Array {
  return Uint8Array.of(level, description)
}

/** Decodes one alert record: exactly one two-byte message (alerts are never fragmented or coalesced, RFC 8446 5.1). */
export function decodeAlert(fragment: Uint8Array): Alert {
  if (fragment.length !== 2) throw new TlsError('decode_error', `alert record of ${fragment.length} bytes, expected 2`)
  const level = fragment[0]!
  if (level !== AlertLevel.warning && level !== AlertLevel.fatal) throw new TlsError('decode_error', `alert level ${level} is neither warning nor fatal`)
  return { level, description: fragment[1]! }
}
