// Byte-array helpers the X.509 code shares: equality, a Map key, hex.

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** A string usable as a Map key for `bytes` (one UTF-16 unit per byte). */
export function bytesKey(bytes: Uint8Array): string {
  let key = ''
  for (let i = 0; i < bytes.length; i += 4096) key += String.fromCharCode(...bytes.subarray(i, i + 4096))
  return key
}

export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}
