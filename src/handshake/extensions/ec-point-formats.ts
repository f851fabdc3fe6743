// ec_point_formats (RFC 8422 section 5.1.2): the point formats a TLS 1.2 peer can parse; uncompressed is mandatory.
import { TlsError } from '../../errors.js'
import { readU8List, writeU8List } from '../messages/wire.js'
import { ECPointFormat, ExtensionType } from '../registry.js'
import type { ExtensionCodec } from './extension.js'

/** `ECPointFormat ec_point_format_list<1..2^8-1>`, which must contain uncompressed (illegal_parameter otherwise). */
export const ecPointFormats: ExtensionCodec<number[]> = {
  type: ExtensionType.ec_point_formats,
  read(r) {
    const formats = readU8List(r, 1, 'ec_point_format_list', { minBytes: 1 })
    if (!formats.includes(ECPointFormat.uncompressed)) throw new TlsError('illegal_parameter', 'ec_point_formats lacks the uncompressed format')
    return formats
  },
  write: (w, formats) => writeU8List(w, 1, formats),
}
