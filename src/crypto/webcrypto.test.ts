// webCryptoProvider on Node's SubtleCrypto: what it reports as native, its fallbacks where an engine lacks an algorithm, work issued before its probes settle.
import { join } from 'node:path'
import { build } from 'esbuild'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fromHex, toHex } from '../bytes.js'
import { isPending } from '../pending.js'
import { generatePrivateKey } from './keys.js'
import { nobleProvider } from './noble.js'
import type { CryptoProvider, ProviderOperation } from './provider.js'
import { createWebCryptoProvider, webCryptoProvider } from './webcrypto.js'

const realCrypto = globalThis.crypto
const realSubtle = realCrypto.subtle

/**
 * Node's SubtleCrypto as an engine without some algorithms would be: any call naming one of `missing` rejects
 * with NotSupportedError, as SubtleCrypto does for an algorithm it does not implement.
 */
function subtleWithout(missing: readonly string[]): SubtleCrypto {
  const names = (arg: unknown) => (typeof arg === 'string' ? arg : typeof arg === 'object' && arg !== null && 'name' in arg ? String(arg.name) : undefined)
  return new Proxy(realSubtle, {
    get(target, property) {
      const method = Reflect.get(target, property) as unknown
      if (typeof method !== 'function') return method
      return (...args: unknown[]) => {
        const refused = args.map(names).find((name) => name !== undefined && missing.includes(name))
        if (refused) return Promise.reject(new DOMException(`Unrecognized algorithm name: ${refused}`, 'NotSupportedError'))
        return (method as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
}

const nativeOperations = (provider: CryptoProvider) =>
  Object.entries(provider.describe!().operations)
    .filter(([, how]) => how === 'native')
    .map(([operation]) => operation as ProviderOperation)
    .sort()

const allButJavaScriptOnes: ProviderOperation[] = ['random', 'AES-128-GCM', 'AES-256-GCM', 'x25519', 'secp256r1', 'secp384r1', 'ecdsa', 'ed25519', 'rsa-pkcs1', 'rsa-pss']

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('webCryptoProvider on Node', () => {
  it('createWebCryptoProvider: everything native but ChaCha20, hashes, HMAC and HKDF; AES counts as hardware', async () => {
    const provider = await createWebCryptoProvider()
    expect(provider.name).toBe('webcrypto')
    expect(nativeOperations(provider)).toEqual([...allButJavaScriptOnes].sort())
    expect(provider.hasHardwareAes).toBe(true)
  })

  it('webCryptoProvider: work issued at once waits for its probe, on copies of inputs the caller reuses straight away', async () => {
    const provider = webCryptoProvider()
    expect(nativeOperations(provider), 'no probe has settled yet').toEqual(['random'])
    expect(provider.hasHardwareAes).toBe(true)
    const [key, nonce, plaintext, aad] = [new Uint8Array(16).fill(1), new Uint8Array(12).fill(2), Uint8Array.of(3, 4, 5), Uint8Array.of(6)]
    const expected = toHex(nobleProvider.aead('AES-128-GCM').importKey(key).seal(nonce, plaintext, aad))
    const sealing = provider.aead('AES-128-GCM').importKey(key).seal(nonce, plaintext, aad)
    const signingKey = generatePrivateKey('ed25519')
    const message = Uint8Array.of(7, 8, 9)
    const signing = provider.sign({ type: 'ed25519' }, signingKey, message)
    const sharing = provider.generateKeyShare('x25519')
    expect(isPending(sealing) && isPending(signing) && isPending(sharing)).toBe(true)
    for (const b of [key, nonce, plaintext, aad, message]) b.fill(0xee)
    expect(toHex(await sealing)).toBe(expected)
    expect(toHex(await signing)).toBe(toHex(nobleProvider.sign({ type: 'ed25519' }, signingKey, Uint8Array.of(7, 8, 9))))
    const share = await sharing
    const peer = nobleProvider.generateKeyShare('x25519')
    expect(toHex(await share.agree(peer.publicKey))).toBe(toHex(peer.agree(share.publicKey)))
    await vi.waitFor(() => expect(nativeOperations(provider)).toEqual([...allButJavaScriptOnes].sort()))
  })

  it('a fixed private key (a test vector) gives its known public key natively, and agrees with the peer', async () => {
    const provider = await createWebCryptoProvider()
    // RFC 7748 section 6.1: Alice's and Bob's X25519 keys and their shared secret.
    const alice = await provider.generateKeyShare('x25519', fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'))
    expect(toHex(alice.publicKey)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')
    const bobPublic = fromHex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f')
    expect(toHex(await alice.agree(bobPublic))).toBe('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742')
    for (const group of ['secp256r1', 'secp384r1'] as const) {
      const fixed = fromHex((group === 'secp256r1' ? '0c' : '0d').repeat(group === 'secp256r1' ? 32 : 48))
      const native = await provider.generateKeyShare(group, fixed)
      const noble = nobleProvider.generateKeyShare(group, fixed)
      expect(toHex(native.publicKey), group).toBe(toHex(noble.publicKey))
      const peer = nobleProvider.generateKeyShare(group)
      expect(toHex(await native.agree(peer.publicKey)), group).toBe(toHex(peer.agree(noble.publicKey)))
    }
  })

  it('once its key is imported, seal and open hand SubtleCrypto the inputs at the call: buffers reused at once change nothing', async () => {
    const provider = await createWebCryptoProvider()
    const aead = provider.aead('AES-256-GCM')
    const key = aead.importKey(new Uint8Array(32).fill(4))
    await key.seal(new Uint8Array(12), new Uint8Array(1), new Uint8Array(0))
    const noble = nobleProvider.aead('AES-256-GCM').importKey(new Uint8Array(32).fill(4))
    const [nonce, plaintext, aad] = [new Uint8Array(12).fill(1), new Uint8Array(5000).fill(2), new Uint8Array(13).fill(3)]
    const expected = noble.seal(nonce, plaintext, aad)
    const sealing = key.seal(nonce, plaintext, aad)
    const opening = key.open(nonce, expected.slice(), aad)
    for (const b of [nonce, plaintext, aad]) b.fill(9)
    expect(toHex(await sealing)).toBe(toHex(expected))
    expect(toHex((await opening)!)).toBe(toHex(new Uint8Array(5000).fill(2)))
  })

  it('falls back to noble for just the algorithms an engine lacks (X25519, Ed25519), and says so', async () => {
    const provider = await createWebCryptoProvider(subtleWithout(['X25519', 'Ed25519']))
    const native = nativeOperations(provider)
    expect(native).not.toContain('x25519')
    expect(native).not.toContain('ed25519')
    expect(native).toEqual(allButJavaScriptOnes.filter((o) => o !== 'x25519' && o !== 'ed25519').sort())
    // The noble fallback answers synchronously; the native ones do not.
    const share = provider.generateKeyShare('x25519')
    expect(isPending(share)).toBe(false)
    expect(isPending(provider.generateKeyShare('secp256r1'))).toBe(true)
    const peer = nobleProvider.generateKeyShare('x25519')
    expect(toHex(await (await share).agree(peer.publicKey))).toBe(toHex(peer.agree((await share).publicKey)))
    const key = generatePrivateKey('ed25519')
    const signature = await provider.sign({ type: 'ed25519' }, key, Uint8Array.of(1))
    expect(await provider.verify({ type: 'ed25519' }, key.publicKey, Uint8Array.of(1), signature)).toBe(true)
  })

  it('without AES-GCM in the engine, AES runs on noble and is not counted as hardware', async () => {
    const provider = await createWebCryptoProvider(subtleWithout(['AES-GCM']))
    expect(provider.hasHardwareAes).toBe(false)
    expect(provider.describe!().operations['AES-128-GCM']).toBe('javascript')
    const sealed = provider.aead('AES-128-GCM').importKey(new Uint8Array(16)).seal(new Uint8Array(12), Uint8Array.of(1), new Uint8Array(0))
    expect(isPending(sealed)).toBe(false)
    expect(toHex(await sealed)).toBe(toHex(nobleProvider.aead('AES-128-GCM').importKey(new Uint8Array(16)).seal(new Uint8Array(12), Uint8Array.of(1), new Uint8Array(0))))
  })

  it('without SubtleCrypto at all (a page that is not a secure context), everything but randomness is noble, synchronously', async () => {
    vi.stubGlobal('crypto', { getRandomValues: (b: Uint8Array) => realCrypto.getRandomValues(b) })
    for (const provider of [webCryptoProvider(), await createWebCryptoProvider()]) {
      expect(nativeOperations(provider)).toEqual(['random'])
      expect(provider.hasHardwareAes).toBe(false)
      expect(isPending(provider.generateKeyShare('secp384r1'))).toBe(false)
      expect(provider.randomBytes(70000)).toHaveLength(70000)
    }
  })

  it('bundles for a browser with no Node built-ins', async () => {
    const result = await build({ entryPoints: [join(import.meta.dirname, 'webcrypto.ts')], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' })
    expect(result.errors).toEqual([])
    expect(result.outputFiles[0]!.text).not.toMatch(/from\s*["']node:/)
  })
})
