// What Deno and Bun run against the installed package: the in-memory handshakes, then TLS to openssl s_server over
// the runtime's own TCP socket, an HTTP GET through it, and a clean close (the process must then exit by itself).
import { type ByteStreamPair, createDefaultContext, secureStreams } from '../../../src/index.js'
import { type ChainPems, inMemoryHandshakes } from './in-memory.js'
import { readAll } from './read-all.js'

export interface RuntimeInput {
  readonly chains: ChainPems[]
  /** openssl s_server -www on 127.0.0.1. */
  readonly port: number
  readonly caPem: string
}

export interface RuntimeReport {
  readonly inMemory: { chain: string; version: string; peerVerified: boolean; serverReceived: string; clientReceived: string }[]
  readonly overTcp: { version: string; peerVerified: boolean; statusLine: string; bytes: number }
}

/** Runs both checks; `connectTcp` is the runtime's own socket API turned into a byte-stream pair. */
export async function runtimeChecks(input: RuntimeInput, connectTcp: (port: number) => Promise<ByteStreamPair>): Promise<RuntimeReport> {
  const inMemory = inMemoryHandshakes({ chains: input.chains, versions: ['TLSv1.3', 'TLSv1.2'] }).map(({ chain, version, peerVerified, serverReceived, clientReceived }) => ({
    chain,
    version,
    peerVerified,
    serverReceived,
    clientReceived,
  }))
  const connection = createDefaultContext('server-auth', { ca: input.caPem }).client({ serverName: 'localhost' })
  const tls = secureStreams(connection, await connectTcp(input.port))
  const info = await tls.handshake
  const writer = tls.writable.getWriter()
  await writer.write('GET / HTTP/1.0\r\n\r\n')
  writer.releaseLock()
  const response = await readAll(tls.readable)
  await tls.closed
  const statusLine = String.fromCharCode(...response.subarray(0, response.indexOf(13)))
  return { inMemory, overTcp: { version: info.version, peerVerified: info.peerVerified, statusLine, bytes: response.length } }
}
