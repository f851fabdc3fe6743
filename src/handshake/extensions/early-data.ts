// early_data (RFC 8446 section 4.2.10): an empty indication in ClientHello/EncryptedExtensions, a size limit in NewSessionTicket.
import { ExtensionType } from '../registry.js'
import type { ExtensionCodec } from './extension.js'
import { emptyExtension } from './simple.js'

/** ClientHello and EncryptedExtensions: empty. */
export const earlyDataIndication = emptyExtension(ExtensionType.early_data)

/** NewSessionTicket: `uint32 max_early_data_size`. */
export const earlyDataMaxSize: ExtensionCodec<number> = {
  type: ExtensionType.early_data,
  read: (r) => r.u32('max_early_data_size'),
  write: (w, size) => {
    w.u32(size)
  },
}
