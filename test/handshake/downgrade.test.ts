// Version downgrade in memory: the RFC 8446 4.1.3 sentinel against a man in the middle who strips TLS 1.3, its controls, and hellos for versions below TLS 1.2.
import { afterAll, describe, expect, it } from 'vitest'
import { TlsAlertReceivedError, TlsError, TlsPolicyError } from '../../src/errors.js'
import { encodeExtension } from '../../src/handshake/extensions/extension.js'
import { supportedVersionsList } from '../../src/handshake/extensions/supported-versions.js'
import { encodeClientHello } from '../../src/handshake/messages/client-hello.js'
import { downgradeSentinel } from '../../src/handshake/messages/hello-random.js'
import { ExtensionType } from '../../src/handshake/registry.js'
import { runPair, type Tamper } from '../helpers/pair.js'
import { cleanupPki } from '../helpers/pki.js'
import {
  frameRecord,
  memoryPair,
  onFirst,
  rewriteClientHello,
  rewriteServerHello,
  serverHelloIn,
  withoutExtensions,
} from '../interop/interop12-helpers.js'

afterAll(cleanupPki)

const TLS10 = 0x0301
const TLS11 = 0x0302
const TLS12 = 0x0303

/** Passes everything through and keeps what the server's first flight said in its ServerHello. */
function serverHelloWatcher(): { tamper: Tamper; random: () => Uint8Array; version: () => number | undefined } {
  let hello: ReturnType<typeof serverHelloIn>
  return {
    tamper: (bytes, direction) => {
      if (direction === 'server->client') hello ??= serverHelloIn(bytes)
      return bytes
    },
    random: () => {
      if (!hello) throw new Error('no ServerHello went by')
      return hello.random
    },
    version: () => hello?.version,
  }
}

/** Both tampers in order. */
function chain(...tampers: Tamper[]): Tamper {
  return (bytes, direction) => tampers.reduce((b, tamper) => tamper(b, direction), bytes)
}

/** The man in the middle's edits of our ClientHello that take TLS 1.3 out of it (each call makes a fresh tamper). */
const strippers: Record<string, () => Tamper> = {
  'drops supported_versions, key_share and psk_key_exchange_modes (a TLS 1.2 hello)': () => onFirst('client->server', (bytes) =>
    rewriteClientHello(bytes, (hello) =>
      withoutExtensions(hello, ExtensionType.supported_versions, ExtensionType.key_share, ExtensionType.psk_key_exchange_modes),
    ),
  ),
  'rewrites supported_versions to TLS 1.2 only': () => onFirst('client->server', (bytes) =>
    rewriteClientHello(bytes, (hello) => ({
      ...hello,
      extensions: hello.extensions.map((e) => (e.type === ExtensionType.supported_versions ? encodeExtension(supportedVersionsList, [TLS12]) : e)),
    })),
  ),
}

describe('a man in the middle strips TLS 1.3 from our ClientHello', () => {
  for (const [how, stripper] of Object.entries(strippers)) {
    it(`${how} → our 1.3-capable server answers TLS 1.2 with the sentinel; our client refuses (illegal_parameter), the server gets the alert`, async () => {
      const { client, server } = await memoryPair()
      const watcher = serverHelloWatcher()
      const result = runPair(client, server, chain(stripper(), watcher.tamper))
      expect(watcher.version()).toBe(TLS12)
      expect(downgradeSentinel(watcher.random())).toBe('tls12')
      expect(result.clientError).toBeInstanceOf(TlsError)
      expect(result.clientError).not.toBeInstanceOf(TlsAlertReceivedError)
      expect((result.clientError as TlsError).alert).toBe('illegal_parameter')
      expect((result.clientError as TlsError).message).toMatch(/downgrade sentinel/)
      expect(result.serverError).toBeInstanceOf(TlsAlertReceivedError)
      expect((result.serverError as TlsAlertReceivedError).received).toBe('illegal_parameter')
      expect(client.handshakeComplete).toBe(false)
      expect(server.handshakeComplete).toBe(false)
    })
  }

  it('the same stripping against a TLS 1.2-only server: no sentinel, but the tampered ClientHello is in the EMS session hash, so the server cannot open our Finished (bad_record_mac)', async () => {
    const { client, server } = await memoryPair({ server: { maxVersion: 'TLSv1.2' } })
    const watcher = serverHelloWatcher()
    const result = runPair(client, server, chain(Object.values(strippers)[0]!(), watcher.tamper))
    expect(downgradeSentinel(watcher.random())).toBeNull()
    expect((result.serverError as TlsError).alert).toBe('bad_record_mac')
    expect(result.clientError).toBeInstanceOf(TlsAlertReceivedError)
    expect((result.clientError as TlsAlertReceivedError).received).toBe('bad_record_mac')
  })
})

describe('controls: without a man in the middle', () => {
  it('our default client ↔ our default server: TLS 1.3, no sentinel', async () => {
    const { client, server } = await memoryPair()
    const watcher = serverHelloWatcher()
    expect(runPair(client, server, watcher.tamper)).toEqual({})
    expect(client.info?.version).toBe('TLSv1.3')
    expect(server.info?.version).toBe('TLSv1.3')
    expect(watcher.version()).toBe(0x0304)
  })

  it('our client with maxVersion TLSv1.2 ↔ our 1.3-capable server: TLS 1.2 with the sentinel in the server random, which a 1.2-only client ignores', async () => {
    const { client, server } = await memoryPair({ client: { maxVersion: 'TLSv1.2' } })
    const watcher = serverHelloWatcher()
    expect(runPair(client, server, watcher.tamper)).toEqual({})
    expect(downgradeSentinel(watcher.random())).toBe('tls12')
    expect(client.info?.version).toBe('TLSv1.2')
    expect(server.info?.version).toBe('TLSv1.2')
  })

  it('our default client ↔ our server with maxVersion TLSv1.2: TLS 1.2 without a sentinel', async () => {
    const { client, server } = await memoryPair({ server: { maxVersion: 'TLSv1.2' } })
    const watcher = serverHelloWatcher()
    expect(runPair(client, server, watcher.tamper)).toEqual({})
    expect(downgradeSentinel(watcher.random())).toBeNull()
    expect(client.info?.version).toBe('TLSv1.2')
  })
})

