// Key import and export: PKCS#8, SEC1, PKCS#1 and SubjectPublicKeyInfo, in DER or PEM, for EC, Ed25519 and RSA keys.
import { bytesEqual, utf8 } from '../bytes.js'
import { CertificateVerificationError, TlsConfigError } from '../errors.js'
import { algorithmOid, rsassaPssParametersOf } from './algorithm-identifier.js'
import { publicCurves, randomSecretKey } from './curves.js'
import { decodeDer, detailOf, integerBytesOf, isConstructed, isContext, isUniversal, objectIdentifierOf, octetAlignedBitStringOf, octetStringOf, sequenceOf, UNIVERSAL, type Block } from './der-reader.js'
import type { DerLimits } from './der-strict.js'
import * as der from './der-writer.js'
import { pemDecode, type PemBlock } from './pem.js'
import type { CurveName, HashName, PrivateKey, PublicKey } from './provider.js'
import { type RandomBytes, runtimeRandomBytes } from './random.js'
import { bitLength, bytesToBigInt, rsaPublicKeyProblem, type RsaPrivateKey } from './rsa.js'

export type GeneratedKeyKind = 'ecdsa-p256' | 'ecdsa-p384' | 'ed25519'

/** What an id-RSASSA-PSS key (RFC 4055) allows: PSS only, and with `hash` only when its parameters name one. */
export interface RsaPssKeyParameters {
  readonly hash?: HashName
}

const OID = {
  ...algorithmOid,
  ecPublicKey: '1.2.840.10045.2.1',
  secp256r1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
} as const

/** Algorithms and curves people do use, named so that refusing them says what they are. */
const unsupportedNames = new Map<string, string>([
  ['1.3.132.0.35', 'P-521'],
  ['1.3.132.0.10', 'secp256k1'],
  ['1.3.101.110', 'X25519'],
  ['1.3.101.111', 'X448'],
  ['1.3.101.113', 'Ed448'],
  ['1.2.840.10040.4.1', 'DSA'],
  ['1.2.840.10046.2.1', 'Diffie-Hellman'],
])

const describeOid = (oid: string): string => (unsupportedNames.has(oid) ? `${unsupportedNames.get(oid)} (${oid})` : oid)

const curveByOid = new Map<string, CurveName>([
  [OID.secp256r1, 'P-256'],
  [OID.secp384r1, 'P-384'],
])
const oidByCurve: Record<CurveName, string> = { 'P-256': OID.secp256r1, 'P-384': OID.secp384r1 }

/** Size limits: an 8192-bit RSA private key in PKCS#8 is under 5 KB, its SPKI just over 1 KB. */
const MAX_PRIVATE_KEY_DER = 16384
const MAX_SPKI_DER = 8192
/** An INTEGER of an 8192-bit key takes at most 1025 content bytes. */
const MAX_INTEGER_BYTES = 1025

/** Keys that came from an id-RSASSA-PSS SubjectPublicKeyInfo, with the restrictions it carried. */
const rsaPssKeys = new WeakMap<PublicKey, RsaPssKeyParameters>()

/** For an RSA key imported from an id-RSASSA-PSS SPKI or PKCS#8: its restrictions; undefined for every other key. */
export function rsaPssKeyParameters(key: PublicKey): RsaPssKeyParameters | undefined {
  return rsaPssKeys.get(key)
}

// ---- errors ----

type KeyProblem = 'malformed' | 'unsupported' | 'encrypted'

/** Internal: becomes a TlsConfigError (our own keys) or a CertificateVerificationError (a peer's SPKI). */
class KeyError extends Error {
  constructor(
    readonly problem: KeyProblem,
    message: string,
  ) {
    super(message)
  }
}

const malformed = (message: string) => new KeyError('malformed', message)

/** What a library's exception says, for a message of ours that must not hide it. */
const describeError = (e: unknown): string => (e instanceof Error ? e.message : String(e))
const unsupported = (message: string) => new KeyError('unsupported', message)

/** Runs a decoder on our own key material; every failure is a TlsConfigError naming `option`. */
function asConfigError<T>(option: string, decode: () => T): T {
  try {
    return decode()
  } catch (e) {
    if (e instanceof TlsConfigError) throw e
    if (e instanceof KeyError) throw new TlsConfigError(option, e.message)
    if (e instanceof CertificateVerificationError) throw new TlsConfigError(option, detailOf(e))
    // Not a verdict on the key (noble failed for a reason of its own): say so, and keep the cause.
    const error = new TlsConfigError(option, `the key could not be imported: ${describeError(e)}`)
    error.cause = e
    throw error
  }
}

