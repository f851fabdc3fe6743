// Node-only trust stores: a CA file, and the system store (Node's bundled roots plus the OS bundle). Not imported by the core.
import { existsSync, readFileSync } from 'node:fs'
import { rootCertificates } from 'node:tls'
import { TrustStore } from './trust-store.js'

/** The Debian/Ubuntu bundle; other systems may not have it, and then only Node's roots are used. */
export const systemBundlePath = '/etc/ssl/certs/ca-certificates.crt'

/** A store holding every CERTIFICATE block of the PEM file at `path`. */
export function trustStoreFromFile(path: string): TrustStore {
  return TrustStore.fromPem(readFileSync(path, 'utf8'))
}

/**
 * Node's bundled Mozilla roots (tls.rootCertificates), plus the certificates in `$SSL_CERT_FILE` or, failing
 * that, the system bundle when the file exists (as OpenSSL's default verify paths do).
 */
export function systemTrustStore(): TrustStore {
  const store = new TrustStore(rootCertificates)
  const file = process.env.SSL_CERT_FILE || systemBundlePath
  if (existsSync(file)) store.addPem(readFileSync(file, 'utf8'))
  return store
}

let defaultStore: TrustStore | undefined

/** The system store, built once per process (what a Node client context without `ca` trusts). */
export function nodeDefaultTrustStore(): TrustStore {
  defaultStore ??= systemTrustStore()
  return defaultStore
}
