// Tests over real messages (RFC 8448 section 3, tls13-example-traces.txt, an OpenSSL TLS 1.2 handshake): decode, inspect, re-encode byte for byte, survive corruption.
import { p256 } from '@noble/curves/nist.js'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { TlsError, type AlertName } from '../../errors.js'
import { fromHex, toHex } from '../../bytes.js'
import { alpnProtocols } from '../extensions/alpn.js'
import { cookie } from '../extensions/cookie.js'
import { ecPointFormats } from '../extensions/ec-point-formats.js'
import { earlyDataIndication } from '../extensions/early-data.js'
import { hasExtension, readExtension } from '../extensions/extension.js'
import { keyShareClientHello, keyShareHelloRetryRequest, keyShareServerHello } from '../extensions/key-share.js'
import { checkOfferedExtensions, offeredExtensionTypes } from '../extensions/placement.js'
import { preSharedKeyClientHello, preSharedKeyServerHello } from '../extensions/pre-shared-key.js'
import { pskKeyExchangeModes } from '../extensions/psk-key-exchange-modes.js'
import { recordSizeLimit } from '../extensions/record-size-limit.js'
import { renegotiationInfo } from '../extensions/renegotiation-info.js'
import { serverNameList } from '../extensions/server-name.js'
import { signatureAlgorithms } from '../extensions/signature-algorithms.js'
import { sessionTicket } from '../extensions/simple.js'
import { supportedGroups } from '../extensions/supported-groups.js'
import { supportedVersionsList } from '../extensions/supported-versions.js'
import { ExtensionType, HandshakeType, NamedGroup } from '../registry.js'
import { decodeCertificate, encodeCertificate } from './certificate.js'
import { decodeCertificateRequest, encodeCertificateRequest } from './certificate-request.js'
import { decodeCertificateRequestTls12, encodeCertificateRequestTls12 } from './certificate-request-tls12.js'
import { decodeCertificateTls12, encodeCertificateTls12 } from './certificate-tls12.js'
import { decodeCertificateVerify, encodeCertificateVerify } from './certificate-verify.js'
import { clientHelloOfferedTypes, decodeClientHello, encodeClientHello } from './client-hello.js'
import { decodeClientKeyExchangeEcdhe, encodeClientKeyExchangeEcdhe } from './client-key-exchange.js'
import { decodeEmptyMessage, encodeEmptyMessage } from './empty-messages.js'
import { decodeEncryptedExtensions, encodeEncryptedExtensions } from './encrypted-extensions.js'
import { decodeFinished, encodeFinished } from './finished.js'
import { decodeHandshakeMessage } from './handshake-message.js'
import { decodeNewSessionTicket, encodeNewSessionTicket, maxEarlyDataSize } from './new-session-ticket.js'
import { truncatedClientHello, withPskBinders } from './psk-binders.js'
import { decodeServerHello, encodeServerHello } from './server-hello.js'
import {
  decodeServerKeyExchangeEcdhe,
  encodeServerEcdhParams,
  encodeServerKeyExchangeEcdhe,
  serverKeyExchangeSignedData,
} from './server-key-exchange.js'

/** RFC 8448 section 3, as printed in the RFC (the same bytes are in test-vectors/data/rfc8448-simple-1rtt.json). */
const rfc8448 = {
  /** ClientHello */
  ClientHello: `
    010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece700000613011303130201
    0000910000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400
    230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b00
    03020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c
    00024001
  `,
  /** ServerHello */
  ServerHello: `
    020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e00330024
    001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304
  `,
  /** EncryptedExtensions */
  EncryptedExtensions: `
    080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000
  `,
  /** Certificate */
  Certificate: `
    0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a
    06035504031303727361301e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a
    0603550403130372736130819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d98
    0836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced4312
    0998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d0
    3e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b060355
    1d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f
    8a7b337d2df7a594365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102
    702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8
    f8961229ac9187b42b4de10000
  `,
  /** CertificateVerify */
  CertificateVerify: `
    0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90db78e2d3
    3a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c
    9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3
  `,
  /** ServerFinished */
  ServerFinished: `
    140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718
  `,
  /** ClientFinished */
  ClientFinished: `
    14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61
  `,
}

