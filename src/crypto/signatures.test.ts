// sign/verify against node:crypto and the openssl CLI, for every signature scheme we support, in both directions.
import { execFileSync } from 'node:child_process'
import * as nodeCrypto from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { p256, p384 } from '@noble/curves/nist.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TlsError } from '../errors.js'
import { exportSpki, importPrivateKey } from './keys.js'
import { pemEncode } from './pem.js'
import type { PrivateKey, PublicKey, SignatureAlgorithm } from './provider.js'
import { SUPPORTED_SIGNATURE_SCHEMES, SignatureScheme, signatureAlgorithmForScheme, signatureSchemeName } from './schemes.js'
import { nobleCurves } from './curves.js'
import { createSigner, verify } from './signatures.js'

const random = (length: number) => new Uint8Array(nodeCrypto.randomBytes(length))
const sign = createSigner(nobleCurves(random), random)

let dir: string
const keys: Record<string, PrivateKey> = {}
const nodeKeys: Record<string, nodeCrypto.KeyObject> = {}

const keySpecs = {
  p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  ed25519: ['-algorithm', 'ED25519'],
  rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  pss: ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'],
} as const

function openssl(...args: string[]): Buffer {
  return execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pure-tls-sig-'))
  for (const [name, args] of Object.entries(keySpecs)) {
    openssl('genpkey', ...args, '-out', `${name}.pem`)
    const pem = readFileSync(join(dir, `${name}.pem`), 'utf8')
    keys[name] = importPrivateKey(pem)
    nodeKeys[name] = nodeCrypto.createPrivateKey(pem)
  }
}, 60_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

const message = new TextEncoder().encode('TLS 1.3, server CertificateVerify\0 and then some bytes')

/** node:crypto's spelling of one of our algorithms (digest name, and the padding options for RSA). */
function nodeOptions(alg: SignatureAlgorithm): { digest: string | null; options: Partial<nodeCrypto.SignKeyObjectInput> } {
  switch (alg.type) {
    case 'ecdsa':
      return { digest: alg.hash.replace('-', '').toLowerCase(), options: { dsaEncoding: 'der' } }
    case 'ed25519':
      return { digest: null, options: {} }
    case 'rsa-pkcs1':
      return { digest: alg.hash.replace('-', '').toLowerCase(), options: { padding: nodeCrypto.constants.RSA_PKCS1_PADDING } }
    case 'rsa-pss':
      return { digest: alg.hash.replace('-', '').toLowerCase(), options: { padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength } }
  }
}

function nodeVerify(alg: SignatureAlgorithm, key: PublicKey, signature: Uint8Array): boolean {
  const { digest, options } = nodeOptions(alg)
  const publicKey = nodeCrypto.createPublicKey({ key: Buffer.from(exportSpki(key)), format: 'der', type: 'spki' })
  return nodeCrypto.verify(digest, message, { key: publicKey, ...options } as nodeCrypto.VerifyKeyObjectInput, signature)
}

function nodeSign(alg: SignatureAlgorithm, keyName: string): Uint8Array {
  const { digest, options } = nodeOptions(alg)
  return new Uint8Array(nodeCrypto.sign(digest, message, { key: nodeKeys[keyName]!, ...options } as nodeCrypto.SignKeyObjectInput))
}

/** The key each scheme signs with; ECDSA also crosses hash and curve as TLS 1.2 and certificates do. */
const cases: { scheme: string; key: string; algorithm: SignatureAlgorithm }[] = [
  ...SUPPORTED_SIGNATURE_SCHEMES.map((code) => {
    const algorithm = signatureAlgorithmForScheme(code)!
    const key = algorithm.type === 'ecdsa' ? (code === SignatureScheme.ecdsa_secp256r1_sha256 ? 'p256' : 'p384') : algorithm.type === 'ed25519' ? 'ed25519' : 'rsa'
    return { scheme: signatureSchemeName(code), key, algorithm }
  }),
  { scheme: 'ecdsa-with-SHA384 on P-256', key: 'p256', algorithm: { type: 'ecdsa', hash: 'SHA-384' } },
  { scheme: 'ecdsa-with-SHA512 on P-256', key: 'p256', algorithm: { type: 'ecdsa', hash: 'SHA-512' } },
  { scheme: 'ecdsa-with-SHA256 on P-384', key: 'p384', algorithm: { type: 'ecdsa', hash: 'SHA-256' } },
  { scheme: 'ecdsa-with-SHA512 on P-384', key: 'p384', algorithm: { type: 'ecdsa', hash: 'SHA-512' } },
  ...(['SHA-256', 'SHA-384', 'SHA-512'] as const).map((hash) => ({
    scheme: `rsa_pss_pss with ${hash}`,
    key: 'pss',
    algorithm: signatureAlgorithmForScheme(SignatureScheme[`rsa_pss_pss_sha${hash.slice(4)}` as 'rsa_pss_pss_sha256'])!,
  })),
  { scheme: 'PSS with a 0-byte salt', key: 'rsa', algorithm: { type: 'rsa-pss', hash: 'SHA-256', saltLength: 0 } },
]

