// AlgorithmIdentifier (RFC 5280 4.1.1.2) and the RSASSA-PSS parameters it may carry (RFC 4055 3.1), read one way for certificates and key files.
import { CertificateVerificationError } from '../errors.js'
import { encodingOf, explicitOf, FieldReader, isUniversal, malformed, objectIdentifierOf, sequenceOf, smallIntegerOf, UNIVERSAL, type Block } from './der-reader.js'
import type { HashName } from './provider.js'

/** The algorithm OIDs that certificates and keys share (RFC 4055, RFC 5758, RFC 8410, NIST's hash arc). */
export const algorithmOid = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ed25519: '1.3.101.112',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const

export interface AlgorithmIdentifier {
  readonly oid: string
  /** The whole DER encoding; a certificate's two copies of its signature algorithm must match byte for byte. */
  readonly der: Uint8Array
  readonly parameters: Block | undefined
}

export function algorithmIdentifierOf(block: Block | undefined, what: string): AlgorithmIdentifier {
  const fields = sequenceOf(block, what)
  if (fields.length < 1 || fields.length > 2) throw malformed(`${what}: AlgorithmIdentifier must have an OID and at most one parameter`)
  return { oid: objectIdentifierOf(fields[0], `${what} algorithm`), der: encodingOf(block!), parameters: fields[1] }
}

export function unsupportedAlgorithm(message: string): CertificateVerificationError {
  return new CertificateVerificationError('unsupported-algorithm', message)
}

export function isAbsentOrNull(parameters: Block | undefined): boolean {
  return parameters === undefined || isUniversal(parameters, UNIVERSAL.null)
}

const digestHashes: Readonly<Record<string, HashName>> = {
  [algorithmOid.sha256]: 'SHA-256',
  [algorithmOid.sha384]: 'SHA-384',
  [algorithmOid.sha512]: 'SHA-512',
}

/** The most salt a PSS signature may declare: far above any hash length, low enough to bound the work. */
const MAX_PSS_SALT_LENGTH = 512

/** A hash AlgorithmIdentifier inside PSS parameters: SHA-2 only, parameters absent or NULL (RFC 4055 section 2.1). */
function pssHashOf(block: Block, what: string): HashName {
  const id = algorithmIdentifierOf(block, what)
  const hash = digestHashes[id.oid]
  if (hash === undefined) throw unsupportedAlgorithm(`${what}: hash ${id.oid} is not SHA-256/384/512`)
  if (!isAbsentOrNull(id.parameters)) throw malformed(`${what}: hash parameters must be absent or NULL`)
  return hash
}

/** What RSASSA-PSS-params say: the hash (MGF1's too) and the salt length (20 when absent, RFC 4055's default). */
export interface RsassaPssParameters {
  readonly hash: HashName
  readonly saltLength: number
}

/**
 * RSASSA-PSS-params (RFC 4055 section 3.1), fields in order: the SHA-1 defaults are 'unsupported-algorithm', MGF1
 * must use the message hash, trailerField must be 1. Errors are CertificateVerificationErrors ('malformed' or
 * 'unsupported-algorithm'); a key file's reader turns them into its own.
 */
export function rsassaPssParametersOf(parameters: Block): RsassaPssParameters {
  const fields = new FieldReader(sequenceOf(parameters, 'RSASSA-PSS-params'), 'RSASSA-PSS-params')
  const hashField = fields.optionalContext(0)
  const maskField = fields.optionalContext(1)
  const saltField = fields.optionalContext(2)
  const trailerField = fields.optionalContext(3)
  fields.end()
  if (hashField === undefined || maskField === undefined) throw unsupportedAlgorithm('RSASSA-PSS with the default SHA-1 hash or MGF')
  const hash = pssHashOf(explicitOf(hashField, 'RSASSA-PSS hashAlgorithm'), 'RSASSA-PSS hashAlgorithm')
  const mask = algorithmIdentifierOf(explicitOf(maskField, 'RSASSA-PSS maskGenAlgorithm'), 'RSASSA-PSS maskGenAlgorithm')
  if (mask.oid !== algorithmOid.mgf1) throw unsupportedAlgorithm(`RSASSA-PSS mask generation ${mask.oid} is not MGF1`)
  if (mask.parameters === undefined) throw malformed('RSASSA-PSS MGF1 without its hash')
  if (pssHashOf(mask.parameters, 'RSASSA-PSS MGF1 hash') !== hash) throw unsupportedAlgorithm('RSASSA-PSS MGF1 hash differs from the message hash')
  const saltLength = saltField ? smallIntegerOf(explicitOf(saltField, 'saltLength'), 'RSASSA-PSS saltLength', MAX_PSS_SALT_LENGTH) : 20
  if (trailerField && smallIntegerOf(explicitOf(trailerField, 'trailerField'), 'RSASSA-PSS trailerField', 255) !== 1) {
    throw unsupportedAlgorithm('RSASSA-PSS trailerField other than trailerFieldBC')
  }
  return { hash, saltLength }
}
