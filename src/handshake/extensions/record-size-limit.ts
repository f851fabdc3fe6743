// record_size_limit (RFC 8449 section 4): the largest record plaintext the sender is willing to receive, and how both limits are settled.
import { TlsError } from '../../errors.js'
import { TLS13, type TlsVersion } from '../../policy/defaults.js'
import { MAX_PLAINTEXT, MAX_TLS13_INNER_PLAINTEXT, MIN_RECORD_SIZE_LIMIT } from '../../record/content.js'
import { ExtensionType } from '../registry.js'
import { type Extension, type ExtensionCodec, readExtension } from './extension.js'

/** `uint16 RecordSizeLimit`; below 64 is an illegal_parameter. */
export const recordSizeLimit: ExtensionCodec<number> = {
  type: ExtensionType.record_size_limit,
  read(r) {
    const limit = r.u16('RecordSizeLimit')
    if (limit < MIN_RECORD_SIZE_LIMIT) throw new TlsError('illegal_parameter', `record_size_limit ${limit} is below ${MIN_RECORD_SIZE_LIMIT}`)
    return limit
  },
  write: (w, limit) => {
    w.u16(limit)
  },
}

/**
 * The limit we announce for `version`: the configured `recordSizeLimit`, never above the protocol's own (TLSInnerPlaintext's
 * 2^14 + 1 in TLS 1.3, the fragment's 2^14 in TLS 1.2), or that maximum when none is configured: RFC 8449 4 asks
 * endpoints to send the extension even with no need to limit, so that the peer may announce its own.
 */
export function announcedRecordSizeLimit(configured: number | undefined, version: TlsVersion): number {
  const maximum = version === TLS13 ? MAX_TLS13_INNER_PLAINTEXT : MAX_PLAINTEXT
  return Math.min(configured ?? maximum, maximum)
}

/** Both directions' limits: the peer's bounds what we send, ours what we accept. */
export interface RecordSizeLimits {
  readonly send: number
  readonly receive: number
}

/**
 * The limits once the peer's hello (ClientHello, EncryptedExtensions, or a TLS 1.2 ServerHello) carried record_size_limit;
 * undefined when it did not, and then neither side is limited. A server answers with `receive`.
 */
export function negotiateRecordSizeLimits(peerExtensions: readonly Extension[], configured: number | undefined, version: TlsVersion): RecordSizeLimits | undefined {
  const peer = readExtension(peerExtensions, recordSizeLimit)
  return peer === undefined ? undefined : { send: peer, receive: announcedRecordSizeLimit(configured, version) }
}