/** tls13-example-traces.txt (a rebuild of RFC 8448 sections 4-7 with its own random values). */
const traces = {
  /** section 3: NewSessionTicket with early_data max size */
  newSessionTicket: `
    040000c90000001e933d093202000000b2f35edae4e60404d6f40fa17f000000008393d163fb4f5f105fe2056caeb32a
    c7007070045931026db07d58dd58090d629af59ecb7fba353d5d9653a708fbcf0f515c1b82db6b08977179dfc684d22f
    cf7bd5c12222ab63ffd9d2bc46176d144ae98ad93416894822ac5064065f92995a6f052fa3a731703657817ea7a8de73
    148661768f7f62098fb45c0a9dde04a9cf1aa4206f13dd055df3ed5fa681bbf876e362ad9c0a68d2b5266c79aa806cbf
    e6113b0008002a000400000400
  `,
  /** section 4: ClientHello offering a PSK and early data, binder included */
  resumptionClientHello: `
    010001fc0303750e184c0c28d365ffab68b74cb202fdb495ad19f527c6e6cebec35b443b9b3500000613011303130201
    0001cd0000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400
    3300260024001d00205839e32b2b0e47211ff3098d998ed0379a07b299b846585b7fab62c61357d174002a0000002b00
    03020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c
    000240010015005700000000000000000000000000000000000000000000000000000000000000000000000000000000
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
    2900dd00b800b2f35edae4e60404d6f40fa17f000000008393d163fb4f5f105fe2056caeb32ac7007070045931026db0
    7d58dd58090d629af59ecb7fba353d5d9653a708fbcf0f515c1b82db6b08977179dfc684d22fcf7bd5c12222ab63ffd9
    d2bc46176d144ae98ad93416894822ac5064065f92995a6f052fa3a731703657817ea7a8de73148661768f7f62098fb4
    5c0a9dde04a9cf1aa4206f13dd055df3ed5fa681bbf876e362ad9c0a68d2b5266c79aa806cbfe6113b933d0937002120
    718cd8f22e8ed71d1a23f7c88f63d45487afe58157cbc57e66bd1323e41a8cd8
  `,
  /** section 4: the same ClientHello truncated before its binders */
  resumptionClientHelloPrefix: `
    010001fc0303750e184c0c28d365ffab68b74cb202fdb495ad19f527c6e6cebec35b443b9b3500000613011303130201
    0001cd0000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400
    3300260024001d00205839e32b2b0e47211ff3098d998ed0379a07b299b846585b7fab62c61357d174002a0000002b00
    03020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c
    000240010015005700000000000000000000000000000000000000000000000000000000000000000000000000000000
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
    2900dd00b800b2f35edae4e60404d6f40fa17f000000008393d163fb4f5f105fe2056caeb32ac7007070045931026db0
    7d58dd58090d629af59ecb7fba353d5d9653a708fbcf0f515c1b82db6b08977179dfc684d22fcf7bd5c12222ab63ffd9
    d2bc46176d144ae98ad93416894822ac5064065f92995a6f052fa3a731703657817ea7a8de73148661768f7f62098fb4
    5c0a9dde04a9cf1aa4206f13dd055df3ed5fa681bbf876e362ad9c0a68d2b5266c79aa806cbfe6113b933d0937
  `,
  /** section 4: ServerHello selecting PSK identity 0 */
  resumptionServerHello: `
    0200005c0303f79e0c03e63dcb0fafdc441f79065e0409a2ef2360f3c6549682ffb72395f9d200130100003400290002
    000000330024001d00207abd53026c45bd7be12f6c4db9d226a9b1527a76c825c07722201a314ae90d21002b00020304
  `,
  /** section 4: EncryptedExtensions accepting early data */
  resumptionEncryptedExtensions: `
    080000280026000a00140012001d00170018001901000101010201030104001c0002400100000000002a0000
  `,
  /** section 4: EndOfEarlyData */
  endOfEarlyData: `
    05000000
  `,
  /** section 5: ClientHello with an x25519 share only */
  hrrClientHello1: `
    010000b00303c05333f1e168f732427e91815a093c990115f161130c68e9be3e563610ee948700000613011303130201
    0000810000000b0009000006736572766572ff01000100000a00080006001d00170018003300260024001d0020f7dead
    1d79f3fd2379002489bbe689b3b16bbc419c812fa617a6fb0a99a17117002b0003020304000d0020001e040305030603
    020308040805080604010501060102010402050206020202002d00020101001c00024001
  `,
  /** section 5: HelloRetryRequest selecting secp256r1, with a cookie */
  helloRetryRequest: `
    020000ac0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c00130100008400330002
    0017002c00740072c8a457e4f6d9b8f485a6fbb2000000000944e8ada9c6414d2412d66659d64678003023f9de457f1f
    09e31dd322cfe0dc9147b7dc3ec0c577b010a0b0a8f28784226e0f061797aa37e95da2c006d12af13e0745b0d04918d1
    4d429a0d50808857736687baff6d07c4682a007c62c3cb4afcb3002b00020304
  `,
  /** section 5: second ClientHello with a P-256 share and the cookie */
  hrrClientHello2: `
    010001fc0303c05333f1e168f732427e91815a093c990115f161130c68e9be3e563610ee948700000613011303130201
    0001cd0000000b0009000006736572766572ff01000100000a00080006001d001700180033004700450017004104a8d6
    b4fc93bfb595d867814c45689f74708a33714a9340fe795d7958ef47fd56039baa382032f78d4c4bca4f24f65560b53b
    1c076be41bcc099856758545a898002b0003020304000d0020001e040305030603020308040805080604010501060102
    010402050206020202002c00740072c8a457e4f6d9b8f485a6fbb2000000000944e8ada9c6414d2412d66659d6467800
    3023f9de457f1f09e31dd322cfe0dc9147b7dc3ec0c577b010a0b0a8f28784226e0f061797aa37e95da2c006d12af13e
    0745b0d04918d14d429a0d50808857736687baff6d07c4682a007c62c3cb4afcb3002d00020101001c00024001001500
    af0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
    000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
    0000000000000000000000000000000000000000000000000000000000000000
  `,
  /** section 5: ServerHello with a P-256 share */
  hrrServerHello: `
    020000770303609dd3f4138c66761c3727cd0f34f183b3b9cf192a803901f6daebd0d6f3a00e00130100004f00330045
    00170041045d8b37a392a9a1ffc6edddd6a17292dd97e65d56585f78ee7ee926c59e00eae233d108a2779fb1f09c29c4
    7709da29592e13054f9d53c1d58d806b36da0a2337002b00020304
  `,
  /** section 6: CertificateRequest */
  certificateRequest: `
    0d000027000024000d0020001e040305030603020308040805080604010501060102010402050206020202
  `,
  /** section 6: Certificate with an ECDSA P-256 certificate */
  ecdsaCertificate: `
    0b00013b000001370001323082012e3081d5a003020102020107300a06082a8648ce3d04030230133111300f06035504
    0313086563647361323536301e170d3136303733303031323430305a170d3236303733303031323430305a3013311130
    0f0603550403130865636473613235363059301306072a8648ce3d020106082a8648ce3d0301070342000408d5301615
    75f4cfe7f154ee3448180086001e88431a79ee62ee6e2f83ef38ba61e9fb37f34e007a7df4d2f5b56d1f04ece45d621f
    468406f5c3a15158948dd0a31a301830090603551d1304023000300b0603551d0f040403020780300a06082a8648ce3d
    0403020348003045022100df30fd4507f5edd22c1a6ff86db479ca693feeca3b71b3f9ef556b2937c0594d022062e2a4
    7250d320fea83c7e2dcb5b76a50e0200c09adbd13fee946e513e011d110000
  `,
  /** section 6: CertificateVerify with ecdsa_secp256r1_sha256 */
  ecdsaCertificateVerify: `
    0f00004a04030046304402202db4567831312879703ffa3d6e65f2990e097b7b16b48c3fc47230080d75383c02205256
    54b97e703bebfd5a16c2eda7059e7f5671ff103602fddc670fea14636fdd
  `,
  /** section 7: compatibility-mode ClientHello with a 32-byte legacy_session_id */
  compatClientHello: `
    010000dc030334be3c0e652c61b1090c0a1e6980933aafdbead07e5ab9a6215aae7a2cd28fa5208e4c8896fb27883942
    4e5876df5ff22cdbb6a070ee4801a7c822d04a7648d77c00061301130313020100008d0000000b000900000673657276
    6572ff01000100000a00140012001d00170018001901000101010201030104003300260024001d0020f202d8341fd355
    fcbea0918f1bff8ea9c0758bba29105fce18ad7edbb1f2e353002b0003020304000d0020001e04030503060302030804
    0805080604010501060102010402050206020202002d00020101001c00024001
  `,
  /** section 7: ServerHello echoing that session id */
  compatServerHello: `
    020000760303a46b7d819906bd95d1ab068ae1de21ba62828d34d34294d18434814914d2348d208e4c8896fb27883942
    4e5876df5ff22cdbb6a070ee4801a7c822d04a7648d77c130100002e00330024001d0020efe3845b1e8f27cd3ac6d080
    d0767044c612a141f2194fe74aec61b9af5df26a002b00020304
  `,
}

