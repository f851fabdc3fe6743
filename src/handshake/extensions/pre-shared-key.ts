// pre_shared_key (RFC 8446 section 4.2.11): the client's offered identities and binders, the server's selected identity.
import { TlsError } from '../../errors.js'
import type { Reader, Writer } from '../../record/codec.js'
import { readList, writeList } from '../messages/wire.js'
import { ExtensionType } from '../registry.js'
import type { ExtensionCodec } from './extension.js'

export interface PskIdentity {
  readonly identity: Uint8Array
  readonly obfuscatedTicketAge: number
}

/** OfferedPsks: one binder per identity, in the same order. */
export interface OfferedPsks {
  readonly identities: readonly PskIdentity[]
  readonly binders: readonly Uint8Array[]
}

function readIdentity(r: Reader): PskIdentity {
  return { identity: r.vec16('PskIdentity identity', 1), obfuscatedTicketAge: r.u32('obfuscated_ticket_age') }
}

function readBinders(r: Reader): Uint8Array[] {
  return readList(r, 2, 'binders', (sub) => sub.vec8('PskBinderEntry', 32), { minBytes: 33 })
}

/** Writes the `binders` vector, which ends a ClientHello that offers PSKs. */
export function writeBinders(w: Writer, binders: readonly Uint8Array[]): void {
  writeList(w, 2, binders, (inner, binder) => inner.vec8(binder))
}

/** The size of the `binders` vector on the wire, length prefix included: what the truncated ClientHello leaves off. */
export function bindersWireLength(binders: readonly Uint8Array[]): number {
  return binders.reduce((n, binder) => n + 1 + binder.length, 2)
}

/** ClientHello: `PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>`. */
export const preSharedKeyClientHello: ExtensionCodec<OfferedPsks> = {
  type: ExtensionType.pre_shared_key,
  read(r) {
    // Any number (the u16 vector bounds them); the server tries only the first few (src/handshake/psk.ts).
    const identities = readList(r, 2, 'identities', readIdentity, { minBytes: 7 })
    const binders = readBinders(r)
    if (binders.length !== identities.length) {
      throw new TlsError('illegal_parameter', `pre_shared_key has ${identities.length} identities but ${binders.length} binders`)
    }
    return { identities, binders }
  },
  write(w, offered) {
    writeList(w, 2, offered.identities, (inner, id) => inner.vec16(id.identity).u32(id.obfuscatedTicketAge))
    writeBinders(w, offered.binders)
  },
}

/** ServerHello: `uint16 selected_identity`; whether it is in range is the client's check (illegal_parameter). */
export const preSharedKeyServerHello: ExtensionCodec<number> = {
  type: ExtensionType.pre_shared_key,
  read: (r) => r.u16('selected_identity'),
  write: (w, index) => {
    w.u16(index)
  },
}
