// The certificate policy extensions of RFC 5280 (sections 4.2.1.4, 4.2.1.5, 4.2.1.11, 4.2.1.14), decoded strictly.
import {
  contentsOf,
  FieldReader,
  integerBytesOf,
  isConstructed,
  malformed,
  nonEmptySequenceOf,
  objectIdentifierOf,
  sequenceOf,
  UNIVERSAL,
  type Block,
} from '../crypto/der-reader.js'

/** The anyPolicy OID (RFC 5280 4.2.1.4). */
export const ANY_POLICY = '2.5.29.32.0'

export interface PolicyMapping {
  readonly issuerDomainPolicy: string
  readonly subjectDomainPolicy: string
}

/** SkipCerts values: how many further non-self-issued certificates may follow before the constraint applies. */
export interface PolicyConstraints {
  readonly requireExplicitPolicy: number | undefined
  readonly inhibitPolicyMapping: number | undefined
}

/** SkipCerts is INTEGER (0..MAX); values past 2^31 - 1 mean "never" in any real path and are read as that. */
const MAX_SKIP_CERTS = 0x7fffffff

/** The value of SkipCerts contents octets (two's complement, already minimal by the DER gate). */
function skipCertsValue(contents: Uint8Array, what: string): number {
  if (contents.length === 0) throw malformed(`${what}: empty INTEGER`)
  if ((contents[0]! & 0x80) !== 0) throw malformed(`${what}: negative`)
  let value = 0
  for (const b of contents) value = Math.min(value * 256 + b, MAX_SKIP_CERTS)
  return value
}

/** A primitive [n] IMPLICIT SkipCerts. */
function implicitSkipCertsOf(tagged: Block, what: string): number {
  if (isConstructed(tagged)) throw malformed(`${what}: must be primitive`)
  return skipCertsValue(contentsOf(tagged), what)
}

/**
 * certificatePolicies: the policy OIDs in order. Qualifiers are checked for shape only (RFC 5280 recommends
 * that they be ignored); a policy OID listed twice is malformed (4.2.1.4).
 */
export function certificatePoliciesOf(value: Block): string[] {
  const policies: string[] = []
  for (const information of nonEmptySequenceOf(value, 'certificatePolicies')) {
    const fields = new FieldReader(sequenceOf(information, 'PolicyInformation'), 'PolicyInformation')
    const policy = objectIdentifierOf(fields.next('policyIdentifier'), 'policyIdentifier')
    const qualifiers = fields.optionalUniversal(UNIVERSAL.sequence)
    fields.end()
    if (qualifiers !== undefined) {
      for (const qualifier of nonEmptySequenceOf(qualifiers, 'policyQualifiers')) {
        const parts = sequenceOf(qualifier, 'PolicyQualifierInfo')
        if (parts.length !== 2) throw malformed('PolicyQualifierInfo: expected policyQualifierId and qualifier')
        objectIdentifierOf(parts[0], 'policyQualifierId')
      }
    }
    if (policies.includes(policy)) throw malformed(`certificatePolicies: policy ${policy} appears twice`)
    policies.push(policy)
  }
  return policies
}

/** policyMappings: pairs of OIDs; anyPolicy on either side is refused later, by the path checks (RFC 5280 6.1.4 (a)). */
export function policyMappingsOf(value: Block): PolicyMapping[] {
  return nonEmptySequenceOf(value, 'policyMappings').map((mapping) => {
    const fields = sequenceOf(mapping, 'PolicyMapping')
    if (fields.length !== 2) throw malformed('PolicyMapping: expected issuerDomainPolicy and subjectDomainPolicy')
    return { issuerDomainPolicy: objectIdentifierOf(fields[0], 'issuerDomainPolicy'), subjectDomainPolicy: objectIdentifierOf(fields[1], 'subjectDomainPolicy') }
  })
}

/** policyConstraints: at least one of the two fields (an empty SEQUENCE is not allowed, 4.2.1.11). */
export function policyConstraintsOf(value: Block): PolicyConstraints {
  const fields = new FieldReader(sequenceOf(value, 'policyConstraints'), 'policyConstraints')
  const require = fields.optionalContext(0)
  const inhibit = fields.optionalContext(1)
  fields.end()
  if (require === undefined && inhibit === undefined) throw malformed('policyConstraints: empty SEQUENCE')
  return {
    requireExplicitPolicy: require === undefined ? undefined : implicitSkipCertsOf(require, 'requireExplicitPolicy'),
    inhibitPolicyMapping: inhibit === undefined ? undefined : implicitSkipCertsOf(inhibit, 'inhibitPolicyMapping'),
  }
}

/** inhibitAnyPolicy: a SkipCerts INTEGER. */
export function inhibitAnyPolicyOf(value: Block): number {
  return skipCertsValue(integerBytesOf(value, 'inhibitAnyPolicy'), 'inhibitAnyPolicy')
}