/**
 * A TLS 1.2 ECDHE-ECDSA handshake with client authentication between OpenSSL 3.0 s_client and s_server
 * (self-signed P-256 certificate, X25519), captured with `s_client -msg`.
 */
const openssl12 = {
  clientHello: `
    010000ce0303d263404e40b8cfaa4ce9a59198d17c5d2615a9c1e35a0eb5c06908772ab9f5e4000038c02cc030009fcc
    a9cca8ccaac02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d003c0035002f00
    ff0100006d0000000e000c0000096c6f63616c686f7374000b000403000102000a000c000a001d0017001e0019001800
    2300000010000500030268320016000000170000000d002a0028040305030603080708080809080a080b080408050806
    040105010601030303010302040205020602
  `,
  serverHello: `
    02000059030351a23c14180af34ecf8fff2160317bd476f7d64a50d8d9e2198b7d5c47685eec202823c1fd3109dafe95
    a937264209d1d02277e9c9d736238312982521b2d8afa5c02c000011ff01000100000b00040300010200170000
  `,
  serverCertificate: `
    0b0001880001850001823082017e30820123a00302010202144d172933a17d642d16b714afde03fc08ae6173de300a06
    082a8648ce3d04030230143112301006035504030c096c6f63616c686f7374301e170d3236313132363232333635315a
    170d3236313132373232333635315a30143112301006035504030c096c6f63616c686f73743059301306072a8648ce3d
    020106082a8648ce3d030107034200047a66d2ac9bf32cb5cc4fb75f732bfcfc8f669bc684e68ab8b59e67024474c9eb
    b9079e604de6b21b78ffe62d8d9c89e0e5d6331f43a00e3de37beed27833de45a3533051301d0603551d0e04160414c5
    73b86cc04d0c4ba57ec6d2971e220cc8e7d925301f0603551d23041830168014c573b86cc04d0c4ba57ec6d2971e220c
    c8e7d925300f0603551d130101ff040530030101ff300a06082a8648ce3d0403020349003046022100b6d1154564819e
    7521120f44928026f6902a34b7ecda2707a45e7c8624d865c3022100b051f37b0d46a101384f64041896a49debecaa61
    238ac999c86afe2fe7ad8972
  `,
  serverKeyExchange: `
    0c00006f03001d20a5d170ff5b1eb1172494c9bfc71eddd125cb1e847dfd0aa3ab9fa9cf978e205b0403004730450221
    00b1f46fc95e90069c2257a0f622cc989c2104312d4378e0812532d732c9a81db802201e0708f3ce961589b7398f1220
    a60d69da16e5b812eb79930649fee4611d9d4b
  `,
  certificateRequest: `
    0d000030030102400028040305030603080708080809080a080b08040805080604010501060103030301030204020502
    06020000
  `,
  serverHelloDone: `
    0e000000
  `,
  clientCertificate: `
    0b0001880001850001823082017e30820123a00302010202144d172933a17d642d16b714afde03fc08ae6173de300a06
    082a8648ce3d04030230143112301006035504030c096c6f63616c686f7374301e170d3236313132363232333635315a
    170d3236313132373232333635315a30143112301006035504030c096c6f63616c686f73743059301306072a8648ce3d
    020106082a8648ce3d030107034200047a66d2ac9bf32cb5cc4fb75f732bfcfc8f669bc684e68ab8b59e67024474c9eb
    b9079e604de6b21b78ffe62d8d9c89e0e5d6331f43a00e3de37beed27833de45a3533051301d0603551d0e04160414c5
    73b86cc04d0c4ba57ec6d2971e220cc8e7d925301f0603551d23041830168014c573b86cc04d0c4ba57ec6d2971e220c
    c8e7d925300f0603551d130101ff040530030101ff300a06082a8648ce3d0403020349003046022100b6d1154564819e
    7521120f44928026f6902a34b7ecda2707a45e7c8624d865c3022100b051f37b0d46a101384f64041896a49debecaa61
    238ac999c86afe2fe7ad8972
  `,
  clientKeyExchange: `
    1000002120bee36c9affe647ab4d0a78e0a6eca2af1f3201a1ece420c69f17b377a6cec533
  `,
  certificateVerify: `
    0f00004c040300483046022100f5fa304f36a9905635bf860239aa084db3d14fb37efbcf967346500e40e2c701022100
    aa87e6dbee32282d5bb98e0c5b77a1d65c56fe7bebb7ea0ff4c3169147cf0382
  `,
  clientFinished: `
    1400000ca8df04bf8de447f23587a0e6
  `,
}

