// ECDSA signatures between TLS's DER (RFC 8422 section 5.4: a SEQUENCE of two INTEGERs) and r || s (IEEE P1363, what WebCrypto speaks).
//
// Both directions go through noble's Signature, the codec the noble provider signs and verifies with: strict DER
// (minimal lengths and INTEGERs, nothing trailing) and r, s in 1..n-1, so every provider reads signatures alike.
import { publicCurves } from './curves.js'
import type { CurveName } from './provider.js'

/** r || s, each left-padded to the curve's size, from a strict-DER ECDSA signature; undefined for anything else (r or s out of 1..n-1 included). */
export function ecdsaDerToRaw(curve: CurveName, der: Uint8Array): Uint8Array | undefined {
  try {
    return publicCurves.ecdsa(curve).Signature.fromBytes(der, 'der').toBytes('compact')
  } catch {
    return undefined
  }
}

/**
 * The DER of an r || s signature, with S made low (n − s when s > n/2: the same signature, in the form noble
 * and strict verifiers produce), so every provider hands out signatures of one shape.
 */
export function ecdsaRawToDer(curve: CurveName, raw: Uint8Array): Uint8Array {
  const ecdsa = publicCurves.ecdsa(curve)
  const signature = ecdsa.Signature.fromBytes(raw, 'compact')
  const low = signature.hasHighS() ? new ecdsa.Signature(signature.r, ecdsa.Point.Fn.ORDER - signature.s) : signature
  return low.toBytes('der')
}