// ---- a strict DER view: der-reader's accessors (their errors are CertificateVerificationErrors), and the bounds keys need ----

/** Bounds of the DER gate for keys: nesting 17 deep (the outermost value is 1), 512 elements at most. */
const keyDerLimits = (maxBytes: number): DerLimits => ({ maxLength: maxBytes, maxDepth: 17, maxElements: 512 })

function refuseHighTags(node: Block): void {
  if (node.tagNumber >= 31) throw malformed('high tag numbers do not occur in keys')
  for (const child of node.children) refuseHighTags(child)
}

/**
 * Parses exactly one DER value filling `bytes`, through the strict gate: definite minimal lengths, minimal
 * INTEGERs and OBJECT IDENTIFIERs, canonical NULL and BIT STRING, primitive strings, no trailing bytes.
 */
function parseDer(bytes: Uint8Array, what: string, maxBytes: number): Block {
  if (bytes.length === 0) throw malformed(`${what} is empty`)
  if (bytes.length > maxBytes) throw malformed(`${what} is ${bytes.length} bytes, more than the ${maxBytes} allowed`)
  const node = decodeDer(bytes, what, keyDerLimits(maxBytes))
  refuseHighTags(node)
  return node
}

function sequence(node: Block | undefined, what: string, min: number, max: number): readonly Block[] {
  const items = sequenceOf(node, what)
  if (items.length < min || items.length > max) throw malformed(`${what} has ${items.length} elements, expected ${min}..${max}`)
  return items
}

/** A non-negative INTEGER of bounded size (non-empty and minimally encoded, by the DER gate). */
function integer(node: Block | undefined, what: string): bigint {
  const c = integerBytesOf(node, what)
  if (c.length > MAX_INTEGER_BYTES) throw malformed(`${what} is larger than any supported key`)
  if (c[0]! & 0x80) throw malformed(`${what} is negative`)
  return bytesToBigInt(c)
}

function version(node: Block | undefined, what: string, allowed: readonly number[]): number {
  const v = integer(node, what)
  if (!allowed.some((a) => BigInt(a) === v)) throw unsupported(`${what} ${v} is not supported`)
  return Number(v)
}

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL } */
function algorithmIdentifier(node: Block | undefined, what: string): { oid: string; parameters: Block | undefined } {
  const [algorithm, parameters] = sequence(node, what, 1, 2)
  return { oid: objectIdentifierOf(algorithm, `${what} algorithm`), parameters }
}

/** Absent parameters, or (with `allowNull`) a NULL, which the DER gate has made sure is empty. */
function expectNoParameters(parameters: Block | undefined, what: string, allowNull: boolean): void {
  if (parameters === undefined || (allowNull && isUniversal(parameters, UNIVERSAL.null))) return
  throw malformed(`${what} must have ${allowNull ? 'NULL or absent' : 'absent'} parameters`)
}

function findContext(items: readonly Block[], n: number, constructed: boolean): Block | undefined {
  return items.find((item) => isContext(item, n) && isConstructed(item) === constructed)
}

/** The octets of an IMPLICIT-tagged BIT STRING (OneAsymmetricKey's [1] publicKey); keys never have unused bits. */
function implicitBitString(node: Block, what: string): Uint8Array {
  const c = node.contents
  if (c.length === 0 || c[0] !== 0) throw malformed(`${what} is not a whole number of bytes`)
  return c.subarray(1)
}

// ---- public keys ----

/** An EC point, validated on the curve and returned uncompressed. */
function ecPublicKey(curve: CurveName, encoded: Uint8Array): PublicKey {
  const coordinate = curve === 'P-256' ? 32 : 48
  const compressed = encoded.length === 1 + coordinate && (encoded[0] === 2 || encoded[0] === 3)
  const uncompressed = encoded.length === 1 + 2 * coordinate && encoded[0] === 4
  if (!compressed && !uncompressed) throw malformed(`${curve} public key is not an SEC1 point encoding`)
  let point: Uint8Array
  try {
    const p = publicCurves.ecdsa(curve).Point.fromBytes(encoded)
    p.assertValidity()
    point = p.toBytes(false)
  } catch (e) {
    throw malformed(`${curve} public key is not a point on the curve (${describeError(e)})`)
  }
  return { type: 'ec', curve, point }
}

