// Signing and verification for ECDSA, Ed25519 and RSA (PKCS#1 v1.5, PSS). Placeholder until the provider work lands.
import { TlsError } from '../errors.js'
import type { PrivateKey, PublicKey, SignatureAlgorithm } from './provider.js'

export function sign(_algorithm: SignatureAlgorithm, _key: PrivateKey, _message: Uint8Array): Uint8Array {
  throw new TlsError('internal_error', 'signing is not implemented yet')
}

export function verify(_algorithm: SignatureAlgorithm, _key: PublicKey, _message: Uint8Array, _signature: Uint8Array): boolean {
  return false
}
