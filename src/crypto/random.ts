// Where random bytes come from: the runtime's crypto.getRandomValues by default, or a function the user passes in.
import { TlsConfigError, TlsError } from '../errors.js'

/** A source of cryptographically secure random bytes, as CryptoProvider.randomBytes is. */
export type RandomBytes = (length: number) => Uint8Array

/** crypto.getRandomValues fills at most this many bytes per call (WebCrypto's QuotaExceededError limit). */
const GET_RANDOM_VALUES_LIMIT = 65536

interface RandomValuesSource {
  getRandomValues(array: Uint8Array): Uint8Array
}

/** The runtime's WebCrypto `crypto`, looked up when needed (never at load: the library loads where it is absent). */
function runtimeCrypto(): RandomValuesSource {
  const crypto = (globalThis as { crypto?: Partial<RandomValuesSource> }).crypto
  if (typeof crypto?.getRandomValues !== 'function') {
    throw new TlsError(
      'internal_error',
      'no random source: this runtime has no crypto.getRandomValues; build the provider with one, createNobleProvider({ randomBytes })',
      'ERR_TLS_NO_RANDOM_SOURCE',
    )
  }
  return crypto as RandomValuesSource
}

/** `length` bytes from the runtime's crypto.getRandomValues; throws ERR_TLS_NO_RANDOM_SOURCE where there is none. */
export function runtimeRandomBytes(length: number): Uint8Array {
  const crypto = runtimeCrypto()
  const out = new Uint8Array(length)
  for (let at = 0; at < length; at += GET_RANDOM_VALUES_LIMIT) crypto.getRandomValues(out.subarray(at, at + GET_RANDOM_VALUES_LIMIT))
  return out
}

/**
 * `randomBytes`, checked on every call: it must return a Uint8Array of exactly the length asked for. A broken
 * source fails closed with a TlsError, never silently short or reused output.
 */
export function checkedRandomBytes(randomBytes: RandomBytes): RandomBytes {
  if (typeof randomBytes !== 'function') throw new TlsConfigError('randomBytes', 'must be a function (length) => Uint8Array')
  return (length) => {
    const bytes: unknown = randomBytes(length)
    if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
      const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes
      throw new TlsError('internal_error', `randomBytes(${length}) returned ${got}, not ${length} bytes`, 'ERR_TLS_NO_RANDOM_SOURCE')
    }
    return bytes
  }
}
