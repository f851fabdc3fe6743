// connect() in tls.connect's signatures: options, port[, host][, options], path[, options], each with an optional secureConnect listener.
import * as net from 'node:net'
import { TlsConfigError } from '../../errors.js'
import { type ConnectOptions, clientPlan } from './options.js'
import { TlsSocket } from './socket.js'

/** The listener connect() adds for 'secureConnect': called once the handshake completed and the server was accepted (authorized, or let in by rejectUnauthorized: false). */
export type SecureConnectListener = () => void

/** node's argument forms folded into one options object; as in node, a host in `options` wins over a positional one. */
function normalize(args: readonly unknown[]): [ConnectOptions, SecureConnectListener | undefined] {
  const listener = typeof args[args.length - 1] === 'function' ? (args[args.length - 1] as SecureConnectListener) : undefined
  const rest = listener ? args.slice(0, -1) : [...args]
  const [first, second, third] = rest
  if (typeof first === 'object' && first !== null) return [{ ...(first as ConnectOptions) }, listener]
  const positional: ConnectOptions = {}
  let options: unknown
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    positional.port = Number(first)
    if (typeof second === 'string') {
      positional.host = second
      options = third
    } else options = second
  } else if (typeof first === 'string') {
    positional.path = first
    options = second
  } else throw new TlsConfigError('options', 'connect() takes options, port[, host][, options] or path[, options]')
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TlsConfigError('options', 'must be an object')
  return [{ ...positional, ...(options as ConnectOptions | undefined) }, listener]
}

/**
 * Connects and starts the handshake, as tls.connect: node's option names (rejectUnauthorized, servername,
 * ALPNProtocols, ca/cert/key, minVersion/maxVersion, ciphers, checkServerIdentity, session…) or ours.
 * `listener` is added for 'secureConnect'. Every option refused is a TlsConfigError thrown here.
 */
export function connect(options: ConnectOptions, listener?: SecureConnectListener): TlsSocket
/** connect(port, host, options, listener): a `host` in options wins, as in node. */
export function connect(port: number, host?: string, options?: ConnectOptions, listener?: SecureConnectListener): TlsSocket
/** connect(port, options, listener): to `options.host` (default 'localhost'). */
export function connect(port: number, options?: ConnectOptions, listener?: SecureConnectListener): TlsSocket
/** connect(path, options, listener): over a Unix socket or Windows pipe. */
export function connect(path: string, options?: ConnectOptions, listener?: SecureConnectListener): TlsSocket
/** The implementation of every form above. */
export function connect(...args: unknown[]): TlsSocket {
  const [options, listener] = normalize(args)
  const plan = clientPlan(options)
  // TCP half-close stays possible underneath, so our close_notify can follow data written after the peer's FIN.
  const tcp = (options.socket as net.Socket | undefined) ?? net.connect(plan.tcp)
  const socket = new TlsSocket(tcp, (hooks) => plan.context.client({ ...plan.start, keyLog: hooks.keyLog }), {
    allowHalfOpen: options.allowHalfOpen ?? false,
    rejectUnauthorized: plan.rejectUnauthorized,
    checkServerIdentity: plan.checkServerIdentity,
    hostname: plan.hostname,
    trustStore: plan.trustStore,
  })
  if (!options.socket && options.timeout) socket.setTimeout(options.timeout)
  if (listener) socket.once('secureConnect', listener)
  return socket
}