describe('sign and verify interoperate with node:crypto', () => {
  for (const c of cases) {
    it(`${c.scheme}: ours signs, node verifies; node signs, ours verifies; a changed message fails`, () => {
      const key = keys[c.key]!
      const ours = sign(c.algorithm, key, message)
      expect(nodeVerify(c.algorithm, key.publicKey, ours)).toBe(true)
      expect(verify(c.algorithm, key.publicKey, message, ours)).toBe(true)
      const theirs = nodeSign(c.algorithm, c.key)
      expect(verify(c.algorithm, key.publicKey, message, theirs)).toBe(true)
      expect(verify(c.algorithm, key.publicKey, message.subarray(1), theirs)).toBe(false)
      const flipped = theirs.slice()
      flipped[flipped.length - 3]! ^= 0x10
      expect(verify(c.algorithm, key.publicKey, message, flipped)).toBe(false)
    })
  }
})

describe('sign and verify interoperate with the openssl CLI', () => {
  const cli = [
    { key: 'p256', algorithm: { type: 'ecdsa', hash: 'SHA-256' }, args: ['dgst', '-sha256'] },
    { key: 'p384', algorithm: { type: 'ecdsa', hash: 'SHA-384' }, args: ['dgst', '-sha384'] },
    { key: 'rsa', algorithm: { type: 'rsa-pkcs1', hash: 'SHA-512' }, args: ['dgst', '-sha512'] },
    {
      key: 'rsa',
      algorithm: { type: 'rsa-pss', hash: 'SHA-256', saltLength: 32 },
      args: ['dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'],
    },
    { key: 'ed25519', algorithm: { type: 'ed25519' }, args: ['pkeyutl', '-rawin'] },
  ] as const

  for (const c of cli) {
    it(`${c.key} ${c.algorithm.type}`, () => {
      writeFileSync(join(dir, 'msg.bin'), message)
      const isDgst = c.args[0] === 'dgst'
      const signArgs = isDgst ? [...c.args, '-sign', `${c.key}.pem`, '-out', 'theirs.sig', 'msg.bin'] : [...c.args, '-sign', '-inkey', `${c.key}.pem`, '-in', 'msg.bin', '-out', 'theirs.sig']
      openssl(...signArgs)
      const key = keys[c.key]!
      expect(verify(c.algorithm, key.publicKey, message, new Uint8Array(readFileSync(join(dir, 'theirs.sig'))))).toBe(true)
      writeFileSync(join(dir, 'ours.sig'), sign(c.algorithm, key, message))
      writeFileSync(join(dir, 'pub.pem'), pemEncode('PUBLIC KEY', exportSpki(key.publicKey)))
      const verifyArgs = isDgst
        ? [...c.args, '-verify', 'pub.pem', '-signature', 'ours.sig', 'msg.bin']
        : [...c.args, '-verify', '-pubin', '-inkey', 'pub.pem', '-in', 'msg.bin', '-sigfile', 'ours.sig']
      expect(openssl(...verifyArgs).toString()).toMatch(/Verified OK|Signature Verified Successfully/)
    })
  }
})

