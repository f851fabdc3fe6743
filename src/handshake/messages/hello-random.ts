// The special values of ServerHello.random: the HelloRetryRequest marker and the downgrade sentinels (RFC 8446 sections 4.1.3-4).
import { constantTimeEqual, fromHex } from '../../bytes.js'

/** SHA-256("HelloRetryRequest"): a ServerHello with this random is a HelloRetryRequest. */
export const HELLO_RETRY_REQUEST_RANDOM: Uint8Array = fromHex('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c')

/** The last 8 bytes of a TLS 1.3-capable server's random when it negotiates TLS 1.2. */
export const DOWNGRADE_TLS12: Uint8Array = fromHex('444f574e47524401')

/** The last 8 bytes of a TLS 1.3-capable server's random when it negotiates TLS 1.1 or below. */
export const DOWNGRADE_TLS11: Uint8Array = fromHex('444f574e47524400')

export function isHelloRetryRequestRandom(random: Uint8Array): boolean {
  return constantTimeEqual(random, HELLO_RETRY_REQUEST_RANDOM)
}

/** Which downgrade sentinel ends this random, if any; a TLS 1.3 client seeing one aborts with illegal_parameter. */
export function downgradeSentinel(random: Uint8Array): 'tls12' | 'tls11' | null {
  const tail = random.subarray(random.length - 8)
  if (constantTimeEqual(tail, DOWNGRADE_TLS12)) return 'tls12'
  if (constantTimeEqual(tail, DOWNGRADE_TLS11)) return 'tls11'
  return null
}

/** A copy of a server random with its last 8 bytes set to the sentinel for the version negotiated. */
export function withDowngradeSentinel(random: Uint8Array, negotiated: 'tls12' | 'tls11'): Uint8Array {
  const out = random.slice()
  out.set(negotiated === 'tls12' ? DOWNGRADE_TLS12 : DOWNGRADE_TLS11, out.length - 8)
  return out
}