const bytes = (hex: string): Uint8Array => fromHex(hex)
const alert = (name: AlertName) => expect.objectContaining({ name: 'TlsError', alert: name })

/** Splits a vector into header and body, checking the type. */
function bodyOf(hex: string, type: number): Uint8Array {
  const message = decodeHandshakeMessage(bytes(hex))
  expect(message.type).toBe(type)
  return message.body
}

/** Every message decodes with its decoder and re-encodes to the very same bytes. */
const roundTrips: [string, string, number, (body: Uint8Array) => Uint8Array][] = [
  ['RFC 8448 ClientHello', rfc8448.ClientHello, HandshakeType.client_hello, (b) => encodeClientHello(decodeClientHello(b))],
  ['RFC 8448 ServerHello', rfc8448.ServerHello, HandshakeType.server_hello, (b) => encodeServerHello(decodeServerHello(b))],
  ['RFC 8448 EncryptedExtensions', rfc8448.EncryptedExtensions, HandshakeType.encrypted_extensions, (b) => encodeEncryptedExtensions(decodeEncryptedExtensions(b))],
  ['RFC 8448 Certificate', rfc8448.Certificate, HandshakeType.certificate, (b) => encodeCertificate(decodeCertificate(b))],
  ['RFC 8448 CertificateVerify', rfc8448.CertificateVerify, HandshakeType.certificate_verify, (b) => encodeCertificateVerify(decodeCertificateVerify(b))],
  ['RFC 8448 server Finished', rfc8448.ServerFinished, HandshakeType.finished, (b) => encodeFinished(decodeFinished(b, 32))],
  ['RFC 8448 client Finished', rfc8448.ClientFinished, HandshakeType.finished, (b) => encodeFinished(decodeFinished(b, 32))],
  ['NewSessionTicket', traces.newSessionTicket, HandshakeType.new_session_ticket, (b) => encodeNewSessionTicket(decodeNewSessionTicket(b))],
  ['resumption ClientHello', traces.resumptionClientHello, HandshakeType.client_hello, (b) => encodeClientHello(decodeClientHello(b))],
  ['resumption ServerHello', traces.resumptionServerHello, HandshakeType.server_hello, (b) => encodeServerHello(decodeServerHello(b))],
  ['resumption EncryptedExtensions', traces.resumptionEncryptedExtensions, HandshakeType.encrypted_extensions, (b) => encodeEncryptedExtensions(decodeEncryptedExtensions(b))],
  ['EndOfEarlyData', traces.endOfEarlyData, HandshakeType.end_of_early_data, (b) => (decodeEmptyMessage(HandshakeType.end_of_early_data, b), encodeEmptyMessage(HandshakeType.end_of_early_data))],
  ['HRR ClientHello1', traces.hrrClientHello1, HandshakeType.client_hello, (b) => encodeClientHello(decodeClientHello(b))],
  ['HelloRetryRequest', traces.helloRetryRequest, HandshakeType.server_hello, (b) => encodeServerHello(decodeServerHello(b))],
  ['HRR ClientHello2', traces.hrrClientHello2, HandshakeType.client_hello, (b) => encodeClientHello(decodeClientHello(b))],
  ['HRR ServerHello', traces.hrrServerHello, HandshakeType.server_hello, (b) => encodeServerHello(decodeServerHello(b))],
  ['CertificateRequest', traces.certificateRequest, HandshakeType.certificate_request, (b) => encodeCertificateRequest(decodeCertificateRequest(b))],
  ['ECDSA Certificate', traces.ecdsaCertificate, HandshakeType.certificate, (b) => encodeCertificate(decodeCertificate(b))],
  ['ECDSA CertificateVerify', traces.ecdsaCertificateVerify, HandshakeType.certificate_verify, (b) => encodeCertificateVerify(decodeCertificateVerify(b))],
  ['compatibility ClientHello', traces.compatClientHello, HandshakeType.client_hello, (b) => encodeClientHello(decodeClientHello(b))],
  ['compatibility ServerHello', traces.compatServerHello, HandshakeType.server_hello, (b) => encodeServerHello(decodeServerHello(b))],
  ['OpenSSL 1.2 ClientHello', openssl12.clientHello, HandshakeType.client_hello, (b) => encodeClientHello(decodeClientHello(b))],
  ['OpenSSL 1.2 ServerHello', openssl12.serverHello, HandshakeType.server_hello, (b) => encodeServerHello(decodeServerHello(b))],
  ['OpenSSL 1.2 server Certificate', openssl12.serverCertificate, HandshakeType.certificate, (b) => encodeCertificateTls12(decodeCertificateTls12(b))],
  ['OpenSSL 1.2 ServerKeyExchange', openssl12.serverKeyExchange, HandshakeType.server_key_exchange, (b) => encodeServerKeyExchangeEcdhe(decodeServerKeyExchangeEcdhe(b))],
  ['OpenSSL 1.2 CertificateRequest', openssl12.certificateRequest, HandshakeType.certificate_request, (b) => encodeCertificateRequestTls12(decodeCertificateRequestTls12(b))],
  ['OpenSSL 1.2 ServerHelloDone', openssl12.serverHelloDone, HandshakeType.server_hello_done, (b) => (decodeEmptyMessage(HandshakeType.server_hello_done, b), encodeEmptyMessage(HandshakeType.server_hello_done))],
  ['OpenSSL 1.2 client Certificate', openssl12.clientCertificate, HandshakeType.certificate, (b) => encodeCertificateTls12(decodeCertificateTls12(b))],
  ['OpenSSL 1.2 ClientKeyExchange', openssl12.clientKeyExchange, HandshakeType.client_key_exchange, (b) => encodeClientKeyExchangeEcdhe(decodeClientKeyExchangeEcdhe(b))],
  ['OpenSSL 1.2 CertificateVerify', openssl12.certificateVerify, HandshakeType.certificate_verify, (b) => encodeCertificateVerify(decodeCertificateVerify(b))],
  ['OpenSSL 1.2 client Finished', openssl12.clientFinished, HandshakeType.finished, (b) => encodeFinished(decodeFinished(b, 12))],
]

