// Unit tests of the policy: option validation at construction (TlsConfigError naming the option), defaults, freezing, the printed table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Chain, cleanupPki, makeChain } from '../../test/helpers/pki.js'
import { nobleProvider } from '../crypto/noble.js'
import { TlsConfigError } from '../errors.js'
import { type ContextOptions, createDefaultContext, type Purpose, type TlsContext } from '../handshake/context.js'
import { CONTEXT_DEFAULTS, DEFAULT_GROUPS, DEFAULT_MAX_CHAIN_DEPTH, DEFAULT_SIGNATURE_SCHEMES, TLS12, TLS13 } from './defaults.js'
import { formatPolicy, policyRows } from './policy.js'

let chain: Chain
beforeAll(async () => {
  chain = await makeChain()
})
afterAll(cleanupPki)

/** What each purpose needs to be valid at all: a client its CAs (no default roots are registered here), a server its certificate. */
function baseOptions(purpose: Purpose): ContextOptions {
  return purpose === 'server-auth' ? { ca: chain.rootPem } : { cert: chain.chainPem, key: chain.keyPem }
}

function context(purpose: Purpose, options: Record<string, unknown> = {}): TlsContext {
  return createDefaultContext(purpose, { ...baseOptions(purpose), ...options } as ContextOptions)
}

/** `make` must throw a TlsConfigError naming `option`; returns it. */
function configError(make: () => unknown, option: string): TlsConfigError {
  let thrown: unknown
  try {
    make()
  } catch (error) {
    thrown = error
  }
  expect(thrown, 'no error was thrown').toBeInstanceOf(TlsConfigError)
  const error = thrown as TlsConfigError
  expect(error.option).toBe(option)
  expect(error.code).toBe('ERR_TLS_CONFIG')
  expect(error.message.startsWith(`${option}: `)).toBe(true)
  return error
}

interface Mistake {
  readonly what: string
  readonly purpose: Purpose
  readonly options: Record<string, unknown>
  readonly option: string
  readonly says: RegExp
}

const client = 'server-auth' as const
const server = 'client-auth' as const

