// The three providers side by side: the same bad inputs get the same typed errors or verdicts, and what one makes the others accept.
import { constants, generateKeyPairSync, sign as nodeSign, type JsonWebKey, type KeyObject } from 'node:crypto'
import { p256, p384 } from '@noble/curves/nist.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { TlsError } from '../errors.js'
import type { MaybePromise } from '../pending.js'
import { importPrivateKey } from './keys.js'
import { nobleProvider } from './noble.js'
import { nodeCryptoProvider } from './node-crypto.js'
import type { AeadName, CryptoProvider, HashName, NamedGroupName, PrivateKey, PublicKey, SignatureAlgorithm } from './provider.js'
import { bitLength, bytesToBigInt } from './rsa.js'
import { createWebCryptoProvider, webCryptoProvider } from './webcrypto.js'

let providers: CryptoProvider[]
const keys: Record<'p256' | 'p384' | 'ed25519' | 'rsa' | 'rsa1024', PrivateKey> = {} as never
let rsa1024: KeyObject

/** Our shape of an RSA key straight from node's JWK: importPrivateKey refuses keys under 2048 bits, these tests need one. */
function rsaKeyFromJwk(jwk: JsonWebKey): PrivateKey {
  const int = (member: string | undefined) => bytesToBigInt(new Uint8Array(Buffer.from(member!, 'base64url')))
  const [n, e] = [int(jwk.n), int(jwk.e)]
  const publicKey: PublicKey = { type: 'rsa', n, e, bits: bitLength(n) }
  return { type: 'rsa', n, e, d: int(jwk.d), p: int(jwk.p), q: int(jwk.q), dp: int(jwk.dp), dq: int(jwk.dq), qi: int(jwk.qi), bits: bitLength(n), publicKey }
}

const pkcs8 = (pair: ReturnType<typeof generateKeyPairSync>) => importPrivateKey(pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)

beforeAll(async () => {
  // webCryptoProvider() is the lazy one: these calls come long after its probes, the deferred path is in webcrypto.test.ts.
  providers = [nobleProvider, await createWebCryptoProvider(), nodeCryptoProvider(), webCryptoProvider()]
  keys.p256 = pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-256' }))
  keys.p384 = pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-384' }))
  keys.ed25519 = pkcs8(generateKeyPairSync('ed25519'))
  keys.rsa = pkcs8(generateKeyPairSync('rsa', { modulusLength: 2048 }))
  rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey
  keys.rsa1024 = rsaKeyFromJwk(rsa1024.export({ format: 'jwk' }))
}, 60_000)

/** What an operation did, as comparable text: its value, or its error's class, alert, code and message. */
async function outcome(operation: () => MaybePromise<unknown>): Promise<string> {
  try {
    const value = await operation()
    return value instanceof Uint8Array ? `bytes ${toHex(value)}` : `value ${JSON.stringify(value)}`
  } catch (e) {
    if (e instanceof TlsError) return `${e.constructor.name}(${e.alert}, ${e.code}): ${e.message}`
    return `untyped ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`
  }
}

/** Each provider's outcome of `operation`, by provider name. */
async function outcomes(operation: (provider: CryptoProvider) => MaybePromise<unknown>): Promise<string[]> {
  return Promise.all(providers.map((provider) => outcome(() => operation(provider))))
}

/** Every provider does the same thing with `operation`, and it matches `expected` (a prefix of the outcome). */
async function allAgree(what: string, operation: (provider: CryptoProvider) => MaybePromise<unknown>, expected: string): Promise<void> {
  const seen = await outcomes(operation)
  const byProvider = providers.map((p, i) => `${p.name}: ${seen[i]}`).join('\n')
  expect(new Set(seen).size, `${what}: the providers differ\n${byProvider}`).toBe(1)
  expect(seen[0]!.startsWith(expected), `${what}: ${seen[0]}`).toBe(true)
}

const illegalParameter = 'TlsError(illegal_parameter, ERR_TLS_ILLEGAL_PARAMETER)'
const internalError = 'TlsError(internal_error, ERR_TLS_INTERNAL_ERROR)'