describe('ECDSA details', () => {
  function derSignature(r: bigint, s: bigint): Uint8Array {
    const int = (x: bigint) => {
      let h = x.toString(16)
      if (h.length % 2) h = `0${h}`
      if (parseInt(h.slice(0, 2), 16) & 0x80) h = `00${h}`
      return `02${(h.length / 2).toString(16).padStart(2, '0')}${h}`
    }
    const body = int(r) + int(s)
    return new Uint8Array(Buffer.from(`30${(body.length / 2).toString(16).padStart(2, '0')}${body}`, 'hex'))
  }

  for (const [name, curve, hash] of [
    ['p256', p256, 'SHA-256'],
    ['p384', p384, 'SHA-384'],
  ] as const) {
    it(`${name}: a high-S signature (as OpenSSL may produce) verifies, with us and with node`, () => {
      const key = keys[name]!
      const algorithm: SignatureAlgorithm = { type: 'ecdsa', hash }
      const low = curve.Signature.fromBytes(sign(algorithm, key, message), 'der')
      const n = curve.Point.CURVE().n
      expect(low.s <= n / 2n).toBe(true)
      const high = derSignature(low.r, n - low.s)
      expect(verify(algorithm, key.publicKey, message, high)).toBe(true)
      expect(nodeVerify(algorithm, key.publicKey, high)).toBe(true)
    })

    it(`${name}: BER variants and compact (r||s) signatures are refused`, () => {
      const key = keys[name]!
      const algorithm: SignatureAlgorithm = { type: 'ecdsa', hash }
      const der = sign(algorithm, key, message)
      const longForm = new Uint8Array([0x30, 0x81, der[1]!, ...der.subarray(2)])
      const compact = curve.Signature.fromBytes(der, 'der').toBytes('compact')
      for (const bad of [longForm, compact, new Uint8Array([...der, 0])]) expect(verify(algorithm, key.publicKey, message, bad)).toBe(false)
    })
  }
})

describe('verify never throws, sign refuses mismatches', () => {
  const ecdsa: SignatureAlgorithm = { type: 'ecdsa', hash: 'SHA-256' }
  const algorithms: SignatureAlgorithm[] = [
    ecdsa,
    { type: 'ed25519' },
    { type: 'rsa-pkcs1', hash: 'SHA-256' },
    { type: 'rsa-pss', hash: 'SHA-256', saltLength: 32 },
    { type: 'rsa-pss', hash: 'SHA-256', saltLength: 100000 },
    { type: 'rsa-pss', hash: 'SHA-256', saltLength: -1 },
    { type: 'nonsense' } as unknown as SignatureAlgorithm,
  ]
  const garbage = [new Uint8Array(0), new Uint8Array(1), new Uint8Array(64), new Uint8Array(256).fill(0xff), new Uint8Array(100000)]

  it('returns false for every wrong key type, malformed signature and nonsense algorithm', () => {
    for (const algorithm of algorithms) {
      for (const key of Object.values(keys)) {
        for (const sig of garbage) expect(verify(algorithm, key.publicKey, message, sig)).toBe(false)
      }
    }
    const edSig = sign({ type: 'ed25519' }, keys['ed25519']!, message)
    expect(verify({ type: 'ed25519' }, keys['p256']!.publicKey, message, edSig)).toBe(false)
    expect(verify(ecdsa, { type: 'ec', curve: 'P-256', point: new Uint8Array(65) }, message, sign(ecdsa, keys['p256']!, message))).toBe(false)
  })

  it('an RSA signature one byte short or long is refused', () => {
    const alg: SignatureAlgorithm = { type: 'rsa-pkcs1', hash: 'SHA-256' }
    const sig = sign(alg, keys['rsa']!, message)
    expect(verify(alg, keys['rsa']!.publicKey, message, new Uint8Array([0, ...sig]))).toBe(false)
    expect(verify(alg, keys['rsa']!.publicKey, message, sig.subarray(1))).toBe(false)
  })

  it('sign with the wrong key type throws a TlsError', () => {
    expect(() => sign(ecdsa, keys['rsa']!, message)).toThrow(TlsError)
    expect(() => sign({ type: 'ed25519' }, keys['p256']!, message)).toThrow(TlsError)
    expect(() => sign({ type: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }, keys['ed25519']!, message)).toThrow(TlsError)
    expect(() => sign({ type: 'rsa-pss', hash: 'SHA-512', saltLength: 1000 }, keys['rsa']!, message)).toThrow(TlsError)
  })
})
