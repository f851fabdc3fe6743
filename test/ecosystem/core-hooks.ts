// Which core hooks the Node adapter codes against are in this build, each found out by a real in-memory handshake (no guessing from names).
//
// The lead adds them on main (per-connection key log, conn.session, info.finished, verification reports, SNI,
// ticket keys, asynchronous providers). Tests of the adapter features built on one run where it is present; the
// final report lists which those are. Once all have landed every entry is true and the guards can go.
import { TlsConfigError } from '../../src/errors.js'
import type { Connection } from '../../src/handshake/connection.js'
import { createDefaultContext, type TlsContext } from '../../src/handshake/context.js'
import { finishedOf, peerVerificationErrorOf, sessionOf, startClient, startServer, ticketKeysOf } from '../../src/transport/node/core-hooks.js'
import { reportingVerifier } from '../../src/transport/node/authorization.js'
import { TrustStore } from '../../src/x509/trust-store.js'
import { webPkiVerifier } from '../../src/x509/verifier.js'
import { nobleProvider } from '../../src/crypto/noble.js'
import { runPair } from '../helpers/pair.js'
import { type Chain, makeChain } from '../helpers/pki.js'
import { asyncProvider } from './async-provider.js'

export interface CoreHooks {
  /** context.client/server({ keyLog }) logs that connection's secrets. */
  readonly perConnectionKeyLog: boolean
  /** conn.session holds a resumable session after a handshake with tickets. */
  readonly session: boolean
  /** info.finished has both verify_data values. */
  readonly finished: boolean
  /** A client with verifyMode 'none' and a reporting verifier gets info.peerVerificationError. */
  readonly verificationReport: boolean
  /** context.server({ sni }) answers with the returned context's certificate. */
  readonly sni: boolean
  /** A server context with sessionTickets has ticketKeys. */
  readonly ticketKeys: boolean
  /** A provider answering through Promises completes a handshake. */
  readonly asyncProvider: boolean
}

function handshake(client: Connection, server: Connection): boolean {
  const result = runPair(client, server)
  return result.clientError === undefined && result.serverError === undefined && client.handshakeComplete
}

function probeSync(chain: Chain, other: Chain): Omit<CoreHooks, 'asyncProvider'> {
  const lines: string[] = []
  const server = createDefaultContext('client-auth', { cert: chain.chainPem, key: chain.keyPem, sessionTickets: true })
  const client = createDefaultContext('server-auth', { ca: chain.rootPem, sessionTickets: true })
  const c1 = startClient(client, { serverName: 'localhost', keyLog: (line) => lines.push(line) })
  const ok = handshake(c1, startServer(server, {}))
  const reporting = createDefaultContext('server-auth', {
    verifyMode: 'none',
    verifier: reportingVerifier(webPkiVerifier({ trustStore: new TrustStore(), provider: nobleProvider })),
  })
  const c2 = startClient(reporting, { serverName: 'localhost' })
  const reported = handshake(c2, startServer(server, {})) && peerVerificationErrorOf(c2.info) !== undefined
  const otherServer: TlsContext = createDefaultContext('client-auth', { cert: other.chainPem, key: other.keyPem })
  const c3 = startClient(createDefaultContext('server-auth', { ca: other.rootPem }), { serverName: 'localhost' })
  const sni = handshake(c3, startServer(server, { sni: () => otherServer }))
  return {
    perConnectionKeyLog: ok && lines.length >= 5,
    session: ok && sessionOf(c1) !== undefined,
    finished: ok && finishedOf(c1.info) !== undefined,
    verificationReport: reported,
    sni,
    ticketKeys: ticketKeysOf(server)?.length === 48,
  }
}

async function probeAsync(chain: Chain): Promise<boolean> {
  try {
    const provider = asyncProvider()
    const client = startClient(createDefaultContext('server-auth', { ca: chain.rootPem, provider }), { serverName: 'localhost' })
    await client.settled()
    return client.takeOutgoing().length > 0
  } catch (error) {
    if (error instanceof TlsConfigError) throw error
    return false
  }
}

let probed: Promise<CoreHooks> | undefined

/** The hooks present, probed once per test file. */
export function coreHooks(): Promise<CoreHooks> {
  probed ??= (async () => {
    const [chain, other] = await Promise.all([makeChain({ leafKey: 'ecdsa-p256' }), makeChain({ leafKey: 'ecdsa-p256', caName: 'pure-tls hooks probe other CA' })])
    return { ...probeSync(chain, other), asyncProvider: await probeAsync(chain) }
  })()
  return probed
}
