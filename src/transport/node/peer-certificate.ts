// node's peer-certificate object (tls.TLSSocket#getPeerCertificate) built from our parsed certificate: names, SANs, key, dates, fingerprints, chain.
import { createHash } from 'node:crypto'
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls'
import { bytesEqual, toHex } from '../../bytes.js'
import type { PublicKey } from '../../crypto/provider.js'
import { contentsOf, decodeDer, objectIdentifierOf, sequenceOf, setOf, UNIVERSAL, universalTagOf, type Block } from '../../crypto/der-reader.js'
import { type Certificate, parseCertificate } from '../../x509/certificate.js'
import { generalNameOf, type GeneralName } from '../../x509/general-name.js'
import { attributeShortNames } from '../../x509/oids.js'
import type { TrustStore } from '../../x509/trust-store.js'

/** A Name as node shows it: attribute short names to values, an array where an attribute repeats. */
type NameObject = Record<string, string | string[]>

const SUBJECT_ALT_NAME = '2.5.29.17'
const AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1'
const accessMethods: Record<string, string> = { '1.3.6.1.5.5.7.48.1': 'OCSP', '1.3.6.1.5.5.7.48.2': 'CA Issuers' }
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const curveNames: Record<string, { asn1Curve: string; nistCurve: string; bits: number }> = {
  'P-256': { asn1Curve: 'prime256v1', nistCurve: 'P-256', bits: 256 },
  'P-384': { asn1Curve: 'secp384r1', nistCurve: 'P-384', bits: 384 },
}

/** An attribute value as text: UTF-8, UCS-2 and UCS-4 decoded, the one-byte string types read as Latin-1. */
function stringValue(value: Block): string {
  const bytes = Buffer.from(contentsOf(value))
  switch (universalTagOf(value)) {
    case UNIVERSAL.utf8String:
      return bytes.toString('utf8')
    case UNIVERSAL.bmpString:
      return bytes.swap16().toString('utf16le')
    case UNIVERSAL.universalString: {
      let text = ''
      for (let i = 0; i + 4 <= bytes.length; i += 4) text += String.fromCodePoint(Math.min(bytes.readUInt32BE(i), 0xfffd))
      return text
    }
    default:
      return bytes.toString('latin1')
  }
}

/** A Name's attributes in certificate order, as node's null-prototype object. */
function nameObject(nameDer: Uint8Array): NameObject {
  const name = Object.create(null) as NameObject
  for (const rdn of sequenceOf(decodeDer(nameDer, 'Name'), 'Name')) {
    for (const attribute of setOf(rdn, 'RelativeDistinguishedName')) {
      const [type, value] = sequenceOf(attribute, 'AttributeTypeAndValue')
      const oid = objectIdentifierOf(type, 'AttributeType')
      const key = attributeShortNames[oid] ?? oid
      const text = stringValue(value!)
      const seen = name[key]
      name[key] = seen === undefined ? text : [...(Array.isArray(seen) ? seen : [seen]), text]
    }
  }
  return name
}

/** Values that could be mistaken for separators or quoting are written as JSON strings, as node does since CVE-2021-44532. */
function quoted(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) && !/[",'\\]/.test(value) ? value : JSON.stringify(value)
}

function ipText(octets: Uint8Array): string {
  if (octets.length === 4) return octets.join('.')
  const groups: string[] = []
  for (let i = 0; i + 1 < octets.length; i += 2) groups.push(((octets[i]! << 8) | octets[i + 1]!).toString(16).toUpperCase())
  return groups.join(':')
}

/** One GeneralName in OpenSSL's wording (`DNS:…`, `IP Address:…`, `email:…`, `URI:…`). */
function generalNameText(name: GeneralName): string {
  switch (name.form) {
    case 'dNSName':
      return `DNS:${quoted(name.value)}`
    case 'iPAddress':
      return `IP Address:${ipText(name.value)}`
    case 'rfc822Name':
      return `email:${quoted(name.value)}`
    case 'uniformResourceIdentifier':
      return `URI:${quoted(name.value)}`
    case 'registeredID':
      return `Registered ID:${toHex(contentsOf(decodeDer(name.der, 'registeredID')))}`
    case 'directoryName':
      return `DirName:${name.value.text}`
    default:
      return `${name.form}:<unsupported>`
  }
}

function extensionValue(cert: Certificate, oid: string): Uint8Array | undefined {
  return cert.extensions.find((e) => e.oid === oid)?.value
}

/** subjectAltName in certificate order, as node's comma-separated string. */
function subjectAltNameText(cert: Certificate): string | undefined {
  const value = extensionValue(cert, SUBJECT_ALT_NAME)
  if (value === undefined) return undefined
  return sequenceOf(decodeDer(value, 'subjectAltName'), 'subjectAltName')
    .map((item) => generalNameText(generalNameOf(item, 'subjectAltName')))
    .join(', ')
}