function ed25519PublicKey(key: Uint8Array): PublicKey {
  if (key.length !== 32) throw malformed(`Ed25519 public key is ${key.length} bytes, not 32`)
  try {
    publicCurves.ed25519.Point.fromBytes(key, false)
  } catch (e) {
    throw malformed(`Ed25519 public key is not a canonical point encoding (${describeError(e)})`)
  }
  return { type: 'ed25519', key: key.slice() }
}

/** RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 appendix A.1.1) */
function rsaPublicKeyFromNode(node: Block): PublicKey {
  const [modulus, exponent] = sequence(node, 'RSAPublicKey', 2, 2)
  return rsaPublicKey(integer(modulus, 'RSA modulus'), integer(exponent, 'RSA public exponent'))
}

function rsaPublicKeyFromDer(der: Uint8Array): PublicKey {
  return rsaPublicKeyFromNode(parseDer(der, 'RSAPublicKey', MAX_SPKI_DER))
}

function rsaPublicKey(n: bigint, e: bigint): PublicKey {
  const key = { type: 'rsa' as const, n, e, bits: bitLength(n) }
  const problem = rsaPublicKeyProblem(key)
  if (problem !== undefined) throw unsupported(problem)
  return key
}

/**
 * RSASSA-PSS-params (RFC 4055 section 3.1) on a key: absent (or NULL) means any PSS; present, they are read as a
 * certificate's are (the hash and MGF1's must be one supported hash, not their SHA-1 defaults), and only the hash
 * is kept: it restricts what the key may sign with. The salt length is not kept.
 */
function rsaPssParameters(parameters: Block | undefined): RsaPssKeyParameters {
  if (parameters === undefined || isUniversal(parameters, UNIVERSAL.null)) return {}
  return { hash: rsassaPssParametersOf(parameters).hash }
}

function markRsaPss(key: PublicKey, parameters: RsaPssKeyParameters): PublicKey {
  rsaPssKeys.set(key, parameters)
  return key
}

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING } */
function spkiFromDer(node: Block): PublicKey {
  const [algorithm, subjectPublicKey] = sequence(node, 'SubjectPublicKeyInfo', 2, 2)
  const { oid, parameters } = algorithmIdentifier(algorithm, 'SubjectPublicKeyInfo algorithm')
  const key = octetAlignedBitStringOf(subjectPublicKey, 'subjectPublicKey')
  switch (oid) {
    case OID.ecPublicKey:
      return ecPublicKey(namedCurve(parameters), key)
    case OID.ed25519:
      expectNoParameters(parameters, 'Ed25519 algorithm', false)
      return ed25519PublicKey(key)
    case OID.rsaEncryption:
      expectNoParameters(parameters, 'rsaEncryption algorithm', true)
      return rsaPublicKeyFromDer(key)
    case OID.rsassaPss: {
      const restrictions = rsaPssParameters(parameters)
      return markRsaPss(rsaPublicKeyFromDer(key), restrictions)
    }
    default:
      throw unsupported(`public key algorithm ${describeOid(oid)} is not supported`)
  }
}

/** ECParameters as RFC 5480 allows them: a namedCurve OID, never explicit parameters. */
function namedCurve(parameters: Block | undefined): CurveName {
  if (parameters === undefined) throw malformed('EC key has no curve')
  if (!isUniversal(parameters, UNIVERSAL.objectIdentifier)) throw unsupported('EC keys with explicit curve parameters are not supported')
  const oid = objectIdentifierOf(parameters, 'namedCurve')
  const curve = curveByOid.get(oid)
  if (!curve) throw unsupported(`EC curve ${describeOid(oid)} is not supported (P-256 and P-384 are)`)
  return curve
}

/**
 * The public key in a certificate's SubjectPublicKeyInfo. Throws CertificateVerificationError with
 * reason `malformed` (bad DER, a point off the curve) or `unsupported-algorithm` (an unknown algorithm
 * or curve, an RSA key outside 2048..8192 bits or with an even or tiny exponent).
 */
export function publicKeyFromSpki(spkiDer: Uint8Array): PublicKey {
  try {
    return spkiFromDer(parseDer(spkiDer, 'SubjectPublicKeyInfo', MAX_SPKI_DER))
  } catch (e) {
    if (e instanceof CertificateVerificationError) throw e
    if (e instanceof KeyError && e.problem === 'unsupported') throw new CertificateVerificationError('unsupported-algorithm', e.message)
    throw new CertificateVerificationError('malformed', e instanceof Error ? e.message : 'malformed SubjectPublicKeyInfo')
  }
}

