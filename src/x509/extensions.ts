// Certificate extensions (RFC 5280 section 4.2) decoded into typed fields, with the critical ones we do not understand listed.
import {
  bitStringOf,
  booleanOf,
  childrenOf,
  decodeDer,
  explicitOf,
  FieldReader,
  isConstructed,
  malformed,
  nonEmptySequenceOf,
  objectIdentifierOf,
  octetStringOf,
  sequenceOf,
  smallIntegerOf,
  UNIVERSAL,
  contentsOf,
  type Block,
} from '../crypto/der-reader.js'
import { syntaxChecks } from './extension-syntax.js'
import { generalNameOf, type GeneralName } from './general-name.js'
import { oid } from './oids.js'
import {
  certificatePoliciesOf,
  inhibitAnyPolicyOf,
  policyConstraintsOf,
  policyMappingsOf,
  type PolicyConstraints,
  type PolicyMapping,
} from './policy-extensions.js'

export interface Extension {
  readonly oid: string
  readonly critical: boolean
  /** The contents of extnValue: the DER of the extension's own value. */
  readonly value: Uint8Array
}

export interface BasicConstraints {
  readonly cA: boolean
  /** Most non-self-issued intermediates that may follow this CA; undefined when unlimited. */
  readonly pathLenConstraint: number | undefined
}

