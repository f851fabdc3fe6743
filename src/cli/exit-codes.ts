// The exit codes of every pure-tls command, and the one place that turns an error into a message and a code.
import { CertificateVerificationError, TlsAlertReceivedError, TlsConfigError, TlsError, TlsPolicyError } from '../errors.js'
import { UsageError } from './args.js'

/** What a pure-tls command's exit status means. */
export const ExitCode = {
  /** The command did what was asked. */
  ok: 0,
  /** The connection, the handshake or the transfer failed (refused, reset, an alert, a policy refusal, a timeout). */
  failed: 1,
  /** The command line or a file it names is wrong (unknown option, unreadable PEM, a refused setting). */
  usage: 2,
  /** A certificate chain or host name did not verify. */
  verification: 3,
} as const

/** One of the values of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/** A Node system error's code (ECONNREFUSED, ENOENT…), found on the error or along its `cause` chain. */
function systemCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code
  }
  return undefined
}

/** The message for an error and the exit code it maps to; never throws, whatever the error is. */
export function describeFailure(error: unknown): { message: string; code: ExitCodeValue } {
  if (error instanceof UsageError) return { message: `${error.message} (see --help)`, code: ExitCode.usage }
  if (error instanceof TlsConfigError) return { message: `invalid setting ${error.message}`, code: ExitCode.usage }
  if (error instanceof CertificateVerificationError) {
    const detail = error.message.replace(/^certificate verify failed \([^)]*\) at depth \d+: /, '')
    return { message: `certificate verification failed: ${error.reason} at depth ${error.depth}: ${detail}`, code: ExitCode.verification }
  }
  if (error instanceof TlsAlertReceivedError) return { message: `the peer sent the fatal alert ${error.received}`, code: ExitCode.failed }
  if (error instanceof TlsPolicyError) return { message: `${error.message}; alert ${error.alert}`, code: ExitCode.failed }
  const system = systemCode(error)
  if (error instanceof TlsError) {
    return { message: `TLS error ${error.code}${system ? ` (${system})` : ''}, alert ${error.alert}: ${error.message}`, code: ExitCode.failed }
  }
  if (error instanceof Error) return { message: system ? `${error.message} (${system})` : error.message, code: ExitCode.failed }
  return { message: String(error), code: ExitCode.failed }
}

/** Prints `prefix: message` for the error on stderr and returns its exit code. */
export function reportFailure(prefix: string, error: unknown): ExitCodeValue {
  const failure = describeFailure(error)
  process.stderr.write(`${prefix}: ${failure.message}\n`)
  return failure.code
}
