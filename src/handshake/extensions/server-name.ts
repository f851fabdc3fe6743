// server_name (RFC 6066 section 3): one host_name in ClientHello; an empty acknowledgement from the server.
import { TlsError, type AlertName } from '../../errors.js'
import type { Reader, Writer } from '../../record/codec.js'
import { HandshakeLimits } from '../messages/limits.js'
import { binaryStringToBytes, bytesToBinaryString, readList, writeList } from '../messages/wire.js'
import { ExtensionType } from '../registry.js'
import type { ExtensionCodec } from './extension.js'
import { emptyExtension } from './simple.js'

/** NameType: host_name is the only one defined. */
export const NameType = { host_name: 0 } as const

interface ServerName {
  readonly nameType: number
  readonly name: Uint8Array
}

/**
 * A HostName is an ASCII DNS name without a trailing dot: printable, no spaces, at most 255 bytes.
 * `alert` is illegal_parameter for a peer's name and internal_error for one we are about to send.
 */
export function checkHostName(name: string, alert: AlertName): void {
  const fail = (why: string): never => {
    throw new TlsError(alert, `server_name host_name ${why}`)
  }
  if (name.length === 0) fail('is empty')
  if (name.length > HandshakeLimits.maxHostNameLength) fail(`is ${name.length} bytes, longer than ${HandshakeLimits.maxHostNameLength}`)
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) fail(`has a byte 0x${c.toString(16)} that is not printable ASCII`)
  }
  if (name.endsWith('.')) fail('ends with a dot')
}

function readServerName(r: Reader): ServerName {
  return { nameType: r.u8('server_name name_type'), name: r.vec16('server_name HostName', 1) }
}

/** ClientHello: `ServerName server_name_list<1..2^16-1>` holding exactly one host_name; the value is the name. */
export const serverNameList: ExtensionCodec<string> = {
  type: ExtensionType.server_name,
  read(r: Reader): string {
    const names = readList(r, 2, 'server_name_list', readServerName, { minBytes: 1 })
    if (names.length !== 1) throw new TlsError('illegal_parameter', `server_name_list holds ${names.length} names; we accept exactly one`)
    const { nameType, name } = names[0]!
    if (nameType !== NameType.host_name) throw new TlsError('illegal_parameter', `server_name name_type ${nameType} is not host_name`)
    const host = bytesToBinaryString(name)
    checkHostName(host, 'illegal_parameter')
    return host
  },
  write(w: Writer, host: string): void {
    checkHostName(host, 'internal_error')
    const name = binaryStringToBytes(host, 'server_name')
    writeList(w, 2, [name], (inner, n) => inner.u8(NameType.host_name).vec16(n))
  },
}

/** ServerHello (TLS 1.2) and EncryptedExtensions: an empty body saying the server used the name. */
export const serverNameAck = emptyExtension(ExtensionType.server_name)