export const keyUsageBits = [
  'digitalSignature',
  'contentCommitment',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const

export type KeyUsageBit = (typeof keyUsageBits)[number]

export interface SubjectAltName {
  readonly dnsNames: readonly string[]
  /** 4 octets (IPv4) or 16 (IPv6) each. */
  readonly ipAddresses: readonly Uint8Array[]
  /** Every other form (rfc822Name, URI, directoryName, otherName, ...). */
  readonly others: readonly GeneralName[]
}

/** The base of a GeneralSubtree; for iPAddress the octets are address then mask (8 or 32 in all). */
export type GeneralSubtree = GeneralName

export interface NameConstraints {
  readonly permittedSubtrees: readonly GeneralSubtree[]
  readonly excludedSubtrees: readonly GeneralSubtree[]
}

/** The authorityKeyIdentifier extension (RFC 5280 4.2.1.1): which of its three fields are present. */
export interface AuthorityKeyIdentifier {
  readonly keyIdentifier: Uint8Array | undefined
  /** authorityCertIssuer and authorityCertSerialNumber, which come as a pair or not at all. */
  readonly hasIssuerAndSerial: boolean
}

export interface CertificateExtensions {
  /** Every extension, in certificate order. */
  readonly extensions: readonly Extension[]
  readonly basicConstraints: BasicConstraints | undefined
  /** The asserted bits, by RFC 5280 name. */
  readonly keyUsage: readonly KeyUsageBit[] | undefined
  readonly extKeyUsage: readonly string[] | undefined
  readonly subjectAltName: SubjectAltName | undefined
  readonly nameConstraints: NameConstraints | undefined
  /** The keyIdentifier of authorityKeyIdentifier (a path-building hint). */
  readonly authorityKeyIdentifier: Uint8Array | undefined
  /** The whole authorityKeyIdentifier extension, for the profile checks. */
  readonly authorityKey: AuthorityKeyIdentifier | undefined
  readonly subjectKeyIdentifier: Uint8Array | undefined
  /** The policy OIDs of certificatePolicies, in order. */
  readonly certificatePolicies: readonly string[] | undefined
  readonly policyMappings: readonly PolicyMapping[] | undefined
  readonly policyConstraints: PolicyConstraints | undefined
  readonly inhibitAnyPolicy: number | undefined
  /** OIDs of critical extensions this verifier does not process; a path through such a certificate is refused. */
  readonly unhandledCriticalExtensions: readonly string[]
}

function basicConstraintsOf(value: Block): BasicConstraints {
  const fields = new FieldReader(sequenceOf(value, 'basicConstraints'), 'basicConstraints')
  const cA = fields.optionalUniversal(UNIVERSAL.boolean)
  const pathLen = fields.optionalUniversal(UNIVERSAL.integer)
  fields.end()
  return {
    cA: cA !== undefined && booleanOf(cA, 'basicConstraints cA'),
    pathLenConstraint: pathLen === undefined ? undefined : smallIntegerOf(pathLen, 'pathLenConstraint', 0x7fffffff),
  }
}

function keyUsageOf(value: Block): KeyUsageBit[] {
  const bits = bitStringOf(value, 'keyUsage')
  return keyUsageBits.filter((_, i) => ((bits.bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0)
}

function extKeyUsageOf(value: Block): string[] {
  return nonEmptySequenceOf(value, 'extKeyUsage').map((purpose) => objectIdentifierOf(purpose, 'KeyPurposeId'))
}

function subjectAltNameOf(value: Block): SubjectAltName {
  const dnsNames: string[] = []
  const ipAddresses: Uint8Array[] = []
  const others: GeneralName[] = []
  for (const item of nonEmptySequenceOf(value, 'subjectAltName')) {
    const name = generalNameOf(item, 'subjectAltName')
    if (name.form === 'dNSName') dnsNames.push(name.value)
    else if (name.form === 'iPAddress') {
      if (name.value.length !== 4 && name.value.length !== 16) throw malformed(`subjectAltName: iPAddress of ${name.value.length} octets`)
      ipAddresses.push(name.value)
    } else others.push(name)
  }
  return { dnsNames, ipAddresses, others }
}

/** True when `mask` is some 1 bits followed only by 0 bits (RFC 5280 4.2.1.10 CIDR form). */
function isContiguousMask(mask: Uint8Array): boolean {
  let seenZero = false
  for (const octet of mask) {
    for (let bit = 0x80; bit !== 0; bit >>= 1) {
      if ((octet & bit) === 0) seenZero = true
      else if (seenZero) return false
    }
  }
  return true
}

function generalSubtreesOf(tagged: Block, what: string): GeneralSubtree[] {
  const subtrees = childrenOf(tagged, what)
  if (subtrees.length === 0) throw malformed(`${what}: empty GeneralSubtrees`)
  return subtrees.map((subtree) => {
    const fields = sequenceOf(subtree, `${what} GeneralSubtree`)
    // minimum defaults to 0 and maximum must be absent (RFC 5280 4.2.1.10); any other value is a form we refuse.
    if (fields.length !== 1) throw malformed(`${what}: GeneralSubtree with minimum/maximum`)
    const base = generalNameOf(fields[0]!, `${what} base`)
    if (base.form === 'iPAddress') {
      const half = base.value.length / 2
      if (base.value.length !== 8 && base.value.length !== 32) throw malformed(`${what}: iPAddress constraint of ${base.value.length} octets`)
      if (!isContiguousMask(base.value.subarray(half))) throw malformed(`${what}: iPAddress constraint with a non-contiguous mask`)
    }
    return base
  })
}

function nameConstraintsOf(value: Block): NameConstraints {
  const fields = new FieldReader(sequenceOf(value, 'nameConstraints'), 'nameConstraints')
  const permitted = fields.optionalContext(0)
  const excluded = fields.optionalContext(1)
  fields.end()
  if (permitted === undefined && excluded === undefined) throw malformed('nameConstraints: neither permitted nor excluded subtrees')
  return {
    permittedSubtrees: permitted ? generalSubtreesOf(permitted, 'permittedSubtrees') : [],
    excludedSubtrees: excluded ? generalSubtreesOf(excluded, 'excludedSubtrees') : [],
  }
}

/** AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0], authorityCertIssuer [1] GeneralNames, authorityCertSerialNumber [2] }. */
function authorityKeyIdentifierOf(value: Block): AuthorityKeyIdentifier {
  const fields = new FieldReader(sequenceOf(value, 'authorityKeyIdentifier'), 'authorityKeyIdentifier')
  const keyIdentifier = fields.optionalContext(0)
  const issuer = fields.optionalContext(1)
  const serial = fields.optionalContext(2)
  fields.end()
  if (keyIdentifier !== undefined && isConstructed(keyIdentifier)) throw malformed('authorityKeyIdentifier: keyIdentifier must be primitive')
  if ((issuer === undefined) !== (serial === undefined)) throw malformed('authorityKeyIdentifier: authorityCertIssuer and authorityCertSerialNumber must come together')
  if (issuer !== undefined) {
    const names = childrenOf(issuer, 'authorityCertIssuer')
    if (names.length === 0) throw malformed('authorityKeyIdentifier: empty authorityCertIssuer')
    for (const name of names) generalNameOf(name, 'authorityCertIssuer')
  }
  if (serial !== undefined && (isConstructed(serial) || contentsOf(serial).length === 0)) throw malformed('authorityKeyIdentifier: bad authorityCertSerialNumber')
  return { keyIdentifier: keyIdentifier === undefined ? undefined : contentsOf(keyIdentifier), hasIssuerAndSerial: issuer !== undefined }
}

/** Extensions whose meaning the verifier enforces (or, for key identifiers, safely uses as hints only). */
const handledExtensions = new Set<string>([
  oid.basicConstraints,
  oid.keyUsage,
  oid.extKeyUsage,
  oid.subjectAltName,
  oid.nameConstraints,
  oid.authorityKeyIdentifier,
  oid.subjectKeyIdentifier,
  // Policy processing for a caller with no policy requirement (src/x509/policies.ts): refusing what it cannot decide.
  oid.certificatePolicies,
  oid.policyMappings,
  oid.policyConstraints,
  oid.inhibitAnyPolicy,
])

function extensionOf(block: Block): Extension {
  const fields = new FieldReader(sequenceOf(block, 'Extension'), 'Extension')
  const id = objectIdentifierOf(fields.next('extnID'), 'extnID')
  const critical = fields.optionalUniversal(UNIVERSAL.boolean)
  const value = octetStringOf(fields.next('extnValue'), `extension ${id} extnValue`)
  fields.end()
  return { oid: id, critical: critical !== undefined && booleanOf(critical, 'critical'), value }
}

/** Decodes the `[3] EXPLICIT Extensions` field; duplicate extensions are malformed (RFC 5280 section 4.2). */
export function extensionsOf(tagged: Block | undefined): CertificateExtensions {
  const all = tagged === undefined ? [] : nonEmptySequenceOf(explicitOf(tagged, 'extensions'), 'Extensions').map(extensionOf)
  const byOid = new Map<string, Extension>()
  for (const extension of all) {
    if (byOid.has(extension.oid)) throw malformed(`extension ${extension.oid} appears twice`)
    byOid.set(extension.oid, extension)
  }
  // Extensions we know are decoded (and must be DER); the contents of unknown ones are not looked at.
  const values = new Map<string, Block>()
  for (const extension of all) {
    if (handledExtensions.has(extension.oid) || syntaxChecks.has(extension.oid)) values.set(extension.oid, decodeDer(extension.value, `extension ${extension.oid}`))
  }
  for (const [id, check] of syntaxChecks) {
    const value = values.get(id)
    if (value !== undefined) check(value)
  }
  const decode = <T>(id: string, parse: (value: Block) => T): T | undefined => {
    const value = values.get(id)
    return value === undefined ? undefined : parse(value)
  }
  const authorityKey = decode(oid.authorityKeyIdentifier, authorityKeyIdentifierOf)
  return {
    extensions: all,
    basicConstraints: decode(oid.basicConstraints, basicConstraintsOf),
    keyUsage: decode(oid.keyUsage, keyUsageOf),
    extKeyUsage: decode(oid.extKeyUsage, extKeyUsageOf),
    subjectAltName: decode(oid.subjectAltName, subjectAltNameOf),
    nameConstraints: decode(oid.nameConstraints, nameConstraintsOf),
    authorityKeyIdentifier: authorityKey?.keyIdentifier,
    authorityKey,
    subjectKeyIdentifier: decode(oid.subjectKeyIdentifier, (value) => octetStringOf(value, 'subjectKeyIdentifier')),
    certificatePolicies: decode(oid.certificatePolicies, certificatePoliciesOf),
    policyMappings: decode(oid.policyMappings, policyMappingsOf),
    policyConstraints: decode(oid.policyConstraints, policyConstraintsOf),
    inhibitAnyPolicy: decode(oid.inhibitAnyPolicy, inhibitAnyPolicyOf),
    unhandledCriticalExtensions: all.filter((e) => e.critical && !handledExtensions.has(e.oid)).map((e) => e.oid),
  }
}
