// Well-formedness of the extensions the verifier does not act on (RFC 5280 4.2.1.7, 4.2.1.13, 4.2.1.15, 4.2.2): decoded, then dropped.
import { bitStringOf, childrenOf, explicitOf, FieldReader, isConstructed, isContext, malformed, nonEmptySequenceOf, objectIdentifierOf, sequenceOf, setOf, type Block } from '../crypto/der-reader.js'
import { generalNameOf } from './general-name.js'
import { oid } from './oids.js'

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName, here the children of an IMPLICIT tag or a SEQUENCE. */
function generalNamesOf(items: readonly Block[], what: string): void {
  if (items.length === 0) throw malformed(`${what}: empty GeneralNames`)
  for (const item of items) generalNameOf(item, what)
}

/** authorityInfoAccess / subjectInfoAccess: SEQUENCE SIZE (1..MAX) OF AccessDescription. */
function accessDescriptionsOf(value: Block, what: string): void {
  for (const description of nonEmptySequenceOf(value, what)) {
    const fields = sequenceOf(description, `${what} AccessDescription`)
    if (fields.length !== 2) throw malformed(`${what}: AccessDescription must be accessMethod and accessLocation`)
    objectIdentifierOf(fields[0], `${what} accessMethod`)
    generalNameOf(fields[1]!, `${what} accessLocation`)
  }
}

/** DistributionPointName ::= CHOICE { fullName [0] GeneralNames, nameRelativeToCRLIssuer [1] RelativeDistinguishedName }. */
function distributionPointNameOf(tagged: Block, what: string): void {
  const choice = explicitOf(tagged, `${what} distributionPoint`)
  if (isContext(choice, 0) && isConstructed(choice)) {
    generalNamesOf(childrenOf(choice, `${what} fullName`), `${what} fullName`)
  } else if (isContext(choice, 1) && isConstructed(choice)) {
    if (childrenOf(choice, `${what} nameRelativeToCRLIssuer`).length === 0) throw malformed(`${what}: empty nameRelativeToCRLIssuer`)
  } else {
    throw malformed(`${what}: distributionPoint is neither fullName nor nameRelativeToCRLIssuer`)
  }
}

/** cRLDistributionPoints / freshestCRL: SEQUENCE SIZE (1..MAX) OF DistributionPoint, each naming a point or an issuer. */
function distributionPointsOf(value: Block, what: string): void {
  for (const point of nonEmptySequenceOf(value, what)) {
    const fields = new FieldReader(sequenceOf(point, `${what} DistributionPoint`), `${what} DistributionPoint`)
    const name = fields.optionalContext(0)
    const reasons = fields.optionalContext(1)
    const issuer = fields.optionalContext(2)
    fields.end()
    if (name === undefined && issuer === undefined) throw malformed(`${what}: a DistributionPoint needs distributionPoint or cRLIssuer`)
    if (name !== undefined) distributionPointNameOf(name, what)
    if (reasons !== undefined && isConstructed(reasons)) throw malformed(`${what}: reasons must be a primitive BIT STRING`)
    if (issuer !== undefined) generalNamesOf(childrenOf(issuer, `${what} cRLIssuer`), `${what} cRLIssuer`)
  }
}

/** subjectDirectoryAttributes: SEQUENCE SIZE (1..MAX) OF Attribute, each a type and a non-empty SET of values. */
function directoryAttributesOf(value: Block): void {
  for (const attribute of nonEmptySequenceOf(value, 'subjectDirectoryAttributes')) {
    const fields = sequenceOf(attribute, 'subjectDirectoryAttributes Attribute')
    if (fields.length !== 2) throw malformed('subjectDirectoryAttributes: Attribute must be type and values')
    objectIdentifierOf(fields[0], 'subjectDirectoryAttributes type')
    if (setOf(fields[1], 'subjectDirectoryAttributes values').length === 0) throw malformed('subjectDirectoryAttributes: empty SET of values')
  }
}

/** keyUsage: at least one bit set (RFC 5280 4.2.1.3). Decoding the bits is extensions.ts's job. */
function keyUsageSyntaxOf(value: Block): void {
  if (!bitStringOf(value, 'keyUsage').bytes.some((octet) => octet !== 0)) throw malformed('keyUsage: no bit is set')
}

/** The extensions checked here, by OID: each throws 'malformed' when its value does not have the RFC's shape. */
export const syntaxChecks: ReadonlyMap<string, (value: Block) => void> = new Map<string, (value: Block) => void>([
  [oid.authorityInfoAccess, (value) => accessDescriptionsOf(value, 'authorityInfoAccess')],
  [oid.subjectInfoAccess, (value) => accessDescriptionsOf(value, 'subjectInfoAccess')],
  [oid.cRLDistributionPoints, (value) => distributionPointsOf(value, 'cRLDistributionPoints')],
  [oid.freshestCRL, (value) => distributionPointsOf(value, 'freshestCRL')],
  [oid.issuerAltName, (value) => generalNamesOf(nonEmptySequenceOf(value, 'issuerAltName'), 'issuerAltName')],
  [oid.subjectDirectoryAttributes, directoryAttributesOf],
  [oid.keyUsage, keyUsageSyntaxOf],
])
