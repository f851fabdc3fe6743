// Certificate signature AlgorithmIdentifiers (RFC 5280 4.1.1.2, RFC 4055, RFC 5758, RFC 8410) mapped to SignatureAlgorithm.
import type { HashName, SignatureAlgorithm } from '../crypto/provider.js'
import { CertificateVerificationError } from '../errors.js'
import { encodingOf, explicitOf, FieldReader, isUniversal, malformed, objectIdentifierOf, sequenceOf, smallIntegerOf, UNIVERSAL, type Block } from '../crypto/der-reader.js'
import { oid } from './oids.js'

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

function unsupported(message: string): CertificateVerificationError {
  return new CertificateVerificationError('unsupported-algorithm', message)
}

const pkcs1Hashes: Readonly<Record<string, HashName>> = {
  [oid.sha256WithRSAEncryption]: 'SHA-256',
  [oid.sha384WithRSAEncryption]: 'SHA-384',
  [oid.sha512WithRSAEncryption]: 'SHA-512',
}

const ecdsaHashes: Readonly<Record<string, HashName>> = {
  [oid.ecdsaWithSHA256]: 'SHA-256',
  [oid.ecdsaWithSHA384]: 'SHA-384',
  [oid.ecdsaWithSHA512]: 'SHA-512',
}

const digestHashes: Readonly<Record<string, HashName>> = {
  [oid.sha256]: 'SHA-256',
  [oid.sha384]: 'SHA-384',
  [oid.sha512]: 'SHA-512',
}

const MAX_PSS_SALT_LENGTH = 512

function isAbsentOrNull(parameters: Block | undefined): boolean {
  return parameters === undefined || isUniversal(parameters, UNIVERSAL.null)
}

/** A hash AlgorithmIdentifier inside PSS parameters: SHA-2 only, parameters absent or NULL (RFC 4055 section 2.1). */
function pssHashOf(block: Block, what: string): HashName {
  const id = algorithmIdentifierOf(block, what)
  const hash = digestHashes[id.oid]
  if (hash === undefined) throw unsupported(`${what}: hash ${id.oid} is not SHA-256/384/512`)
  if (!isAbsentOrNull(id.parameters)) throw malformed(`${what}: hash parameters must be absent or NULL`)
  return hash
}

/** RSASSA-PSS-params (RFC 4055 section 3.1); the SHA-1 defaults are unsupported and MGF1 must use the same hash. */
function pssParametersOf(parameters: Block | undefined): SignatureAlgorithm {
  if (parameters === undefined) throw unsupported('RSASSA-PSS without parameters means SHA-1')
  const fields = new FieldReader(sequenceOf(parameters, 'RSASSA-PSS-params'), 'RSASSA-PSS-params')
  const hashField = fields.optionalContext(0)
  const maskField = fields.optionalContext(1)
  const saltField = fields.optionalContext(2)
  const trailerField = fields.optionalContext(3)
  fields.end()
  if (hashField === undefined || maskField === undefined) throw unsupported('RSASSA-PSS with the default SHA-1 hash or MGF')
  const hash = pssHashOf(explicitOf(hashField, 'RSASSA-PSS hashAlgorithm'), 'RSASSA-PSS hashAlgorithm')
  const mask = algorithmIdentifierOf(explicitOf(maskField, 'RSASSA-PSS maskGenAlgorithm'), 'RSASSA-PSS maskGenAlgorithm')
  if (mask.oid !== oid.mgf1) throw unsupported(`RSASSA-PSS mask generation ${mask.oid} is not MGF1`)
  if (mask.parameters === undefined) throw malformed('RSASSA-PSS MGF1 without its hash')
  if (pssHashOf(mask.parameters, 'RSASSA-PSS MGF1 hash') !== hash) throw unsupported('RSASSA-PSS MGF1 hash differs from the message hash')
  const saltLength = saltField ? smallIntegerOf(explicitOf(saltField, 'saltLength'), 'RSASSA-PSS saltLength', MAX_PSS_SALT_LENGTH) : 20
  if (trailerField && smallIntegerOf(explicitOf(trailerField, 'trailerField'), 'RSASSA-PSS trailerField', 255) !== 1) {
    throw unsupported('RSASSA-PSS trailerField other than trailerFieldBC')
  }
  return { type: 'rsa-pss', hash, saltLength }
}

/** The SignatureAlgorithm an AlgorithmIdentifier names; 'unsupported-algorithm' for anything else (SHA-1, DSA, ...). */
export function signatureAlgorithmOf(id: AlgorithmIdentifier): SignatureAlgorithm {
  const pkcs1 = pkcs1Hashes[id.oid]
  if (pkcs1 !== undefined) {
    // RFC 4055 section 5 says NULL; some encoders omit it, which is harmless.
    if (!isAbsentOrNull(id.parameters)) throw malformed(`${id.oid}: parameters must be NULL`)
    return { type: 'rsa-pkcs1', hash: pkcs1 }
  }
  const ecdsa = ecdsaHashes[id.oid]
  if (ecdsa !== undefined) {
    if (id.parameters !== undefined) throw malformed(`${id.oid}: parameters must be absent (RFC 5758 section 3.2)`)
    return { type: 'ecdsa', hash: ecdsa }
  }
  if (id.oid === oid.ed25519) {
    if (id.parameters !== undefined) throw malformed('Ed25519: parameters must be absent (RFC 8410 section 3)')
    return { type: 'ed25519' }
  }
  if (id.oid === oid.rsassaPss) return pssParametersOf(id.parameters)
  throw unsupported(`signature algorithm ${id.oid}`)
}

/** A short human name such as `ecdsa-with-SHA256` or `rsa-pss(SHA-256, salt 32)`. */
export function describeSignatureAlgorithm(algorithm: SignatureAlgorithm): string {
  switch (algorithm.type) {
    case 'ecdsa':
      return `ecdsa-with-${algorithm.hash.replace('-', '')}`
    case 'ed25519':
      return 'Ed25519'
    case 'rsa-pkcs1':
      return `${algorithm.hash.replace('-', '').toLowerCase()}WithRSAEncryption`
    case 'rsa-pss':
      return `rsa-pss(${algorithm.hash}, salt ${algorithm.saltLength})`
  }
}
