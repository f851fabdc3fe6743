// Failures of the transport under a TLS socket, as TlsErrors that keep the socket's own error, and how a peer going away is told apart.
import { TlsError } from '../../errors.js'

/** The fields of a Node system error (net, dns) worth keeping on the TlsError that wraps it. */
interface SystemErrorFields {
  readonly code?: unknown
  readonly syscall?: unknown
  readonly errno?: unknown
  readonly address?: unknown
  readonly port?: unknown
}

/**
 * The socket under a TLS connection failed (refused, reset, timed out, a DNS failure…). `code` is always
 * `ERR_TLS_TRANSPORT`; the socket's own error is `cause`, and its `code` (ECONNREFUSED, ECONNRESET, EPIPE…),
 * `syscall`, `errno`, `address` and `port` are copied here as `transportCode`, `syscall`, `errno`, `address`, `port`.
 */
export class TlsTransportError extends TlsError {
  /** The socket's error code, e.g. `ECONNREFUSED`. */
  readonly transportCode: string | undefined
  /** The system call that failed, e.g. `connect`, `write`, `read`. */
  readonly syscall: string | undefined
  /** The (negative) libuv error number. */
  readonly errno: number | undefined
  /** The address the failed connect or bind was for. */
  readonly address: string | undefined
  /** The port the failed connect or bind was for. */
  readonly port: number | undefined
  /** The socket's own error. */
  override readonly cause: Error

  constructor(cause: Error) {
    super('internal_error', `transport: ${cause.message}`, 'ERR_TLS_TRANSPORT')
    this.name = 'TlsTransportError'
    this.cause = cause
    const fields = cause as SystemErrorFields
    this.transportCode = typeof fields.code === 'string' ? fields.code : undefined
    this.syscall = typeof fields.syscall === 'string' ? fields.syscall : undefined
    this.errno = typeof fields.errno === 'number' ? fields.errno : undefined
    this.address = typeof fields.address === 'string' ? fields.address : undefined
    this.port = typeof fields.port === 'number' ? fields.port : undefined
  }
}

/** Any failure as a TlsError: TlsErrors as they are, anything else wrapped as a TlsTransportError. */
export function asTlsError(error: unknown): TlsError {
  if (error instanceof TlsError) return error
  return new TlsTransportError(error instanceof Error ? error : new Error(String(error)))
}

const goneCodes = new Set(['EPIPE', 'ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END'])

/** Whether a socket error only says the peer went away (it reset, or closed while we were writing). */
export function peerWentAway(error: Error): boolean {
  const code = (error as SystemErrorFields).code
  return typeof code === 'string' && goneCodes.has(code)
}