const ff = (n: number) => 'ff'.repeat(n)
/** X25519 points whose shared secret is all zeros with any private key (RFC 7748 section 6.1: low order, and non-canonical spellings of them). */
const lowOrderX25519 = {
  '0': '00'.repeat(32),
  '1': `01${'00'.repeat(31)}`,
  'order 8 (a)': 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  'order 8 (b)': '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'p − 1': `ec${ff(30)}7f`,
  p: `ed${ff(30)}7f`,
  'p + 1': `ee${ff(30)}7f`,
  '0 with bit 255 set': `${'00'.repeat(31)}80`,
}

/** Key shares of NIST groups that must be refused, by what is wrong with them. */
function badNistShares(group: 'secp256r1' | 'secp384r1'): Record<string, Uint8Array> {
  const curve = group === 'secp256r1' ? p256 : p384
  const size = group === 'secp256r1' ? 32 : 48
  const generator = curve.Point.BASE.toBytes(false)
  const offCurve = generator.slice()
  offCurve[2 * size]! ^= 1
  const xIsP = generator.slice()
  xIsP.set(fromHex(curve.Point.Fp.ORDER.toString(16).padStart(2 * size, '0')), 1)
  const hybrid = generator.slice()
  hybrid[0] = 6
  return {
    empty: new Uint8Array(0),
    'the point at infinity (00)': Uint8Array.of(0),
    'compressed (02 || x)': curve.Point.BASE.toBytes(true),
    'one byte short': generator.subarray(0, 2 * size),
    'one byte long': Uint8Array.of(...generator, 0),
    'hybrid prefix 06': hybrid,
    '(0, 0)': Uint8Array.of(4, ...new Uint8Array(2 * size)),
    'off the curve (y + 1)': offCurve,
    'x = p': xIsP,
    'a point of the other curve': (group === 'secp256r1' ? p384 : p256).Point.BASE.toBytes(false),
  }
}

describe('the same bad key shares get the same TlsError(illegal_parameter) from every provider', () => {
  it('X25519: wrong lengths and every low-order point', async () => {
    const cases: Record<string, Uint8Array> = { empty: new Uint8Array(0), '31 bytes': new Uint8Array(31).fill(9), '33 bytes': new Uint8Array(33).fill(9) }
    for (const [name, hex] of Object.entries(lowOrderX25519)) cases[`low order: ${name}`] = fromHex(hex)
    for (const [what, peer] of Object.entries(cases)) {
      await allAgree(`x25519 ${what}`, async (p) => (await p.generateKeyShare('x25519')).agree(peer), illegalParameter)
    }
  })

  for (const group of ['secp256r1', 'secp384r1'] as const) {
    it(`${group}: wrong forms, (0, 0), points off the curve, coordinates out of range`, async () => {
      for (const [what, peer] of Object.entries(badNistShares(group))) {
        await allAgree(`${group} ${what}`, async (p) => (await p.generateKeyShare(group)).agree(peer), illegalParameter)
      }
    })
  }
})

const message = new TextEncoder().encode('TLS 1.3, server CertificateVerify\0 the transcript hash')
const otherMessage = new TextEncoder().encode('TLS 1.3, client CertificateVerify\0 the transcript hash')

const ecdsaSha256: SignatureAlgorithm = { type: 'ecdsa', hash: 'SHA-256' }
const ecdsaSha384: SignatureAlgorithm = { type: 'ecdsa', hash: 'SHA-384' }
const ed25519: SignatureAlgorithm = { type: 'ed25519' }
const pkcs1: SignatureAlgorithm = { type: 'rsa-pkcs1', hash: 'SHA-256' }
const pss: SignatureAlgorithm = { type: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }

/** A DER ECDSA signature of two given INTEGER contents. */
const derSignature = (r: string, s: string) => {
  const integer = (hex: string) => `02${(hex.length / 2).toString(16).padStart(2, '0')}${hex}`
  const body = integer(r) + integer(s)
  return fromHex(`30${(body.length / 2).toString(16).padStart(2, '0')}${body}`)
}

