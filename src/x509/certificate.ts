// Our view of an X.509 certificate (RFC 5280 section 4.1): the fields verification needs, decoded strictly from DER.
import { publicKeyFromSpki } from '../crypto/keys.js'
import type { PublicKey, SignatureAlgorithm } from '../crypto/provider.js'
import { CertificateVerificationError } from '../errors.js'
import { algorithmIdentifierOf, type AlgorithmIdentifier } from '../crypto/algorithm-identifier.js'
import { describeSignatureAlgorithm, signatureAlgorithmOf } from './algorithms.js'
import { decodeDer, encodingOf, explicitOf, FieldReader, integerBytesOf, malformed, octetAlignedBitStringOf, sequenceOf, smallIntegerOf, type Block } from '../crypto/der-reader.js'
import { bytesEqual, toHex } from '../bytes.js'
import { defaultCertificateCache, type CertificateCache } from './certificate-cache.js'
import { extensionsOf, type CertificateExtensions } from './extensions.js'
import { nameOf, type Name } from './name.js'
import { timeOf } from './time.js'

export interface CertificateFields extends CertificateExtensions {
  /** The whole certificate, a private copy. */
  readonly der: Uint8Array
  /** The exact bytes of tbsCertificate, as signed. */
  readonly tbs: Uint8Array
  readonly version: 1 | 2 | 3
  /** The INTEGER contents as encoded (two's complement; profile.ts refuses zero, negative and over-long ones); `serialNumberHex` for display. */
  readonly serialNumber: Uint8Array
  readonly issuer: Name
  readonly subject: Name
  readonly notBefore: Date
  readonly notAfter: Date
  /** The DER of SubjectPublicKeyInfo. */
  readonly subjectPublicKeyInfo: Uint8Array
  /** The signature algorithm (outer and tbs copies are identical), or undefined when we do not support it. */
  readonly signatureAlgorithm: SignatureAlgorithm | undefined
  /** Why `signatureAlgorithm` is undefined, or its short name. */
  readonly signatureAlgorithmName: string
  readonly signature: Uint8Array
}

/** The decoded fields, read-only (declaration merging gives the class every field of CertificateFields but the dates). */
export interface Certificate extends Omit<CertificateFields, 'notBefore' | 'notAfter'> {}

export class Certificate {
  readonly #notBefore: number
  readonly #notAfter: number
  #publicKey: PublicKey | undefined

  /** Frozen all the way down (byte arrays aside): cached certificates are shared, so nobody may change one. */
  constructor(fields: CertificateFields) {
    const { notBefore, notAfter, ...rest } = fields
    Object.assign(this, deepFreeze(rest))
    this.#notBefore = notBefore.getTime()
    this.#notAfter = notAfter.getTime()
    Object.freeze(this)
  }