describe('vectors re-encode byte for byte', () => {
  test.each(roundTrips)('%s', (_name, hex, type, roundTrip) => {
    expect(toHex(roundTrip(bodyOf(hex, type)))).toBe(toHex(bytes(hex)))
  })
})

describe('RFC 8448 section 3', () => {
  test('ClientHello fields and extensions', () => {
    const hello = decodeClientHello(bodyOf(rfc8448.ClientHello, HandshakeType.client_hello))
    expect(hello.legacyVersion).toBe(0x0303)
    expect(toHex(hello.random)).toBe('cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7')
    expect(hello.legacySessionId.length).toBe(0)
    expect(hello.cipherSuites).toEqual([0x1301, 0x1303, 0x1302])
    expect(hello.legacyCompressionMethods).toEqual([0])
    expect(hello.extensions.map((e) => e.type)).toEqual([
      ExtensionType.server_name,
      ExtensionType.renegotiation_info,
      ExtensionType.supported_groups,
      ExtensionType.session_ticket,
      ExtensionType.key_share,
      ExtensionType.supported_versions,
      ExtensionType.signature_algorithms,
      ExtensionType.psk_key_exchange_modes,
      ExtensionType.record_size_limit,
    ])
    expect(readExtension(hello.extensions, serverNameList)).toBe('server')
    expect(readExtension(hello.extensions, renegotiationInfo)?.length).toBe(0)
    expect(readExtension(hello.extensions, supportedGroups)).toEqual([0x1d, 0x17, 0x18, 0x19, 0x100, 0x101, 0x102, 0x103, 0x104])
    expect(readExtension(hello.extensions, sessionTicket)?.length).toBe(0)
    const shares = readExtension(hello.extensions, keyShareClientHello)!
    expect(shares.map((s) => s.group)).toEqual([NamedGroup.x25519])
    expect(toHex(shares[0]!.keyExchange)).toBe('99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c')
    expect(readExtension(hello.extensions, supportedVersionsList)).toEqual([0x0304])
    expect(readExtension(hello.extensions, signatureAlgorithms)).toEqual([
      0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202,
    ])
    expect(readExtension(hello.extensions, pskKeyExchangeModes)).toEqual([1])
    expect(readExtension(hello.extensions, recordSizeLimit)).toBe(0x4001)
    expect(readExtension(hello.extensions, alpnProtocols)).toBeUndefined()
  })

  test('ServerHello is TLS 1.3 with the server x25519 share', () => {
    const hello = decodeServerHello(bodyOf(rfc8448.ServerHello, HandshakeType.server_hello))
    expect(hello.kind).toBe('server_hello')
    expect(hello.version).toBe(0x0304)
    expect(hello.cipherSuite).toBe(0x1301)
    const share = readExtension(hello.extensions, keyShareServerHello)!
    expect(share.group).toBe(NamedGroup.x25519)
    expect(toHex(share.keyExchange)).toBe('c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f')
    const offered = offeredExtensionTypes(decodeClientHello(bodyOf(rfc8448.ClientHello, HandshakeType.client_hello)).extensions)
    expect(() => checkOfferedExtensions(hello.extensions, offered, hello.kind)).not.toThrow()
  })

  test('EncryptedExtensions, Certificate, CertificateVerify, Finished', () => {
    const ee = decodeEncryptedExtensions(bodyOf(rfc8448.EncryptedExtensions, HandshakeType.encrypted_extensions))
    expect(ee.extensions.map((e) => e.type)).toEqual([ExtensionType.supported_groups, ExtensionType.record_size_limit, ExtensionType.server_name])
    const certificate = decodeCertificate(bodyOf(rfc8448.Certificate, HandshakeType.certificate))
    expect(certificate.certificateRequestContext.length).toBe(0)
    expect(certificate.certificateList.length).toBe(1)
    expect(certificate.certificateList[0]!.certData.length).toBe(0x1b0)
    expect(certificate.certificateList[0]!.extensions).toEqual([])
    const verify = decodeCertificateVerify(bodyOf(rfc8448.CertificateVerify, HandshakeType.certificate_verify))
    expect(verify.algorithm).toBe(0x0804)
    expect(verify.signature.length).toBe(128)
    const finishedBody = bodyOf(rfc8448.ServerFinished, HandshakeType.finished)
    expect(toHex(decodeFinished(finishedBody, 32).verifyData)).toBe('9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718')
    expect(() => decodeFinished(finishedBody, 48)).toThrow(alert('decode_error'))
    expect(() => decodeFinished(finishedBody, 12)).toThrow(alert('decode_error'))
  })
})

