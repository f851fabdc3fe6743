// Certificate signature AlgorithmIdentifiers (RFC 5280 4.1.1.2, RFC 4055, RFC 5758, RFC 8410) mapped to SignatureAlgorithm.
import type { HashName, SignatureAlgorithm } from '../crypto/provider.js'
import { type AlgorithmIdentifier, isAbsentOrNull, rsassaPssParametersOf, unsupportedAlgorithm } from '../crypto/algorithm-identifier.js'
import { malformed, type Block } from '../crypto/der-reader.js'
import { oid } from './oids.js'

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

/** A certificate signed with RSASSA-PSS: its parameters are required (absent, they would mean SHA-1). */
function pssParametersOf(parameters: Block | undefined): SignatureAlgorithm {
  if (parameters === undefined) throw unsupportedAlgorithm('RSASSA-PSS without parameters means SHA-1')
  return { type: 'rsa-pss', ...rsassaPssParametersOf(parameters) }
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
  throw unsupportedAlgorithm(`signature algorithm ${id.oid}`)
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
