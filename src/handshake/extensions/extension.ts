// The generic extensions block (RFC 8446 section 4.2): a list of {type, data}, and typed codecs for the bodies.
import { TlsError } from '../../errors.js'
import { Reader, Writer } from '../../record/codec.js'
import { readList, writeList } from '../messages/wire.js'
import { extensionTypeName } from '../registry.js'

/** One extension as it sits on the wire; messages keep these in order so they re-encode byte for byte. */
export interface Extension {
  readonly type: number
  readonly data: Uint8Array
}

/** The typed form of one extension body in one message (key_share has three: ClientHello, ServerHello, HRR). */
export interface ExtensionCodec<T> {
  readonly type: number
  read(r: Reader): T
  write(w: Writer, value: T): void
}

/**
 * Reads `Extension extensions<0..2^16-1>`: no type twice (illegal_parameter). No count limit: the u16 length bounds
 * the block to 64 KiB, every check on it is linear, and extensions we do not know cost nothing more.
 */
export function readExtensions(r: Reader): Extension[] {
  const extensions = readList(r, 2, 'extensions', readOne)
  const seen = new Set<number>()
  for (const { type } of extensions) {
    if (seen.has(type)) throw new TlsError('illegal_parameter', `duplicate ${extensionTypeName(type)} extension`)
    seen.add(type)
  }
  return extensions
}

function readOne(r: Reader): Extension {
  const type = r.u16('extension type')
  return { type, data: r.vec16(`${extensionTypeName(type)} extension`) }
}

export function writeExtensions(w: Writer, extensions: readonly Extension[]): void {
  writeList(w, 2, extensions, (inner, ext) => inner.u16(ext.type).vec16(ext.data))
}

/** Parses an extension body with its codec: the one place that insists the body is consumed exactly. */
export function decodeExtensionData<T>(codec: ExtensionCodec<T>, data: Uint8Array): T {
  const r = new Reader(data)
  const value = codec.read(r)
  r.expectEnd(`${extensionTypeName(codec.type)} extension`)
  return value
}

/** Builds the wire form of an extension from its typed value. */
export function encodeExtension<T>(codec: ExtensionCodec<T>, value: T): Extension {
  const w = new Writer(64)
  codec.write(w, value)
  return { type: codec.type, data: w.finish() }
}

export function findExtension(extensions: readonly Extension[], type: number): Extension | undefined {
  return extensions.find((ext) => ext.type === type)
}

export function hasExtension(extensions: readonly Extension[], type: number): boolean {
  return findExtension(extensions, type) !== undefined
}

/** The typed value of an extension, or undefined when it is absent. */
export function readExtension<T>(extensions: readonly Extension[], codec: ExtensionCodec<T>): T | undefined {
  const ext = findExtension(extensions, codec.type)
  return ext === undefined ? undefined : decodeExtensionData(codec, ext.data)
}

/** The typed value of an extension that must be present: absent is missing_extension. */
export function requireExtension<T>(extensions: readonly Extension[], codec: ExtensionCodec<T>, where: string): T {
  const value = readExtension(extensions, codec)
  if (value === undefined) throw new TlsError('missing_extension', `${where} lacks the ${extensionTypeName(codec.type)} extension`)
  return value
}
