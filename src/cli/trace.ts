// The handshake trace of `pure-tls connect --trace`: one line per handshake message, or per record seen on the wire.
//
// The message-level trace needs the core to report each handshake message it sends and receives; it asks for the
// ContextOptions member `onHandshakeMessage(direction, type, length)` and falls back to reading the records on the
// wire when the core does not know that option (see traceableContext). On the wire every plaintext handshake
// message is visible (all of TLS 1.2's before ChangeCipherSpec, ClientHello and ServerHello in TLS 1.3); encrypted
// records are shown with their sizes only.
import type { ContextOptions, TlsContext } from '../handshake/context.js'
import { HandshakeType } from '../handshake/registry.js'
import { TlsConfigError } from '../errors.js'

/** Which way a message or record went, seen from our side. */
export type Direction = 'sent' | 'received'

/** The observer the trace hands to the core: each handshake message, its HandshakeType and its body length. */
export type HandshakeMessageObserver = (direction: Direction, type: number, length: number) => void

/** The name of the ContextOptions member the core is asked to provide for the trace. */
export const HANDSHAKE_HOOK = 'onHandshakeMessage'

const messageNames = new Map<number, string>(
  Object.entries(HandshakeType).map(([name, code]) => [code, name.replace(/(^|_)([a-z])/g, (_m, _sep, c: string) => c.toUpperCase())]),
)

/** `ClientHello` for 1, `unknown(99)` for codes we do not name. */
export function handshakeMessageName(type: number): string {
  return messageNames.get(type) ?? `unknown(${type})`
}

const arrows: Record<Direction, string> = { sent: '->', received: '<-' }

/** One trace line. */
export function traceLine(direction: Direction, what: string, length: number): string {
  return `${arrows[direction]} ${what} (${length} bytes)`
}

/**
 * A context made with the trace hook when the core supports it (`traced: true`), otherwise without it. The core
 * refuses options it does not know with a TlsConfigError naming the option: that is the feature check.
 */
export function traceableContext(
  make: (options: ContextOptions) => TlsContext,
  options: ContextOptions,
  observer: HandshakeMessageObserver,
): { context: TlsContext; traced: boolean } {
  try {
    return { context: make({ ...options, [HANDSHAKE_HOOK]: observer } as ContextOptions), traced: true }
  } catch (error) {
    if (error instanceof TlsConfigError && error.option === HANDSHAKE_HOOK) return { context: make(options), traced: false }
    throw error
  }
}

const RECORD_HEADER = 5
const HANDSHAKE_HEADER = 4
const CONTENT_CHANGE_CIPHER_SPEC = 20
const CONTENT_HANDSHAKE = 22
const recordNames: Record<number, string> = { 20: 'ChangeCipherSpec', 21: 'alert record', 22: 'handshake record', 23: 'application_data record' }
/** Plaintext handshake bytes kept while a message is incomplete; past this the wire trace shows records only. */
const MAX_BUFFERED_HANDSHAKE = 256 * 1024

/**
 * Reads one direction of a TLS byte stream and prints what it sees: each plaintext handshake message, and the
 * other records by type and size. It only observes; a malformed stream merely stops the message detail.
 */
export class WireTracer {
  private header: Uint8Array = new Uint8Array(0)
  private remaining = 0
  private currentType = 0
  private encrypted = false
  private handshake: Uint8Array = new Uint8Array(0)
  private gaveUp = false

  constructor(
    private readonly direction: Direction,
    private readonly print: (line: string) => void,
  ) {}

  /** Feeds bytes as they went over the wire in this direction. */
  push(bytes: Uint8Array): void {
    let at = 0
    while (at < bytes.length) {
      if (this.remaining === 0) at = this.readHeader(bytes, at)
      else at = this.readBody(bytes, at)
    }
  }

  private readHeader(bytes: Uint8Array, at: number): number {
    const take = Math.min(RECORD_HEADER - this.header.length, bytes.length - at)
    this.header = concatBytes(this.header, bytes.subarray(at, at + take))
    if (this.header.length < RECORD_HEADER) return at + take
    this.currentType = this.header[0]!
    this.remaining = (this.header[3]! << 8) | this.header[4]!
    this.header = new Uint8Array(0)
    this.announceRecord(this.remaining)
    return at + take
  }

  private announceRecord(length: number): void {
    if (this.currentType === CONTENT_CHANGE_CIPHER_SPEC) {
      this.encrypted = true
      this.print(traceLine(this.direction, 'ChangeCipherSpec', length))
    } else if (this.currentType !== CONTENT_HANDSHAKE || this.encrypted) {
      const name = recordNames[this.currentType] ?? `record of type ${this.currentType}`
      this.print(traceLine(this.direction, this.currentType === CONTENT_HANDSHAKE || this.currentType === 23 ? `encrypted ${name}` : name, length))
    }
  }

  private readBody(bytes: Uint8Array, at: number): number {
    const take = Math.min(this.remaining, bytes.length - at)
    if (this.currentType === CONTENT_HANDSHAKE && !this.encrypted) this.readHandshake(bytes.subarray(at, at + take))
    this.remaining -= take
    return at + take
  }

  private readHandshake(fragment: Uint8Array): void {
    if (this.gaveUp) return
    this.handshake = concatBytes(this.handshake, fragment)
    while (this.handshake.length >= HANDSHAKE_HEADER) {
      const length = (this.handshake[1]! << 16) | (this.handshake[2]! << 8) | this.handshake[3]!
      if (this.handshake.length < HANDSHAKE_HEADER + length) break
      this.print(traceLine(this.direction, handshakeMessageName(this.handshake[0]!), length))
      this.handshake = this.handshake.subarray(HANDSHAKE_HEADER + length)
    }
    if (this.handshake.length > MAX_BUFFERED_HANDSHAKE) {
      this.gaveUp = true
      this.print(`${arrows[this.direction]} (a handshake message over ${MAX_BUFFERED_HANDSHAKE} bytes: showing records only)`)
    }
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice()
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