/** authorityInfoAccess as node's `infoAccess`: `'OCSP - URI': [...]`, `'CA Issuers - URI': [...]`. */
function infoAccessOf(cert: Certificate): Record<string, string[]> | undefined {
  const value = extensionValue(cert, AUTHORITY_INFO_ACCESS)
  if (value === undefined) return undefined
  const access = Object.create(null) as Record<string, string[]>
  for (const description of sequenceOf(decodeDer(value, 'authorityInfoAccess'), 'authorityInfoAccess')) {
    const [method, location] = sequenceOf(description, 'AccessDescription')
    const oid = objectIdentifierOf(method, 'accessMethod')
    const text = generalNameText(generalNameOf(location!, 'accessLocation'))
    const colon = text.indexOf(':')
    const key = `${accessMethods[oid] ?? oid} - ${text.slice(0, colon)}`
    ;(access[key] ??= []).push(text.slice(colon + 1))
  }
  return access
}

/** OpenSSL's ASN1_TIME_print form: `Dec  2 06:52:57 2026 GMT`. */
function opensslTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  const day = String(date.getUTCDate()).padStart(2, ' ')
  return `${months[date.getUTCMonth()]} ${day} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${date.getUTCFullYear()} GMT`
}

function fingerprint(algorithm: 'sha1' | 'sha256' | 'sha512', der: Uint8Array): string {
  return createHash(algorithm).update(der).digest('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:')
}

/** The serial as OpenSSL prints a BIGNUM: upper-case hex, whole octets, no leading zero octets. */
function serialText(cert: Certificate): string {
  const hex = cert.serialNumberHex.toUpperCase().replace(/^(00)+(?=..)/, '')
  return hex === '' ? '0' : hex
}

/** node's key fields: modulus/exponent for RSA, the curve for EC, bits and the public key; nothing for Ed25519. */
function keyFields(cert: Certificate): Partial<PeerCertificate> {
  let key: PublicKey
  try {
    key = cert.publicKey
  } catch {
    return {}
  }
  if (key.type === 'rsa')
    return { modulus: key.n.toString(16).toUpperCase(), bits: key.bits, exponent: `0x${key.e.toString(16)}`, pubkey: Buffer.from(cert.subjectPublicKeyInfo) }
  if (key.type === 'ec') {
    const curve = curveNames[key.curve]!
    return { bits: curve.bits, pubkey: Buffer.from(key.point), asn1Curve: curve.asn1Curve, nistCurve: curve.nistCurve }
  }
  return {}
}

function describe(cert: Certificate): PeerCertificate {
  const subjectaltname = subjectAltNameText(cert)
  const infoAccess = infoAccessOf(cert)
  return {
    subject: nameObject(cert.subject.der) as unknown as PeerCertificate['subject'],
    issuer: nameObject(cert.issuer.der) as unknown as PeerCertificate['issuer'],
    ...(subjectaltname === undefined ? {} : { subjectaltname }),
    ...(infoAccess === undefined ? {} : { infoAccess }),
    ca: cert.basicConstraints?.cA === true,
    ...keyFields(cert),
    valid_from: opensslTime(cert.notBefore),
    valid_to: opensslTime(cert.notAfter),
    fingerprint: fingerprint('sha1', cert.der),
    fingerprint256: fingerprint('sha256', cert.der),
    fingerprint512: fingerprint('sha512', cert.der),
    ...(cert.extKeyUsage === undefined ? {} : { ext_key_usage: [...cert.extKeyUsage] }),
    serialNumber: serialText(cert),
    raw: Buffer.from(cert.der),
  }
}

/** The certificate node's getPeerCertificate() shows for `der` (without the issuer chain). */
export function peerCertificate(der: Uint8Array): PeerCertificate {
  return describe(parseCertificate(der))
}

function issuedBy(cert: Certificate, issuer: Certificate): boolean {
  return bytesEqual(cert.issuer.der, issuer.subject.der)
}

/**
 * getPeerCertificate(true): `issuerCertificate` links each certificate to its issuer among those the peer sent,
 * then to the trust anchor in `anchors` (when the chain was verified), and a self-issued one to itself.
 */
export function detailedPeerCertificate(chain: readonly Uint8Array[], anchors?: TrustStore): DetailedPeerCertificate {
  const remaining = chain.slice(1).map((der) => parseCertificate(der))
  let current = parseCertificate(chain[0]!)
  const first = describe(current) as DetailedPeerCertificate
  let last = first
  for (let depth = 0; depth < chain.length + 1 && !current.selfIssued; depth++) {
    const at = remaining.findIndex((candidate) => issuedBy(current, candidate))
    const issuer = at >= 0 ? remaining.splice(at, 1)[0] : anchors?.anchorsWithSubject(current.issuer.der)[0]
    if (issuer === undefined) return first
    const described = describe(issuer) as DetailedPeerCertificate
    last.issuerCertificate = described
    last = described
    current = issuer
  }
  if (current.selfIssued) last.issuerCertificate = last
  return first
}
