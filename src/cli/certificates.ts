// Certificate issuing for the demo and the benchmark: CAs and server/client leaves built with pkijs, signed by our provider.
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { exportPrivateKeyPkcs8, exportSpki, generatePrivateKey, rsaPssKeyParameters, type GeneratedKeyKind } from '../crypto/keys.js'
import { nobleProvider } from '../crypto/noble.js'
import { pemEncode } from '../crypto/pem.js'
import type { PrivateKey, SignatureAlgorithm, SyncCryptoProvider as CryptoProvider } from '../crypto/provider.js'
import { TlsConfigError } from '../errors.js'
import { parseIpAddress } from '../x509/ip-address.js'
import { oid } from '../x509/oids.js'

/** Key types generated on the spot; RSA keys are slow to make in JS, so an RSA key is passed in as `key`. */
export type CertificateKeyType = GeneratedKeyKind
export type CertificatePurpose = 'serverAuth' | 'clientAuth' | 'both'

/** A certificate with its key, in DER and PEM: `{ certificate, key }` is also what issues the next one. */
export interface IssuedCertificate {
  readonly certificate: Uint8Array
  readonly certificatePem: string
  readonly key: PrivateKey
  readonly keyPem: string
}

/** The CA that signs: its certificate (DER) and private key. */
export interface CertificateIssuer {
  readonly certificate: Uint8Array
  readonly key: PrivateKey
}

interface CommonOptions {
  commonName: string
  /** The subject's key; otherwise one of `keyType` (default ecdsa-p256) is generated. */
  key?: PrivateKey
  keyType?: CertificateKeyType | PrivateKey
  validDays: number
  /** Start of validity; default five minutes ago, so small clock differences do not matter. */
  notBefore?: Date
  /** Signs and draws serials and keys' randomness; default the noble provider. */
  provider?: CryptoProvider
}

export interface CertificateAuthorityOptions extends CommonOptions {
  /** basicConstraints pathLenConstraint; omitted means unlimited. */
  pathLength?: number
  /** Signs the new CA (an intermediate); without it the CA is a self-signed root. */
  issuer?: CertificateIssuer
}

export interface LeafCertificateOptions extends CommonOptions {
  issuer: CertificateIssuer
  dnsNames?: string[]
  /** IPv4 or IPv6 addresses in text form. */
  ipAddresses?: string[]
  purpose: CertificatePurpose
}

/** RFC 5280 section 4.2.1.3 bit positions. */
const KeyUsage = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const

const extendedKeyUsages: Record<CertificatePurpose, string[]> = {
  serverAuth: [oid.serverAuth],
  clientAuth: [oid.clientAuth],
  both: [oid.serverAuth, oid.clientAuth],
}

const attributeCommonName = '2.5.4.3'
const DAY_MS = 86_400_000
const CLOCK_SKEW_MS = 5 * 60_000
/** RFC 5280 section 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
const FIRST_GENERALIZED_TIME = Date.UTC(2050, 0, 1)
const PSS_SALT_LENGTH = 32

/** The signature algorithm an issuer's key signs certificates with, and how it is named inside one. */
interface CertificateSignature {
  readonly algorithm: SignatureAlgorithm
  readonly identifier: () => pkijs.AlgorithmIdentifier
}

function withoutParameters(algorithmId: string): () => pkijs.AlgorithmIdentifier {
  return () => new pkijs.AlgorithmIdentifier({ algorithmId })
}

/** id-RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 4055 section 3.1). */
function rsaPssSha256Identifier(): pkijs.AlgorithmIdentifier {
  const sha256 = () => new pkijs.AlgorithmIdentifier({ algorithmId: oid.sha256 })
  const params = new pkijs.RSASSAPSSParams({
    hashAlgorithm: sha256(),
    maskGenAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: oid.mgf1, algorithmParams: sha256().toSchema() }),
    saltLength: PSS_SALT_LENGTH,
  })
  return new pkijs.AlgorithmIdentifier({ algorithmId: oid.rsassaPss, algorithmParams: params.toSchema() })
}

