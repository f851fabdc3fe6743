// Unit tests of the handshake's questions to the policy: versions, suites (server preference), groups (with and without HRR), schemes, ALPN, EMS.
import { describe, expect, it } from 'vitest'
import { TlsPolicyError, type AlertName } from '../errors.js'
import {
  checkExtendedMasterSecret,
  checkPeerSignatureScheme,
  checkSelectedAlpn,
  checkSelectedGroup,
  checkSelectedGroup12,
  checkSelectedVersion,
  chooseAlpn,
  chooseCipherSuite,
  chooseGroup,
  chooseGroup12,
  chooseSignatureScheme,
  chooseVersion,
  describeVersion,
  groupsFor,
  keyShareGroups,
  suitesFor,
} from './decisions.js'
import { TLS12, TLS13 } from './defaults.js'
import { buildPolicy, type PolicyOptions, type Role, type TlsPolicy } from './policy.js'

const SSL3 = 0x0300
const TLS11 = 0x0302

const AES128 = 0x1301
const AES256 = 0x1302
const CHACHA = 0x1303
const ECDHE_ECDSA_AES128_GCM = 0xc02b
const ECDHE_RSA_AES128_GCM = 0xc02f
const ECDHE_ECDSA_CHACHA = 0xcca9
const ECDHE_ECDSA_AES128_CBC = 0xc009
const RSA_AES128_CBC = 0x002f

const ECDSA_P256 = 0x0403
const ED25519 = 0x0807
const RSA_PSS_SHA256 = 0x0804
const RSA_PKCS1_SHA1 = 0x0201

function policy(options: PolicyOptions = {}, role: Role = 'server'): TlsPolicy {
  return buildPolicy(role, options, 'none', false)
}

/** `decide` must refuse with a TlsPolicyError of this constraint and alert; returns it. */
function refusal(decide: () => unknown, constraint: string, alert: AlertName): TlsPolicyError {
  let thrown: unknown
  try {
    decide()
  } catch (error) {
    thrown = error
  }
  expect(thrown, 'the policy did not refuse').toBeInstanceOf(TlsPolicyError)
  const error = thrown as TlsPolicyError
  expect([error.constraint, error.alert, error.code]).toEqual([constraint, alert, 'ERR_TLS_POLICY'])
  expect(error.message).toContain(`policy constraint "${constraint}" refused the peer: offered ${error.offered}; allowed ${error.allowed}`)
  return error
}

describe('versions', () => {
  it('server: the highest version both allow, whatever the order of supported_versions', () => {
    expect(chooseVersion(policy(), [TLS12, TLS13])).toBe(TLS13)
    expect(chooseVersion(policy(), [0x7a7a, TLS13, TLS12, TLS11])).toBe(TLS13)
    expect(chooseVersion(policy({ maxVersion: 'TLSv1.2' }), [TLS13, TLS12])).toBe(TLS12)
    expect(chooseVersion(policy(), [TLS12])).toBe(TLS12)
  })

  it('server × a TLS 1.1 client → versions, protocol_version; × a TLS 1.2 client under a TLS 1.3-only policy → the same', () => {
    const old = refusal(() => chooseVersion(policy(), [TLS11]), 'versions', 'protocol_version')
    expect([old.offered, old.allowed]).toEqual(['TLSv1.1', 'TLSv1.2-TLSv1.3'])
    const tls12 = refusal(() => chooseVersion(policy({ minVersion: 'TLSv1.3' }), [TLS12, TLS11]), 'versions', 'protocol_version')
    expect([tls12.offered, tls12.allowed]).toEqual(['TLSv1.2, TLSv1.1', 'TLSv1.3'])
  })

  it('client: the version the server selected must be allowed (TLS 1.1, SSL 3, TLS 1.2 under 1.3-only → versions, protocol_version)', () => {
    expect(checkSelectedVersion(policy({}, 'client'), TLS12)).toBe(TLS12)
    expect(refusal(() => checkSelectedVersion(policy({}, 'client'), TLS11), 'versions', 'protocol_version').offered).toBe('TLSv1.1')
    expect(refusal(() => checkSelectedVersion(policy({}, 'client'), SSL3), 'versions', 'protocol_version').offered).toBe('SSLv3')
    refusal(() => checkSelectedVersion(policy({ minVersion: 'TLSv1.3' }, 'client'), TLS12), 'versions', 'protocol_version')
    refusal(() => checkSelectedVersion(policy({ maxVersion: 'TLSv1.2' }, 'client'), TLS13), 'versions', 'protocol_version')
  })

  it('names versions, legacy and unknown ones too', () => {
    expect([0x0002, SSL3, 0x0301, TLS11, TLS12, TLS13, 0x7f1c].map(describeVersion)).toEqual(['SSLv2', 'SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3', '0x7f1c'])
  })
})

