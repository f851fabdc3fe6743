// Key import/export against keys the openssl CLI writes (PKCS#8, SEC1, PKCS#1, SPKI; PEM and DER), and malformed input.
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CertificateVerificationError, TlsConfigError } from '../errors.js'
import {
  exportPrivateKeyPkcs8,
  exportSpki,
  generatePrivateKey,
  importPrivateKey,
  importPublicKey,
  publicKeyFromSpki,
  rsaPssKeyParameters,
} from './keys.js'
import * as der from './der-writer.js'
import { pemEncode } from './pem.js'
import type { PrivateKey } from './provider.js'

let dir: string

function openssl(...args: string[]): Buffer {
  return execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
}

const file = (name: string): Buffer => readFileSync(join(dir, name))
const text = (name: string): string => file(name).toString('utf8')
const bytes = (name: string): Uint8Array => new Uint8Array(file(name))
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Writes `name.p8.pem` plus every other encoding openssl offers for that key type. */
function writeKeyFormats(name: string, genpkeyArgs: string[], kind: 'ec' | 'rsa' | 'other'): void {
  openssl('genpkey', ...genpkeyArgs, '-out', `${name}.p8.pem`)
  openssl('pkcs8', '-topk8', '-nocrypt', '-in', `${name}.p8.pem`, '-outform', 'DER', '-out', `${name}.p8.der`)
  openssl('pkey', '-in', `${name}.p8.pem`, '-pubout', '-out', `${name}.spki.pem`)
  openssl('pkey', '-in', `${name}.p8.pem`, '-pubout', '-outform', 'DER', '-out', `${name}.spki.der`)
  if (kind === 'ec') {
    openssl('ec', '-in', `${name}.p8.pem`, '-out', `${name}.sec1.pem`)
    openssl('ec', '-in', `${name}.p8.pem`, '-outform', 'DER', '-out', `${name}.sec1.der`)
  }
  if (kind === 'rsa') {
    openssl('rsa', '-in', `${name}.p8.pem`, '-traditional', '-out', `${name}.pkcs1.pem`)
    openssl('rsa', '-in', `${name}.p8.pem`, '-traditional', '-outform', 'DER', '-out', `${name}.pkcs1.der`)
    openssl('rsa', '-in', `${name}.p8.pem`, '-RSAPublicKey_out', '-out', `${name}.rsapub.pem`)
    openssl('rsa', '-in', `${name}.p8.pem`, '-RSAPublicKey_out', '-outform', 'DER', '-out', `${name}.rsapub.der`)
  }
}

