// Bulk transfer workloads: 16 KiB writes through a connected in-memory pair, beside the provider's raw AEAD on the same size.
import type { AeadName, CryptoProvider } from '../../src/crypto/provider.js'
import { drive, isPending, settle } from '../../src/pending.js'
import { MAX_PLAINTEXT } from '../../src/record/content.js'
import type { Workload } from './measure.js'
import { checkNegotiated, handshake, transfer } from './pair.js'
import type { BenchChain } from './pki.js'
import { pureTlsContexts, type Setup } from './scenarios.js'

/** One full-size record of application data. */
export const WRITE_SIZE = MAX_PLAINTEXT

export const payload = Uint8Array.from({ length: WRITE_SIZE }, (_, i) => (i * 31) & 0xff)

function mustBeWhole(delivered: number): number {
  if (delivered !== WRITE_SIZE) throw new Error(`delivered ${delivered} of ${WRITE_SIZE} bytes`)
  return delivered
}

/** Client → server through a connected pair: each run writes 16 KiB, moves the record, reads it on the other side. */
export async function pairWorkload(setup: Setup, chain: BenchChain, provider: CryptoProvider): Promise<Workload> {
  const { client, server } = await handshake(pureTlsContexts(setup, chain, provider))
  checkNegotiated(client, setup)
  return {
    name: `pair ${setup.id} ${provider.name}`,
    run() {
      const delivered = transfer(client, server, payload)
      return isPending(delivered) ? Promise.resolve(delivered).then(mustBeWhole) : mustBeWhole(delivered)
    },
  }
}

/**
 * The same AEAD work the pair does per write, straight on the provider: seal 16 KiB (5-byte additional data, as a
 * TLS 1.3 record header) and open the result. Counts the 16 KiB once, like the pair.
 */
export function rawAeadWorkload(aead: AeadName, provider: CryptoProvider): Workload {
  const algorithm = provider.aead(aead)
  const key = algorithm.importKey(provider.randomBytes(algorithm.keyLength))
  const nonce = provider.randomBytes(algorithm.nonceLength)
  const additionalData = new Uint8Array([23, 3, 3, 0x40, 0x11])
  function* sealAndOpen() {
    const opened = yield* settle(key.open(nonce, yield* settle(key.seal(nonce, payload, additionalData)), additionalData))
    if (opened === null || opened.length !== WRITE_SIZE) throw new Error(`raw ${aead} did not open`)
    return WRITE_SIZE
  }
  return { name: `raw ${aead} ${provider.name}`, run: () => drive(sealAndOpen()) }
}
