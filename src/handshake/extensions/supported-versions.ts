// supported_versions (RFC 8446 section 4.2.1): the client's list of versions, the server's selected one.
import { TlsError } from '../../errors.js'
import { ExtensionType, ProtocolVersion } from '../registry.js'
import type { ExtensionCodec } from './extension.js'
import { u16ListExtension } from './simple.js'

/** ClientHello: `ProtocolVersion versions<2..254>`. */
export const supportedVersionsList = u16ListExtension(ExtensionType.supported_versions, 'versions', 1, 2)

/**
 * ServerHello and HelloRetryRequest: `ProtocolVersion selected_version`. A version before TLS 1.3 here is
 * an illegal_parameter (RFC 8446 section 4.2.1); whether the client offered it is the state machine's check.
 */
export const supportedVersionSelected: ExtensionCodec<number> = {
  type: ExtensionType.supported_versions,
  read(r) {
    const version = r.u16('selected_version')
    if (version < ProtocolVersion.tls13) {
      throw new TlsError('illegal_parameter', `supported_versions selected 0x${version.toString(16)}, a version before TLS 1.3`)
    }
    return version
  },
  write(w, version) {
    w.u16(version)
  },
}