  /** A fresh Date each time (a Date is mutable). */
  get notBefore(): Date {
    return new Date(this.#notBefore)
  }

  get notAfter(): Date {
    return new Date(this.#notAfter)
  }

  /** The subject's key; throws CertificateVerificationError 'unsupported-algorithm' / 'malformed' on first use. */
  get publicKey(): PublicKey {
    if (this.#publicKey === undefined) {
      try {
        this.#publicKey = Object.freeze(publicKeyFromSpki(this.subjectPublicKeyInfo))
      } catch (e) {
        if (e instanceof CertificateVerificationError) throw e
        throw malformed(`subjectPublicKeyInfo: ${e instanceof Error ? e.message : String(e)}`)
      }
    }
    return this.#publicKey
  }

  /** Issuer and subject are the same Name (RFC 5280 section 6.1: a self-issued certificate). */
  get selfIssued(): boolean {
    return bytesEqual(this.issuer.der, this.subject.der)
  }

  get serialNumberHex(): string {
    return toHex(this.serialNumber)
  }

  /** Subject, issuer and serial, for messages (each cut to a readable length: a peer chooses them). */
  toString(): string {
    return `Certificate(subject: ${shorten(this.subject.text) || '(empty)'}; issuer: ${shorten(this.issuer.text) || '(empty)'}; serial ${shorten(this.serialNumberHex)})`
  }
}

const MAX_MESSAGE_FIELD = 200

function shorten(text: string): string {
  return text.length <= MAX_MESSAGE_FIELD ? text : `${text.slice(0, MAX_MESSAGE_FIELD)}… (${text.length} characters)`
}

/** Freezes plain objects and arrays recursively; typed arrays cannot be frozen and are left as they are. */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value
  for (const inner of Object.values(value)) deepFreeze(inner)
  return Object.freeze(value)
}

function versionOf(tagged: Block | undefined): 1 | 2 | 3 {
  if (tagged === undefined) return 1
  const value = smallIntegerOf(explicitOf(tagged, 'version'), 'version', 255)
  // v1 is the DEFAULT and so must not be encoded in DER.
  if (value !== 1 && value !== 2) throw malformed(`version: ${value === 0 ? 'v1 encoded explicitly' : `unknown version ${value + 1}`}`)
  return (value + 1) as 2 | 3
}

function subjectPublicKeyInfoOf(block: Block): Uint8Array {
  const fields = sequenceOf(block, 'subjectPublicKeyInfo')
  if (fields.length !== 2) throw malformed('subjectPublicKeyInfo: expected algorithm and key')
  algorithmIdentifierOf(fields[0], 'subjectPublicKeyInfo algorithm')
  octetAlignedBitStringOf(fields[1], 'subjectPublicKey')
  return encodingOf(block)
}

function resolveSignatureAlgorithm(id: AlgorithmIdentifier): Pick<CertificateFields, 'signatureAlgorithm' | 'signatureAlgorithmName'> {
  try {
    const algorithm = signatureAlgorithmOf(id)
    return { signatureAlgorithm: algorithm, signatureAlgorithmName: describeSignatureAlgorithm(algorithm) }
  } catch (e) {
    // Unsupported is only fatal if this certificate's signature must be checked; malformed is fatal now.
    if (e instanceof CertificateVerificationError && e.reason === 'unsupported-algorithm') {
      return { signatureAlgorithm: undefined, signatureAlgorithmName: id.oid }
    }
    throw e
  }
}

function decodeCertificate(der: Uint8Array): Certificate {
  const outer = sequenceOf(decodeDer(der, 'Certificate'), 'Certificate')
  if (outer.length !== 3) throw malformed('Certificate: expected tbsCertificate, signatureAlgorithm, signatureValue')
  const tbsBlock = outer[0]!
  const tbs = new FieldReader(sequenceOf(tbsBlock, 'tbsCertificate'), 'tbsCertificate')
  const version = versionOf(tbs.optionalContext(0))
  const serialNumber = integerBytesOf(tbs.next('serialNumber'), 'serialNumber')
  const innerAlgorithm = algorithmIdentifierOf(tbs.next('signature'), 'tbsCertificate signature')
  const issuer = nameOf(tbs.next('issuer'), 'issuer')
  const validity = sequenceOf(tbs.next('validity'), 'validity')
  if (validity.length !== 2) throw malformed('validity: expected notBefore and notAfter')
  const subject = nameOf(tbs.next('subject'), 'subject')
  const subjectPublicKeyInfo = subjectPublicKeyInfoOf(tbs.next('subjectPublicKeyInfo'))
  const uniqueIds = [tbs.optionalContext(1), tbs.optionalContext(2)]
  const extensionsField = tbs.optionalContext(3)
  tbs.end()
  if (version === 1 && uniqueIds.some((id) => id !== undefined)) throw malformed('unique identifiers in a v1 certificate')
  if (version !== 3 && extensionsField !== undefined) throw malformed(`extensions in a v${version} certificate`)
  const outerAlgorithm = algorithmIdentifierOf(outer[1], 'signatureAlgorithm')
  if (!bytesEqual(outerAlgorithm.der, innerAlgorithm.der)) throw malformed('signatureAlgorithm differs from tbsCertificate signature')
  return new Certificate({
    der,
    tbs: encodingOf(tbsBlock),
    version,
    serialNumber,
    issuer,
    subject,
    notBefore: timeOf(validity[0], 'notBefore'),
    notAfter: timeOf(validity[1], 'notAfter'),
    subjectPublicKeyInfo,
    ...resolveSignatureAlgorithm(outerAlgorithm),
    signature: octetAlignedBitStringOf(outer[2], 'signatureValue'),
    ...extensionsOf(extensionsField),
  })
}

export interface ParseOptions {
  /** Where to look up and store parsed certificates; null disables caching. Default: the shared cache. */
  readonly cache?: CertificateCache | null
}

/**
 * Parses one DER certificate; throws CertificateVerificationError('malformed') for anything that is not strict DER
 * of the RFC 5280 shape. Unsupported signature algorithms and keys only fail when the certificate is used.
 */
export function parseCertificate(der: Uint8Array, options: ParseOptions = {}): Certificate {
  const cache = options.cache === undefined ? defaultCertificateCache : options.cache
  const cached = cache?.get(der)
  if (cached !== undefined) return cached
  // A private copy: every view in the result points into it, and the caller may reuse its buffer.
  const own = der.slice()
  let cert: Certificate
  try {
    cert = decodeCertificate(own)
  } catch (e) {
    if (e instanceof CertificateVerificationError) throw e
    throw malformed(`undecodable certificate (${e instanceof Error ? e.message : String(e)})`)
  }
  cache?.set(cert)
  return cert
}
