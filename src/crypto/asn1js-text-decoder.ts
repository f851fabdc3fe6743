// A stand-in for TextDecoder while asn1js loads on an engine that has none (asn1js makes its UTF8String decoder then).
//
// asn1js 4 builds `new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })` when its module is evaluated and
// decodes every UTF8String with it. On a bare ECMAScript engine (QuickJS) that throws at load time. This module,
// evaluated just before asn1js (see asn1js.ts), puts a UTF-8-only decoder of ours on globalThis if there is no
// TextDecoder; asn1js.ts takes it away again as soon as asn1js has made its instance. Nothing else ever sees it.
import { toBytes, utf8 } from '../bytes.js'

/** The subset of TextDecoder asn1js uses: UTF-8, fatal or not, the BOM kept. */
class Utf8Decoder {
  private readonly fatal: boolean
  constructor(label = 'utf-8', options: { fatal?: boolean } = {}) {
    if (!/^utf-?8$/i.test(label)) throw new RangeError(`only UTF-8 is decoded here, not ${label}`)
    this.fatal = options.fatal === true
  }
  decode(input: ArrayBufferLike | ArrayBufferView = new Uint8Array(0)): string {
    const bytes = toBytes(input, 'TextDecoder.decode()')
    if (!this.fatal) return utf8.decode(bytes)
    const text = utf8.decodeStrict(bytes)
    if (text === undefined) throw new TypeError('The encoded data was not valid UTF-8')
    return text
  }
}

type WithDecoder = { TextDecoder?: unknown }
const installed = (globalThis as WithDecoder).TextDecoder === undefined
if (installed) (globalThis as WithDecoder).TextDecoder = Utf8Decoder

/** Removes the stand-in, if this module put one there. */
export function removeTextDecoderStandIn(): void {
  if (installed && (globalThis as WithDecoder).TextDecoder === Utf8Decoder) delete (globalThis as WithDecoder).TextDecoder
}