const keyTypes = [
  { name: 'p256', args: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], kind: 'ec', type: 'ec' },
  { name: 'p384', args: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], kind: 'ec', type: 'ec' },
  { name: 'ed25519', args: ['-algorithm', 'ED25519'], kind: 'other', type: 'ed25519' },
  { name: 'rsa2048', args: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], kind: 'rsa', type: 'rsa' },
] as const

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pure-tls-keys-'))
  for (const k of keyTypes) writeKeyFormats(k.name, [...k.args], k.kind)
  writeKeyFormats('pss', ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'], 'other')
  const pssSha384 = ['-pkeyopt', 'rsa_pss_keygen_md:sha384', '-pkeyopt', 'rsa_pss_keygen_mgf1_md:sha384']
  writeKeyFormats('pss384', ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', ...pssSha384], 'other')
  writeKeyFormats('pssmgfsha1', ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_pss_keygen_md:sha256'], 'other')
  writeKeyFormats('p521', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'], 'ec')
  writeKeyFormats('rsa512', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:512'], 'rsa')
  writeKeyFormats('rsa3', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_keygen_pubexp:3'], 'rsa')
  writeKeyFormats('x25519', ['-algorithm', 'X25519'], 'other')
  writeKeyFormats('ed448', ['-algorithm', 'ED448'], 'other')
  openssl('pkcs8', '-topk8', '-in', 'p256.p8.pem', '-passout', 'pass:secret', '-out', 'p256.enc.pem')
  openssl('pkcs8', '-topk8', '-in', 'p256.p8.pem', '-passout', 'pass:secret', '-outform', 'DER', '-out', 'p256.enc.der')
  openssl('ec', '-in', 'p256.p8.pem', '-aes128', '-passout', 'pass:secret', '-out', 'p256.sec1enc.pem')
  openssl('rsa', '-in', 'rsa2048.p8.pem', '-traditional', '-aes128', '-passout', 'pass:secret', '-out', 'rsa2048.pkcs1enc.pem')
  openssl('ec', '-in', 'p256.p8.pem', '-param_enc', 'explicit', '-pubout', '-outform', 'DER', '-out', 'p256.explicit.spki.der')
  openssl('ec', '-in', 'p256.p8.pem', '-conv_form', 'compressed', '-pubout', '-outform', 'DER', '-out', 'p256.compressed.spki.der')
}, 120_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('importPrivateKey', () => {
  for (const k of keyTypes) {
    const formats = ['p8.pem', 'p8.der', ...(k.kind === 'ec' ? ['sec1.pem', 'sec1.der'] : []), ...(k.kind === 'rsa' ? ['pkcs1.pem', 'pkcs1.der'] : [])]
    for (const format of formats) {
      it(`${k.name} ${format}: the public key equals openssl's SPKI`, () => {
        const input = format.endsWith('.pem') ? text(`${k.name}.${format}`) : bytes(`${k.name}.${format}`)
        const key = importPrivateKey(input)
        expect(key.type).toBe(k.type)
        expect(hex(exportSpki(key.publicKey))).toBe(hex(bytes(`${k.name}.spki.der`)))
      })
    }

    it(`${k.name}: our PKCS#8 export is read back by openssl as the same key`, () => {
      const key = importPrivateKey(text(`${k.name}.p8.pem`))
      writeFileSync(join(dir, `${k.name}.ours.pem`), pemEncode('PRIVATE KEY', exportPrivateKeyPkcs8(key)))
      expect(hex(openssl('pkey', '-in', `${k.name}.ours.pem`, '-pubout', '-outform', 'DER'))).toBe(hex(bytes(`${k.name}.spki.der`)))
      expect(openssl('pkey', '-in', `${k.name}.ours.pem`, '-noout', '-check').toString()).toMatch(/valid/i)
      expect(hex(exportPrivateKeyPkcs8(importPrivateKey(exportPrivateKeyPkcs8(key))))).toBe(hex(exportPrivateKeyPkcs8(key)))
    })
  }

  it('accepts PEM with comments, other blocks (EC PARAMETERS, certificates) and CRLF around the key', () => {
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-out', 'withparams.pem')
    const key = importPrivateKey(`# my key\r\n${text('withparams.pem').replace(/\n/g, '\r\n')}\r\ntrailing junk\r\n`)
    expect(key.type === 'ec' && key.curve).toBe('P-256')
  })

  it('accepts PEM given as bytes', () => {
    expect(importPrivateKey(bytes('ed25519.p8.pem')).type).toBe('ed25519')
  })

  it('keeps the RSA CRT parameters consistent', () => {
    const key = importPrivateKey(text('rsa2048.pkcs1.pem'))
    if (key.type !== 'rsa') throw new Error('not rsa')
    expect(key.bits).toBe(2048)
    expect(key.p * key.q).toBe(key.n)
    expect((key.qi * key.q) % key.p).toBe(1n)
  })

  it('refuses encrypted keys (PKCS#8 PEM and DER, legacy Proc-Type PEM) with a TlsConfigError saying so', () => {
    for (const input of [text('p256.enc.pem'), bytes('p256.enc.der'), text('p256.sec1enc.pem'), text('rsa2048.pkcs1enc.pem')]) {
      expect(() => importPrivateKey(input)).toThrow(TlsConfigError)
      expect(() => importPrivateKey(input)).toThrow(/encrypted/)
    }
  })

  it('refuses P-521, X25519, Ed448, RSA-512 and ambiguous or key-less PEM with a TlsConfigError', () => {
    for (const name of ['p521.p8.pem', 'p521.sec1.pem', 'x25519.p8.pem', 'ed448.p8.pem', 'rsa512.p8.pem', 'rsa512.pkcs1.pem']) {
      expect(() => importPrivateKey(text(name)), name).toThrow(TlsConfigError)
    }
    expect(() => importPrivateKey(text('p256.p8.pem') + text('p384.p8.pem'))).toThrow(/2 private key blocks/)
    expect(() => importPrivateKey(text('p256.spki.pem'))).toThrow(/no private key found/)
    expect(() => importPrivateKey('')).toThrow(TlsConfigError)
    expect(() => importPrivateKey('-----BEGIN constructor-----\nQUJD\n-----END constructor-----\n')).toThrow(/no private key found/)
  })

  it('imports every key type where the runtime has no crypto global at all (no randomness is needed to import)', () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true })
    try {
      for (const k of keyTypes) expect(importPrivateKey(text(`${k.name}.p8.pem`)).type, k.name).toBe(k.type)
    } finally {
      Object.defineProperty(globalThis, 'crypto', original)
    }
  })

  it('calls an EC scalar of 0 or of n "out of range"', () => {
    const valid = importPrivateKey(text('p256.p8.pem'))
    if (valid.type !== 'ec') throw new Error('not ec')
    const order = Uint8Array.from(Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex'))
    for (const d of [new Uint8Array(32), order]) {
      const der = exportPrivateKeyPkcs8({ ...valid, d })
      expect(() => importPrivateKey(der)).toThrow(/P-256 private key is out of range \(not in 1\.\.n-1\)/)
    }
  })

  it('imports an RSA key with e = 3 (odd, at least 3)', () => {
    const key = importPrivateKey(text('rsa3.pkcs1.pem'))
    expect(key.type === 'rsa' && key.e).toBe(3n)
  })

  it('marks keys from an RSASSA-PSS PKCS#8 as PSS-only', () => {
    const key = importPrivateKey(text('pss.p8.pem'))
    expect(key.type).toBe('rsa')
    expect(rsaPssKeyParameters(key.publicKey)).toEqual({})
  })
})

describe('importPublicKey and publicKeyFromSpki', () => {
  for (const k of keyTypes) {
    const formats = ['spki.pem', 'spki.der', ...(k.kind === 'rsa' ? ['rsapub.pem', 'rsapub.der'] : [])]
    for (const format of formats) {
      it(`${k.name} ${format}`, () => {
        const input = format.endsWith('.pem') ? text(`${k.name}.${format}`) : bytes(`${k.name}.${format}`)
        const key = importPublicKey(input)
        expect(hex(exportSpki(key))).toBe(hex(bytes(`${k.name}.spki.der`)))
      })
    }
  }

  it('reads an SPKI that is a view into a larger buffer (as a certificate parser hands it over)', () => {
    const spki = bytes('p384.spki.der')
    const certificateLike = new Uint8Array(spki.length + 40).fill(0x30)
    certificateLike.set(spki, 17)
    expect(hex(exportSpki(publicKeyFromSpki(certificateLike.subarray(17, 17 + spki.length))))).toBe(hex(spki))
  })

  it('names the algorithm it refuses', () => {
    expect(() => importPrivateKey(text('ed448.p8.pem'))).toThrow(/Ed448/)
    expect(() => publicKeyFromSpki(bytes('p521.spki.der'))).toThrow(/P-521/)
  })

  it('decompresses a compressed EC point', () => {
    const key = publicKeyFromSpki(bytes('p256.compressed.spki.der'))
    expect(hex(exportSpki(key))).toBe(hex(bytes('p256.spki.der')))
  })

  it('imports id-RSASSA-PSS keys as PSS-only RSA keys, with their hash restriction', () => {
    const open = publicKeyFromSpki(bytes('pss.spki.der'))
    expect(open.type).toBe('rsa')
    expect(rsaPssKeyParameters(open)).toEqual({})
    expect(hex(exportSpki(open))).toBe(hex(bytes('pss.spki.der')))
    expect(rsaPssKeyParameters(publicKeyFromSpki(bytes('pss384.spki.der')))).toEqual({ hash: 'SHA-384' })
    expect(rsaPssKeyParameters(publicKeyFromSpki(bytes('rsa2048.spki.der')))).toBeUndefined()
  })

  it('reads RSASSA-PSS key parameters as a certificate\'s are: fields in DER order, a salt length within bounds', () => {
    const rsa = publicKeyFromSpki(bytes('rsa2048.spki.der'))
    const rsaPublicKey = rsa.type === 'rsa' ? der.sequence(der.integer(rsa.n), der.integer(rsa.e)) : new Uint8Array(0)
    const sha384 = der.sequence(der.objectIdentifier('2.16.840.1.101.3.4.2.2'))
    const mgf1 = der.sequence(der.objectIdentifier('1.2.840.113549.1.1.8'), sha384)
    const spki = (...parameters: Uint8Array[]) =>
      der.sequence(der.sequence(der.objectIdentifier('1.2.840.113549.1.1.10'), der.sequence(...parameters)), der.bitString(rsaPublicKey))
    expect(rsaPssKeyParameters(publicKeyFromSpki(spki(der.explicit(0, sha384), der.explicit(1, mgf1), der.explicit(2, der.integer(48n)))))).toEqual({ hash: 'SHA-384' })
    const refused = {
      'maskGenAlgorithm before hashAlgorithm': spki(der.explicit(1, mgf1), der.explicit(0, sha384)),
      'a salt length of 1000': spki(der.explicit(0, sha384), der.explicit(1, mgf1), der.explicit(2, der.integer(1000n))),
    }
    for (const [what, encoded] of Object.entries(refused)) {
      const error = (() => {
        try {
          publicKeyFromSpki(encoded)
        } catch (e) {
          return e
        }
      })()
      expect(error, what).toBeInstanceOf(CertificateVerificationError)
      expect((error as CertificateVerificationError).reason, what).toBe('malformed')
    }
  })

  it('calls unsupported algorithms, curves and key sizes "unsupported-algorithm"', () => {
    for (const name of ['p521.spki.der', 'x25519.spki.der', 'ed448.spki.der', 'rsa512.spki.der', 'p256.explicit.spki.der', 'pssmgfsha1.spki.der']) {
      let error: unknown
      try {
        publicKeyFromSpki(bytes(name))
      } catch (e) {
        error = e
      }
      expect(error, name).toBeInstanceOf(CertificateVerificationError)
      expect((error as CertificateVerificationError).reason, name).toBe('unsupported-algorithm')
    }
  })

  it('calls a point off the curve "malformed"', () => {
    const spki = bytes('p256.spki.der')
    spki[spki.length - 1]! ^= 1
    expect(() => publicKeyFromSpki(spki)).toThrow(expect.objectContaining({ reason: 'malformed' }))
  })

  it('refuses BER where DER is required: long-form short lengths, indefinite lengths, padded integers, trailing bytes', () => {
    const spki = bytes('p256.spki.der')
    const longForm = new Uint8Array([0x30, 0x81, spki[1]!, ...spki.subarray(2)])
    const indefinite = new Uint8Array([0x30, 0x80, ...spki.subarray(2), 0, 0])
    const trailing = new Uint8Array([...spki, 0])
    for (const bad of [longForm, indefinite, trailing]) expect(() => publicKeyFromSpki(bad)).toThrow(expect.objectContaining({ reason: 'malformed' }))
    const rsa = importPublicKey(bytes('rsa2048.rsapub.der'))
    expect(rsa.type).toBe('rsa')
    // RSAPublicKey ends 02 03 01 00 01; write the exponent as 02 04 00 01 00 01 and grow the outer length by one.
    const der = bytes('rsa2048.rsapub.der')
    const paddedExponent = new Uint8Array([...der.subarray(0, der.length - 5), 0x02, 0x04, 0x00, 0x01, 0x00, 0x01])
    paddedExponent[3]! += 1
    expect(() => importPublicKey(paddedExponent)).toThrow(TlsConfigError)
  })
  it('says which element has the wrong tag, what was expected and what was found', () => {
    // A PrivateKeyInfo whose privateKey is an INTEGER where the OCTET STRING belongs.
    const pkcs8 = der.sequence(der.integer(0n), der.sequence(der.objectIdentifier('1.3.101.112')), der.integer(5n))
    expect(() => importPrivateKey(pkcs8)).toThrow('PrivateKeyInfo privateKey: expected universal tag 4, found universal tag 2')
    const spki = der.sequence(der.sequence(der.objectIdentifier('1.3.101.112')), der.octetString(new Uint8Array(32)))
    expect(() => publicKeyFromSpki(spki)).toThrow(expect.objectContaining({ reason: 'malformed', message: expect.stringContaining('subjectPublicKey: expected universal tag 3, found universal tag 4') }))
  })
})

describe('export, byte for byte', () => {
  const pairs = {
    'P-256': () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    'P-384': () => generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    Ed25519: () => generateKeyPairSync('ed25519'),
    'RSA 2048': () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
    'RSA 4096': () => generateKeyPairSync('rsa', { modulusLength: 4096 }),
    'RSA-PSS without parameters': () => generateKeyPairSync('rsa-pss', { modulusLength: 2048 }),
  }
  for (const [name, generate] of Object.entries(pairs)) {
    it(`${name}: PKCS#8 and SPKI are what node:crypto's KeyObject.export writes`, () => {
      const { privateKey, publicKey } = generate()
      const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }))
      const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))
      const key = importPrivateKey(pkcs8)
      expect(hex(exportPrivateKeyPkcs8(key))).toBe(hex(pkcs8))
      expect(hex(exportSpki(key.publicKey))).toBe(hex(spki))
      expect(hex(exportSpki(publicKeyFromSpki(spki)))).toBe(hex(spki))
    })
  }
})

