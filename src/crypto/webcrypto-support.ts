// Which algorithms this runtime's SubtleCrypto has, found by trying each one once (X25519 and Ed25519 are missing from older engines).
import { bytesEqual } from '../bytes.js'
import { base64url } from './jwk.js'
import type { ClassicalGroupName } from './provider.js'
import type { SubtleOperations } from './webcrypto-operations.js'

/** The operations WebCrypto may do natively; ChaCha20-Poly1305, hashes, HMAC and HKDF never go to it (see webcrypto.ts). */
export const webCryptoFeatures = ['AES-128-GCM', 'AES-256-GCM', 'x25519', 'secp256r1', 'secp384r1', 'ecdsa', 'ed25519', 'rsa-pkcs1', 'rsa-pss'] as const

export type WebCryptoFeature = (typeof webCryptoFeatures)[number]

type Probe = (subtle: SubtleCrypto, operations: SubtleOperations) => Promise<boolean>

/** Seals and opens a short message through our own AES-GCM path. */
const aesGcmRoundTrip =
  (name: 'AES-128-GCM' | 'AES-256-GCM', keyLength: number): Probe =>
  async (_subtle, operations) => {
    const key = operations.aesGcmKey(name, new Uint8Array(keyLength))
    const [nonce, message, additionalData] = [new Uint8Array(12), Uint8Array.of(1, 2, 3), Uint8Array.of(4)]
    const opened = await key.open(nonce, await key.seal(nonce, message, additionalData), additionalData)
    return opened !== null && bytesEqual(opened, message)
  }

/** Two fresh shares through our own key-share path, agreeing on one secret. */
const agreement =
  (group: ClassicalGroupName): Probe =>
  async (_subtle, operations) => {
    const [a, b] = await Promise.all([operations.generateKeyShare(group), operations.generateKeyShare(group)])
    return bytesEqual(await a.agree(b.publicKey), await b.agree(a.publicKey))
  }

/** A native key pair signs and verifies one message. */
async function signsAndVerifies(subtle: SubtleCrypto, generate: Algorithm | EcKeyGenParams, signing: Algorithm | EcdsaParams): Promise<boolean> {
  const pair = (await subtle.generateKey(generate, false, ['sign', 'verify'])) as CryptoKeyPair
  const message = Uint8Array.of(1, 2, 3)
  return subtle.verify(signing, pair.publicKey, await subtle.sign(signing, pair.privateKey, message), message)
}

/**
 * An RSA public key imported from a JWK and asked to verify: a runtime with the algorithm answers (false here);
 * one without refuses the import. Generating an RSA key would take far longer than the probe is worth.
 */
async function verifiesRsa(subtle: SubtleCrypto, importing: RsaHashedImportParams, verifying: Algorithm | RsaPssParams): Promise<boolean> {
  // n = 2^2048 − 1: any odd 2048-bit modulus will do, the signature is not meant to verify.
  const jwk = { kty: 'RSA', n: base64url(new Uint8Array(256).fill(0xff)), e: 'AQAB' }
  const key = await subtle.importKey('jwk', jwk, importing, false, ['verify'])
  const signature = new Uint8Array(256)
  signature[255] = 1
  return (await subtle.verify(verifying, key, signature, Uint8Array.of(1))) === false
}

const probes: Record<WebCryptoFeature, Probe> = {
  'AES-128-GCM': aesGcmRoundTrip('AES-128-GCM', 16),
  'AES-256-GCM': aesGcmRoundTrip('AES-256-GCM', 32),
  x25519: agreement('x25519'),
  secp256r1: agreement('secp256r1'),
  secp384r1: agreement('secp384r1'),
  ecdsa: async (subtle) =>
    (await signsAndVerifies(subtle, { name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' })) &&
    signsAndVerifies(subtle, { name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: 'SHA-384' }),
  ed25519: (subtle) => signsAndVerifies(subtle, { name: 'Ed25519' }, { name: 'Ed25519' }),
  'rsa-pkcs1': (subtle) => verifiesRsa(subtle, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, { name: 'RSASSA-PKCS1-v1_5' }),
  'rsa-pss': (subtle) => verifiesRsa(subtle, { name: 'RSA-PSS', hash: 'SHA-256' }, { name: 'RSA-PSS', saltLength: 32 }),
}

/** Whether `feature` works natively here: its probe, with any failure (NotSupportedError, a wrong answer) as false. */
export async function probe(feature: WebCryptoFeature, subtle: SubtleCrypto, operations: SubtleOperations): Promise<boolean> {
  try {
    return await probes[feature](subtle, operations)
  } catch {
    return false
  }
}