/** r and s of a DER signature as hex INTEGER contents. */
function derParts(der: Uint8Array): [string, string] {
  const rLength = der[3]!
  return [toHex(der.subarray(4, 4 + rLength)), toHex(der.subarray(6 + rLength))]
}

const withByte = (b: Uint8Array, at: number, xor: number) => {
  const out = b.slice()
  out[at]! ^= xor
  return out
}

describe('the same bad signatures get the same verdict from every provider', () => {
  it('ECDSA: strict DER, r and s in range, the right key; a high S is accepted', async () => {
    for (const [curveKey, algorithm, curve] of [
      ['p256', ecdsaSha256, p256],
      ['p384', ecdsaSha384, p384],
    ] as const) {
      const key = keys[curveKey]
      const good = nobleProvider.sign(algorithm, key, message)
      const [r, s] = derParts(good)
      const n = curve.Point.Fn.ORDER
      const nHex = n.toString(16).padStart(curveKey === 'p256' ? 64 : 96, '0')
      const highS = (n - BigInt(`0x${s}`)).toString(16)
      const signed = (hex: string) => (parseInt(hex.slice(0, 2), 16) & 0x80 ? `00${hex}` : hex.length % 2 ? `0${hex}` : hex)
      const verdicts: Record<string, [Uint8Array, boolean]> = {
        'the signature': [good, true],
        'its high-S twin': [derSignature(r, signed(highS)), true],
        'truncated by a byte': [good.subarray(0, good.length - 1), false],
        'a trailing byte': [Uint8Array.of(...good, 0), false],
        'BER long-form length': [Uint8Array.of(0x30, 0x81, ...good.subarray(1)), false],
        'r = 0': [derSignature('00', s), false],
        's = 0': [derSignature(r, '00'), false],
        'r = n': [derSignature(signed(nHex), s), false],
        's = n': [derSignature(r, signed(nHex)), false],
        'r || s instead of DER': [curve.Signature.fromBytes(good, 'der').toBytes('compact'), false],
        empty: [new Uint8Array(0), false],
        'a flipped bit in s': [withByte(good, good.length - 1, 1), false],
      }
      for (const [what, [signature, valid]] of Object.entries(verdicts)) {
        await allAgree(`${curveKey} ${what}`, (p) => p.verify(algorithm, key.publicKey, message, signature), `value ${valid}`)
      }
      await allAgree(`${curveKey} another message`, (p) => p.verify(algorithm, key.publicKey, otherMessage, good), 'value false')
    }
    const p384Signature = nobleProvider.sign(ecdsaSha256, keys.p384, message)
    await allAgree('a P-384 signature checked with a P-256 key', (p) => p.verify(ecdsaSha256, keys.p256.publicKey, message, p384Signature), 'value false')
  })

  it('Ed25519: lengths, S not below L, a flipped bit, a short key', async () => {
    const key = keys.ed25519
    const good = nobleProvider.sign(ed25519, key, message)
    // S + L: the same S modulo L, but RFC 8032 5.1.7 requires S < L.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n
    const sLittle = BigInt(`0x${toHex(good.subarray(32).slice().reverse())}`)
    const sPlusL = fromHex((sLittle + L).toString(16).padStart(64, '0')).reverse()
    const verdicts: Record<string, [Uint8Array, boolean]> = {
      'the signature': [good, true],
      '63 bytes': [good.subarray(0, 63), false],
      '65 bytes': [Uint8Array.of(...good, 0), false],
      empty: [new Uint8Array(0), false],
      'S + L': [Uint8Array.of(...good.subarray(0, 32), ...sPlusL), false],
      'a flipped bit in R': [withByte(good, 0, 1), false],
    }
    for (const [what, [signature, valid]] of Object.entries(verdicts)) {
      await allAgree(`ed25519 ${what}`, (p) => p.verify(ed25519, key.publicKey, message, signature), `value ${valid}`)
    }
    const shortKey: PublicKey = { type: 'ed25519', key: new Uint8Array(31) }
    await allAgree('ed25519 a 31-byte key', (p) => p.verify(ed25519, shortKey, message, good), 'value false')
  })

  it('RSA: lengths, s ≥ n, the wrong padding, hash or salt length, a key under 2048 bits', async () => {
    const key = keys.rsa
    const good = { pkcs1: nobleProvider.sign(pkcs1, key, message), pss: nobleProvider.sign(pss, key, message) }
    const n = fromHex(key.type === 'rsa' ? key.n.toString(16) : '')
    const cases: [string, SignatureAlgorithm, Uint8Array, boolean][] = [
      ['PKCS#1 v1.5', pkcs1, good.pkcs1, true],
      ['PSS', pss, good.pss, true],
      ['PKCS#1 v1.5 one byte short', pkcs1, good.pkcs1.subarray(1), false],
      ['PKCS#1 v1.5 one byte long', pkcs1, Uint8Array.of(0, ...good.pkcs1), false],
      ['PSS one byte long', pss, Uint8Array.of(0, ...good.pss), false],
      ['s = n', pkcs1, n, false],
      ['PSS checked as PKCS#1 v1.5', pkcs1, good.pss, false],
      ['PKCS#1 v1.5 checked as PSS', pss, good.pkcs1, false],
      ['PKCS#1 v1.5 with SHA-384', { type: 'rsa-pkcs1', hash: 'SHA-384' }, good.pkcs1, false],
      ['PSS with salt length 0', { type: 'rsa-pss', hash: 'SHA-256', saltLength: 0 }, good.pss, false],
      ['PSS with SHA-512', { type: 'rsa-pss', hash: 'SHA-512', saltLength: 32 }, good.pss, false],
    ]
    for (const [what, algorithm, signature, valid] of cases) {
      await allAgree(`rsa ${what}`, (p) => p.verify(algorithm, key.publicKey, message, signature), `value ${valid}`)
    }
    // OpenSSL itself signs with a 1024-bit key; every provider refuses to verify it (RSA under 2048 bits is refused everywhere).
    const smallSignature = new Uint8Array(nodeSign('sha256', message, { key: rsa1024, padding: constants.RSA_PKCS1_PADDING }))
    await allAgree('rsa a 1024-bit key', (p) => p.verify(pkcs1, keys.rsa1024.publicKey, message, smallSignature), 'value false')
  })

  it('keys of the wrong type, and an algorithm nobody knows: false', async () => {
    const cases: [string, SignatureAlgorithm, PublicKey, Uint8Array][] = [
      ['ECDSA with an Ed25519 key', ecdsaSha256, keys.ed25519.publicKey, nobleProvider.sign(ed25519, keys.ed25519, message)],
      ['Ed25519 with an EC key', ed25519, keys.p256.publicKey, new Uint8Array(64)],
      ['PSS with an EC key', pss, keys.p256.publicKey, nobleProvider.sign(ecdsaSha256, keys.p256, message)],
      ['PKCS#1 v1.5 with an Ed25519 key', pkcs1, keys.ed25519.publicKey, new Uint8Array(256)],
      ['ECDSA with an RSA key', ecdsaSha256, keys.rsa.publicKey, nobleProvider.sign(pkcs1, keys.rsa, message)],
      ['an unknown algorithm', { type: 'dsa' } as unknown as SignatureAlgorithm, keys.p256.publicKey, nobleProvider.sign(ecdsaSha256, keys.p256, message)],
    ]
    for (const [what, algorithm, key, signature] of cases) {
      await allAgree(what, (p) => p.verify(algorithm, key, message, signature), 'value false')
    }
  })
})

