// Secrets in the NSS key log format (SSLKEYLOGFILE), for Wireshark and for tests that must see inside records.
import { toHex } from '../bytes.js'
import type { HandshakeConfig } from './session.js'

export type KeyLogLabel =
  | 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'
  | 'SERVER_HANDSHAKE_TRAFFIC_SECRET'
  | 'CLIENT_TRAFFIC_SECRET_0'
  | 'SERVER_TRAFFIC_SECRET_0'
  | 'EXPORTER_SECRET'
  | 'CLIENT_RANDOM'

/** Writes one line when the connection has a key log; a no-op otherwise. */
export function logSecret(config: HandshakeConfig, label: KeyLogLabel, clientRandom: Uint8Array, secret: Uint8Array): void {
  config.keyLog?.(`${label} ${toHex(clientRandom)} ${toHex(secret)}`)
}
