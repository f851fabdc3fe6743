// The server handshake's common start: read the ClientHello, pick the version the policy allows, dispatch.
import { chooseVersion } from '../policy/decisions.js'
import { TLS12, TLS13 } from '../policy/defaults.js'
import { readExtension } from './extensions/extension.js'
import { requestedServerName } from './extensions/server-name.js'
import { supportedVersionsList } from './extensions/supported-versions.js'
import { expectMessage, type Step } from './flow.js'
import { type ClientHello, decodeClientHello } from './messages/client-hello.js'
import { HandshakeType } from './registry.js'
import { serverHandshake12 } from './server12.js'
import { serverHandshake13 } from './server13.js'
import type { HandshakeSession } from './session.js'
import { Transcript } from './transcript.js'

/** The versions a ClientHello offers: supported_versions when present, else what legacy_version implies (RFC 8446 4.2.1). */
export function offeredVersions(hello: ClientHello): number[] {
  const listed = readExtension(hello.extensions, supportedVersionsList)
  if (listed) return listed
  return [hello.legacyVersion >= TLS12 ? TLS12 : hello.legacyVersion]
}

/** The server's whole handshake, as the connection drives it. */
export function* serverHandshake(session: HandshakeSession): Step {
  const transcript = new Transcript(session.config.provider)
  const message = yield* expectMessage(HandshakeType.client_hello)
  const hello = decodeClientHello(message.body)
  // A server with per-name contexts (node's SNICallback / addContext) switches before anything is chosen.
  const serverName = requestedServerName(hello.extensions)
  const selected = serverName === undefined ? undefined : session.config.selectConfig?.(serverName)
  if (selected) session.useConfig(selected)
  const version = chooseVersion(session.config.policy, offeredVersions(hello))
  session.setVersion(version)
  if (version === TLS13) yield* serverHandshake13(session, transcript, hello, message.raw)
  else yield* serverHandshake12(session, transcript, hello, message.raw)
}
