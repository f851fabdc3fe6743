// RFC 8448 section 3 (Simple 1-RTT Handshake): every secret, key, IV and Finished re-derived from the x25519 private keys and the messages.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../src/crypto/noble.js'
import { concat, fromHex, toHex } from '../src/bytes.js'
import { deriveSecret, emptyHash, finishedKey, finishedVerifyData, KeySchedule13, tls13ExportKeyingMaterial, trafficKeys } from '../src/handshake/key-schedule.js'
import { cipherSuiteByCode, isTls13Suite } from '../src/policy/suites.js'
import { Transcript } from '../src/handshake/transcript.js'

const provider = nobleProvider
const vector = JSON.parse(readFileSync(new URL('./data/rfc8448-simple-1rtt.json', import.meta.url), 'utf8')) as Record<string, string>

const used = new Set<string>()

/** A value of the file as hex without spaces; a missing key fails the test that reads it. */
function hex(name: string): string {
  used.add(name)
  const value = vector[name]
  if (value === undefined) throw new Error(`rfc8448-simple-1rtt.json has no "${name}"`)
  return toHex(fromHex(value))
}
const bytes = (name: string): Uint8Array => fromHex(hex(name))

const suite = cipherSuiteByCode(0x1301)!
if (!isTls13Suite(suite)) throw new Error('0x1301 must be a TLS 1.3 suite')
const hash = suite.hash

const clientShare = provider.generateKeyShare('x25519', bytes('client_x25519_private'))
const serverShare = provider.generateKeyShare('x25519', bytes('server_x25519_private'))
const sharedSecret = clientShare.agree(serverShare.publicKey)

// The transcript as the client keeps it: ClientHello buffered until ServerHello names the suite.
const transcript = new Transcript(provider)
transcript.update(bytes('ClientHello'))
transcript.setHash(hash)
const helloHash = transcript.update(bytes('ServerHello')).hash()
for (const message of ['EncryptedExtensions', 'Certificate', 'CertificateVerify']) transcript.update(bytes(message))
const beforeServerFinishedHash = transcript.hash()
const serverFinishedHash = transcript.update(bytes('ServerFinished')).hash()
const beforeClientFinishedHash = serverFinishedHash
const clientFinishedHash = transcript.update(bytes('ClientFinished')).hash()

const schedule = new KeySchedule13(provider, hash)
schedule.addSharedSecret(sharedSecret)
const clientHandshakeTrafficSecret = schedule.clientHandshakeTrafficSecret(helloHash)
const serverHandshakeTrafficSecret = schedule.serverHandshakeTrafficSecret(helloHash)
const clientApplicationTrafficSecret = schedule.clientApplicationTrafficSecret(serverFinishedHash)
const serverApplicationTrafficSecret = schedule.serverApplicationTrafficSecret(serverFinishedHash)
const exporterMasterSecret = schedule.exporterMasterSecret(serverFinishedHash)
const keysOf = (secret: Uint8Array) => trafficKeys(provider, hash, secret, suite.keyLength, suite.ivLength)

/** A Finished message: HandshakeType finished (20), uint24 length, verify_data. */
const finishedMessage = (verifyData: Uint8Array) => concat(new Uint8Array([20, 0, 0, verifyData.length]), verifyData)

describe('RFC 8448 section 3: key exchange', () => {
  it('client x25519 public key', () => expect(toHex(clientShare.publicKey)).toBe(hex('client_x25519_public')))
  it('server x25519 public key', () => expect(toHex(serverShare.publicKey)).toBe(hex('server_x25519_public')))
  it('(EC)DHE shared secret, client side', () => expect(toHex(sharedSecret)).toBe(hex('ecdhe_shared_secret')))
  it('(EC)DHE shared secret, server side', () => expect(toHex(serverShare.agree(clientShare.publicKey))).toBe(hex('ecdhe_shared_secret')))
  it('cipher suite', () => expect(vector.cipher_suite).toBe(`${suite.name} (0x1301)`))
})

describe('RFC 8448 section 3: transcript hashes', () => {
  it('Transcript-Hash(ClientHello..ServerHello)', () => expect(toHex(helloHash)).toBe(hex('hash_CH_SH')))
  it('Transcript-Hash(ClientHello..server Finished)', () => expect(toHex(serverFinishedHash)).toBe(hex('hash_CH_to_SF')))
  it('Transcript-Hash(ClientHello..client Finished)', () => expect(toHex(clientFinishedHash)).toBe(hex('hash_CH_to_CF')))
})

describe('RFC 8448 section 3: secrets', () => {
  it('early secret', () => expect(toHex(schedule.earlySecret)).toBe(hex('early_secret')))
  it('Derive-Secret(early secret, "derived", "")', () =>
    expect(toHex(deriveSecret(provider, hash, schedule.earlySecret, 'derived', emptyHash(provider, hash)))).toBe(hex('derived_for_handshake')))
  it('handshake secret', () => expect(toHex(schedule.handshakeSecret)).toBe(hex('handshake_secret')))
  it('client_handshake_traffic_secret', () => expect(toHex(clientHandshakeTrafficSecret)).toBe(hex('client_handshake_traffic_secret')))
  it('server_handshake_traffic_secret', () => expect(toHex(serverHandshakeTrafficSecret)).toBe(hex('server_handshake_traffic_secret')))
  it('Derive-Secret(handshake secret, "derived", "")', () =>
    expect(toHex(deriveSecret(provider, hash, schedule.handshakeSecret, 'derived', emptyHash(provider, hash)))).toBe(hex('derived_for_master')))
  it('master secret', () => expect(toHex(schedule.masterSecret)).toBe(hex('master_secret')))
  it('client_application_traffic_secret_0', () => expect(toHex(clientApplicationTrafficSecret)).toBe(hex('client_application_traffic_secret_0')))
  it('server_application_traffic_secret_0', () => expect(toHex(serverApplicationTrafficSecret)).toBe(hex('server_application_traffic_secret_0')))
  it('exporter_master_secret', () => expect(toHex(exporterMasterSecret)).toBe(hex('exporter_master_secret')))
  it('resumption_master_secret', () => expect(toHex(schedule.resumptionMasterSecret(clientFinishedHash))).toBe(hex('resumption_master_secret')))
})

