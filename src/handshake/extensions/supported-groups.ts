// supported_groups (RFC 8446 section 4.2.7, RFC 8422 section 5.1.1): the NamedGroup codes a peer can use.
import { ExtensionType } from '../registry.js'
import { u16ListExtension } from './simple.js'

/** `NamedGroup named_group_list<2..2^16-1>`, in ClientHello and (TLS 1.3) EncryptedExtensions. */
export const supportedGroups = u16ListExtension(ExtensionType.supported_groups, 'named_group_list', 2, 2)
