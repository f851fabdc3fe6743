// psk_key_exchange_modes (RFC 8446 section 4.2.9): which PSK modes the client accepts.
import { ExtensionType } from '../registry.js'
import { readU8List, writeU8List } from '../messages/wire.js'
import type { ExtensionCodec } from './extension.js'

/** `PskKeyExchangeMode ke_modes<1..255>`: unknown modes are kept, the server just never picks them. */
export const pskKeyExchangeModes: ExtensionCodec<number[]> = {
  type: ExtensionType.psk_key_exchange_modes,
  read: (r) => readU8List(r, 1, 'ke_modes', { minBytes: 1 }),
  write: (w, modes) => writeU8List(w, 1, modes),
}