describe('cipher suites', () => {
  it("server preference: our order wins over the client's", () => {
    expect(chooseCipherSuite(policy(), TLS13, [AES256, AES128, CHACHA])).toBe(CHACHA)
    const aesFirst = policy({ cipherSuites: ['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'] })
    expect(chooseCipherSuite(aesFirst, TLS13, [AES128, CHACHA, AES256])).toBe(AES256)
    expect(chooseCipherSuite(policy(), TLS12, [ECDHE_RSA_AES128_GCM, ECDHE_ECDSA_AES128_GCM, ECDHE_ECDSA_CHACHA])).toBe(ECDHE_ECDSA_CHACHA)
  })

  it('server: a suite `usable` rejects (e.g. no certificate of its key type) is skipped for the next', () => {
    const ecdsaOnly = (code: number) => code !== ECDHE_ECDSA_CHACHA
    expect(chooseCipherSuite(policy(), TLS12, [ECDHE_ECDSA_CHACHA, ECDHE_ECDSA_AES128_GCM], ecdsaOnly)).toBe(ECDHE_ECDSA_AES128_GCM)
  })

  it('only the suites of the negotiated version count', () => {
    expect(suitesFor(policy(), TLS13)).toEqual([CHACHA, AES128, AES256])
    expect(suitesFor(policy(), TLS12)).toEqual([0xcca9, 0xcca8, 0xc02b, 0xc02f, 0xc02c, 0xc030])
    refusal(() => chooseCipherSuite(policy(), TLS12, [AES128, AES256]), 'cipher suites', 'handshake_failure')
  })

  it('server × CBC and RSA-key-exchange offers → cipher suites, handshake_failure, naming each offered suite and why it is refused', () => {
    const error = refusal(() => chooseCipherSuite(policy(), TLS12, [ECDHE_ECDSA_AES128_CBC, RSA_AES128_CBC, 0x00ff]), 'cipher suites', 'handshake_failure')
    expect(error.offered).toBe(
      'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA (0xc009, refused: CBC), TLS_RSA_WITH_AES_128_CBC_SHA (0x002f, refused: RSA key exchange, CBC), TLS_EMPTY_RENEGOTIATION_INFO_SCSV',
    )
    expect(error.allowed).toBe(
      'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, ' +
        'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    )
  })

  it('a long offer is cut after 12 names', () => {
    const offered = Array.from({ length: 20 }, (_, i) => 0x0a00 + i)
    expect(refusal(() => chooseCipherSuite(policy(), TLS13, offered), 'cipher suites', 'handshake_failure').offered).toMatch(/unknown cipher suite 0x0a0b and 8 more$/)
  })
})

describe('groups', () => {
  it('without HRR: a group the client sent a share for, ours first among those', () => {
    expect(chooseGroup(policy(), ['x25519', 'secp256r1'], ['x25519'])).toEqual({ group: 'x25519', needsRetry: false })
    expect(chooseGroup(policy(), ['secp384r1', 'secp256r1', 'x25519'], ['secp384r1', 'secp256r1'])).toEqual({ group: 'secp256r1', needsRetry: false })
  })

  it('a share wins over our preference: no extra round trip for a better group', () => {
    expect(chooseGroup(policy(), ['secp384r1', 'x25519'], ['secp384r1'])).toEqual({ group: 'secp384r1', needsRetry: false })
  })

  it('with HRR: no usable share (e.g. only for P-521) → the best mutual group, needsRetry', () => {
    expect(chooseGroup(policy(), ['secp256r1', 'secp384r1'], [])).toEqual({ group: 'secp256r1', needsRetry: true })
    expect(chooseGroup(policy({ groups: ['P-384', 'X25519'] }), ['x25519', 'secp384r1'], ['x25519'])).toEqual({ group: 'x25519', needsRetry: false })
    expect(chooseGroup(policy({ groups: ['P-384'] }), ['x25519', 'secp384r1'], ['x25519'])).toEqual({ group: 'secp384r1', needsRetry: true })
  })

  it('a share for a group missing from supported_groups does not count', () => {
    expect(chooseGroup(policy(), ['secp256r1'], ['x25519'])).toEqual({ group: 'secp256r1', needsRetry: true })
  })

  it('no mutual group → groups, handshake_failure, naming what the client offered (even groups we do not implement)', () => {
    const error = refusal(() => chooseGroup(policy(), [], [], ['secp521r1', 'ffdhe2048']), 'groups', 'handshake_failure')
    expect([error.offered, error.allowed]).toEqual(['secp521r1, ffdhe2048', 'X25519MLKEM768, X25519, P-256, P-384'])
    const narrow = refusal(() => chooseGroup(policy({ groups: ['P-384'] }), ['x25519', 'secp256r1'], ['x25519']), 'groups', 'handshake_failure')
    expect([narrow.offered, narrow.allowed]).toEqual(['X25519, P-256', 'P-384'])
  })

  it('TLS 1.2: the first of our groups the client supports, else groups, handshake_failure', () => {
    expect(chooseGroup12(policy(), ['secp384r1', 'secp256r1'])).toBe('secp256r1')
    expect(refusal(() => chooseGroup12(policy(), [], ['secp521r1']), 'groups', 'handshake_failure').offered).toBe('secp521r1')
    expect(refusal(() => chooseGroup12(policy({ groups: ['X25519'] }), ['secp256r1']), 'groups', 'handshake_failure').offered).toBe('P-256')
  })

  it('TLS 1.2 never negotiates a hybrid: passed over by the server, refused from a ServerKeyExchange by the client', () => {
    expect(groupsFor(policy(), TLS12)).toEqual(['x25519', 'secp256r1', 'secp384r1'])
    expect(groupsFor(policy(), TLS13)).toEqual(['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1'])
    expect(chooseGroup12(policy(), ['X25519MLKEM768', 'secp384r1'])).toBe('secp384r1')
    const onlyHybrid = refusal(() => chooseGroup12(policy(), ['X25519MLKEM768']), 'groups', 'handshake_failure')
    expect([onlyHybrid.offered, onlyHybrid.allowed]).toEqual(['X25519MLKEM768', 'X25519, P-256, P-384'])
    expect(refusal(() => checkSelectedGroup12(policy({}, 'client'), 'X25519MLKEM768', 'X25519MLKEM768'), 'groups', 'illegal_parameter').allowed).toBe('X25519, P-256, P-384')
    expect(checkSelectedGroup12(policy({}, 'client'), 'x25519', 'x25519')).toBe('x25519')
    expect(checkSelectedGroup(policy({}, 'client'), 'X25519MLKEM768', 'X25519MLKEM768')).toBe('X25519MLKEM768')
  })

  it('server, TLS 1.3: the hybrid when the client sent its share; an offered X25519 share is used rather than an HRR for the hybrid', () => {
    expect(chooseGroup(policy(), ['X25519MLKEM768', 'x25519', 'secp256r1'], ['X25519MLKEM768', 'x25519'])).toEqual({ group: 'X25519MLKEM768', needsRetry: false })
    expect(chooseGroup(policy(), ['X25519MLKEM768', 'x25519'], ['x25519'])).toEqual({ group: 'x25519', needsRetry: false })
    expect(chooseGroup(policy({ groups: ['X25519MLKEM768'] }), ['x25519', 'X25519MLKEM768'], ['x25519'])).toEqual({ group: 'X25519MLKEM768', needsRetry: true })
  })

  it('client key shares: the first group, and the first classical one beside a hybrid (what browsers send)', () => {
    expect(keyShareGroups(policy({}, 'client'))).toEqual(['X25519MLKEM768', 'x25519'])
    expect(keyShareGroups(policy({ groups: ['P-256', 'X25519MLKEM768'] }, 'client'))).toEqual(['secp256r1'])
    expect(keyShareGroups(policy({ groups: ['SecP256r1MLKEM768', 'X25519MLKEM768', 'P-256', 'X25519'] }, 'client'))).toEqual(['SecP256r1MLKEM768', 'secp256r1'])
    expect(keyShareGroups(policy({ groups: ['X25519MLKEM768'] }, 'client'))).toEqual(['X25519MLKEM768'])
  })

  it('client: a group the server picks must be one we offered (an HRR for P-521 → groups, illegal_parameter)', () => {
    expect(checkSelectedGroup(policy({}, 'client'), 'secp384r1', 'secp384r1')).toBe('secp384r1')
    expect(refusal(() => checkSelectedGroup(policy({}, 'client'), undefined, 'secp521r1'), 'groups', 'illegal_parameter').offered).toBe('secp521r1')
    refusal(() => checkSelectedGroup(policy({ groups: ['X25519'] }, 'client'), 'secp256r1', 'secp256r1'), 'groups', 'illegal_parameter')
  })
})

describe('signature schemes', () => {
  it('ours first among those the peer accepts and that fit the key', () => {
    const fitsEcdsa = (s: number) => s === ECDSA_P256
    expect(chooseSignatureScheme(policy(), [RSA_PSS_SHA256, ED25519, ECDSA_P256], fitsEcdsa)).toBe(ECDSA_P256)
    expect(chooseSignatureScheme(policy(), [RSA_PSS_SHA256, ED25519, ECDSA_P256], () => true)).toBe(ECDSA_P256)
    expect(chooseSignatureScheme(policy({ signatureSchemes: ['ed25519', 'ecdsa_secp256r1_sha256'] }), [ECDSA_P256, ED25519], () => true)).toBe(ED25519)
  })

  it('nothing both accept that fits → signature schemes, handshake_failure', () => {
    const error = refusal(() => chooseSignatureScheme(policy(), [RSA_PKCS1_SHA1, RSA_PSS_SHA256], (s) => s === ECDSA_P256), 'signature schemes', 'handshake_failure')
    expect([error.offered, error.allowed]).toEqual(['rsa_pkcs1_sha1, rsa_pss_rsae_sha256', 'ecdsa_secp256r1_sha256'])
  })

  it('the peer signing with a scheme we did not offer → signature schemes, illegal_parameter', () => {
    checkPeerSignatureScheme(policy(), ED25519)
    expect(refusal(() => checkPeerSignatureScheme(policy(), RSA_PKCS1_SHA1), 'signature schemes', 'illegal_parameter').offered).toBe('rsa_pkcs1_sha1')
    refusal(() => checkPeerSignatureScheme(policy({ signatureSchemes: ['ecdsa_secp256r1_sha256'] }), ED25519), 'signature schemes', 'illegal_parameter')
  })
})

describe('ALPN', () => {
  const h2First = policy({ alpnProtocols: ['h2', 'http/1.1'] })
  const strict = policy({ alpnProtocols: ['h2'], alpnStrict: true })

  it("server preference: our first protocol the client offered", () => {
    expect(chooseAlpn(h2First, ['http/1.1', 'h2'])).toBe('h2')
    expect(chooseAlpn(h2First, ['http/1.1', 'spdy/3'])).toBe('http/1.1')
  })

  it('no overlap, not strict → no ALPN; client sent none, or we have none → no ALPN', () => {
    expect(chooseAlpn(h2First, ['spdy/3'])).toBeUndefined()
    expect(chooseAlpn(strict, undefined)).toBeUndefined()
    expect(chooseAlpn(policy(), ['h2'])).toBeUndefined()
  })

  it('strict × no overlap → alpn, no_application_protocol', () => {
    const error = refusal(() => chooseAlpn(strict, ['http/1.1', 'spdy/3']), 'alpn', 'no_application_protocol')
    expect([error.offered, error.allowed]).toEqual(['http/1.1, spdy/3', 'h2'])
  })

  it('client: the server selecting a protocol we did not offer → alpn, illegal_parameter', () => {
    checkSelectedAlpn(['h2'], 'h2')
    checkSelectedAlpn(['h2'], undefined)
    expect(refusal(() => checkSelectedAlpn(['h2'], 'http/1.1'), 'alpn', 'illegal_parameter').offered).toBe('http/1.1')
    refusal(() => checkSelectedAlpn([], 'h2'), 'alpn', 'illegal_parameter')
  })
})

describe('extended master secret (TLS 1.2)', () => {
  it('required by default: a peer without it → extended master secret, handshake_failure; optional when loosened', () => {
    checkExtendedMasterSecret(policy(), true)
    refusal(() => checkExtendedMasterSecret(policy(), false), 'extended master secret', 'handshake_failure')
    refusal(() => checkExtendedMasterSecret(policy({}, 'client'), false), 'extended master secret', 'handshake_failure')
    checkExtendedMasterSecret(policy({ requireExtendedMasterSecret: false }), false)
  })
})
