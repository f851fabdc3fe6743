// The post-quantum benchmark (`npm run bench:pq [-- --quick]`): scenario e (TLS 1.3 X25519MLKEM768) beside scenario a (X25519), the ClientHello sizes, and the primitives behind the difference.
import type { GroupName } from '../src/policy/names.js'
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js'
import { nobleProvider as provider } from '../src/crypto/noble.js'
import { createDefaultContext, type ContextOptions } from '../src/handshake/context.js'
import { measure, roundRatio, type RoundOptions, type Workload } from './lib/measure.js'
import { handshakeNow } from './lib/pair.js'
import { benchChain, type BenchChain } from './lib/pki.js'
import { machine, microseconds, num, stats, table } from './lib/report.js'

const quick = process.argv.includes('--quick')
const rounds: RoundOptions = quick ? { rounds: 5, roundMs: 80, sliceMs: 10 } : { rounds: 7, roundMs: 600, sliceMs: 30 }
const microRounds: RoundOptions = quick ? { rounds: 5, roundMs: 40, sliceMs: 10 } : { rounds: 7, roundMs: 300, sliceMs: 20 }
const progress = (message: string) => process.stderr.write(`${message}\n`)

/** One way of connecting: the groups each end offers, and the group it must negotiate. */
interface Scenario {
  readonly id: string
  readonly label: string
  readonly client: readonly GroupName[] | undefined
  readonly server: readonly GroupName[] | undefined
  readonly group: string
}

/** Scenario a as bench/handshake.ts pins it, and e: the default offer (hybrid and X25519 shares), and the hybrid alone. */
const scenarios: readonly Scenario[] = [
  { id: 'a', label: 'TLS 1.3 X25519, ECDSA P-256 chain', client: ['X25519'], server: ['X25519'], group: 'x25519' },
  { id: 'e', label: 'TLS 1.3 X25519MLKEM768 (default offer: + X25519 share), ECDSA P-256 chain', client: undefined, server: undefined, group: 'X25519MLKEM768' },
  { id: 'e1', label: 'TLS 1.3 X25519MLKEM768 (its share only), ECDSA P-256 chain', client: ['X25519MLKEM768'], server: ['X25519MLKEM768'], group: 'X25519MLKEM768' },
]

