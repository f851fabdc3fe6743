// `pure-tls verify chain.pem`: our chain verification on the command line, in the spirit of `openssl verify`.
import { nobleProvider } from '../crypto/noble.js'
import { pemDecode } from '../crypto/pem.js'
import { TrustStore } from '../x509/trust-store.js'
import { mozillaTrustStore } from '../x509/roots/mozilla.js'
import { verifyCertificateChain, type Purpose } from '../x509/verify.js'
import { type CommandSpec, formatHelp, parseCommandLine, type ParsedCommandLine, stringOption, UsageError } from './args.js'
import { formatRows } from './describe.js'
import { ExitCode, reportFailure } from './exit-codes.js'
import { readTextFile } from './files.js'

/** The spec of `pure-tls verify`: its usage, options and --help. */
export const verifySpec: CommandSpec = {
  name: 'verify',
  usage: 'CHAIN.pem [options]',
  description: [
    'Verifies a certificate chain the way a pure-tls handshake does (RFC 5280 path validation, webpki rules):',
    'CHAIN.pem holds the leaf first, then any intermediates. Prints the path to the trust anchor, or the reason',
    'and the depth of the certificate that failed (0 is the leaf). Without --ca the bundled Mozilla roots are trusted.',
    'Exit status: 0 verified, 2 usage, 3 not verified.',
  ].join('\n'),
  positionals: { min: 1, max: 1 },
  options: {
    ca: { type: 'string', value: 'FILE', help: 'trust only the CA certificates in this PEM file (default: the bundled Mozilla roots)' },
    host: { type: 'string', value: 'NAME', help: 'the leaf must be valid for this DNS name or IP address (SAN only)' },
    purpose: { type: 'string', value: 'P', help: 'server (serverAuth, the default) or client (clientAuth): the EKU required' },
    time: { type: 'string', value: 'WHEN', help: 'verify at this time instead of now: ISO 8601 (2030-01-01T00:00:00Z) or @UNIX_SECONDS' },
  },
  examples: ['pure-tls verify chain.pem --ca root.pem --host example.com', 'pure-tls verify client.pem --ca clients.pem --purpose client --time @1900000000'],
}

const purposes: Record<string, Purpose> = { server: 'serverAuth', serverAuth: 'serverAuth', client: 'clientAuth', clientAuth: 'clientAuth' }

function purposeFrom(parsed: ParsedCommandLine): Purpose {
  const text = stringOption(parsed, 'purpose') ?? 'server'
  const purpose = purposes[text]
  if (!purpose) throw new UsageError(`--purpose must be server or client, got ${JSON.stringify(text)}`)
  return purpose
}

/** `@SECONDS` or an ISO 8601 date-time. */
export function parseTime(text: string): Date {
  const date = text.startsWith('@') && /^@\d+$/.test(text) ? new Date(Number(text.slice(1)) * 1000) : new Date(text)
  if (Number.isNaN(date.getTime())) throw new UsageError(`--time: ${JSON.stringify(text)} is not an ISO 8601 time or @UNIX_SECONDS`)
  return date
}

function certificatesOf(path: string): Uint8Array[] {
  const blocks = pemDecode(readTextFile('chain', path), 'CERTIFICATE')
  if (blocks.length === 0) throw new UsageError(`${path}: no CERTIFICATE block in it`)
  return blocks.map((block) => block.der)
}

function trustStoreFrom(parsed: ParsedCommandLine): TrustStore {
  const path = stringOption(parsed, 'ca')
  if (path === undefined) return mozillaTrustStore()
  const store = TrustStore.fromPem(readTextFile('ca', path))
  if (store.size === 0) throw new UsageError(`--ca ${path}: no CERTIFICATE block in it`)
  return store
}

/** Runs `pure-tls verify` with the arguments after the command name; resolves with the exit code. */
export async function runVerify(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(verifySpec, argv)
  if (parsed === 'help') {
    process.stdout.write(formatHelp(verifySpec))
    return ExitCode.ok
  }
  const path = parsed.positionals[0]!
  try {
    const time = stringOption(parsed, 'time')
    const host = stringOption(parsed, 'host')
    const { path: verified } = await verifyCertificateChain({
      chain: certificatesOf(path),
      trustStore: trustStoreFrom(parsed),
      purpose: purposeFrom(parsed),
      now: time === undefined ? new Date() : parseTime(time),
      provider: nobleProvider,
      ...(host === undefined ? {} : { serverName: host }),
    })
    process.stdout.write(`${path}: OK\n${formatRows(verified.map((cert, depth) => [`depth ${depth}`, cert.subject.text || '(empty subject)']))}\n`)
    return ExitCode.ok
  } catch (error) {
    return reportFailure(path, error)
  }
}