/** ECDSA hashes to match the curve (SHA-256 for P-256, SHA-384 for P-384); RSA keys from a PSS SPKI sign PSS. */
function certificateSignatureFor(key: PrivateKey): CertificateSignature {
  switch (key.type) {
    case 'ec':
      return key.curve === 'P-256'
        ? { algorithm: { type: 'ecdsa', hash: 'SHA-256' }, identifier: withoutParameters(oid.ecdsaWithSHA256) }
        : { algorithm: { type: 'ecdsa', hash: 'SHA-384' }, identifier: withoutParameters(oid.ecdsaWithSHA384) }
    case 'ed25519':
      return { algorithm: { type: 'ed25519' }, identifier: withoutParameters(oid.ed25519) }
    case 'rsa':
      if (rsaPssKeyParameters(key.publicKey) !== undefined) {
        return { algorithm: { type: 'rsa-pss', hash: 'SHA-256', saltLength: PSS_SALT_LENGTH }, identifier: rsaPssSha256Identifier }
      }
      return {
        algorithm: { type: 'rsa-pkcs1', hash: 'SHA-256' },
        identifier: () => new pkijs.AlgorithmIdentifier({ algorithmId: oid.sha256WithRSAEncryption, algorithmParams: new asn1js.Null() }),
      }
  }
}

function derOf(value: { toSchema(): asn1js.AsnType }): ArrayBuffer {
  return value.toSchema().toBER(false)
}

function extension(extnID: string, critical: boolean, value: { toSchema(): asn1js.AsnType }): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: derOf(value) })
}

/** A DER named-bit BIT STRING: trailing zero bits dropped (X.690 section 11.2.2). */
function namedBits(bits: readonly number[]): asn1js.BitString {
  const highest = Math.max(...bits)
  const bytes = new Uint8Array((highest >> 3) + 1)
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7)
  return new asn1js.BitString({ valueHex: bytes, unusedBits: 7 - (highest & 7) })
}

function basicConstraints(cA: boolean, pathLength?: number): pkijs.Extension {
  const value = new pkijs.BasicConstraints(pathLength === undefined ? { cA } : { cA, pathLenConstraint: pathLength })
  return extension(oid.basicConstraints, true, value)
}

function keyUsage(bits: readonly number[]): pkijs.Extension {
  return extension(oid.keyUsage, true, { toSchema: () => namedBits(bits) })
}

function subjectAltName(dnsNames: readonly string[], ipAddresses: readonly string[]): pkijs.Extension {
  const names = [
    ...dnsNames.map((name) => new pkijs.GeneralName({ type: 2, value: name })),
    ...ipAddresses.map((address) => {
      const octets = parseIpAddress(address)
      if (octets === null) throw new TlsConfigError('ipAddresses', `${JSON.stringify(address)} is not an IPv4 or IPv6 address`)
      return new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: octets }) })
    }),
  ]
  return extension(oid.subjectAltName, false, new pkijs.AltName({ altNames: names }))
}

function commonNameOnly(commonName: string): pkijs.RelativeDistinguishedNames {
  const attribute = new pkijs.AttributeTypeAndValue({ type: attributeCommonName, value: new asn1js.Utf8String({ value: commonName }) })
  return new pkijs.RelativeDistinguishedNames({ typesAndValues: [attribute] })
}

/** RFC 7093 section 2 method 1: the leftmost 160 bits of SHA-256 over the subjectPublicKey bits. */
function keyIdentifier(spki: pkijs.PublicKeyInfo, provider: CryptoProvider): Uint8Array {
  return provider.hash('SHA-256').digest(spki.subjectPublicKey.valueBlock.valueHexView).subarray(0, 20)
}

/** A positive 128-bit serial with no leading zero octet (RFC 5280 section 4.1.2.2 allows up to 20 octets). */
function randomSerial(provider: CryptoProvider): asn1js.Integer {
  const bytes = provider.randomBytes(16)
  bytes[0] = (bytes[0]! & 0x7f) | 0x40
  return new asn1js.Integer({ valueHex: bytes })
}

function certificateTime(date: Date): pkijs.Time {
  const value = new Date(Math.floor(date.getTime() / 1000) * 1000)
  return new pkijs.Time({ type: value.getTime() < FIRST_GENERALIZED_TIME ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime, value })
}

/** What signs a certificate: the issuer's name, key identifier and key; or 'self' for a root. */
interface Signer {
  readonly name: pkijs.RelativeDistinguishedNames
  readonly keyIdentifier: Uint8Array
  readonly key: PrivateKey
}

function signerOf(issuer: CertificateIssuer, provider: CryptoProvider): Signer {
  let certificate: pkijs.Certificate
  try {
    certificate = pkijs.Certificate.fromBER(new Uint8Array(issuer.certificate))
  } catch (error) {
    throw new TlsConfigError('issuer.certificate', `not a DER certificate: ${(error as Error).message}`)
  }
  const ski = certificate.extensions?.find((e) => e.extnID === oid.subjectKeyIdentifier)?.parsedValue
  return {
    name: certificate.subject,
    keyIdentifier: ski instanceof asn1js.OctetString ? ski.valueBlock.valueHexView : keyIdentifier(certificate.subjectPublicKeyInfo, provider),
    key: issuer.key,
  }
}

