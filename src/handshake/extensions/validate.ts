// Reads and validates a message's extensions block: no duplicates, allowed in this message, and every body we know parses.
import type { Reader } from '../../record/codec.js'
import { alpnProtocols, alpnSelected } from './alpn.js'
import { certificateAuthorities } from './certificate-authorities.js'
import { cookie } from './cookie.js'
import { ecPointFormats } from './ec-point-formats.js'
import { earlyDataIndication, earlyDataMaxSize } from './early-data.js'
import { decodeExtensionData, readExtensions, type Extension, type ExtensionCodec } from './extension.js'
import { keyShareClientHello, keyShareHelloRetryRequest, keyShareServerHello } from './key-share.js'
import { checkExtensionPlacement, type ExtensionContext } from './placement.js'
import { preSharedKeyClientHello, preSharedKeyServerHello } from './pre-shared-key.js'
import { pskKeyExchangeModes } from './psk-key-exchange-modes.js'
import { recordSizeLimit } from './record-size-limit.js'
import { renegotiationInfo } from './renegotiation-info.js'
import { serverNameAck, serverNameList } from './server-name.js'
import { signatureAlgorithms, signatureAlgorithmsCert } from './signature-algorithms.js'
import { encryptThenMac, extendedMasterSecret, postHandshakeAuth, sessionTicketAck } from './simple.js'
import { supportedGroups } from './supported-groups.js'
import { supportedVersionSelected, supportedVersionsList } from './supported-versions.js'

type Codecs = readonly ExtensionCodec<unknown>[]

/** The typed form each extension takes in each message; extensions not listed are kept opaque. */
const forms: Record<ExtensionContext, Codecs> = {
  client_hello: [
    serverNameList,
    supportedGroups,
    ecPointFormats,
    signatureAlgorithms,
    signatureAlgorithmsCert,
    alpnProtocols,
    encryptThenMac,
    extendedMasterSecret,
    recordSizeLimit,
    preSharedKeyClientHello,
    earlyDataIndication,
    supportedVersionsList,
    cookie,
    pskKeyExchangeModes,
    certificateAuthorities,
    postHandshakeAuth,
    keyShareClientHello,
    renegotiationInfo,
  ],
  server_hello: [preSharedKeyServerHello, supportedVersionSelected, keyShareServerHello],
  hello_retry_request: [supportedVersionSelected, keyShareHelloRetryRequest, cookie],
  encrypted_extensions: [serverNameAck, supportedGroups, alpnSelected, earlyDataIndication, recordSizeLimit],
  certificate: [],
  certificate_request: [signatureAlgorithms, signatureAlgorithmsCert, certificateAuthorities],
  new_session_ticket: [earlyDataMaxSize],
  server_hello_tls12: [serverNameAck, ecPointFormats, alpnSelected, encryptThenMac, extendedMasterSecret, recordSizeLimit, sessionTicketAck, renegotiationInfo],
}

/** The typed codec for an extension in a message, when it has one. */
export function extensionForm(context: ExtensionContext, type: number): ExtensionCodec<unknown> | undefined {
  return forms[context].find((codec) => codec.type === type)
}

/** Checks placement (section 4.2) and parses every body that has a typed form, so later reads cannot fail. */
export function validateExtensions(extensions: readonly Extension[], context: ExtensionContext): void {
  checkExtensionPlacement(extensions, context)
  for (const ext of extensions) {
    const codec = extensionForm(context, ext.type)
    if (codec !== undefined) decodeExtensionData(codec, ext.data)
  }
}

/** Reads an extensions block and validates it for `context`. */
export function readMessageExtensions(r: Reader, context: ExtensionContext): Extension[] {
  const extensions = readExtensions(r)
  validateExtensions(extensions, context)
  return extensions
}
