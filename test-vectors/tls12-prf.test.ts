// TLS 1.2 PRF vectors (SHA-256, SHA-384) from tls12-prf.txt, and the master secret, key block, Finished and exporter built on the PRF.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../src/crypto/noble.js'
import type { HashName } from '../src/crypto/provider.js'
import { fromHex, toHex, utf8 } from '../src/bytes.js'
import {
  tls12ExportKeyingMaterial,
  tls12ExtendedMasterSecret,
  tls12KeyBlock,
  tls12MasterSecret,
  tls12Prf,
  tls12VerifyData,
} from '../src/handshake/prf.js'
import { cipherSuiteByCode, isTls12Suite, type Tls12CipherSuite } from '../src/policy/suites.js'

const provider = nobleProvider

interface PrfVector {
  readonly section: string
  readonly secret: string
  readonly label: string
  readonly seed: string
  readonly length: number
  readonly output: string
}

/** Reads `[SHA2-256]` sections of `key = value` lines; `#` lines are comments. */
function parsePrfVectors(text: string): PrfVector[] {
  const vectors: PrfVector[] = []
  let section: string | undefined
  let fields: Record<string, string> = {}
  const flush = () => {
    if (section === undefined) return
    const { secret, label, seed, length, output } = fields
    if (secret === undefined || label === undefined || seed === undefined || length === undefined || output === undefined) {
      throw new Error(`[${section}] is missing a field`)
    }
    vectors.push({ section, secret, label, seed, length: Number(length), output })
  }
  for (const line of text.split(/\r?\n/).map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue
    const heading = /^\[(.+)\]$/.exec(line)
    if (heading) {
      flush()
      section = heading[1]!
      fields = {}
      continue
    }
    const pair = /^(\w+)\s*=\s*(.*)$/.exec(line)
    if (!pair) throw new Error(`unreadable line: ${line}`)
    fields[pair[1]!] = pair[2]!
  }
  flush()
  return vectors
}

const hashOfSection: Record<string, HashName> = { 'SHA2-256': 'SHA-256', 'SHA2-384': 'SHA-384' }
const vectors = parsePrfVectors(readFileSync(new URL('./data/tls12-prf.txt', import.meta.url), 'utf8'))

describe('TLS 1.2 PRF (tls12-prf.txt)', () => {
  it('holds a SHA-256 and a SHA-384 vector', () => {
    expect(vectors.map((v) => v.section)).toEqual(['SHA2-256', 'SHA2-384'])
  })

  it.each(vectors)('P_$section', (v) => {
    const output = tls12Prf(provider, hashOfSection[v.section]!, fromHex(v.secret), v.label, fromHex(v.seed), v.length)
    expect(output.length).toBe(v.length)
    expect(toHex(output)).toBe(v.output)
  })
})

/*
 * What the PRF feeds: the expected values below were computed with OpenSSL 3.0's own TLS 1.2 PRF, the seeds
 * laid out by hand from the RFCs:
 *   openssl kdf -keylen N -kdfopt digest:SHA2-256 -kdfopt hexsecret:S -kdfopt hexseed:hex(label)||SEED TLS1-PRF
 * They check our labels, the order of the randoms, and how the key block is cut.
 */
const clientRandom = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')
const serverRandom = fromHex('202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f')
const preMasterSecret = fromHex('8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d')
/** seed = client_random || server_random */
const masterSecret = fromHex('a6e33a4d695adbc1bfab3ca0d96911a23d19e9be2846919c772d2a3ef7bd8b10fa7d9a31a2f2b5848da44da53ccc9b6f')

function suite(code: number): Tls12CipherSuite {
  const found = cipherSuiteByCode(code)
  if (!found || !isTls12Suite(found)) throw new Error(`0x${code.toString(16)} must be a TLS 1.2 suite`)
  return found
}