describe('tls13-example-traces.txt', () => {
  test('resumption ClientHello: PSK offer, binders, early data', () => {
    const message = bytes(traces.resumptionClientHello)
    const hello = decodeClientHello(bodyOf(traces.resumptionClientHello, HandshakeType.client_hello))
    expect(hello.extensions.at(-1)!.type).toBe(ExtensionType.pre_shared_key)
    expect(hasExtension(hello.extensions, ExtensionType.padding)).toBe(true)
    expect(readExtension(hello.extensions, earlyDataIndication)).toBe(true)
    const offered = readExtension(hello.extensions, preSharedKeyClientHello)!
    expect(offered.identities.length).toBe(1)
    expect(offered.identities[0]!.identity.length).toBe(0xb2)
    expect(offered.identities[0]!.obfuscatedTicketAge).toBe(0x933d0937)
    expect(toHex(offered.binders[0]!)).toBe('718cd8f22e8ed71d1a23f7c88f63d45487afe58157cbc57e66bd1323e41a8cd8')
    expect(toHex(truncatedClientHello(message))).toBe(toHex(bytes(traces.resumptionClientHelloPrefix)))
    const placeholder = withPskBinders(message, [new Uint8Array(32)])
    expect(toHex(truncatedClientHello(placeholder))).toBe(toHex(bytes(traces.resumptionClientHelloPrefix)))
    expect(toHex(withPskBinders(placeholder, offered.binders))).toBe(toHex(message))
    expect(() => withPskBinders(message, [new Uint8Array(48)])).toThrow(alert('internal_error'))
    expect(() => truncatedClientHello(bytes(rfc8448.ClientHello))).toThrow(alert('internal_error'))
  })

  test('resumption ServerHello selects identity 0; EncryptedExtensions accepts early data', () => {
    const hello = decodeServerHello(bodyOf(traces.resumptionServerHello, HandshakeType.server_hello))
    expect(readExtension(hello.extensions, preSharedKeyServerHello)).toBe(0)
    const ee = decodeEncryptedExtensions(bodyOf(traces.resumptionEncryptedExtensions, HandshakeType.encrypted_extensions))
    expect(readExtension(ee.extensions, earlyDataIndication)).toBe(true)
  })

  test('HelloRetryRequest: kind, selected group, cookie echoed in ClientHello2', () => {
    const hello1 = decodeClientHello(bodyOf(traces.hrrClientHello1, HandshakeType.client_hello))
    const hrr = decodeServerHello(bodyOf(traces.helloRetryRequest, HandshakeType.server_hello))
    expect(hrr.kind).toBe('hello_retry_request')
    expect(hrr.version).toBe(0x0304)
    expect(readExtension(hrr.extensions, keyShareHelloRetryRequest)).toBe(NamedGroup.secp256r1)
    // cookie was not offered, yet is allowed in a HelloRetryRequest
    expect(hasExtension(hello1.extensions, ExtensionType.cookie)).toBe(false)
    expect(() => checkOfferedExtensions(hrr.extensions, offeredExtensionTypes(hello1.extensions), 'hello_retry_request')).not.toThrow()
    expect(() => checkOfferedExtensions(hrr.extensions, offeredExtensionTypes(hello1.extensions), 'server_hello')).toThrow(alert('unsupported_extension'))
    const hello2 = decodeClientHello(bodyOf(traces.hrrClientHello2, HandshakeType.client_hello))
    expect(toHex(readExtension(hello2.extensions, cookie)!)).toBe(toHex(readExtension(hrr.extensions, cookie)!))
    const shares = readExtension(hello2.extensions, keyShareClientHello)!
    expect(shares.map((s) => [s.group, s.keyExchange.length])).toEqual([[NamedGroup.secp256r1, 65]])
    expect(decodeServerHello(bodyOf(traces.hrrServerHello, HandshakeType.server_hello)).kind).toBe('server_hello')
  })

  test('CertificateRequest, ECDSA CertificateVerify, NewSessionTicket, compatibility mode', () => {
    const request = decodeCertificateRequest(bodyOf(traces.certificateRequest, HandshakeType.certificate_request))
    expect(request.certificateRequestContext.length).toBe(0)
    expect(readExtension(request.extensions, signatureAlgorithms)!.length).toBe(15)
    expect(decodeCertificateVerify(bodyOf(traces.ecdsaCertificateVerify, HandshakeType.certificate_verify)).algorithm).toBe(0x0403)
    const ticket = decodeNewSessionTicket(bodyOf(traces.newSessionTicket, HandshakeType.new_session_ticket))
    expect(ticket.ticketLifetime).toBe(30)
    expect(ticket.ticketAgeAdd).toBe(0x933d0932)
    expect(ticket.ticketNonce).toEqual(new Uint8Array(2))
    expect(ticket.ticket.length).toBe(0xb2)
    expect(maxEarlyDataSize(ticket)).toBe(0x400)
    const compatHello = decodeClientHello(bodyOf(traces.compatClientHello, HandshakeType.client_hello))
    const compatServer = decodeServerHello(bodyOf(traces.compatServerHello, HandshakeType.server_hello))
    expect(compatHello.legacySessionId.length).toBe(32)
    expect(toHex(compatServer.legacySessionIdEcho)).toBe(toHex(compatHello.legacySessionId))
  })
})

