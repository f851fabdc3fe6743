// Tests for the numeric registries: names for codes, and the mapping to the provider's group names.
import { describe, expect, test } from 'vitest'
import {
  ExtensionType,
  HandshakeType,
  NamedGroup,
  extensionTypeName,
  handshakeTypeName,
  isKnownExtensionType,
  namedGroupCode,
  namedGroupName,
  providerGroupName,
} from './registry.js'

describe('registry', () => {
  test('names for codes, and unknown codes', () => {
    expect(handshakeTypeName(HandshakeType.certificate_verify)).toBe('certificate_verify')
    expect(handshakeTypeName(254)).toBe('message_hash')
    expect(handshakeTypeName(99)).toBe('unknown(99)')
    expect(extensionTypeName(0xff01)).toBe('renegotiation_info')
    expect(extensionTypeName(0x0a0a)).toBe('unknown(0x0a0a)')
    expect(isKnownExtensionType(ExtensionType.key_share)).toBe(true)
    expect(namedGroupName(0x0100)).toBe('ffdhe2048')
    expect(namedGroupName(0x11ec)).toBe('X25519MLKEM768')
    expect(namedGroupName(0x6399)).toBe('unknown(0x6399)')
  })

  test('RFC code points', () => {
    expect([NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1]).toEqual([0x1d, 0x17, 0x18, 0x19])
    expect([NamedGroup.ffdhe2048, NamedGroup.ffdhe8192]).toEqual([0x100, 0x104])
    // draft-ietf-tls-ecdhe-mlkem, IANA section.
    expect([NamedGroup.SecP256r1MLKEM768, NamedGroup.X25519MLKEM768, NamedGroup.SecP384r1MLKEM1024]).toEqual([4587, 4588, 4589])
    expect([ExtensionType.supported_versions, ExtensionType.key_share, ExtensionType.signature_algorithms_cert]).toEqual([43, 51, 50])
    expect([HandshakeType.key_update, HandshakeType.end_of_early_data, HandshakeType.encrypted_extensions]).toEqual([24, 5, 8])
  })

  test('provider group names map both ways', () => {
    for (const name of ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768', 'SecP256r1MLKEM768'] as const) expect(providerGroupName(namedGroupCode(name))).toBe(name)
    expect(providerGroupName(NamedGroup.SecP384r1MLKEM1024)).toBeUndefined()
    expect(providerGroupName(NamedGroup.secp521r1)).toBeUndefined()
    expect(providerGroupName(NamedGroup.ffdhe2048)).toBeUndefined()
  })
})