describe('TLS 1.2 master secrets', () => {
  it('master_secret, SHA-256 (RFC 5246 8.1)', () =>
    expect(toHex(tls12MasterSecret(provider, 'SHA-256', preMasterSecret, clientRandom, serverRandom))).toBe(toHex(masterSecret)))
  it('master_secret, SHA-384', () =>
    expect(toHex(tls12MasterSecret(provider, 'SHA-384', preMasterSecret, clientRandom, serverRandom))).toBe(
      'ef307dd65d80e2434660f3341f9f4d3c4de53cbfaa284190f1b20f427b11c40b4ac5c4c0e4e92cf499209f314954cdac',
    ))
  it('extended master_secret, SHA-256 (RFC 7627 4)', () =>
    expect(
      toHex(tls12ExtendedMasterSecret(provider, 'SHA-256', preMasterSecret, fromHex('404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f'))),
    ).toBe('0c2f3f81c071945fb71f574b904e42929f56ff59b73a6f485d39b1de6755d7a2407ab9827e0257c0c48d54923be362ea'))
  it('extended master_secret, SHA-384', () =>
    expect(
      toHex(
        tls12ExtendedMasterSecret(
          provider,
          'SHA-384',
          preMasterSecret,
          fromHex('404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f'),
        ),
      ),
    ).toBe('efe5d9b1f56d5e7e8ac0cba0cc2761ea605bc9e1879600ffc861e4d3fcf7164b656fcc5df4f4ed454ea3b6e4b0f0847b'))
})

describe('TLS 1.2 key block (RFC 5246 6.3, seed = server_random || client_random)', () => {
  it('ECDHE-RSA-AES128-GCM-SHA256: 16-byte keys, 4-byte salts', () => {
    const block = tls12KeyBlock(provider, suite(0xc02f), masterSecret, clientRandom, serverRandom)
    // PRF output (40 bytes): dcd49178f7905d0f938ea1a6845fae04 6d0ad9cc0c4d705558aec7f47a2332cb f5ba93c0 1c5c458e
    expect(toHex(block.clientWriteKey)).toBe('dcd49178f7905d0f938ea1a6845fae04')
    expect(toHex(block.serverWriteKey)).toBe('6d0ad9cc0c4d705558aec7f47a2332cb')
    expect(toHex(block.clientWriteIv)).toBe('f5ba93c0')
    expect(toHex(block.serverWriteIv)).toBe('1c5c458e')
  })

  it('ECDHE-RSA-CHACHA20-POLY1305: 32-byte keys, 12-byte IVs', () => {
    const block = tls12KeyBlock(provider, suite(0xcca8), masterSecret, clientRandom, serverRandom)
    // PRF output (88 bytes), cut 32 / 32 / 12 / 12
    const output =
      'dcd49178f7905d0f938ea1a6845fae046d0ad9cc0c4d705558aec7f47a2332cbf5ba93c01c5c458e7e2caa6077a032906822385bace6e84148d740c202cf2b3f10d535e0aa365ad72eb459812b981c0e5cffbc818eff63c7'
    expect(toHex(block.clientWriteKey)).toBe(output.slice(0, 64))
    expect(toHex(block.serverWriteKey)).toBe(output.slice(64, 128))
    expect(toHex(block.clientWriteIv)).toBe(output.slice(128, 152))
    expect(toHex(block.serverWriteIv)).toBe(output.slice(152, 176))
  })
})

describe('TLS 1.2 Finished (RFC 5246 7.4.9)', () => {
  const handshakeHash = fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f')
  it('client verify_data', () => expect(toHex(tls12VerifyData(provider, 'SHA-256', masterSecret, 'client', handshakeHash))).toBe('025867c9586371bddf7d7f6b'))
  it('server verify_data', () => expect(toHex(tls12VerifyData(provider, 'SHA-256', masterSecret, 'server', handshakeHash))).toBe('b66640a6a8089ce01f8cea12'))
})

describe('TLS 1.2 exporter (RFC 5705 4)', () => {
  const label = 'EXPERIMENTAL pure-tls'
  const exporter = (context: Uint8Array | undefined) =>
    toHex(tls12ExportKeyingMaterial(provider, 'SHA-256', masterSecret, clientRandom, serverRandom, label, context, 32))
  it('without a context: seed = client_random || server_random', () =>
    expect(exporter(undefined)).toBe('70dac6dc0ed92c6ef8a91e9b6fc624908a699a6a3378d8f4c92b3678eaf938e6'))
  it('with an empty context: the seed ends in 00 00', () => expect(exporter(new Uint8Array(0))).toBe('ddff60588fec8db351f4919e3ac6f2c7770aa9c9aac75136ccf47f63eb19413d'))
  it('with the context "context value"', () =>
    expect(exporter(utf8.encode('context value'))).toBe('a67db701ae53d771581a5cdef5373ea10715da8c4674933944b91cb54a7301be'))
})