/** An SSL 2.0 CLIENT-HELLO (draft-hickman-netscape-ssl-00 / RFC 6101 E.2) carrying `version` and two ECDHE suites. */
function sslv2ClientHello(version: number): Uint8Array {
  const cipherSpecs = [0x00, 0xc0, 0x2f, 0x00, 0xc0, 0x2b]
  const challenge = new Array(32).fill(0x5a)
  const body = [0x01, version >> 8, version & 0xff, 0, cipherSpecs.length, 0, 0, 0, challenge.length, ...cipherSpecs, ...challenge]
  return new Uint8Array([0x80 | (body.length >> 8), body.length & 0xff, ...body])
}

/** A ClientHello with only `legacy_version` (no supported_versions), in a record of `recordVersion`. */
function legacyClientHello(legacyVersion: number, recordVersion: number): Uint8Array {
  const hello = encodeClientHello({
    legacyVersion,
    random: new Uint8Array(32).fill(7),
    legacySessionId: new Uint8Array(0),
    cipherSuites: [0xc013, 0x002f, 0x00ff],
    legacyCompressionMethods: [0],
    extensions: [],
  })
  return frameRecord({ type: 22, version: recordVersion, fragment: hello })
}

/** Feeds raw bytes to a fresh server Connection: the error it threw and the alert record it queued. */
async function serverRefusal(bytes: Uint8Array): Promise<{ error: unknown; sent: Uint8Array }> {
  const { server } = await memoryPair()
  let error: unknown
  try {
    server.receive(bytes)
  } catch (e) {
    error = e
  }
  return { error, sent: server.takeOutgoing() }
}

/** A plaintext fatal alert record. */
function fatalAlertRecord(description: number): number[] {
  return [21, 0x03, 0x03, 0, 2, 2, description]
}

describe('hellos below TLS 1.2 reach our server', () => {
  for (const [version, name] of [[0x0002, 'SSL 2.0'], [TLS10, 'TLS 1.0'], [TLS12, 'TLS 1.2']] as const) {
    it(`an SSLv2-compatible CLIENT-HELLO (version ${name}) → protocol_version`, async () => {
      const { error, sent } = await serverRefusal(sslv2ClientHello(version))
      expect(error).toBeInstanceOf(TlsError)
      expect((error as TlsError).alert).toBe('protocol_version')
      expect([...sent]).toEqual(fatalAlertRecord(70))
    })
  }

  for (const [legacyVersion, recordVersion, name] of [[TLS10, TLS10, 'TLSv1.0'], [TLS11, TLS10, 'TLSv1.1'], [TLS11, TLS11, 'TLSv1.1']] as const) {
    it(`a ${name}-only ClientHello (no supported_versions, record version 0x${recordVersion.toString(16)}) → TlsPolicyError "versions", protocol_version`, async () => {
      const { error, sent } = await serverRefusal(legacyClientHello(legacyVersion, recordVersion))
      expect(error).toBeInstanceOf(TlsPolicyError)
      expect(error).toMatchObject({ constraint: 'versions', alert: 'protocol_version', offered: name, allowed: 'TLSv1.2-TLSv1.3' })
      expect([...sent]).toEqual(fatalAlertRecord(70))
    })
  }

  it('a ClientHello whose supported_versions lists only TLS 1.1 and 1.0 → TlsPolicyError "versions", protocol_version', async () => {
    const hello = encodeClientHello({
      legacyVersion: TLS12,
      random: new Uint8Array(32).fill(9),
      legacySessionId: new Uint8Array(0),
      cipherSuites: [0xc02b],
      legacyCompressionMethods: [0],
      extensions: [encodeExtension(supportedVersionsList, [TLS11, TLS10])],
    })
    const { error } = await serverRefusal(frameRecord({ type: 22, version: TLS10, fragment: hello }))
    expect(error).toMatchObject({ constraint: 'versions', alert: 'protocol_version', offered: 'TLSv1.1, TLSv1.0' })
  })
})

describe('a ServerHello selecting a version below TLS 1.2 reaches our client', () => {
  for (const [legacyVersion, name] of [[TLS11, 'TLSv1.1'], [TLS10, 'TLSv1.0']] as const) {
    it(`a man in the middle rewrites the ServerHello to ${name} → our client: TlsPolicyError "versions", protocol_version; the server gets the alert`, async () => {
      const { client, server } = await memoryPair({ server: { maxVersion: 'TLSv1.2' } })
      const rewrite = onFirst('server->client', (bytes) => rewriteServerHello(bytes, (hello) => ({ ...hello, legacyVersion })))
      const result = runPair(client, server, rewrite)
      expect(result.clientError).toBeInstanceOf(TlsPolicyError)
      expect(result.clientError).toMatchObject({ constraint: 'versions', alert: 'protocol_version', offered: name })
      expect((result.serverError as TlsAlertReceivedError).received).toBe('protocol_version')
    })
  }
})