describe('strict DER in the fields a key format leaves unread', () => {
  // PKCS#8 attributes [0], a PKCS#1 otherPrimeInfos: not read, but the whole input must still be DER.
  const withExtra = (der: Uint8Array, extra: number[]) => {
    const body = [...der.subarray(der[1]! < 0x80 ? 2 : 2 + (der[1]! & 0x7f)), ...extra]
    const length = body.length < 0x80 ? [body.length] : body.length < 0x100 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff]
    return new Uint8Array([0x30, ...length, ...body])
  }

  it('accepts a well-formed attributes field and refuses BER inside it (a two-octet BOOLEAN, an end-of-contents, NULL with contents)', () => {
    const ed25519 = bytes('ed25519.p8.der')
    // attributes [0] IMPLICIT SET OF Attribute, here one Attribute { type OID, values SET { BOOLEAN TRUE } }
    const tlv = (tag: number, ...contents: number[]) => [tag, contents.length, ...contents]
    const attribute = (value: number[]) => tlv(0xa0, ...tlv(0x30, ...tlv(0x06, 0x2a, 0x03), ...tlv(0x31, ...value)))
    expect(importPrivateKey(withExtra(ed25519, attribute([0x01, 0x01, 0xff]))).type).toBe('ed25519')
    for (const bad of [[0x01, 0x02, 0x00, 0xff], [0x00, 0x00], [0x05, 0x01, 0x00]]) {
      expect(() => importPrivateKey(withExtra(ed25519, attribute(bad))), hex(Uint8Array.from(bad))).toThrow(TlsConfigError)
    }
    expect(() => importPrivateKey(withExtra(bytes('rsa2048.pkcs1.der'), [0x30, 0x03, 0x02, 0x01, 0x01]))).not.toThrow()
    expect(() => importPrivateKey(withExtra(bytes('rsa2048.pkcs1.der'), [0x30, 0x04, 0x02, 0x02, 0x00, 0x01]))).toThrow(/non-minimal INTEGER/)
  })
})

