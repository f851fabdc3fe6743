// The client handshake's common start: ClientHello, ServerHello (with at most one HelloRetryRequest), version dispatch.
import type { HashName } from '../crypto/provider.js'
import { TlsError, TlsPolicyError } from '../errors.js'
import { checkSelectedGroup, checkSelectedVersion, describeVersion } from '../policy/decisions.js'
import { TLS12, TLS13, type TlsVersion, versionNames } from '../policy/defaults.js'
import { constantTimeEqual } from '../bytes.js'
import { buildClientHello, type ClientOffer } from './client-hello.js'
import { clientHandshake12 } from './client12.js'
import { clientHandshake13 } from './client13.js'
import { checkOfferedExtensions } from './extensions/placement.js'
import { cookie } from './extensions/cookie.js'
import { readExtension } from './extensions/extension.js'
import { keyShareHelloRetryRequest } from './extensions/key-share.js'
import { expectMessage, type Step } from './flow.js'
import { downgradeSentinel } from './messages/hello-random.js'
import { decodeServerHello, type ReceivedServerHello } from './messages/server-hello.js'
import { offerTicket, takeTicketToOffer, ticketAfterRetry } from './psk.js'
import { HandshakeType, namedGroupName, providerGroupName } from './registry.js'
import type { HandshakeSession } from './session.js'
import { cipherSuiteByCode } from '../policy/suites.js'
import { Transcript } from './transcript.js'

/** The client's whole handshake, as the connection drives it. */
export function* clientHandshake(session: HandshakeSession): Step {
  const { config } = session
  const transcript = new Transcript(config.provider)
  let offer = offerTicket(config, transcript, yield* buildClientHello(config), takeTicketToOffer(config))
  session.sendHandshake(offer.raw)
  transcript.update(offer.raw)

  let serverHello = yield* readServerHello(session, offer)
  let retried = false
  if (serverHello.hello.kind === 'hello_retry_request') {
    offer = yield* retryClientHello(session, transcript, offer, serverHello.hello, serverHello.raw)
    retried = true
    serverHello = yield* readServerHello(session, offer)
    if (serverHello.hello.kind === 'hello_retry_request') throw new TlsError('unexpected_message', 'a second HelloRetryRequest')
  }

  const version = negotiatedVersion(session, offer, serverHello.hello)
  session.setVersion(version)
  if (version === TLS13) yield* clientHandshake13(session, transcript, offer, serverHello.hello, serverHello.raw, retried)
  else yield* clientHandshake12(session, transcript, offer, serverHello.hello, serverHello.raw)
}

function* readServerHello(session: HandshakeSession, offer: ClientOffer): Step<{ hello: ReceivedServerHello; raw: Uint8Array }> {
  const message = yield* expectMessage(HandshakeType.server_hello)
  const hello = decodeServerHello(message.body)
  // RFC 5246 E.1: a version we do not accept is answered with protocol_version, before the rest of the hello is judged
  // (a TLS 1.1 server necessarily picks a suite we did not offer: that must not mask the version).
  if (hello.kind === 'server_hello_tls12') checkSelectedVersion(session.config.policy, hello.legacyVersion)
  // RFC 8446 4.1.3: a TLS 1.3 ServerHello (or HelloRetryRequest) carries legacy_version 0x0303, whatever it selects.
  else if (hello.legacyVersion !== TLS12)
    throw new TlsError('illegal_parameter', `a TLS 1.3 ServerHello with legacy_version 0x${hello.legacyVersion.toString(16).padStart(4, '0')}, not 0x0303`)
  if (!offer.cipherSuites.includes(hello.cipherSuite))
    throw new TlsError('illegal_parameter', `the server selected cipher suite 0x${hello.cipherSuite.toString(16)}, which we did not offer`)
  return { hello, raw: message.raw }
}

/**
 * RFC 8446 4.1.4: the HelloRetryRequest must change something, name a group we support and did not send
 * a share for, and our second ClientHello echoes its cookie with a share for that group.
 */