describe('an OpenSSL TLS 1.2 handshake', () => {
  test('ClientHello and ServerHello: TLS 1.2 extensions, offered check', () => {
    const hello = decodeClientHello(bodyOf(openssl12.clientHello, HandshakeType.client_hello))
    expect(hello.cipherSuites).toContain(0xc02b)
    expect(readExtension(hello.extensions, serverNameList)).toBe('localhost')
    expect(readExtension(hello.extensions, ecPointFormats)).toEqual([0, 1, 2])
    expect(readExtension(hello.extensions, supportedGroups)).toContain(NamedGroup.x25519)
    expect(readExtension(hello.extensions, alpnProtocols)).toEqual(['h2'])
    expect(hasExtension(hello.extensions, ExtensionType.extended_master_secret)).toBe(true)
    const server = decodeServerHello(bodyOf(openssl12.serverHello, HandshakeType.server_hello))
    expect(server.kind).toBe('server_hello_tls12')
    expect(server.version).toBe(0x0303)
    expect(server.cipherSuite).toBe(0xc02c)
    expect(server.legacySessionIdEcho.length).toBe(32)
    expect(readExtension(server.extensions, renegotiationInfo)?.length).toBe(0)
    // OpenSSL signals secure renegotiation with the SCSV, so renegotiation_info counts as offered
    expect(hasExtension(hello.extensions, ExtensionType.renegotiation_info)).toBe(false)
    expect(() => checkOfferedExtensions(server.extensions, offeredExtensionTypes(hello.extensions), server.kind)).toThrow(alert('unsupported_extension'))
    expect(() => checkOfferedExtensions(server.extensions, clientHelloOfferedTypes(hello), server.kind)).not.toThrow()
  })

  test('the ServerKeyExchange signature verifies over client_random + server_random + params', () => {
    const clientRandom = decodeClientHello(bodyOf(openssl12.clientHello, HandshakeType.client_hello)).random
    const serverRandom = decodeServerHello(bodyOf(openssl12.serverHello, HandshakeType.server_hello)).random
    const exchange = decodeServerKeyExchangeEcdhe(bodyOf(openssl12.serverKeyExchange, HandshakeType.server_key_exchange))
    expect(exchange.params.namedCurve).toBe(NamedGroup.x25519)
    expect(exchange.params.publicKey.length).toBe(32)
    expect(exchange.paramsBytes).toEqual(encodeServerEcdhParams(exchange.params))
    expect(exchange.algorithm).toBe(0x0403)
    const certificate = decodeCertificateTls12(bodyOf(openssl12.serverCertificate, HandshakeType.certificate)).certificateList[0]!
    const spkiPrefix = '3059301306072a8648ce3d020106082a8648ce3d030107034200'
    const keyAt = toHex(certificate).indexOf(spkiPrefix) / 2 + spkiPrefix.length / 2
    const publicKey = certificate.subarray(keyAt, keyAt + 65)
    const signed = serverKeyExchangeSignedData(clientRandom, serverRandom, exchange.paramsBytes)
    expect(p256.verify(exchange.signature, signed, publicKey, { format: 'der' })).toBe(true)
    signed[0]! ^= 1
    expect(p256.verify(exchange.signature, signed, publicKey, { format: 'der' })).toBe(false)
  })

  test('CertificateRequest, ClientKeyExchange, CertificateVerify fields', () => {
    const request = decodeCertificateRequestTls12(bodyOf(openssl12.certificateRequest, HandshakeType.certificate_request))
    expect(request.certificateTypes).toEqual([1, 2, 64])
    expect(request.supportedSignatureAlgorithms).toContain(0x0403)
    expect(request.certificateAuthorities).toEqual([])
    expect(decodeClientKeyExchangeEcdhe(bodyOf(openssl12.clientKeyExchange, HandshakeType.client_key_exchange)).publicKey.length).toBe(32)
    expect(decodeCertificateVerify(bodyOf(openssl12.certificateVerify, HandshakeType.certificate_verify)).algorithm).toBe(0x0403)
  })
})

