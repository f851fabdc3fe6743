// record_size_limit (RFC 8449) against GnuTLS, both roles and both versions: record sizes seen on the wire by a relay of ours, data checked end to end.
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Chain, cleanupPki } from '../helpers/pki.js'
import { runGnutlsClient, startGnutlsServer } from '../helpers/peers.js'
import { RecordRelay } from '../helpers/record-relay.js'
import { clientChain, disposeAll, expectSameBytes, ourConnect, processEndpoint, scratchFile, sendLine, serverChain, startOurServer } from './interop13-helpers.js'

const TAG = 16
/** TLS 1.2 AES-GCM's explicit nonce and tag. */
const GCM12_EXPANSION = 8 + TAG

let chain: Chain
let client: Chain
const relays: RecordRelay[] = []
beforeAll(async () => {
  ;[chain, client] = await Promise.all([serverChain(), clientChain()])
})
afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.close()))
  await disposeAll()
})
afterAll(cleanupPki)

async function relayTo(port: number): Promise<RecordRelay> {
  const relay = await RecordRelay.start(port)
  relays.push(relay)
  return relay
}

/** A GnuTLS priority string for one version and one AEAD. */
function priority(version: 'TLS1.3' | 'TLS1.2', cipher: string): string {
  return `NORMAL:-VERS-ALL:+VERS-${version}:-CIPHER-ALL:+${cipher}`
}

/** The cells: a version, the AEAD GnuTLS is limited to, and what protection adds to each record's plaintext. */
const CELLS = [
  { version: 'TLS1.3', cipher: 'AES-128-GCM', expansion: TAG },
  { version: 'TLS1.2', cipher: 'CHACHA20-POLY1305', expansion: TAG },
  { version: 'TLS1.2', cipher: 'AES-128-GCM', expansion: GCM12_EXPANSION },
] as const

/**
 * In TLS 1.3 the limit counts TLSInnerPlaintext's content type: GnuTLS announces its `--recordsize` plus one there, and
 * a record at a limit carries limit + tag bytes; in TLS 1.2 it is the fragment, plus explicit nonce and tag.
 */
function largestRecord(limit: number, cell: (typeof CELLS)[number], gnutlsAnnounces = false): number {
  return limit + (gnutlsAnnounces && cell.version === 'TLS1.3' ? 1 : 0) + cell.expansion
}

describe('record_size_limit against GnuTLS', () => {
  for (const cell of CELLS) {
    const name = `${cell.version} ${cell.cipher}`

    it(`our client (limit 700) ↔ gnutls-serv --recordsize=512 --echo, ${name}: each side's protected records fill the other's limit exactly`, async () => {
      const server = await startGnutlsServer([
        '--echo',
        '--crlf',
        '--recordsize=512',
        '--x509certfile', chain.chainPath,
        '--x509keyfile', chain.keyPath,
        '--priority', priority(cell.version, cell.cipher),
      ])
      const relay = await relayTo(server.port)
      const ours = await ourConnect({ port: relay.port, ca: chain.rootPem, minVersion: 'TLSv1.2', recordSizeLimit: 700 })
      expect(ours.info.version).toBe(cell.version === 'TLS1.3' ? 'TLSv1.3' : 'TLSv1.2')
      // gnutls-serv --echo answers line by line: long lines, so that both sides must cut them into full records.
      const lines = Buffer.from(randomBytes(12 * 1024).toString('base64').replace(/.{3000}/g, '$&\r\n') + '\r\n')
      await ours.write(lines)
      expectSameBytes('gnutls-serv echo', await ours.received.waitForBytes(lines.length, 20_000), lines)

      const tls12 = cell.version === 'TLS1.2'
      const fromGnutls = relay.protectedLengths('server->client', tls12)
      const fromUs = relay.protectedLengths('client->server', tls12)
      // GnuTLS honours our 700; we honour its 512 (513 as TLS 1.3 counts it).
      expect(Math.max(...fromGnutls)).toBe(largestRecord(700, cell))
      expect(Math.max(...fromUs)).toBe(largestRecord(512, cell, true))
      expect(fromUs.filter((length) => length === largestRecord(512, cell, true)).length).toBeGreaterThanOrEqual(lines.length / 600)
    })

    it(`gnutls-cli --recordsize=1000 with a client certificate ↔ our server (limit 600), ${name}`, async () => {
      const ourServer = await startOurServer({
        cert: chain.chainPem,
        key: chain.keyPem,
        minVersion: 'TLSv1.2',
        recordSizeLimit: 600,
        verifyMode: 'required',
        ca: chain.rootPem,
      })
      const relay = await relayTo(ourServer.port)
      const logfile = scratchFile()
      const peer = await runGnutlsClient(
        [
          '--x509cafile', chain.rootPath,
          '--verify-hostname', 'localhost',
          '--x509certfile', client.chainPath,
          '--x509keyfile', client.keyPath,
          '--recordsize=1000',
          '--logfile', logfile,
          '--priority', priority(cell.version, cell.cipher),
        ],
        { connectTo: relay.port },
      )
      const accepted = await ourServer.nextConnection()
      expect(accepted.info).toMatchObject({ version: cell.version === 'TLS1.3' ? 'TLSv1.3' : 'TLSv1.2', peerVerified: true })

      // Down: 20 KiB of random bytes, which gnutls-cli (with --logfile) writes to stdout exactly.
      const down = randomBytes(20 * 1024)
      await accepted.write(down)
      expectSameBytes('our server → gnutls-cli', await peer.stdout.waitForBytes(down.length, 20_000), down)
      // Up: gnutls-cli sends one record per read of its stdin and drops what does not fit in it, so one line at a
      // time, each exactly as long as our limit lets a record carry.
      const endpoint = processEndpoint('gnutls-cli', peer)
      const lineLength = cell.version === 'TLS1.3' ? 599 : 600
      for (let i = 0; i < 3; i++) await sendLine(endpoint, accepted, `${i}`.repeat(lineLength - 1))

      const tls12 = cell.version === 'TLS1.2'
      const fromUs = relay.protectedLengths('server->client', tls12)
      const fromGnutls = relay.protectedLengths('client->server', tls12)
      expect(Math.max(...fromUs)).toBe(largestRecord(1000, cell, true))
      expect(Math.max(...fromGnutls)).toBe(largestRecord(600, cell))
      await accepted.end()
      await peer.waitForExit()
      expect(await readFile(logfile, 'utf8')).toMatch(/The certificate is trusted/)
    })
  }
})
