// JWK export: base64url as RFC 4648 writes it, minimal unsigned integers, and keys node:crypto imports as the same key.
import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { base64url, privateJwk, publicJwk } from './jwk.js'
import { importPrivateKey } from './keys.js'

describe('JWK export', () => {
  it('writes base64url without padding, as Buffer does, for every length modulo 3', () => {
    for (let length = 0; length < 12; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + 251) & 0xff)
      expect(base64url(bytes)).toBe(Buffer.from(bytes).toString('base64url'))
    }
    expect(base64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8')
  })

  it('gives node:crypto the same keys for EC, Ed25519 and RSA (public from the private JWK equals the public JWK)', () => {
    const generated = [
      generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      generateKeyPairSync('ec', { namedCurve: 'P-384' }),
      generateKeyPairSync('ed25519'),
      generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ]
    for (const pair of generated) {
      const ours = importPrivateKey(pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)
      const expected = pair.publicKey.export({ format: 'jwk' })
      expect(publicJwk(ours.publicKey)).toMatchObject(expected)
      expect(createPublicKey({ key: privateJwk(ours), format: 'jwk' }).export({ format: 'jwk' })).toEqual(expected)
      if (ours.type === 'rsa') expect(publicJwk(ours.publicKey).e).toBe('AQAB')
    }
  })
})
