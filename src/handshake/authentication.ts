// Certificate-based authentication shared by both roles and versions: choosing our certificate, signing, checking the peer.
import { schemeMatchesKey, signatureAlgorithmForScheme, signatureSchemeName } from '../crypto/schemes.js'
import type { PublicKey } from '../crypto/provider.js'
import { CertificateVerificationError, TlsError, TlsPolicyError } from '../errors.js'
import { chooseSignatureScheme, checkPeerSignatureScheme } from '../policy/decisions.js'
import { TLS13, type TlsVersion } from '../policy/defaults.js'
import { utf8, concat } from '../bytes.js'
import { type MaybePromise, settle, type Waiting } from '../pending.js'
import { parseCertificate } from '../x509/certificate.js'
import { verifyHostname } from '../x509/hostname.js'
import type { VerifiedPeer } from '../x509/verifier.js'
import type { CertifiedKey, HandshakeConfig } from './session.js'
import type { Tls12CipherSuite } from '../policy/suites.js'

/** Our certificate and the scheme we will sign with, chosen from what the peer accepts. */
export interface ChosenCertificate {
  readonly certified: CertifiedKey
  readonly scheme: number
}

/** Whether our certificate names `serverName` (the client's SNI). */
function namesHost(certified: CertifiedKey, serverName: string): boolean {
  try {
    verifyHostname(parseCertificate(certified.chain[0]!), serverName)
    return true
  } catch {
    return false
  }
}

/**
 * The first of our certificates whose key can sign with a scheme the peer accepts (policy order decides
 * the scheme). With several certificates and an SNI name, those naming the host are tried first, as
 * Go's crypto/tls does; a server with one certificate answers every name with it.
 */
export function chooseCertificate(
  config: HandshakeConfig,
  peerSchemes: readonly number[],
  version: TlsVersion,
  usable: (c: CertifiedKey) => boolean = () => true,
  serverName?: string,
): ChosenCertificate {
  let candidates = config.certificates
  if (serverName !== undefined && candidates.length > 1) {
    const naming = candidates.filter((c) => namesHost(c, serverName))
    candidates = [...naming, ...candidates.filter((c) => !naming.includes(c))]
  }
  let lastRefusal: unknown
  for (const certified of candidates) {
    if (!usable(certified)) continue
    try {
      const scheme = chooseSignatureScheme(config.policy, peerSchemes, (s) => schemeMatchesKey(s, certified.key.publicKey, version))
      return { certified, scheme }
    } catch (e) {
      lastRefusal = e
    }
  }
  if (lastRefusal) throw lastRefusal
  throw new TlsError('handshake_failure', 'no certificate of ours suits this handshake')
}

/** Whether a certificate key can authenticate a TLS 1.2 suite: ECDSA suites take EC and Ed25519 keys (RFC 8422), RSA suites RSA keys. */
export function keyFitsSuite(key: PublicKey, suite: Tls12CipherSuite): boolean {
  return suite.authentication === 'rsa' ? key.type === 'rsa' : key.type === 'ec' || key.type === 'ed25519'
}

/** Signs `message` with our key under `scheme` (the provider may answer with a promise). */
export function signWith(config: HandshakeConfig, chosen: ChosenCertificate, message: Uint8Array): MaybePromise<Uint8Array> {
  const algorithm = signatureAlgorithmForScheme(chosen.scheme)
  if (!algorithm) throw new TlsError('internal_error', `cannot sign with ${signatureSchemeName(chosen.scheme)}`)
  return config.provider.sign(algorithm, chosen.certified.key, message)
}

/**
 * Checks a peer's signature (CertificateVerify, or TLS 1.2 ServerKeyExchange): the scheme must be one we
 * offered and fit the peer's key; a signature that does not verify is decrypt_error.
 */
export function* checkPeerSignature(
  config: HandshakeConfig,
  publicKey: PublicKey,
  scheme: number,
  version: TlsVersion,
  message: Uint8Array,
  signature: Uint8Array,
  what: string,
): Waiting<void> {
  checkPeerSignatureScheme(config.policy, scheme)
  if (!schemeMatchesKey(scheme, publicKey, version))
    throw new TlsError('illegal_parameter', `${what} uses ${signatureSchemeName(scheme)}, which does not fit the certificate's key`)
  const algorithm = signatureAlgorithmForScheme(scheme)
  const valid = algorithm !== undefined && (yield* settle(config.provider.verify(algorithm, publicKey, message, signature)))
  if (!valid) throw new TlsError('decrypt_error', `${what} signature does not verify`)
}

const CONTEXT_SERVER = utf8.encode('TLS 1.3, server CertificateVerify')
const CONTEXT_CLIENT = utf8.encode('TLS 1.3, client CertificateVerify')
const PAD = new Uint8Array(64).fill(0x20)

/** RFC 8446 4.4.3: 64 spaces, the context string, a zero byte, then the transcript hash. */
export function certificateVerifyContent(signer: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  return concat(PAD, signer === 'server' ? CONTEXT_SERVER : CONTEXT_CLIENT, new Uint8Array([0]), transcriptHash)
}

/**
 * Verifies the peer's chain with the configured verifier. A server that gets no certificate from a client
 * passes `chain = []`: 'required' refuses it (certificate_required), 'optional' lets it through unverified.
 */
export function verifyPeerCertificates(
  config: HandshakeConfig,
  chain: readonly Uint8Array[],
  purpose: 'serverAuth' | 'clientAuth',
  version: TlsVersion,
): MaybePromise<VerifiedPeer | undefined> {
  if (chain.length > config.policy.maxChainDepth + 8)
    throw new CertificateVerificationError('too-deep', `the peer sent ${chain.length} certificates`, 0)
  if (purpose === 'clientAuth' && chain.length === 0) {
    // RFC 8446 4.4.2.4: certificate_required in TLS 1.3; TLS 1.2 has no such alert (RFC 5246 7.4.6).
    if (config.policy.verifyMode === 'required')
      throw new TlsPolicyError('peer certificate', version === TLS13 ? 'certificate_required' : 'handshake_failure', 'no certificate', "a client certificate (verifyMode 'required')")
    return undefined
  }
  if (chain.length === 0) throw new CertificateVerificationError('no-certificate', 'the server sent no certificate', 0)
  if (!config.verifier) throw new TlsError('internal_error', 'no certificate verifier configured')
  return config.verifier.verify(chain, { purpose, serverName: purpose === 'serverAuth' ? config.serverName : undefined, now: config.now() })
}