describe('RFC 8448 section 3: traffic keys', () => {
  it('server handshake write key', () => expect(toHex(keysOf(serverHandshakeTrafficSecret).key)).toBe(hex('server_handshake_key')))
  it('server handshake write iv', () => expect(toHex(keysOf(serverHandshakeTrafficSecret).iv)).toBe(hex('server_handshake_iv')))
  it('client handshake write key', () => expect(toHex(keysOf(clientHandshakeTrafficSecret).key)).toBe(hex('client_handshake_key')))
  it('client handshake write iv', () => expect(toHex(keysOf(clientHandshakeTrafficSecret).iv)).toBe(hex('client_handshake_iv')))
  it('server application write key', () => expect(toHex(keysOf(serverApplicationTrafficSecret).key)).toBe(hex('server_application_key')))
  it('server application write iv', () => expect(toHex(keysOf(serverApplicationTrafficSecret).iv)).toBe(hex('server_application_iv')))
  it('client application write key', () => expect(toHex(keysOf(clientApplicationTrafficSecret).key)).toBe(hex('client_application_key')))
  it('client application write iv', () => expect(toHex(keysOf(clientApplicationTrafficSecret).iv)).toBe(hex('client_application_iv')))
})

describe('RFC 8448 section 3: Finished', () => {
  it('server finished_key', () => expect(toHex(finishedKey(provider, hash, serverHandshakeTrafficSecret))).toBe(hex('server_finished_key')))
  it('client finished_key', () => expect(toHex(finishedKey(provider, hash, clientHandshakeTrafficSecret))).toBe(hex('client_finished_key')))
  it('server Finished message', () =>
    expect(toHex(finishedMessage(finishedVerifyData(provider, hash, serverHandshakeTrafficSecret, beforeServerFinishedHash)))).toBe(hex('ServerFinished')))
  it('client Finished message', () =>
    expect(toHex(finishedMessage(finishedVerifyData(provider, hash, clientHandshakeTrafficSecret, beforeClientFinishedHash)))).toBe(hex('ClientFinished')))
})

/**
 * TLS-Exporter over the exporter_master_secret above (RFC 8446 7.5). The expected outputs were computed with
 * OpenSSL 3.0's own HKDF-Expand-Label (its TLS13-KDF, which builds the HkdfLabel itself):
 *   S=$(openssl kdf -keylen 32 -kdfopt digest:SHA2-256 -kdfopt mode:EXPAND_ONLY -kdfopt hexkey:<exporter_master_secret>
 *        -kdfopt "prefix:tls13 " -kdfopt "label:EXPERIMENTAL pure-tls" -kdfopt hexdata:<SHA-256("")> TLS13-KDF)
 *   openssl kdf -keylen 42 ... -kdfopt hexkey:$S -kdfopt "prefix:tls13 " -kdfopt label:exporter -kdfopt hexdata:<SHA-256(context)> TLS13-KDF
 * (the same command reproduces this file's client_handshake_traffic_secret from its handshake_secret and hash_CH_SH).
 */
describe('RFC 8448 section 3: TLS-Exporter', () => {
  const label = 'EXPERIMENTAL pure-tls'
  it('with an empty context', () =>
    expect(toHex(tls13ExportKeyingMaterial(provider, hash, bytes('exporter_master_secret'), label, new Uint8Array(0), 42))).toBe(
      '264508225eaa3074e93326903783cc951d05b2d734265c550bb3b75c52c0e6e66ae0eba3cbb442d3e5a9',
    ))
  it('with no context (the same as an empty one in TLS 1.3)', () =>
    expect(toHex(tls13ExportKeyingMaterial(provider, hash, bytes('exporter_master_secret'), label, undefined, 42))).toBe(
      '264508225eaa3074e93326903783cc951d05b2d734265c550bb3b75c52c0e6e66ae0eba3cbb442d3e5a9',
    ))
  it('with the context "context value"', () =>
    expect(
      toHex(tls13ExportKeyingMaterial(provider, hash, bytes('exporter_master_secret'), label, new TextEncoder().encode('context value'), 42)),
    ).toBe('f18c5ae8a75dbcd11322c0230c93adc1f33e3b75ba1d8846a18a156911920d1770d9734b6fdbb19db634'))
})

describe('RFC 8448 section 3: coverage', () => {
  // Runs last (vitest runs a file's tests in order): every hex value of the file was read by a check above.
  it('checked every value the file carries', () => {
    const descriptive = ['_source', 'cipher_suite', 'ClientHello_record', 'ServerHello_record']
    const values = Object.keys(vector).filter((k) => !descriptive.includes(k))
    expect(values.length).toBe(36)
    expect(values.filter((k) => !used.has(k))).toEqual([])
  })
})