describe('malformed real messages fail as TlsError, never TypeError/RangeError', () => {
  const clientHello = bodyOf(rfc8448.ClientHello, HandshakeType.client_hello)
  // Where the extensions block starts: cutting exactly there leaves a valid extension-less hello.
  const extensionsAt = 2 + 32 + 1 + 2 + 6 + 2

  test('truncating the RFC 8448 ClientHello at every offset is a decode_error', () => {
    for (let length = 0; length < clientHello.length; length++) {
      const cut = clientHello.subarray(0, length)
      if (length === extensionsAt) expect(decodeClientHello(cut).extensions).toEqual([])
      else expect(() => decodeClientHello(cut), `cut at ${length}`).toThrow(alert('decode_error'))
    }
  })

  test('truncating the framed message at every offset is a decode_error', () => {
    const message = bytes(rfc8448.ClientHello)
    for (let length = 0; length < message.length; length++) {
      expect(() => decodeHandshakeMessage(message.subarray(0, length))).toThrow(alert('decode_error'))
    }
  })

  const nonEmpty = roundTrips.filter(([, hex]) => bytes(hex).length > 4)

  test.each(nonEmpty)('random corruption of %s only ever raises TlsError', (_name, hex, type, decode) => {
    const body = bodyOf(hex, type)
    fc.assert(
      fc.property(fc.nat(body.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(body.length), (at, value, cut) => {
        const corrupted = body.slice(0, Math.max(cut, at + 1))
        corrupted[at] = value
        try {
          decode(corrupted)
        } catch (e) {
          expect(e).toBeInstanceOf(TlsError)
        }
      }),
      { numRuns: 300 },
    )
  })
})