describe('the same refusals to sign, key, seal and expand from every provider', () => {
  it('signing with a key of the wrong type, an RSA key under 2048 bits, an unknown algorithm: TlsError(internal_error)', async () => {
    const cases: [string, SignatureAlgorithm, PrivateKey][] = [
      ['ECDSA with an Ed25519 key', ecdsaSha256, keys.ed25519],
      ['Ed25519 with an EC key', ed25519, keys.p256],
      ['PSS with an EC key', pss, keys.p384],
      ['PKCS#1 v1.5 with an Ed25519 key', pkcs1, keys.ed25519],
      ['PKCS#1 v1.5 with a 1024-bit key', pkcs1, keys.rsa1024],
      ['PSS with a 1024-bit key', pss, keys.rsa1024],
      ['an unknown algorithm', { type: 'dsa' } as unknown as SignatureAlgorithm, keys.p256],
    ]
    for (const [what, algorithm, key] of cases) await allAgree(what, (p) => p.sign(algorithm, key, message), internalError)
  })

  it('AEAD keys of the wrong length: TlsError(internal_error); tampered records: null', async () => {
    for (const name of ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'] as const) {
      for (const length of [0, 15, 24, 33]) await allAgree(`${name} ${length}-byte key`, (p) => p.aead(name).importKey(new Uint8Array(length)), internalError)
      const size = name === 'AES-128-GCM' ? 16 : 32
      const [key, nonce, aad] = [new Uint8Array(size).fill(7), new Uint8Array(12).fill(1), Uint8Array.of(23, 3, 3, 0, 19)]
      const sealed = nobleProvider.aead(name).importKey(key).seal(nonce, message, aad)
      const open = (sealedBytes: Uint8Array, n = nonce, a = aad) => (p: CryptoProvider) => p.aead(name).importKey(key).open(n, sealedBytes, a)
      await allAgree(`${name} the record`, open(sealed), `bytes ${toHex(message)}`)
      await allAgree(`${name} a flipped tag bit`, open(withByte(sealed, sealed.length - 1, 0x80)), 'value null')
      await allAgree(`${name} a flipped ciphertext bit`, open(withByte(sealed, 0, 1)), 'value null')
      await allAgree(`${name} other additional data`, open(sealed, nonce, Uint8Array.of(23, 3, 3, 0, 20)), 'value null')
      await allAgree(`${name} another nonce`, open(sealed, withByte(nonce, 11, 1)), 'value null')
      await allAgree(`${name} 15 bytes`, open(sealed.subarray(0, 15)), 'value null')
      await allAgree(`${name} empty`, open(new Uint8Array(0)), 'value null')
      await allAgree(`${name} the tag alone of an empty record`, open(sealed.subarray(sealed.length - 16)), 'value null')
    }
  })

  it('HKDF-Expand beyond 255 · HashLen, or of a length that is not a count: TlsError(internal_error)', async () => {
    for (const [hash, length] of [
      ['SHA-256', 255 * 32 + 1],
      ['SHA-384', 255 * 48 + 1],
      ['SHA-256', -1],
      ['SHA-256', 1.5],
    ] as const) {
      await allAgree(`${hash} ${length}`, (p) => p.hkdfExpand(hash, new Uint8Array(32), new Uint8Array(0), length), internalError)
    }
  })
})