const mistakes: Mistake[] = [
  { what: 'an unknown key (minversion)', purpose: client, options: { minversion: 'TLSv1.2' }, option: 'minversion', says: /not a known option/ },
  { what: "an unknown key from node:tls (rejectUnauthorized)", purpose: client, options: { rejectUnauthorized: false }, option: 'rejectUnauthorized', says: /not a known option/ },
  { what: 'an unknown key on a server (requestCert)', purpose: server, options: { requestCert: true }, option: 'requestCert', says: /not a known option/ },
  { what: 'minVersion as a number', purpose: client, options: { minVersion: 1.2 }, option: 'minVersion', says: /got number/ },
  { what: 'minVersion TLSv1.1', purpose: client, options: { minVersion: 'TLSv1.1' }, option: 'minVersion', says: /TLSv1\.1 is refused/ },
  { what: 'minVersion TLSv1', purpose: server, options: { minVersion: 'TLSv1' }, option: 'minVersion', says: /TLSv1 is refused/ },
  { what: 'maxVersion SSLv3', purpose: client, options: { maxVersion: 'SSLv3' }, option: 'maxVersion', says: /SSLv3 is refused/ },
  { what: 'maxVersion TLSv1.4', purpose: client, options: { maxVersion: 'TLSv1.4' }, option: 'maxVersion', says: /unknown version "TLSv1\.4"/ },
  { what: 'a minimum above the maximum', purpose: client, options: { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' }, option: 'minVersion', says: /TLSv1\.3 is above maxVersion TLSv1\.2/ },
  { what: 'cipherSuites as a string', purpose: client, options: { cipherSuites: 'TLS_AES_128_GCM_SHA256' }, option: 'cipherSuites', says: /non-empty array/ },
  { what: 'cipherSuites empty', purpose: server, options: { cipherSuites: [] }, option: 'cipherSuites', says: /non-empty array/ },
  { what: 'a cipher suite code instead of a name', purpose: client, options: { cipherSuites: [0x1301] }, option: 'cipherSuites', says: /must be strings, got number/ },
  { what: 'TLS_RSA_WITH_AES_128_CBC_SHA', purpose: client, options: { cipherSuites: ['TLS_RSA_WITH_AES_128_CBC_SHA'] }, option: 'cipherSuites', says: /"TLS_RSA_WITH_AES_128_CBC_SHA" is not implemented/ },
  { what: "OpenSSL's AES128-SHA", purpose: server, options: { cipherSuites: ['AES128-SHA'] }, option: 'cipherSuites', says: /"AES128-SHA" is not implemented/ },
  { what: 'ECDHE-ECDSA-AES128-SHA (CBC)', purpose: client, options: { cipherSuites: ['TLS_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-SHA'] }, option: 'cipherSuites', says: /"ECDHE-ECDSA-AES128-SHA" is not implemented/ },
  { what: 'TLS_AES_128_CCM_SHA256', purpose: client, options: { cipherSuites: ['TLS_AES_128_CCM_SHA256'] }, option: 'cipherSuites', says: /not implemented/ },
  { what: 'only TLS 1.2 suites with minVersion TLSv1.3', purpose: client, options: { minVersion: 'TLSv1.3', cipherSuites: ['ECDHE-RSA-AES128-GCM-SHA256'] }, option: 'cipherSuites', says: /none of the suites is usable with versions TLSv1\.3-TLSv1\.3/ },
  { what: 'only TLS 1.3 suites with maxVersion TLSv1.2', purpose: server, options: { maxVersion: 'TLSv1.2', cipherSuites: ['TLS_AES_128_GCM_SHA256'] }, option: 'cipherSuites', says: /none of the suites is usable/ },
  { what: 'group P-521', purpose: client, options: { groups: ['P-521'] }, option: 'groups', says: /"P-521" is not implemented/ },
  { what: 'group secp521r1', purpose: server, options: { groups: ['X25519', 'secp521r1'] }, option: 'groups', says: /"secp521r1" is not implemented/ },
  { what: 'group ffdhe2048', purpose: client, options: { groups: ['ffdhe2048'] }, option: 'groups', says: /"ffdhe2048" is not implemented/ },
  { what: 'group X448', purpose: client, options: { groups: ['X448'] }, option: 'groups', says: /not implemented/ },
  { what: 'groups as a string', purpose: client, options: { groups: 'X25519' }, option: 'groups', says: /non-empty array/ },
  { what: 'only the hybrid with maxVersion TLSv1.2', purpose: server, options: { maxVersion: 'TLSv1.2', groups: ['X25519MLKEM768'] }, option: 'groups', says: /X25519MLKEM768 is TLS 1\.3 only: with maxVersion TLSv1\.2 no group is left/ },
  { what: 'SecP384r1MLKEM1024 (not implemented)', purpose: client, options: { groups: ['SecP384r1MLKEM1024'] }, option: 'groups', says: /"SecP384r1MLKEM1024" is not implemented/ },
  { what: 'signature scheme rsa_pkcs1_sha1', purpose: client, options: { signatureSchemes: ['rsa_pkcs1_sha1'] }, option: 'signatureSchemes', says: /"rsa_pkcs1_sha1" is not implemented/ },
  { what: 'signature scheme ecdsa_sha1', purpose: server, options: { signatureSchemes: ['ecdsa_sha1'] }, option: 'signatureSchemes', says: /not implemented/ },
  { what: 'signature scheme ecdsa_secp521r1_sha512', purpose: client, options: { signatureSchemes: ['ecdsa_secp256r1_sha256', 'ecdsa_secp521r1_sha512'] }, option: 'signatureSchemes', says: /"ecdsa_secp521r1_sha512" is not implemented/ },
  { what: 'signature scheme ed448', purpose: client, options: { signatureSchemes: ['ed448'] }, option: 'signatureSchemes', says: /not implemented/ },
  { what: "verifyMode 'optional' on a client", purpose: client, options: { verifyMode: 'optional' }, option: 'verifyMode', says: /'optional' means nothing for a client/ },
  { what: "verifyMode 'sometimes'", purpose: server, options: { verifyMode: 'sometimes' }, option: 'verifyMode', says: /must be 'none', 'optional' or 'required'/ },
  { what: 'verifyMode as a boolean', purpose: client, options: { verifyMode: true }, option: 'verifyMode', says: /must be 'none', 'optional' or 'required'/ },
  { what: "checkHostname true with verifyMode 'none'", purpose: client, options: { verifyMode: 'none', checkHostname: true }, option: 'checkHostname', says: /cannot check the host name when verifyMode is 'none'/ },
  { what: 'checkHostname as a string', purpose: client, options: { checkHostname: 'yes' }, option: 'checkHostname', says: /must be a boolean, got string/ },
  { what: 'checkHostname true on a server', purpose: server, options: { checkHostname: true }, option: 'checkHostname', says: /no host name to check/ },
  { what: 'requireExtendedMasterSecret as a number', purpose: client, options: { requireExtendedMasterSecret: 1 }, option: 'requireExtendedMasterSecret', says: /must be a boolean/ },
  { what: 'alpnProtocols as a string', purpose: client, options: { alpnProtocols: 'h2' }, option: 'alpnProtocols', says: /must be an array/ },
  { what: 'an empty ALPN protocol', purpose: server, options: { alpnProtocols: ['h2', ''] }, option: 'alpnProtocols', says: /"" is not a valid ALPN protocol name/ },
  { what: 'an ALPN protocol of 256 bytes', purpose: client, options: { alpnProtocols: ['x'.repeat(256)] }, option: 'alpnProtocols', says: /not a valid ALPN protocol name/ },
  { what: 'an ALPN protocol with a control character', purpose: client, options: { alpnProtocols: ['h2\n'] }, option: 'alpnProtocols', says: /not a valid ALPN protocol name/ },
  { what: 'alpnStrict as a number', purpose: server, options: { alpnStrict: 1 }, option: 'alpnStrict', says: /must be a boolean, got number/ },
  { what: 'maxChainDepth 0', purpose: client, options: { maxChainDepth: 0 }, option: 'maxChainDepth', says: /integer from 1 to 16, got 0/ },
  { what: 'maxChainDepth 17', purpose: client, options: { maxChainDepth: 17 }, option: 'maxChainDepth', says: /got 17/ },
  { what: 'maxChainDepth 2.5', purpose: client, options: { maxChainDepth: 2.5 }, option: 'maxChainDepth', says: /got 2\.5/ },
  { what: 'maxChainDepth as a string', purpose: client, options: { maxChainDepth: '8' }, option: 'maxChainDepth', says: /got 8/ },
  { what: "certificateProfile 'lenient'", purpose: client, options: { certificateProfile: 'lenient' }, option: 'certificateProfile', says: /'web-pki' or 'private-pki', got "lenient"/ },
  { what: 'now as a string', purpose: client, options: { now: 'today' }, option: 'now', says: /must be a function/ },
  { what: 'keyLog as a path', purpose: client, options: { keyLog: '/tmp/keys.log' }, option: 'keyLog', says: /must be a function/ },
  { what: 'sessionTickets as a string', purpose: client, options: { sessionTickets: 'yes' }, option: 'sessionTickets', says: /must be a boolean, got string/ },
  { what: 'sessionTickets as a number', purpose: server, options: { sessionTickets: 1 }, option: 'sessionTickets', says: /must be a boolean, got number/ },
  { what: 'ca as a number', purpose: client, options: { ca: 42 }, option: 'ca', says: /must be PEM text or DER bytes/ },
  { what: 'ca text without a certificate', purpose: client, options: { ca: 'not a certificate' }, option: 'ca', says: /contains no certificate/ },
  { what: 'a key without its cert', purpose: client, options: { key: 'x' }, option: 'cert', says: /is required with key/ },
  { what: 'a cert without its key', purpose: client, options: { cert: 'x' }, option: 'key', says: /is required with cert/ },
  { what: 'a key that is not a key', purpose: server, options: { key: 'not a key' }, option: 'key', says: /cannot import the private key/ },
  { what: "verifyMode 'required' on a server without client CAs", purpose: server, options: { verifyMode: 'required' }, option: 'ca', says: /needs the client CAs in 'ca'/ },
  { what: "verifyMode 'optional' on a server without client CAs", purpose: server, options: { verifyMode: 'optional' }, option: 'ca', says: /needs the client CAs in 'ca'/ },
]

describe('createDefaultContext: each mistake is a TlsConfigError naming its option, at construction', () => {
  for (const { what, purpose, options, option, says } of mistakes) {
    it(`${purpose === client ? 'client' : 'server'} context × ${what} → ${option}`, () => {
      expect(configError(() => context(purpose, options), option).message).toMatch(says)
    })
  }

  it('server context × no certificate → cert', () => {
    expect(configError(() => createDefaultContext('client-auth', {}), 'cert').message).toMatch(/needs a certificate and key/)
  })

  it('client context × no ca and no default roots registered → ca', () => {
    expect(configError(() => createDefaultContext('server-auth', {}), 'ca').message).toMatch(/no CA given and no default roots/)
  })

  it("purpose 'server' (neither of Python's two) → purpose; options null → options", () => {
    configError(() => createDefaultContext('server' as Purpose, {}), 'purpose')
    configError(() => createDefaultContext('server-auth', null as unknown as ContextOptions), 'options')
  })

  it('client connection × no serverName while checkHostname → serverName; empty or non-string serverName → serverName', () => {
    const clientContext = context(client)
    expect(configError(() => clientContext.client(), 'serverName').message).toMatch(/required when checkHostname is on/)
    configError(() => clientContext.client({ serverName: '' }), 'serverName')
    configError(() => clientContext.client({ serverName: 42 as unknown as string }), 'serverName')
    expect(context(client, { checkHostname: false }).client().role).toBe('client')
  })

  it('client() on a server context and server() on a client context → purpose', () => {
    configError(() => context(server).client({ serverName: 'localhost' }), 'purpose')
    configError(() => context(client).server(), 'purpose')
  })
})

describe('accepted options shape the policy', () => {
  it('defaults: the client and server rows of CONTEXT_DEFAULTS, ECDHE groups, the schemes, depth 8', () => {
    for (const [purpose, role] of [[client, 'client'], [server, 'server']] as const) {
      const policy = context(purpose).policy
      const defaults = CONTEXT_DEFAULTS[role]
      expect(policy).toMatchObject({
        role,
        minVersion: defaults.minVersion,
        maxVersion: defaults.maxVersion,
        verifyMode: defaults.verifyMode,
        checkHostname: defaults.checkHostname,
        extendedMasterSecret: defaults.extendedMasterSecret,
        renegotiation: 'refused',
        compression: 'none',
        alpnProtocols: [],
        alpnStrict: false,
        maxChainDepth: DEFAULT_MAX_CHAIN_DEPTH,
        certificateProfile: 'web-pki',
      })
      expect(policy.groups).toEqual(DEFAULT_GROUPS)
      expect(policy.signatureSchemes).toEqual(DEFAULT_SIGNATURE_SCHEMES)
    }
    expect([CONTEXT_DEFAULTS.client.verifyMode, CONTEXT_DEFAULTS.client.checkHostname]).toEqual(['required', true])
    expect([CONTEXT_DEFAULTS.server.verifyMode, CONTEXT_DEFAULTS.server.checkHostname]).toEqual(['none', false])
  })

  it('default suites: AEAD only, ChaCha20 first with software AES (noble), AES-GCM first with hardware AES', () => {
    expect(nobleProvider.hasHardwareAes).toBe(false)
    expect(context(client).policy.cipherSuites).toEqual([0x1303, 0x1301, 0x1302, 0xcca9, 0xcca8, 0xc02b, 0xc02f, 0xc02c, 0xc030])
    const withAesNi = context(client, { provider: { ...nobleProvider, hasHardwareAes: true } }).policy
    expect(withAesNi.cipherSuites).toEqual([0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8])
  })

  it('cipherSuites: IANA and OpenSSL names, order kept, duplicates dropped, suites outside the versions dropped', () => {
    const names = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256']
    expect(context(client, { cipherSuites: names }).policy.cipherSuites).toEqual([0xc02b, 0x1302])
    expect(context(client, { cipherSuites: names, minVersion: 'TLSv1.3' }).policy.cipherSuites).toEqual([0x1302])
    expect(context(server, { cipherSuites: names, maxVersion: 'TLSv1.2' }).policy.cipherSuites).toEqual([0xc02b])
  })

  it('groups by any common name (prime256v1, X25519, secp384r1, P-256), duplicates dropped', () => {
    expect(context(client, { groups: ['prime256v1', 'X25519', 'secp384r1', 'P-256'] }).policy.groups).toEqual(['secp256r1', 'x25519', 'secp384r1'])
  })

  it('groups: the ML-KEM hybrids by their IANA names (any case OpenSSL and node:tls write them in), first by default', () => {
    expect(DEFAULT_GROUPS).toEqual(['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1'])
    expect(context(server, { groups: ['x25519mlkem768', 'SecP256r1MLKEM768', 'X25519MLKEM768', 'secp256r1mlkem768'] }).policy.groups).toEqual(['X25519MLKEM768', 'SecP256r1MLKEM768'])
    // A hybrid beside a classical group is fine with TLS 1.2 only: 1.2 uses the classical one.
    expect(context(client, { maxVersion: 'TLSv1.2', groups: ['X25519MLKEM768', 'P-256'] }).policy.groups).toEqual(['X25519MLKEM768', 'secp256r1'])
  })

  it("versions: TLS 1.3 only, TLS 1.2 only", () => {
    expect(context(client, { minVersion: 'TLSv1.3' }).policy).toMatchObject({ minVersion: TLS13, maxVersion: TLS13 })
    expect(context(server, { maxVersion: 'TLSv1.2' }).policy).toMatchObject({ minVersion: TLS12, maxVersion: TLS12 })
  })

  it("loosening is explicit: verifyMode 'none' turns hostname checking off; checkHostname false keeps verification", () => {
    expect(context(client, { verifyMode: 'none' }).policy).toMatchObject({ verifyMode: 'none', checkHostname: false })
    expect(context(client, { verifyMode: 'none', checkHostname: false }).policy).toMatchObject({ verifyMode: 'none', checkHostname: false })
    expect(context(client, { checkHostname: false }).policy).toMatchObject({ verifyMode: 'required', checkHostname: false })
    expect(context(client, { requireExtendedMasterSecret: false }).policy.extendedMasterSecret).toBe('optional')
    expect(context(client, { certificateProfile: 'private-pki' }).policy.certificateProfile).toBe('private-pki')
    expect(context(server, { certificateProfile: 'private-pki' }).policy.certificateProfile).toBe('private-pki')
  })

  it("server: verifyMode 'optional' and 'required' with client CAs; checkHostname false is accepted", () => {
    for (const verifyMode of ['optional', 'required'])
      expect(context(server, { verifyMode, ca: chain.rootPem }).policy).toMatchObject({ verifyMode, caSource: 'given' })
    expect(context(server, { checkHostname: false }).policy.checkHostname).toBe(false)
  })

  it('CA source: given when ca is passed, none for a server without ca', () => {
    expect(context(client).policy.caSource).toBe('given')
    expect(context(server).policy.caSource).toBe('none')
  })
})

describe('the policy is frozen', () => {
  it('the policy, its lists and the context cannot be changed', () => {
    const ctx = context(client, { alpnProtocols: ['h2'] })
    const { policy } = ctx
    for (const value of [policy, policy.cipherSuites, policy.groups, policy.signatureSchemes, policy.alpnProtocols, ctx])
      expect(Object.isFrozen(value)).toBe(true)
    expect(() => {
      ;(policy as { verifyMode: string }).verifyMode = 'none'
    }).toThrow(TypeError)
    expect(() => (policy.groups as string[]).push('secp521r1')).toThrow(TypeError)
    expect(() => (policy.alpnProtocols as string[]).splice(0)).toThrow(TypeError)
    expect([policy.verifyMode, policy.groups.length, policy.alpnProtocols]).toEqual(['required', 4, ['h2']])
  })

  it('changing the option arrays after construction changes nothing', () => {
    const cipherSuites = ['TLS_AES_128_GCM_SHA256']
    const groups = ['X25519']
    const alpnProtocols = ['h2']
    const { policy } = context(client, { cipherSuites, groups, alpnProtocols })
    cipherSuites.push('TLS_AES_256_GCM_SHA384')
    groups[0] = 'P-384'
    alpnProtocols.length = 0
    expect([policy.cipherSuites, policy.groups, policy.alpnProtocols]).toEqual([[0x1301], ['x25519'], ['h2']])
  })
})

describe('formatPolicy and describe(): a readable table', () => {
  it('one line per policyRows row, values aligned in one column after the widest name', () => {
    const ctx = context(client)
    const text = ctx.describe()
    expect(text).toBe(formatPolicy(ctx.policy))
    const rows = policyRows(ctx.policy)
    const lines = text.split('\n')
    expect(lines).toHaveLength(rows.length)
    const column = Math.max(...rows.map(([name]) => name.length)) + 2
    rows.forEach(([name, value], i) => {
      expect(lines[i]!.slice(0, column).trimEnd()).toBe(name)
      expect(lines[i]!.slice(column)).toBe(value)
    })
    expect(rows.map(([name]) => name)).toEqual([
      'role',
      'versions',
      'cipher suites',
      'groups',
      'signature schemes',
      'verify mode',
      'check hostname',
      'extended master secret',
      'renegotiation',
      'compression',
      'ALPN',
      'max chain depth',
      'certificate profile',
      'CA source',
    ])
  })

  it('client default × server default × a tightened client, row by row', () => {
    const row = (ctx: TlsContext, name: string) => policyRows(ctx.policy).find(([n]) => n === name)?.[1]
    const clientCtx = context(client)
    const serverCtx = context(server)
    const tight = context(client, { minVersion: 'TLSv1.3', groups: ['X25519'], alpnProtocols: ['h2', 'http/1.1'], maxChainDepth: 4 })
    expect(clientCtx.describe()).toMatch(/^role {2,}client$/m)
    expect(row(clientCtx, 'versions')).toBe('TLSv1.2 – TLSv1.3')
    expect(row(clientCtx, 'cipher suites')).toMatch(/^TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256/)
    expect(row(clientCtx, 'groups')).toBe('X25519MLKEM768, X25519, P-256, P-384')
    expect([row(clientCtx, 'verify mode'), row(clientCtx, 'check hostname'), row(clientCtx, 'CA source')]).toEqual(['required', 'true', 'given'])
    expect([row(serverCtx, 'role'), row(serverCtx, 'verify mode'), row(serverCtx, 'check hostname'), row(serverCtx, 'CA source')]).toEqual(['server', 'none', 'false', 'none'])
    expect([row(serverCtx, 'extended master secret'), row(serverCtx, 'renegotiation'), row(serverCtx, 'compression'), row(serverCtx, 'ALPN')]).toEqual(['required', 'refused', 'none', '(none)'])
    expect([row(tight, 'versions'), row(tight, 'cipher suites'), row(tight, 'groups'), row(tight, 'ALPN'), row(tight, 'max chain depth')]).toEqual([
      'TLSv1.3 – TLSv1.3',
      'TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384',
      'X25519',
      'h2, http/1.1',
      '4',
    ])
    expect(row(context(server, { alpnProtocols: ['h2'], alpnStrict: true }), 'ALPN')).toBe('h2 (strict)')
    expect([row(clientCtx, 'certificate profile'), row(context(client, { certificateProfile: 'private-pki' }), 'certificate profile')]).toEqual(['web-pki', 'private-pki'])
  })
})
