// The ML-KEM hybrids through hybrid.ts: sizes and order of the draft, both sides agreeing, every validation rule, randomness from the provider.
import { createECDH, diffieHellman, createPrivateKey, createPublicKey } from 'node:crypto'
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js'
import { describe, expect, it } from 'vitest'
import { asyncProvider } from '../../test/helpers/async-provider.js'
import { TlsError } from '../errors.js'
import { encapsulationKeyModulusOk, hybridEncapsulate, hybridKeyShare, isHybridGroup } from './hybrid.js'
import { nobleProvider } from './noble.js'
import type { HybridGroupName, SyncCryptoProvider } from './provider.js'

const groups: readonly HybridGroupName[] = ['X25519MLKEM768', 'SecP256r1MLKEM768']
/** draft-ietf-tls-ecdhe-mlkem, "Construction": client share, server share, where ML-KEM sits. */
const sizes = {
  X25519MLKEM768: { client: 1216, server: 1120, classical: 32, mlKemFirst: true },
  SecP256r1MLKEM768: { client: 1249, server: 1153, classical: 65, mlKemFirst: false },
} as const

function expectIllegalParameter(f: () => unknown, message: RegExp): void {
  let error: unknown
  try {
    f()
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(TlsError)
  expect(error).toMatchObject({ alert: 'illegal_parameter' })
  expect((error as Error).message).toMatch(message)
}

/** The ML-KEM part of a share, wherever the group puts it. */
function mlKemPart(group: HybridGroupName, share: Uint8Array, mlKemLength: number): Uint8Array {
  return sizes[group].mlKemFirst ? share.subarray(0, mlKemLength) : share.subarray(sizes[group].classical)
}

/** The classical part's offset in a share. */
function classicalAt(group: HybridGroupName, share: Uint8Array): number {
  return sizes[group].mlKemFirst ? share.length - sizes[group].classical : 0
}

describe('the hybrid groups', () => {
  it('are the two ML-KEM-768 hybrids, and nothing else', () => {
    expect(groups.every(isHybridGroup)).toBe(true)
    expect((['x25519', 'secp256r1', 'secp384r1'] as const).some(isHybridGroup)).toBe(false)
  })

  for (const group of groups) {
    describe(group, () => {
      it('has the draft sizes: client share, server share, and a 64-byte shared secret both sides agree on', () => {
        const client = nobleProvider.generateKeyShare(group)
        expect(client.group).toBe(group)
        expect(client.publicKey).toHaveLength(sizes[group].client)
        const server = nobleProvider.encapsulate(group, client.publicKey)
        expect(server.keyExchange).toHaveLength(sizes[group].server)
        expect(server.sharedSecret).toHaveLength(64)
        expect(Buffer.from(client.agree(server.keyExchange))).toEqual(Buffer.from(server.sharedSecret))
      })

      it('puts each half where the draft says, in the shares and in the secret (checked against ML-KEM and node:crypto ECDH)', () => {
        const mlKemSeed = new Uint8Array(64).fill(7)
        const classicalKey = new Uint8Array(32).fill(9)
        const privateKey = sizes[group].mlKemFirst ? Buffer.concat([mlKemSeed, classicalKey]) : Buffer.concat([classicalKey, mlKemSeed])
        const client = nobleProvider.generateKeyShare(group, privateKey)
        const { publicKey: encapsulationKey, secretKey } = ml_kem768.keygen(mlKemSeed)
        expect(Buffer.from(mlKemPart(group, client.publicKey, 1184))).toEqual(Buffer.from(encapsulationKey))
        const server = nobleProvider.encapsulate(group, client.publicKey)
        const ciphertext = mlKemPart(group, server.keyExchange, 1088)
        const serverClassical = server.keyExchange.subarray(classicalAt(group, server.keyExchange)).subarray(0, sizes[group].classical)
        const mlKemSecret = ml_kem768.decapsulate(ciphertext, secretKey)
        const classicalSecret = nodeAgreement(group, classicalKey, serverClassical)
        const expected = sizes[group].mlKemFirst ? Buffer.concat([mlKemSecret, classicalSecret]) : Buffer.concat([classicalSecret, mlKemSecret])
        expect(Buffer.from(server.sharedSecret)).toEqual(expected)
      })

      it('with an asynchronous provider: the same exchange through promises', async () => {
        const provider = asyncProvider(nobleProvider, { delay: 'microtask' })
        const client = await hybridKeyShare(provider, group)
        const server = await hybridEncapsulate(provider, group, client.publicKey)
        expect(Buffer.from(await client.agree(server.keyExchange))).toEqual(Buffer.from(server.sharedSecret))
      })

      it('server: a client share of any other length is illegal_parameter', () => {
        const share = nobleProvider.generateKeyShare(group).publicKey
        for (const bad of [share.subarray(0, share.length - 1), Buffer.concat([share, Buffer.of(0)]), new Uint8Array(0), share.subarray(0, 1184)])
          expectIllegalParameter(() => nobleProvider.encapsulate(group, bad), new RegExp(`${group} client share is ${bad.length} bytes, not ${sizes[group].client}`))
      })

      it('server: an encapsulation key failing the FIPS 203 7.2 modulus check is illegal_parameter', () => {
        const share = nobleProvider.generateKeyShare(group).publicKey.slice()
        const at = sizes[group].mlKemFirst ? 0 : sizes[group].classical
        // The first coefficient set to q = 3329 (0xd01): 12 bits, little-endian, in bytes 0 and the low half of 1.
        share[at] = 0x01
        share[at + 1] = (share[at + 1]! & 0xf0) | 0x0d
        expectIllegalParameter(() => nobleProvider.encapsulate(group, share), /encapsulation key check/)
      })

      it('client: a server share of any other length (so a ciphertext of the wrong length) is illegal_parameter', () => {
        const client = nobleProvider.generateKeyShare(group)
        const { keyExchange } = nobleProvider.encapsulate(group, client.publicKey)
        for (const bad of [keyExchange.subarray(1), Buffer.concat([keyExchange, Buffer.of(1)]), client.publicKey])
          expectIllegalParameter(() => client.agree(bad), new RegExp(`${group} server share is ${bad.length} bytes, not ${sizes[group].server}`))
      })

      it('client: a tampered ciphertext is rejected implicitly (a different secret, never an error), as FIPS 203 decapsulation does', () => {
        const client = nobleProvider.generateKeyShare(group)
        const server = nobleProvider.encapsulate(group, client.publicKey)
        const tampered = server.keyExchange.slice()
        tampered[sizes[group].mlKemFirst ? 0 : sizes[group].classical]! ^= 1
        const secret = client.agree(tampered)
        expect(secret).toHaveLength(64)
        expect(Buffer.from(secret)).not.toEqual(Buffer.from(server.sharedSecret))
      })

      it('takes its ML-KEM randomness from the provider: 64 seed bytes for the client, 32 for the server', () => {
        const requests: number[] = []
        const counting: SyncCryptoProvider = { ...nobleProvider, randomBytes: (n) => (requests.push(n), new Uint8Array(n).fill(3)) }
        const first = hybridKeyShare(counting, group)
        const second = hybridKeyShare(counting, group)
        expect(requests).toEqual([64, 64])
        expect(Buffer.from(mlKemPart(group, first.publicKey, 1184))).toEqual(Buffer.from(mlKemPart(group, second.publicKey, 1184)))
        const a = hybridEncapsulate(counting, group, first.publicKey)
        const b = hybridEncapsulate(counting, group, first.publicKey)
        expect(requests).toEqual([64, 64, 32, 32])
        expect(Buffer.from(mlKemPart(group, a.keyExchange, 1088))).toEqual(Buffer.from(mlKemPart(group, b.keyExchange, 1088)))
      })
    })
  }

  it('X25519MLKEM768: a classical half that gives the all-zero X25519 secret is illegal_parameter, on both sides', () => {
    const client = nobleProvider.generateKeyShare('X25519MLKEM768')
    const lowOrder = client.publicKey.slice()
    lowOrder.fill(0, 1184)
    lowOrder[1184] = 1 // the point u = 1: its shared secret is all zeros
    expectIllegalParameter(() => nobleProvider.encapsulate('X25519MLKEM768', lowOrder), /all-zero/)
    const { keyExchange } = nobleProvider.encapsulate('X25519MLKEM768', client.publicKey)
    const badServer = keyExchange.slice()
    badServer.fill(0, 1088)
    badServer[1088] = 1
    expectIllegalParameter(() => client.agree(badServer), /all-zero/)
  })

  it('SecP256r1MLKEM768: a P-256 half that is not on the curve, or not uncompressed, is illegal_parameter', () => {
    const share = nobleProvider.generateKeyShare('SecP256r1MLKEM768').publicKey.slice()
    const offCurve = share.slice()
    offCurve[64]! ^= 1
    expectIllegalParameter(() => nobleProvider.encapsulate('SecP256r1MLKEM768', offCurve), /secp256r1 key share is not a valid point/)
    const compressed = share.slice()
    compressed[0] = 2
    expectIllegalParameter(() => nobleProvider.encapsulate('SecP256r1MLKEM768', compressed), /not an uncompressed point/)
  })

  it('a fixed private key of the wrong length is our mistake (internal_error), not the peer’s', () => {
    expect(() => nobleProvider.generateKeyShare('X25519MLKEM768', new Uint8Array(64))).toThrow(expect.objectContaining({ alert: 'internal_error' }))
  })
})

describe('encapsulationKeyModulusOk (FIPS 203 7.2)', () => {
  it('accepts every generated key and refuses a coefficient of q in either position of a 3-byte pair', () => {
    for (let i = 0; i < 5; i++) expect(encapsulationKeyModulusOk(ml_kem768.keygen().publicKey)).toBe(true)
    const key = ml_kem768.keygen().publicKey
    // Second coefficient of the pair at bytes 300..302: its 12 bits are the high half of 301 and all of 302.
    const second = key.slice()
    second[301] = (second[301]! & 0x0f) | 0x10 // low nibble of 0xd01 = 1, shifted into the high half
    second[302] = 0xd0
    expect(encapsulationKeyModulusOk(second)).toBe(false)
    expect(() => ml_kem768.encapsulate(second)).toThrow(/modulus/)
    // 3328 = q - 1 is still in range.
    const highest = key.slice()
    highest[0] = 0x00
    highest[1] = (highest[1]! & 0xf0) | 0x0d
    expect(encapsulationKeyModulusOk(highest)).toBe(true)
    // ρ (the last 32 bytes) is not checked: any value is fine.
    const rho = key.slice()
    rho.fill(0xff, 1152)
    expect(encapsulationKeyModulusOk(rho)).toBe(true)
  })
})

/** The classical agreement by node:crypto: X25519 from a raw scalar, or P-256 ECDH (its x-coordinate). */
function nodeAgreement(group: HybridGroupName, privateKey: Uint8Array, peer: Uint8Array): Buffer {
  if (group === 'SecP256r1MLKEM768') {
    const ecdh = createECDH('prime256v1')
    ecdh.setPrivateKey(privateKey)
    return ecdh.computeSecret(peer)
  }
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), privateKey])
  const spki = Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), peer])
  return diffieHellman({ privateKey: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }), publicKey: createPublicKey({ key: spki, format: 'der', type: 'spki' }) })
}