interface CertificateRequest {
  readonly commonName: string
  readonly key: PrivateKey
  readonly signer: Signer | 'self'
  readonly notBefore: Date
  readonly notAfter: Date
  /** Everything but the key identifiers, which are added here. */
  readonly extensions: readonly pkijs.Extension[]
  readonly provider: CryptoProvider
}

/** Builds the TBSCertificate with pkijs, signs its DER with the provider, and returns the certificate and key. */
function signCertificate(request: CertificateRequest): IssuedCertificate {
  const { provider } = request
  const subject = commonNameOnly(request.commonName)
  const spki = pkijs.PublicKeyInfo.fromBER(new Uint8Array(exportSpki(request.key.publicKey)))
  const subjectKeyId = keyIdentifier(spki, provider)
  const signer = request.signer === 'self' ? { name: subject, keyIdentifier: subjectKeyId, key: request.key } : request.signer
  const signature = certificateSignatureFor(signer.key)
  const authorityKeyId = new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: signer.keyIdentifier }) })
  const certificate = new pkijs.Certificate({
    version: 2,
    serialNumber: randomSerial(provider),
    signature: signature.identifier(),
    issuer: signer.name,
    notBefore: certificateTime(request.notBefore),
    notAfter: certificateTime(request.notAfter),
    subject,
    subjectPublicKeyInfo: spki,
    extensions: [
      ...request.extensions,
      extension(oid.subjectKeyIdentifier, false, { toSchema: () => new asn1js.OctetString({ valueHex: subjectKeyId }) }),
      extension(oid.authorityKeyIdentifier, false, authorityKeyId),
    ],
    signatureAlgorithm: signature.identifier(),
  })
  const tbs = new Uint8Array(certificate.encodeTBS().toBER(false))
  certificate.tbsView = tbs
  certificate.signatureValue = new asn1js.BitString({ valueHex: provider.sign(signature.algorithm, signer.key, tbs) })
  const der = new Uint8Array(certificate.toSchema(false).toBER(false))
  return {
    certificate: der,
    certificatePem: pemEncode('CERTIFICATE', der),
    key: request.key,
    keyPem: pemEncode('PRIVATE KEY', exportPrivateKeyPkcs8(request.key)),
  }
}

/** The subject key: the one given, or a fresh one of the requested type. */
function subjectKey(options: CommonOptions): PrivateKey {
  if (options.key !== undefined) return options.key
  const keyType = options.keyType ?? 'ecdsa-p256'
  return typeof keyType === 'string' ? generatePrivateKey(keyType) : keyType
}

function validity(options: CommonOptions): { notBefore: Date; notAfter: Date } {
  if (!(options.validDays > 0)) throw new TlsConfigError('validDays', `must be a positive number of days, got ${options.validDays}`)
  const notBefore = options.notBefore ?? new Date(Date.now() - CLOCK_SKEW_MS)
  return { notBefore, notAfter: new Date(notBefore.getTime() + options.validDays * DAY_MS) }
}

/** A CA certificate: a self-signed root, or an intermediate when `issuer` is given. */
export function createCertificateAuthority(options: CertificateAuthorityOptions): IssuedCertificate {
  const provider = options.provider ?? nobleProvider
  if (options.pathLength !== undefined && !(Number.isInteger(options.pathLength) && options.pathLength >= 0)) {
    throw new TlsConfigError('pathLength', `must be a non-negative integer, got ${options.pathLength}`)
  }
  return signCertificate({
    commonName: options.commonName,
    key: subjectKey(options),
    signer: options.issuer === undefined ? 'self' : signerOf(options.issuer, provider),
    ...validity(options),
    extensions: [basicConstraints(true, options.pathLength), keyUsage([KeyUsage.keyCertSign, KeyUsage.cRLSign])],
    provider,
  })
}

/** An end-entity certificate for a TLS server, client or both, with the names in subjectAltName. */
export function issueLeafCertificate(options: LeafCertificateOptions): IssuedCertificate {
  const provider = options.provider ?? nobleProvider
  const dnsNames = options.dnsNames ?? []
  const ipAddresses = options.ipAddresses ?? []
  const names = dnsNames.length + ipAddresses.length > 0 ? [subjectAltName(dnsNames, ipAddresses)] : []
  return signCertificate({
    commonName: options.commonName,
    key: subjectKey(options),
    signer: signerOf(options.issuer, provider),
    ...validity(options),
    extensions: [
      basicConstraints(false),
      keyUsage([KeyUsage.digitalSignature]),
      extension(oid.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: extendedKeyUsages[options.purpose] })),
      ...names,
    ],
    provider,
  })
}
