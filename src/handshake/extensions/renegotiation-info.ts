// renegotiation_info (RFC 5746 section 3.2): the previous Finished verify_data, empty on an initial handshake.
import { ExtensionType } from '../registry.js'
import type { ExtensionCodec } from './extension.js'

/** `opaque renegotiated_connection<0..255>`; the state machine checks it is empty (we never renegotiate). */
export const renegotiationInfo: ExtensionCodec<Uint8Array> = {
  type: ExtensionType.renegotiation_info,
  read: (r) => r.vec8('renegotiated_connection'),
  write: (w, value) => {
    w.vec8(value)
  },
}
