// certificate_authorities (RFC 8446 section 4.2.4): DER distinguished names of acceptable CAs; the list is shared with TLS 1.2's CertificateRequest.
import type { Reader, Writer } from '../../record/codec.js'
import { readList, writeList } from '../messages/wire.js'
import { ExtensionType } from '../registry.js'
import type { ExtensionCodec } from './extension.js'

/** `DistinguishedName authorities<minBytes..2^16-1>` with `opaque DistinguishedName<1..2^16-1>` (DER bytes). */
export function readDistinguishedNames(r: Reader, minBytes: number): Uint8Array[] {
  // No count limit: the list is bounded by its u16 length and read in linear time; we only ever ignore it.
  return readList(r, 2, 'certificate_authorities', (sub) => sub.vec16('DistinguishedName', 1), { minBytes })
}

export function writeDistinguishedNames(w: Writer, names: readonly Uint8Array[]): void {
  writeList(w, 2, names, (inner, name) => inner.vec16(name))
}

/** The TLS 1.3 extension: `authorities<3..2^16-1>`. */
export const certificateAuthorities: ExtensionCodec<Uint8Array[]> = {
  type: ExtensionType.certificate_authorities,
  read: (r) => readDistinguishedNames(r, 3),
  write: writeDistinguishedNames,
}
