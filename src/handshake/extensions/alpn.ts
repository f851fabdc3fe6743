// application_layer_protocol_negotiation (RFC 7301 section 3.1): the client's protocol names, the server's one choice.
import { TlsError } from '../../errors.js'
import type { Reader, Writer } from '../../record/codec.js'
import { binaryStringToBytes, bytesToBinaryString, readList, writeList } from '../messages/wire.js'
import { ExtensionType } from '../registry.js'
import type { ExtensionCodec } from './extension.js'

/**
 * `ProtocolName protocol_name_list<2..2^16-1>` with `opaque ProtocolName<1..2^8-1>`. Names are byte strings;
 * we carry them as strings with one char per byte, so 'h2' and 'http/1.1' are themselves.
 */
function readNames(r: Reader): string[] {
  return readList(r, 2, 'protocol_name_list', (sub) => bytesToBinaryString(sub.vec8('ProtocolName', 1)), { minBytes: 2 })
}

function writeNames(w: Writer, names: readonly string[]): void {
  writeList(w, 2, names, (inner, name) => {
    if (name.length === 0) throw new TlsError('internal_error', 'an ALPN ProtocolName cannot be empty')
    inner.vec8(binaryStringToBytes(name, 'ALPN ProtocolName'))
  })
}

/** ClientHello: the offered names, in preference order. */
export const alpnProtocols: ExtensionCodec<string[]> = {
  type: ExtensionType.application_layer_protocol_negotiation,
  read: readNames,
  write: writeNames,
}

/** ServerHello (TLS 1.2) / EncryptedExtensions: the list holds exactly one name, the selected one. */
export const alpnSelected: ExtensionCodec<string> = {
  type: ExtensionType.application_layer_protocol_negotiation,
  read(r) {
    const names = readNames(r)
    if (names.length !== 1) throw new TlsError('decode_error', `the server's ALPN list holds ${names.length} names, not exactly one`)
    return names[0]!
  },
  write: (w, name) => writeNames(w, [name]),
}
