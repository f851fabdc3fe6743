// The noble hash functions by name, shared by the provider and the signature code.
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js'
import type { HashName } from './provider.js'

export type NobleHash = typeof sha256 | typeof sha384 | typeof sha512

const nobleHashes: Record<HashName, NobleHash> = { 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 }

export function nobleHash(name: HashName): NobleHash {
  return nobleHashes[name]
}
