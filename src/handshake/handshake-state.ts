// What every role's and version's handshake state shares: the session, the transcript, and what is known of the peer.
import { signatureSchemeName } from '../crypto/schemes.js'
import type { NamedGroupName } from '../crypto/provider.js'
import type { VerifiedPeer } from '../x509/verifier.js'
import { HANDSHAKE_HEADER_LENGTH } from '../record/handshake-reassembler.js'
import type { HandshakeMessageIn } from './flow.js'
import type { ConnectionInfo, HandshakeConfig, HandshakeSession } from './session.js'
import type { Transcript } from './transcript.js'

/** The negotiated facts a state machine reports; the peer's side is filled in by HandshakeState. */
export interface NegotiatedParameters {
  readonly version: ConnectionInfo['version']
  readonly cipherSuite: string
  readonly group: NamedGroupName | undefined
  readonly alpnProtocol: string | undefined
  readonly serverName: string | undefined
  readonly helloRetryRequest?: boolean
  readonly extendedMasterSecret?: boolean
  /** A resumption: the peer as the original handshake authenticated it (the ticket carries it). */
  readonly resumedFrom?: ResumedPeer
}

/** What a resumed session remembers of the peer. */
export interface ResumedPeer {
  readonly peerCertificates: readonly Uint8Array[]
  readonly peerVerified: boolean
}

export abstract class HandshakeState {
  /** The peer's certificates as sent (leaf first), and what verifying them established. */
  protected peerChain: Uint8Array[] = []
  protected verified: VerifiedPeer | undefined
  /** The scheme of the peer's CertificateVerify (or TLS 1.2 ServerKeyExchange). */
  protected peerScheme: number | undefined
  /** The verify_data of the Finished messages, ours and the peer's (node's getFinished / getPeerFinished). */
  #localFinished: Uint8Array = new Uint8Array(0)
  #peerFinished: Uint8Array = new Uint8Array(0)

  constructor(
    protected readonly session: HandshakeSession,
    protected readonly transcript: Transcript,
  ) {}

  protected get config(): HandshakeConfig {
    return this.session.config
  }

  /** Sends a handshake message and adds it to the transcript. */
  protected sendAndHash(message: Uint8Array): void {
    this.session.sendHandshake(message)
    this.transcript.update(message)
  }

  /** Sends our Finished (header included) and keeps its verify_data. */
  protected sendFinished(message: Uint8Array): void {
    this.sendAndHash(message)
    this.#localFinished = message.subarray(HANDSHAKE_HEADER_LENGTH)
  }

  /** Adds the peer's Finished, already checked, to the transcript and keeps its verify_data. */
  protected acceptPeerFinished(message: HandshakeMessageIn): void {
    this.transcript.update(message.raw)
    this.#peerFinished = message.body
  }

  protected connectionInfo(negotiated: NegotiatedParameters): ConnectionInfo {
    return {
      version: negotiated.version,
      cipherSuite: negotiated.cipherSuite,
      group: negotiated.group,
      signatureScheme: this.peerScheme === undefined ? undefined : signatureSchemeName(this.peerScheme),
      alpnProtocol: negotiated.alpnProtocol,
      serverName: negotiated.serverName,
      peerCertificates: negotiated.resumedFrom ? [...negotiated.resumedFrom.peerCertificates] : this.peerChain,
      peerVerified: negotiated.resumedFrom ? negotiated.resumedFrom.peerVerified : (this.verified?.verified ?? false),
      resumed: negotiated.resumedFrom !== undefined,
      helloRetryRequest: negotiated.helloRetryRequest ?? false,
      extendedMasterSecret: negotiated.extendedMasterSecret,
      finished: { local: this.#localFinished, peer: this.#peerFinished },
      ...(this.verified?.error && { peerVerificationError: this.verified.error }),
    }
  }
}
