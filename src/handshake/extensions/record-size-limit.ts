// record_size_limit (RFC 8449 section 4): the largest record plaintext the sender is willing to receive.
import { TlsError } from '../../errors.js'
import { ExtensionType } from '../registry.js'
import type { ExtensionCodec } from './extension.js'

/** `uint16 RecordSizeLimit`; below 64 is an illegal_parameter. */
export const recordSizeLimit: ExtensionCodec<number> = {
  type: ExtensionType.record_size_limit,
  read(r) {
    const limit = r.u16('RecordSizeLimit')
    if (limit < 64) throw new TlsError('illegal_parameter', `record_size_limit ${limit} is below 64`)
    return limit
  },
  write: (w, limit) => {
    w.u16(limit)
  },
}