// ---- private keys ----

function ecPrivateKey(curve: CurveName, d: Uint8Array): PrivateKey {
  const size = curve === 'P-256' ? 32 : 48
  if (d.length === 0 || d.length > size) throw malformed(`${curve} private key is ${d.length} bytes`)
  const scalar = new Uint8Array(size)
  scalar.set(d, size - d.length)
  const ecdsa = publicCurves.ecdsa(curve)
  // RFC 5915 / SEC 1 section 3.2.1: the scalar is in [1, n - 1]. Checked here, so that any failure of the
  // derivation below is reported as what it is (asConfigError keeps noble's message), not as a bad key.
  if (!ecdsa.utils.isValidSecretKey(scalar)) throw malformed(`${curve} private key is out of range (not in 1..n-1)`)
  const point = ecdsa.getPublicKey(scalar, false)
  return { type: 'ec', curve, d: scalar, publicKey: { type: 'ec', curve, point } }
}

function ed25519PrivateKey(seed: Uint8Array): PrivateKey {
  if (seed.length !== 32) throw malformed(`Ed25519 private key is ${seed.length} bytes, not 32`)
  return { type: 'ed25519', seed: seed.slice(), publicKey: { type: 'ed25519', key: publicCurves.ed25519.getPublicKey(seed) } }
}

/** ECPrivateKey (RFC 5915): version 1, the scalar, optional [0] curve and [1] public key, which must agree. */
function sec1FromDer(node: Block, outerCurve?: CurveName): PrivateKey {
  const items = sequence(node, 'ECPrivateKey', 2, 4)
  version(items[0], 'ECPrivateKey version', [1])
  const d = octetStringOf(items[1], 'ECPrivateKey privateKey')
  const parameters = findContext(items, 0, true)
  const innerCurve = parameters ? namedCurve(parameters.children[0]) : undefined
  if (outerCurve && innerCurve && outerCurve !== innerCurve) throw malformed('ECPrivateKey curve differs from the PKCS#8 algorithm curve')
  const curve = innerCurve ?? outerCurve
  if (!curve) throw malformed('ECPrivateKey names no curve')
  const key = ecPrivateKey(curve, d)
  const publicKey = findContext(items, 1, true)
  if (publicKey) {
    const given = ecPublicKey(curve, octetAlignedBitStringOf(publicKey.children[0], 'ECPrivateKey publicKey'))
    if (key.publicKey.type !== 'ec' || given.type !== 'ec' || !bytesEqual(given.point, key.publicKey.point)) throw malformed('ECPrivateKey public key does not match its private key')
  }
  return key
}

/** RSAPrivateKey (RFC 8017 appendix A.1.2), two-prime only, checked for consistency. */
function pkcs1PrivateFromDer(node: Block): PrivateKey {
  const items = sequence(node, 'RSAPrivateKey', 9, 10)
  version(items[0], 'RSAPrivateKey version', [0])
  const names = ['modulus', 'publicExponent', 'privateExponent', 'prime1', 'prime2', 'exponent1', 'exponent2', 'coefficient'] as const
  const [n, e, d, p, q, dp, dq, qi] = names.map((name, i) => integer(items[i + 1], `RSAPrivateKey ${name}`)) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint]
  const publicKey = rsaPublicKey(n, e)
  const consistent = p > 1n && q > 1n && p * q === n && dp === d % (p - 1n) && dq === d % (q - 1n) && (qi * q) % p === 1n
  if (!consistent) throw malformed('RSAPrivateKey components are inconsistent')
  return { type: 'rsa', n, e, d, p, q, dp, dq, qi, bits: bitLength(n), publicKey }
}