describe('what one provider makes, the others accept', () => {
  it('key shares: every pair of providers agrees on the secret, for every group', async () => {
    for (const group of ['x25519', 'secp256r1', 'secp384r1'] as NamedGroupName[]) {
      const shares = await Promise.all(providers.map((p) => p.generateKeyShare(group)))
      for (const [i, a] of shares.entries()) {
        for (const [j, b] of shares.entries()) {
          const [ab, ba] = [await a.agree(b.publicKey), await b.agree(a.publicKey)]
          expect(toHex(ab), `${group}: ${providers[i]!.name} with ${providers[j]!.name}`).toBe(toHex(ba))
          expect(ab.length).toBe(group === 'secp384r1' ? 48 : 32)
        }
      }
    }
  })

  it('a fixed private key (test vectors) gives the same public key everywhere', async () => {
    for (const group of ['x25519', 'secp256r1', 'secp384r1'] as NamedGroupName[]) {
      const secret = new Uint8Array(group === 'secp384r1' ? 48 : 32).fill(0x5a)
      await allAgree(`${group} fixed key`, async (p) => (await p.generateKeyShare(group, secret)).publicKey, 'bytes ')
    }
  })

  it('signatures: what each signs, every provider verifies; Ed25519 and PKCS#1 v1.5 are byte for byte the same, ECDSA S is low', async () => {
    const cases: [SignatureAlgorithm, PrivateKey][] = [
      [ecdsaSha256, keys.p256],
      [ecdsaSha384, keys.p384],
      [ecdsaSha384, keys.p256],
      [ed25519, keys.ed25519],
      [pkcs1, keys.rsa],
      [{ type: 'rsa-pkcs1', hash: 'SHA-512' }, keys.rsa],
      [pss, keys.rsa],
      [{ type: 'rsa-pss', hash: 'SHA-384', saltLength: 48 }, keys.rsa],
    ]
    for (const [algorithm, key] of cases) {
      const what = `${JSON.stringify(algorithm)} ${key.type}`
      const signatures = await Promise.all(providers.map((p) => p.sign(algorithm, key, message)))
      for (const [i, signature] of signatures.entries()) {
        await allAgree(`${what} signed by ${providers[i]!.name}`, (p) => p.verify(algorithm, key.publicKey, message, signature), 'value true')
        await allAgree(`${what} signed by ${providers[i]!.name}, another message`, (p) => p.verify(algorithm, key.publicKey, otherMessage, signature), 'value false')
        if (key.type === 'ec') {
          const n = (key.curve === 'P-256' ? p256 : p384).Point.Fn.ORDER
          expect(BigInt(`0x${derParts(signature)[1]}`) <= n >> 1n, `${what}: low S from ${providers[i]!.name}`).toBe(true)
        }
      }
      if (algorithm.type === 'ed25519' || algorithm.type === 'rsa-pkcs1') expect(new Set(signatures.map(toHex)).size, what).toBe(1)
    }
  })

  it('AEADs: the same record from every provider, and each opens what the others seal', async () => {
    for (const name of ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'] as AeadName[]) {
      const key = nobleProvider.randomBytes(name === 'AES-128-GCM' ? 16 : 32)
      for (const size of [0, 1, 16, 1000, 16384 + 256]) {
        const [nonce, plaintext, aad] = [nobleProvider.randomBytes(12), nobleProvider.randomBytes(size), nobleProvider.randomBytes(13)]
        const sealed = await allAgreeOn(`${name} ${size}`, (p) => p.aead(name).importKey(key).seal(nonce, plaintext, aad))
        await allAgree(`${name} ${size} opened`, (p) => p.aead(name).importKey(key).open(nonce, sealed, aad), `bytes ${toHex(plaintext)}`)
      }
    }
  })

  it('hashes, HMAC and HKDF give the same bytes; a hash state digests without ending and forks', async () => {
    for (const hash of ['SHA-256', 'SHA-384', 'SHA-512'] as HashName[]) {
      await allAgreeOn(`${hash} digest`, (p) => p.hash(hash).digest(message))
      await allAgreeOn(`${hash} hmac`, (p) => p.hmac(hash, otherMessage, message))
      await allAgreeOn(`${hash} hkdf`, (p) => p.hkdfExpand(hash, p.hkdfExtract(hash, new Uint8Array(0), message), otherMessage, 300))
      await allAgreeOn(`${hash} incremental`, (p) => {
        const state = p.hash(hash).create().update(message)
        const early = state.digest()
        const fork = state.clone().update(otherMessage)
        state.update(message)
        expect(toHex(early), `${p.name}: digest() keeps the state`).toBe(toHex(p.hash(hash).digest(message)))
        return Uint8Array.of(...state.digest(), ...fork.digest())
      })
    }
  })
})

/** Every provider gives the same bytes for `operation`; returns them. */
async function allAgreeOn(what: string, operation: (provider: CryptoProvider) => MaybePromise<Uint8Array>): Promise<Uint8Array> {
  await allAgree(what, operation, 'bytes ')
  return operation(providers[0]!)
}
