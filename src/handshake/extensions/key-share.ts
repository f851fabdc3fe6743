// key_share (RFC 8446 section 4.2.8): the client's shares, the server's one share, and HelloRetryRequest's selected group.
import { TlsError } from '../../errors.js'
import type { Reader, Writer } from '../../record/codec.js'
import { readList, writeList } from '../messages/wire.js'
import { ExtensionType, NamedGroup, namedGroupName } from '../registry.js'
import type { ExtensionCodec } from './extension.js'

export interface KeyShareEntry {
  readonly group: number
  readonly keyExchange: Uint8Array
}

/** The exact key_exchange length of each group we know; secp curves use the uncompressed form only. */
const keyExchangeLengths: ReadonlyMap<number, number> = new Map<number, number>([
  [NamedGroup.secp256r1, 65],
  [NamedGroup.secp384r1, 97],
  [NamedGroup.secp521r1, 133],
  [NamedGroup.x25519, 32],
  [NamedGroup.x448, 56],
  [NamedGroup.ffdhe2048, 256],
  [NamedGroup.ffdhe3072, 384],
  [NamedGroup.ffdhe4096, 512],
  [NamedGroup.ffdhe6144, 768],
  [NamedGroup.ffdhe8192, 1024],
])

const uncompressedPointGroups: ReadonlySet<number> = new Set([NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1])

/** RFC 8446 section 4.2.8.1-2: a share of a known group has that group's length (and form); else illegal_parameter. */
export function checkKeyExchangeShape(group: number, keyExchange: Uint8Array): void {
  const expected = keyExchangeLengths.get(group)
  if (expected === undefined) return
  if (keyExchange.length !== expected) {
    throw new TlsError('illegal_parameter', `${namedGroupName(group)} key_exchange is ${keyExchange.length} bytes, not ${expected}`)
  }
  if (uncompressedPointGroups.has(group) && keyExchange[0] !== 4) {
    throw new TlsError('illegal_parameter', `${namedGroupName(group)} key_exchange is not an uncompressed point`)
  }
}

function readEntry(r: Reader): KeyShareEntry {
  const group = r.u16('KeyShareEntry group')
  const keyExchange = r.vec16('KeyShareEntry key_exchange', 1)
  checkKeyExchangeShape(group, keyExchange)
  return { group, keyExchange }
}

function writeEntry(w: Writer, entry: KeyShareEntry): void {
  w.u16(entry.group).vec16(entry.keyExchange)
}

/** ClientHello: `KeyShareEntry client_shares<0..2^16-1>`; a group twice is illegal_parameter. */
export const keyShareClientHello: ExtensionCodec<KeyShareEntry[]> = {
  type: ExtensionType.key_share,
  read(r) {
    // Any number: shares for groups we do not know are ignored, and the duplicate check is linear.
    const entries = readList(r, 2, 'client_shares', readEntry)
    const groups = new Set<number>()
    for (const { group } of entries) {
      if (groups.has(group)) throw new TlsError('illegal_parameter', `key_share offers ${namedGroupName(group)} twice`)
      groups.add(group)
    }
    return entries
  },
  write(w, entries) {
    writeList(w, 2, entries, writeEntry)
  },
}

/** ServerHello: `KeyShareEntry server_share`. */
export const keyShareServerHello: ExtensionCodec<KeyShareEntry> = {
  type: ExtensionType.key_share,
  read: readEntry,
  write: writeEntry,
}

/** HelloRetryRequest: `NamedGroup selected_group`. */
export const keyShareHelloRetryRequest: ExtensionCodec<number> = {
  type: ExtensionType.key_share,
  read: (r) => r.u16('selected_group'),
  write: (w, group) => {
    w.u16(group)
  },
}
