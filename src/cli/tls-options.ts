// The options connect and serve share (versions, groups, suites, ALPN, key log), mapped onto ContextOptions.
import type { ContextOptions } from '../handshake/context.js'
import { type CommandSpec, type OptionSpec, type ParsedCommandLine, flag, listOption, stringOption, UsageError } from './args.js'
import { openKeyLog, type KeyLogFile } from './key-log.js'

/** The option specs every TLS command takes. */
export const tlsOptionSpecs: Readonly<Record<string, OptionSpec>> = {
  alpn: { type: 'string', value: 'LIST', multiple: true, help: 'ALPN protocols in preference order, e.g. h2,http/1.1 (RFC 7301)' },
  'min-version': { type: 'string', value: 'V', help: 'lowest version allowed: 1.2 or 1.3 (default 1.2)' },
  'max-version': { type: 'string', value: 'V', help: 'highest version allowed: 1.2 or 1.3 (default 1.3)' },
  'tls1.2': { type: 'boolean', help: 'TLS 1.2 only (same as --min-version 1.2 --max-version 1.2)' },
  'tls1.3': { type: 'boolean', help: 'TLS 1.3 only' },
  groups: { type: 'string', value: 'LIST', multiple: true, help: 'key-exchange groups in preference order: X25519, P-256, P-384' },
  ciphersuites: { type: 'string', value: 'LIST', multiple: true, help: 'cipher suites by IANA or OpenSSL name, e.g. TLS_AES_128_GCM_SHA256' },
  keylog: { type: 'string', value: 'FILE', help: 'append the session secrets to FILE for Wireshark (default: $SSLKEYLOGFILE, if set)' },
}

type VersionName = NonNullable<ContextOptions['minVersion']>

/** `1.2`, `TLSv1.2`, `tls1.2`… → `TLSv1.2`; older versions keep a name the policy refuses with its reason. */
function versionName(option: string, text: string): VersionName {
  const match = /^(?:tlsv?)?1\.([0-3])$/i.exec(text.trim())
  if (!match) throw new UsageError(`--${option}: unknown version ${JSON.stringify(text)}; use 1.2 or 1.3`)
  return (match[1] === '0' ? 'TLSv1' : `TLSv1.${match[1]}`) as VersionName
}

function versionRange(parsed: ParsedCommandLine): Pick<ContextOptions, 'minVersion' | 'maxVersion'> {
  const only12 = flag(parsed, 'tls1.2')
  const only13 = flag(parsed, 'tls1.3')
  if (only12 && only13) throw new UsageError('--tls1.2 and --tls1.3 exclude each other; use --min-version and --max-version for a range')
  if (only12) return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }
  if (only13) return { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }
  const min = stringOption(parsed, 'min-version')
  const max = stringOption(parsed, 'max-version')
  return {
    ...(min === undefined ? {} : { minVersion: versionName('min-version', min) }),
    ...(max === undefined ? {} : { maxVersion: versionName('max-version', max) }),
  }
}

/** The policy-shaping ContextOptions of the shared flags (the names are checked by the context, as TlsConfigErrors). */
export function policyOptionsFrom(parsed: ParsedCommandLine): ContextOptions {
  const alpnProtocols = listOption(parsed, 'alpn')
  const groups = listOption(parsed, 'groups')
  const cipherSuites = listOption(parsed, 'ciphersuites')
  return {
    ...versionRange(parsed),
    ...(alpnProtocols ? { alpnProtocols } : {}),
    ...(groups ? { groups: groups as ContextOptions['groups'] } : {}),
    ...(cipherSuites ? { cipherSuites: cipherSuites as ContextOptions['cipherSuites'] } : {}),
  }
}

/** The key log the flags and the environment ask for (see openKeyLog), or undefined. */
export function keyLogFrom(parsed: ParsedCommandLine): KeyLogFile | undefined {
  return openKeyLog(stringOption(parsed, 'keylog'))
}

/** A command spec with the shared TLS options added after its own. */
export function withTlsOptions(spec: CommandSpec): CommandSpec {
  return { ...spec, options: { ...spec.options, ...tlsOptionSpecs } }
}