/** PrivateKeyInfo / OneAsymmetricKey (RFC 5208, RFC 5958). */
function pkcs8FromDer(node: Block): PrivateKey {
  const items = sequence(node, 'PrivateKeyInfo', 3, 5)
  version(items[0], 'PrivateKeyInfo version', [0, 1])
  const { oid, parameters } = algorithmIdentifier(items[1], 'PrivateKeyInfo algorithm')
  const inner = octetStringOf(items[2], 'PrivateKeyInfo privateKey')
  const parseInner = (what: string) => parseDer(inner, what, MAX_PRIVATE_KEY_DER)
  switch (oid) {
    case OID.ecPublicKey:
      return sec1FromDer(parseInner('ECPrivateKey'), namedCurve(parameters))
    case OID.ed25519: {
      expectNoParameters(parameters, 'Ed25519 algorithm', false)
      const key = ed25519PrivateKey(octetStringOf(parseInner('CurvePrivateKey'), 'CurvePrivateKey'))
      const given = findContext(items, 1, false)
      if (given && key.publicKey.type === 'ed25519' && !bytesEqual(implicitBitString(given, 'publicKey'), key.publicKey.key)) {
        throw malformed('OneAsymmetricKey public key does not match its private key')
      }
      return key
    }
    case OID.rsaEncryption:
      expectNoParameters(parameters, 'rsaEncryption algorithm', true)
      return pkcs1PrivateFromDer(parseInner('RSAPrivateKey'))
    case OID.rsassaPss: {
      const restrictions = rsaPssParameters(parameters)
      const key = pkcs1PrivateFromDer(parseInner('RSAPrivateKey')) as RsaPrivateKey
      markRsaPss(key.publicKey, restrictions)
      return key
    }
    default:
      throw unsupported(`private key algorithm ${describeOid(oid)} is not supported`)
  }
}

const encryptedKeyMessage = 'encrypted private keys are not supported; decrypt it first (openssl pkey -in key.pem -out plain.pem)'

/** EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET STRING } */
function looksEncrypted(items: readonly Block[]): boolean {
  return items.length === 2 && isUniversal(items[0], UNIVERSAL.sequence) && isUniversal(items[1], UNIVERSAL.octetString)
}

/** A private key in DER of unstated format, told apart by its shape. */
function privateKeyFromUnlabelledDer(der: Uint8Array): PrivateKey {
  const node = parseDer(der, 'private key', MAX_PRIVATE_KEY_DER)
  const items = sequence(node, 'private key', 2, 10)
  if (looksEncrypted(items)) throw new KeyError('encrypted', encryptedKeyMessage)
  if (isUniversal(items[1], UNIVERSAL.sequence)) return pkcs8FromDer(node)
  if (isUniversal(items[1], UNIVERSAL.octetString)) return sec1FromDer(node)
  if (items.length >= 9) return pkcs1PrivateFromDer(node)
  throw malformed('not a PKCS#8, SEC1 or PKCS#1 private key')
}

const privateKeyDecoders: Record<string, (node: Block) => PrivateKey> = {
  'PRIVATE KEY': pkcs8FromDer,
  'EC PRIVATE KEY': (node) => sec1FromDer(node),
  'RSA PRIVATE KEY': pkcs1PrivateFromDer,
}

const publicKeyDecoders: Record<string, (node: Block) => PublicKey> = {
  'PUBLIC KEY': spkiFromDer,
  'RSA PUBLIC KEY': rsaPublicKeyFromNode,
}

/** Text, or bytes that are PEM text (they begin with "-----BEGIN"), or undefined for DER bytes. */
function pemText(input: string | Uint8Array): string | undefined {
  if (typeof input === 'string') return input
  const begin = '-----BEGIN'
  const isPem = input.length > begin.length && [...begin].every((c, i) => input[i] === c.charCodeAt(0))
  return isPem ? utf8.decode(input) : undefined
}

/** The single block whose label one of `decoders` knows; other blocks (certificates, EC PARAMETERS) are skipped. */
function keyBlock(text: string, decoders: Record<string, unknown>, extraLabels: readonly string[], kind: string): PemBlock {
  const blocks = pemDecode(text)
  const keyBlocks = blocks.filter((b) => Object.hasOwn(decoders, b.label) || extraLabels.includes(b.label))
  if (keyBlocks.length === 0) {
    const seen = blocks.map((b) => b.label).join(', ') || 'no PEM blocks'
    throw malformed(`no ${kind} found (${seen}); expected ${[...Object.keys(decoders), ...extraLabels].join(' or ')}`)
  }
  if (keyBlocks.length > 1) throw malformed(`${keyBlocks.length} ${kind} blocks found where one was expected`)
  return keyBlocks[0]!
}

/**
 * Imports a private key: PKCS#8 ("PRIVATE KEY": EC P-256/P-384, Ed25519, RSA, RSA-PSS), SEC1
 * ("EC PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY"), as PEM text or DER bytes. Encrypted keys,
 * other algorithms and malformed input throw TlsConfigError.
 */
