// ec_point_formats (RFC 8422 section 5.1.2): the point formats a TLS 1.2 peer can parse; uncompressed is mandatory there.
import { readU8List, writeU8List } from '../messages/wire.js'
import { ExtensionType } from '../registry.js'
import type { ExtensionCodec } from './extension.js'

/**
 * `ECPointFormat ec_point_format_list<1..2^8-1>`. That it lists uncompressed is TLS 1.2's rule (RFC 8422 5.1.2),
 * checked by the TLS 1.2 state machines; TLS 1.3 has no point-format negotiation and ignores the extension.
 */
export const ecPointFormats: ExtensionCodec<number[]> = {
  type: ExtensionType.ec_point_formats,
  read: (r) => readU8List(r, 1, 'ec_point_format_list', { minBytes: 1 }),
  write: (w, formats) => writeU8List(w, 1, formats),
}
