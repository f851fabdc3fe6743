// Names users write in options (suites, groups, signature schemes) mapped to what the handshake uses, and back.
import type { NamedGroupName } from '../crypto/provider.js'
import { SUPPORTED_SIGNATURE_SCHEMES, signatureSchemeName } from '../crypto/schemes.js'
import { cipherSuiteByCode, cipherSuiteByName, describeCipherSuite } from './suites.js'

const groupAliases: Record<string, NamedGroupName> = {
  x25519: 'x25519',
  X25519: 'x25519',
  secp256r1: 'secp256r1',
  'P-256': 'secp256r1',
  prime256v1: 'secp256r1',
  secp384r1: 'secp384r1',
  'P-384': 'secp384r1',
  X25519MLKEM768: 'X25519MLKEM768',
  x25519mlkem768: 'X25519MLKEM768',
  SecP256r1MLKEM768: 'SecP256r1MLKEM768',
  secp256r1mlkem768: 'SecP256r1MLKEM768',
}

const groupDisplay: Record<NamedGroupName, string> = {
  x25519: 'X25519',
  secp256r1: 'P-256',
  secp384r1: 'P-384',
  X25519MLKEM768: 'X25519MLKEM768',
  SecP256r1MLKEM768: 'SecP256r1MLKEM768',
}

/** An implemented group by any of its common names (X25519, P-256, prime256v1, secp384r1, X25519MLKEM768…). */
export function groupByName(name: string): NamedGroupName | undefined {
  return groupAliases[name]
}

export function groupDisplayName(group: NamedGroupName): string {
  return groupDisplay[group]
}

/** An implemented suite code by IANA or OpenSSL name. */
export function suiteByName(name: string): number | undefined {
  return cipherSuiteByName(name)?.code
}

export function suiteDisplayName(code: number): string {
  return describeCipherSuite(code)
}

/** The protocol version a suite belongs to (0x0304 or 0x0303). */
export function suiteVersion(code: number): number {
  const suite = cipherSuiteByCode(code)
  if (!suite) throw new RangeError(`not an implemented suite: ${code}`)
  return suite.version
}

/** An implemented signature scheme code by its RFC 8446 name. */
export function schemeByName(name: string): number | undefined {
  return SUPPORTED_SIGNATURE_SCHEMES.find((code) => signatureSchemeName(code) === name)
}

export function schemeDisplayName(code: number): string {
  return signatureSchemeName(code)
}