export function importPrivateKey(pemOrDer: string | Uint8Array): PrivateKey {
  return asConfigError('privateKey', () => {
    const text = pemText(pemOrDer)
    if (text === undefined) return privateKeyFromUnlabelledDer(pemOrDer as Uint8Array)
    const block = keyBlock(text, privateKeyDecoders, ['ENCRYPTED PRIVATE KEY'], 'private key')
    if (block.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/i.test(block.headers.get('Proc-Type') ?? '')) throw new KeyError('encrypted', encryptedKeyMessage)
    return privateKeyDecoders[block.label]!(parseDer(block.der, block.label, MAX_PRIVATE_KEY_DER))
  })
}

/**
 * Imports a public key: SubjectPublicKeyInfo ("PUBLIC KEY": EC P-256/P-384, Ed25519, rsaEncryption,
 * id-RSASSA-PSS) or PKCS#1 ("RSA PUBLIC KEY"), as PEM text or DER bytes. Failures throw TlsConfigError.
 */
export function importPublicKey(pemOrDer: string | Uint8Array): PublicKey {
  return asConfigError('publicKey', () => {
    const text = pemText(pemOrDer)
    if (text !== undefined) {
      const block = keyBlock(text, publicKeyDecoders, [], 'public key')
      return publicKeyDecoders[block.label]!(parseDer(block.der, block.label, MAX_SPKI_DER))
    }
    const node = parseDer(pemOrDer as Uint8Array, 'public key', MAX_SPKI_DER)
    const first = sequence(node, 'public key', 2, 2)[0]!
    return (isUniversal(first, UNIVERSAL.sequence) ? spkiFromDer : rsaPublicKeyFromNode)(node)
  })
}

/** A fresh key from `randomBytes` (default: the runtime's crypto.getRandomValues). */
export function generatePrivateKey(kind: GeneratedKeyKind, randomBytes: RandomBytes = runtimeRandomBytes): PrivateKey {
  switch (kind) {
    case 'ecdsa-p256':
    case 'ecdsa-p384': {
      const curve: CurveName = kind === 'ecdsa-p256' ? 'P-256' : 'P-384'
      return ecPrivateKey(curve, randomSecretKey(publicCurves.ecdsa(curve), randomBytes))
    }
    case 'ed25519':
      return ed25519PrivateKey(randomBytes(32))
    default:
      throw new TlsConfigError('kind', `cannot generate a key of kind ${JSON.stringify(kind)}`)
  }
}

// ---- export ----

/** The AlgorithmIdentifier that goes in both the SPKI and the PKCS#8 form of a key. */
function keyAlgorithm(key: PublicKey): Uint8Array {
  switch (key.type) {
    case 'ec':
      return der.sequence(der.objectIdentifier(OID.ecPublicKey), der.objectIdentifier(oidByCurve[key.curve]))
    case 'ed25519':
      return der.sequence(der.objectIdentifier(OID.ed25519))
    case 'rsa':
      // A PSS-only key is written as id-RSASSA-PSS without parameters: any hash restriction is not kept.
      return rsaPssKeys.has(key) ? der.sequence(der.objectIdentifier(OID.rsassaPss)) : der.sequence(der.objectIdentifier(OID.rsaEncryption), der.nullValue())
  }
}

function publicKeyBits(key: PublicKey): Uint8Array {
  switch (key.type) {
    case 'ec':
      return key.point
    case 'ed25519':
      return key.key
    case 'rsa':
      return der.sequence(der.integer(key.n), der.integer(key.e))
  }
}

/** SubjectPublicKeyInfo DER for a public key (what `openssl pkey -pubin` reads). */
export function exportSpki(publicKey: PublicKey): Uint8Array {
  return der.sequence(keyAlgorithm(publicKey), der.bitString(publicKeyBits(publicKey)))
}

function privateKeyContents(key: PrivateKey): Uint8Array {
  switch (key.type) {
    case 'ec': {
      const point = key.publicKey.type === 'ec' ? key.publicKey.point : new Uint8Array(0)
      return der.sequence(der.integer(1n), der.octetString(key.d), der.explicit(1, der.bitString(point)))
    }
    case 'ed25519':
      return der.octetString(key.seed)
    case 'rsa': {
      const parts = [0n, key.n, key.e, key.d, key.p, key.q, key.dp, key.dq, key.qi]
      return der.sequence(...parts.map(der.integer))
    }
  }
}

/** PKCS#8 PrivateKeyInfo DER (unencrypted; what `openssl pkey` reads as "PRIVATE KEY"). */
export function exportPrivateKeyPkcs8(key: PrivateKey): Uint8Array {
  return der.sequence(der.integer(0n), keyAlgorithm(key.publicKey), der.octetString(privateKeyContents(key)))
}