describe('malformed input never escapes as TypeError or RangeError', () => {
  function mutations(der: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = []
    for (let n = 0; n < der.length; n++) out.push(der.slice(0, n))
    for (let i = 0; i < der.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const m = der.slice()
        m[i]! ^= flip
        out.push(m)
      }
    }
    return out
  }

  function expectOnly(errorType: new (...args: never[]) => Error, fn: () => unknown): void {
    try {
      fn()
    } catch (e) {
      if (!(e instanceof errorType)) throw new Error(`escaped as ${(e as Error)?.name}: ${(e as Error)?.message}`)
    }
  }

  it('publicKeyFromSpki on truncated and bit-flipped SPKIs throws only CertificateVerificationError', () => {
    for (const name of ['p256.spki.der', 'p384.spki.der', 'ed25519.spki.der', 'rsa2048.spki.der', 'pss384.spki.der']) {
      for (const m of mutations(bytes(name))) expectOnly(CertificateVerificationError, () => publicKeyFromSpki(m))
    }
  })

  it('importPrivateKey on truncated and bit-flipped keys throws only TlsConfigError', () => {
    for (const name of ['p256.p8.der', 'p384.sec1.der', 'ed25519.p8.der', 'rsa2048.pkcs1.der', 'p256.enc.der']) {
      for (const m of mutations(bytes(name))) expectOnly(TlsConfigError, () => importPrivateKey(m))
    }
  })

  it('random bytes and random PEM-ish text give typed errors only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expectOnly(CertificateVerificationError, () => publicKeyFromSpki(b))
        expectOnly(TlsConfigError, () => importPrivateKey(b))
        expectOnly(TlsConfigError, () => importPublicKey(b))
      }),
      { numRuns: 2000 },
    )
    const pemish = fc.string().map((s) => `-----BEGIN PRIVATE KEY-----\n${s}\n-----END PRIVATE KEY-----\n`)
    fc.assert(fc.property(pemish, (s) => expectOnly(TlsConfigError, () => importPrivateKey(s))), { numRuns: 500 })
  })
})

