// The benchmark's certificates: root → intermediate → leaf chains made once per run with the openssl CLI (test/helpers/pki.ts).
import { importPrivateKey } from '../../src/crypto/keys.js'
import { pemDecode } from '../../src/crypto/pem.js'
import type { PrivateKey } from '../../src/crypto/provider.js'
import { makeChain, type PkiKeyType } from '../../test/helpers/pki.js'

/** The host name every leaf is issued for and every client checks. */
export const SERVER_NAME = 'localhost'

export interface BenchChain {
  readonly keyType: PkiKeyType
  /** The trust anchor (the root), PEM. */
  readonly rootPem: string
  /** Leaf then intermediate, PEM: what the server sends. */
  readonly chainPem: string
  /** The leaf's private key, PKCS#8 PEM. */
  readonly keyPem: string
  readonly rootDer: Uint8Array
  /** Leaf then intermediate, DER. */
  readonly chainDer: readonly Uint8Array[]
  readonly privateKey: PrivateKey
}

const derOf = (pem: string) => pemDecode(pem, 'CERTIFICATE').map((block) => block.der)

/** A three-certificate chain whose root, intermediate and leaf all have `keyType` keys, for SERVER_NAME. */
export async function benchChain(keyType: 'ecdsa-p256' | 'rsa-2048'): Promise<BenchChain> {
  const chain = await makeChain({ leafKey: keyType, caKey: keyType, withIntermediate: true, caName: `pure-tls bench ${keyType}`, dnsNames: [SERVER_NAME] })
  const chainDer = derOf(chain.chainPem)
  if (chainDer.length !== 2) throw new Error(`expected leaf + intermediate, got ${chainDer.length} certificates`)
  return {
    keyType,
    rootPem: chain.rootPem,
    chainPem: chain.chainPem,
    keyPem: chain.keyPem,
    rootDer: derOf(chain.rootPem)[0]!,
    chainDer,
    privateKey: importPrivateKey(chain.keyPem),
  }
}