function* retryClientHello(session: HandshakeSession, transcript: Transcript, offer: ClientOffer, hrr: ReceivedServerHello, hrrRaw: Uint8Array): Step<ClientOffer> {
  const { config } = session
  if (!offer.offersTls13 || hrr.version !== TLS13) throw new TlsError('illegal_parameter', 'HelloRetryRequest for a version other than TLS 1.3')
  session.setVersion(TLS13)
  checkOfferedExtensions(hrr.extensions, offer.extensionTypes, 'hello_retry_request')
  if (!constantTimeEqual(hrr.legacySessionIdEcho, offer.legacySessionId)) throw new TlsError('illegal_parameter', 'HelloRetryRequest does not echo our session id')
  const selected = readExtension(hrr.extensions, keyShareHelloRetryRequest)
  const retryCookie = readExtension(hrr.extensions, cookie)
  if (selected === undefined && retryCookie === undefined) throw new TlsError('illegal_parameter', 'HelloRetryRequest would change nothing in our ClientHello')
  const group = selected === undefined ? undefined : checkSelectedGroup(config.policy, providerGroupName(selected), namedGroupName(selected))
  if (group !== undefined && offer.keyShares.has(group))
    throw new TlsError('illegal_parameter', `HelloRetryRequest asks for ${namedGroupName(selected!)}, for which we already sent a share`)

  const hash = suiteHash(hrr.cipherSuite)
  transcript.setHash(hash)
  transcript.replaceWithMessageHash()
  transcript.update(hrrRaw)
  const retried = yield* buildClientHello(config, offer, { group, cookie: retryCookie, cipherSuite: hrr.cipherSuite })
  // RFC 8446 4.1.2: the ticket again, with its age and binder recomputed, if its hash is the chosen suite's.
  const second = offerTicket(config, transcript, retried, ticketAfterRetry(offer, hash))
  session.sendHandshake(second.raw)
  transcript.update(second.raw)
  return second
}

/** The version the ServerHello settles on, with the downgrade protection of RFC 8446 4.1.3. */
function negotiatedVersion(session: HandshakeSession, offer: ClientOffer, hello: ReceivedServerHello): TlsVersion {
  const policy = session.config.policy
  if (hello.kind === 'server_hello') {
    if (hello.version !== TLS13 || !offer.offersTls13) throw new TlsError('illegal_parameter', `supported_versions selects ${describeVersion(hello.version)}, which we did not offer`)
    if (offer.helloRetrySuite !== undefined && offer.helloRetrySuite !== hello.cipherSuite) throw new TlsError('illegal_parameter', 'ServerHello changed the cipher suite chosen in HelloRetryRequest')
    return TLS13
  }
  if (offer.helloRetrySuite !== undefined) throw new TlsError('illegal_parameter', 'a TLS 1.2 ServerHello after a TLS 1.3 HelloRetryRequest')
  if (hello.legacyVersion !== TLS12 || !offer.offersTls12) {
    throw new TlsPolicyError('versions', 'protocol_version', describeVersion(hello.legacyVersion), `${versionNames[policy.minVersion]}-${versionNames[policy.maxVersion]}`)
  }
  const version = checkSelectedVersion(policy, TLS12)
  // A server that supports TLS 1.3 but was offered only TLS 1.2 by an attacker says so in its random.
  if (offer.offersTls13 && downgradeSentinel(hello.random) !== null)
    throw new TlsError('illegal_parameter', 'the server random carries the TLS 1.3 downgrade sentinel: a man in the middle removed TLS 1.3 from our ClientHello')
  return version
}

function suiteHash(code: number): HashName {
  const suite = cipherSuiteByCode(code)
  if (!suite || suite.version !== TLS13) throw new TlsError('illegal_parameter', `HelloRetryRequest selects cipher suite 0x${code.toString(16)}, not a TLS 1.3 suite we offered`)
  return suite.hash
}