describe('generatePrivateKey', () => {
  for (const kind of ['ecdsa-p256', 'ecdsa-p384', 'ed25519'] as const) {
    it(`${kind}: openssl reads our PKCS#8 and SPKI`, () => {
      const key: PrivateKey = generatePrivateKey(kind)
      writeFileSync(join(dir, `gen-${kind}.pem`), pemEncode('PRIVATE KEY', exportPrivateKeyPkcs8(key)))
      writeFileSync(join(dir, `gen-${kind}.pub.pem`), pemEncode('PUBLIC KEY', exportSpki(key.publicKey)))
      const theirs = openssl('pkey', '-in', `gen-${kind}.pem`, '-pubout', '-outform', 'DER')
      expect(hex(theirs)).toBe(hex(exportSpki(key.publicKey)))
      expect(hex(openssl('pkey', '-pubin', '-in', `gen-${kind}.pub.pem`, '-outform', 'DER'))).toBe(hex(theirs))
      expect(hex(exportPrivateKeyPkcs8(importPrivateKey(text(`gen-${kind}.pem`))))).toBe(hex(exportPrivateKeyPkcs8(key)))
    })
  }

  it('draws from the randomBytes it is given', () => {
    const fixed = (length: number) => new Uint8Array(length).fill(0x5a)
    for (const kind of ['ecdsa-p256', 'ecdsa-p384', 'ed25519'] as const) {
      expect(hex(exportPrivateKeyPkcs8(generatePrivateKey(kind, fixed))), kind).toBe(hex(exportPrivateKeyPkcs8(generatePrivateKey(kind, fixed))))
    }
  })

  it('refuses an unknown kind with a TlsConfigError', () => {
    expect(() => generatePrivateKey('rsa-2048' as never)).toThrow(TlsConfigError)
  })
})
