// The providers the benchmark compares (noble, the default; node:crypto; WebCrypto) and whether the core can run a handshake on each here.
import { nobleProvider } from '../../src/crypto/noble.js'
import { nodeCryptoProvider } from '../../src/crypto/node-crypto.js'
import type { CryptoProvider } from '../../src/crypto/provider.js'
import { createWebCryptoProvider } from '../../src/crypto/webcrypto.js'
import { checkNegotiated, handshake } from './pair.js'
import type { BenchChain } from './pki.js'
import { handshakeSetups, pureTlsContexts } from './scenarios.js'

export type ProviderId = 'noble' | 'node' | 'webcrypto'

export interface BenchProvider {
  readonly id: ProviderId
  readonly provider: CryptoProvider
  /** Why whole handshakes (and pairs) cannot run on it here, or undefined when they can. */
  readonly refused: string | undefined
}

const makers: Record<ProviderId, () => CryptoProvider | Promise<CryptoProvider>> = {
  noble: () => nobleProvider,
  node: () => nodeCryptoProvider(),
  webcrypto: () => createWebCryptoProvider(),
}

export const providerIds = Object.keys(makers) as ProviderId[]

/**
 * Why one handshake of scenario a through `provider` fails, or undefined when it succeeds (a provider that cannot
 * complete one here is left out of the handshake and bulk tables, with this reason printed).
 */
async function handshakeProblem(provider: CryptoProvider, chain: BenchChain): Promise<string | undefined> {
  const setup = handshakeSetups[0]!
  try {
    checkNegotiated((await handshake(pureTlsContexts(setup, chain, provider))).client, setup)
    return undefined
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
}

/** The providers named in `ids`, in that order, each with whether handshakes run on it (tried on `chain`). */
export async function benchProviders(ids: readonly ProviderId[], chain: BenchChain): Promise<BenchProvider[]> {
  const providers: BenchProvider[] = []
  for (const id of ids) {
    const provider = await makers[id]()
    providers.push({ id, provider, refused: await handshakeProblem(provider, chain) })
  }
  return providers
}