/** TLS 1.3 with ChaCha20-Poly1305 as bench/handshake.ts pins scenario a; the groups of the scenario (undefined: defaults). */
function options(groups: readonly GroupName[] | undefined): ContextOptions {
  return { minVersion: 'TLSv1.3', cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'], ...(groups ? { groups } : {}) }
}

function handshakeWorkload(scenario: Scenario, chain: BenchChain): Workload {
  const contexts = {
    client: createDefaultContext('server-auth', { ...options(scenario.client), ca: chain.rootPem }),
    server: createDefaultContext('client-auth', { ...options(scenario.server), cert: chain.chainPem, key: chain.keyPem }),
  }
  const info = handshakeNow(contexts).client.info!
  if (info.group !== scenario.group || info.helloRetryRequest) throw new Error(`${scenario.id} negotiated ${info.group} (HRR ${info.helloRetryRequest})`)
  return { name: `handshake ${scenario.id}`, run: () => (handshakeNow(contexts), 1) }
}

/** The first flight of a client context with these groups: record bytes, and the ClientHello message inside. */
function clientHelloSize(groups: readonly GroupName[] | undefined, chain: BenchChain): { record: number; message: number } {
  const bytes = createDefaultContext('server-auth', { ca: chain.rootPem, ...(groups ? { groups } : {}) }).client({ serverName: 'localhost' }).takeOutgoing()
  if (bytes[0] !== 22 || 5 + ((bytes[3]! << 8) | bytes[4]!) !== bytes.length) throw new Error('the ClientHello is not one handshake record')
  return { record: bytes.length, message: bytes.length - 5 }
}

function primitiveWorkloads(): Workload[] {
  const x25519Peer = provider.generateKeyShare('x25519').publicKey
  const mlKem = ml_kem768.keygen(provider.randomBytes(64))
  const encapsulated = ml_kem768.encapsulate(mlKem.publicKey, provider.randomBytes(32))
  const hybridClient = provider.generateKeyShare('X25519MLKEM768')
  const hybridServer = provider.encapsulate('X25519MLKEM768', hybridClient.publicKey)
  const once = (name: string, work: () => unknown): Workload => ({ name, run: () => (work(), 1) })
  return [
    once('X25519: key share + agreement', () => provider.generateKeyShare('x25519').agree(x25519Peer)),
    once('ML-KEM-768: keygen', () => ml_kem768.keygen(provider.randomBytes(64))),
    once('ML-KEM-768: encapsulate', () => ml_kem768.encapsulate(mlKem.publicKey, provider.randomBytes(32))),
    once('ML-KEM-768: decapsulate', () => ml_kem768.decapsulate(encapsulated.cipherText, mlKem.secretKey)),
    once('X25519MLKEM768 client: key share', () => provider.generateKeyShare('X25519MLKEM768')),
    once('X25519MLKEM768 server: encapsulate', () => provider.encapsulate('X25519MLKEM768', hybridClient.publicKey)),
    once('X25519MLKEM768 client: agree', () => hybridClient.agree(hybridServer.keyExchange)),
  ]
}

async function main(): Promise<void> {
  const chain = await benchChain('ecdsa-p256')
  const host = machine()
  console.log(`pure-tls post-quantum benchmark${quick ? ' (quick: too short to quote)' : ''}\n${host.cpu}, ${host.cores} cores, Node ${host.node}, ${host.os}, ${host.date}\n`)

  progress('handshakes a, e, e1 (interleaved)')
  const rates = await measure(
    scenarios.map((s) => handshakeWorkload(s, chain)),
    rounds,
  )
  const [a] = rates
  console.log(
    table(
      'Full handshakes per CPU second, client + server in one process (chain and host name verified); ratio = scenario ÷ a, median of the per-round ratios [min–max].',
      ['scenario', 'handshakes/s', 'ms per handshake', 'ratio to a'],
      scenarios.map((s, i) => {
        const r = roundRatio(rates[i]!, a!)
        return [`${s.id}: ${s.label}`, stats(rates[i]!.cpu), num(1000 / rates[i]!.cpu.median), `${r.median.toFixed(3)} [${r.min.toFixed(2)}–${r.max.toFixed(2)}]`]
      }),
    ),
  )

  const sizes = ([
    { label: 'X25519 share only (groups X25519, P-256, P-384)', groups: ['X25519', 'P-256', 'P-384'] },
    { label: 'default: X25519MLKEM768 + X25519 shares', groups: undefined },
    { label: 'X25519MLKEM768 share only (groups X25519MLKEM768)', groups: ['X25519MLKEM768'] },
  ] satisfies { label: string; groups: GroupName[] | undefined }[]).map((s) => ({ ...s, ...clientHelloSize(s.groups, chain) }))
  console.log(
    '\n' +
      table(
        'ClientHello sizes in bytes (our default extensions, SNI "localhost"), and the TCP segments the record takes on Ethernet:\n' +
          'an MSS of 1460 bytes, or 1448 with TCP timestamps (Linux by default).',
        ['offer', 'record', 'ClientHello', 'segments (1460)', 'segments (1448)'],
        sizes.map((s) => [s.label, String(s.record), String(s.message), String(Math.ceil(s.record / 1460)), String(Math.ceil(s.record / 1448))]),
      ),
  )

  progress('primitives')
  const micro = primitiveWorkloads()
  const microRates = await measure(micro, microRounds)
  console.log(
    '\n' +
      table(
        'The primitives behind the difference, µs per operation (noble, pure JavaScript).',
        ['operation', 'µs'],
        micro.map((w, i) => [w.name, stats(microseconds(microRates[i]!.cpu))]),
      ),
  )
}

await main()
