// Unit tests of the handshake transcript: buffering before the hash is known, fork, message_hash, misuse.
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../crypto/noble.js'
import { TlsError } from '../errors.js'
import { fromHex, toHex, utf8 } from '../bytes.js'
import { encodeMessageHash as messageHashMessage } from './messages/message-hash.js'
import { Transcript } from './transcript.js'

const provider = nobleProvider
const clientHello = utf8.encode('\x01\x00\x00\x03abc')
const serverHello = utf8.encode('\x02\x00\x00\x02xy')

// SHA-256 digests computed outside this code base (Python hashlib / sha256sum).
const SHA256_EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'

describe('Transcript', () => {
  it('hashes the concatenation of the messages', () => {
    const t = new Transcript(provider, 'SHA-256')
    expect(toHex(t.hash())).toBe(SHA256_EMPTY)
    t.update(utf8.encode('a')).update(utf8.encode('bc'))
    expect(toHex(t.hash())).toBe(SHA256_ABC)
    expect(t.messageCount).toBe(2)
    expect(toHex(t.bytes())).toBe('616263')
  })

  it('buffers messages until the hash is chosen, then hashes them', () => {
    const buffered = new Transcript(provider)
    buffered.update(utf8.encode('ab'))
    expect(buffered.hashAlgorithm).toBeUndefined()
    buffered.setHash('SHA-256')
    buffered.update(utf8.encode('c'))
    expect(toHex(buffered.hash())).toBe(SHA256_ABC)
  })

  it('refuses to hash before the hash is chosen', () => {
    const t = new Transcript(provider).update(clientHello)
    expect(() => t.hash()).toThrow(TlsError)
    expect(() => t.hash()).toThrow(/before the hash was chosen/)
  })

  it('accepts the same hash again but refuses a different one', () => {
    const t = new Transcript(provider, 'SHA-256')
    expect(() => t.setHash('SHA-256')).not.toThrow()
    expect(() => t.setHash('SHA-384')).toThrow(/already SHA-256/)
  })

  it('fork() gives an independent copy', () => {
    const t = new Transcript(provider, 'SHA-256').update(utf8.encode('ab'))
    const fork = t.fork()
    fork.update(utf8.encode('c'))
    expect(toHex(fork.hash())).toBe(SHA256_ABC)
    expect(toHex(t.hash())).toBe(toHex(provider.hash('SHA-256').digest(utf8.encode('ab'))))
    t.update(utf8.encode('zz'))
    expect(toHex(fork.hash())).toBe(SHA256_ABC)
    expect(fork.messageCount).toBe(2)
  })

  it('fork() of a buffering transcript may choose its own hash', () => {
    const t = new Transcript(provider).update(utf8.encode('abc'))
    const fork = t.fork()
    fork.setHash('SHA-256')
    expect(toHex(fork.hash())).toBe(SHA256_ABC)
    expect(t.hashAlgorithm).toBeUndefined()
  })

  it('copies what it is given, so later changes to the caller\'s buffer do not leak in', () => {
    const message = utf8.encode('abc')
    const t = new Transcript(provider).update(message)
    message[0] = 0x7a
    t.setHash('SHA-256')
    expect(toHex(t.hash())).toBe(SHA256_ABC)
  })
})

describe('message_hash (RFC 8446 4.4.1)', () => {
  it('is 254 || 00 00 Hash.length || Hash(ClientHello1)', () => {
    const digest = fromHex(SHA256_ABC)
    expect(toHex(messageHashMessage(digest))).toBe(`fe000020${SHA256_ABC}`)
  })

  it('replaces ClientHello1, and the transcript continues from it', () => {
    const t = new Transcript(provider, 'SHA-256').update(clientHello)
    t.replaceWithMessageHash()
    t.update(serverHello)
    const clientHelloHash = provider.hash('SHA-256').digest(clientHello)
    const expected = provider.hash('SHA-256').digest(new Uint8Array([0xfe, 0, 0, 32, ...clientHelloHash, ...serverHello]))
    expect(toHex(t.hash())).toBe(toHex(expected))
    expect(toHex(t.bytes())).toBe(`fe000020${toHex(clientHelloHash)}${toHex(serverHello)}`)
    expect(t.messageCount).toBe(2)
  })

  it('uses the transcript hash: 48 bytes under SHA-384', () => {
    const t = new Transcript(provider, 'SHA-384').update(clientHello)
    t.replaceWithMessageHash()
    const bytes = t.bytes()
    expect([...bytes.subarray(0, 4)]).toEqual([254, 0, 0, 48])
    expect(toHex(bytes.subarray(4))).toBe(toHex(provider.hash('SHA-384').digest(clientHello)))
  })

  it('works after the buffered ClientHello1 gets its hash', () => {
    const t = new Transcript(provider).update(clientHello)
    t.setHash('SHA-256')
    t.replaceWithMessageHash()
    expect(toHex(t.bytes())).toBe(toHex(messageHashMessage(provider.hash('SHA-256').digest(clientHello))))
  })

  it('refuses before the hash is chosen, and unless ClientHello1 is alone', () => {
    expect(() => new Transcript(provider).update(clientHello).replaceWithMessageHash()).toThrow(/before the hash was chosen/)
    expect(() => new Transcript(provider, 'SHA-256').replaceWithMessageHash()).toThrow(/holds 0 messages/)
    const two = new Transcript(provider, 'SHA-256').update(clientHello).update(serverHello)
    expect(() => two.replaceWithMessageHash()).toThrow(/holds 2 messages/)
  })
})
