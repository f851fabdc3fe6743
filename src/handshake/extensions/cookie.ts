// cookie (RFC 8446 section 4.2.2): opaque state a server puts in HelloRetryRequest and the client echoes.
import { ExtensionType } from '../registry.js'
import type { ExtensionCodec } from './extension.js'

/** `opaque cookie<1..2^16-1>`. */
export const cookie: ExtensionCodec<Uint8Array> = {
  type: ExtensionType.cookie,
  read: (r) => r.vec16('cookie', 1),
  write: (w, value) => {
    w.vec16(value)
  },
}
