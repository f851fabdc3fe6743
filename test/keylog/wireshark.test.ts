// Key logs the way Wireshark reads them: a loopback capture (dumpcap) of the CLI's handshakes, decrypted by tshark with our key log, TLS 1.3 and 1.2.
import { execFile } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { disposePeers, runOpenSslClient, startOpenSslServer } from '../helpers/peers.js'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { freePort } from '../helpers/ports.js'
import { PeerProcess } from '../helpers/processes.js'
import { sleep } from '../helpers/timeouts.js'
import { runCli, startCliServer } from '../cli/run-cli.js'

const execFileAsync = promisify(execFile)
/** Time for the kernel to hand the last packets to dumpcap before it is stopped. */
const CAPTURE_SETTLE_MS = 500
const CAPTURE_READY_MS = 15_000

let chain: Chain
let directory: string
beforeAll(async () => {
  chain = await makeChain()
  directory = mkdtempSync(join(tmpdir(), 'pure-tls-keylog-'))
})
afterEach(disposePeers)
afterAll(() => {
  cleanupPki()
  rmSync(directory, { recursive: true, force: true })
})

let files = 0
function scratch(name: string): string {
  return join(directory, `${++files}-${name}`)
}

async function fileSize(path: string): Promise<number> {
  return stat(path).then((s) => s.size, () => 0)
}

/**
 * dumpcap on the loopback interface for one TCP port, resolved once it really captures: "Capturing on" is printed
 * before the filter is live, so UDP probes (also matched by the filter) are sent until the file grows by one.
 */
async function startCapture(port: number, file: string): Promise<PeerProcess> {
  const probePort = await freePort()
  const capture = new PeerProcess('dumpcap', ['-i', 'lo', '-f', `tcp port ${port} or udp port ${probePort}`, '-w', file], { name: `dumpcap :${port}` })
  const probe = createSocket('udp4')
  try {
    const deadline = Date.now() + CAPTURE_READY_MS
    let header = 0
    for (;;) {
      if (!capture.running) throw new Error(`dumpcap exited: ${capture.errorOutput()}`)
      if (Date.now() > deadline) throw new Error(`dumpcap captured nothing within ${CAPTURE_READY_MS} ms: ${capture.errorOutput()}`)
      probe.send('capture probe', probePort, '127.0.0.1')
      await sleep(50)
      const size = await fileSize(file)
      if (header === 0) header = size
      else if (size > header) return capture
    }
  } finally {
    probe.close()
  }
}

async function stopCapture(capture: PeerProcess): Promise<void> {
  await sleep(CAPTURE_SETTLE_MS)
  await capture.stop()
}

/** The HTTP request lines tshark finds in the capture once it decrypts it with the key log. */
async function decryptedRequests(capture: string, keyLog: string, port: number): Promise<string[]> {
  const { stdout } = await execFileAsync('tshark', [
    '-r', capture,
    '-o', `tls.keylog_file:${keyLog}`,
    '-d', `tcp.port==${port},tls`,
    '-Y', 'http.request',
    '-T', 'fields', '-e', 'http.request.method', '-e', 'http.request.uri', '-e', 'http.request.version',
  ])
  return stdout.split('\n').filter((line) => line.length > 0).map((line) => line.split('\t').join(' '))
}

/** What tshark finds without the key log: the same capture must not show the request. */
async function requestsWithoutKeys(capture: string, port: number): Promise<string> {
  const { stdout } = await execFileAsync('tshark', ['-r', capture, '-d', `tcp.port==${port},tls`, '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.uri'])
  return stdout.trim()
}

const labels13 = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET']

/** Every line newline-terminated, in NSS format: LABEL <64 hex client random> <hex secret>. */
function expectKeyLogLines(text: string, labels: readonly string[]): void {
  expect(text.endsWith('\n')).toBe(true)
  const lines = text.slice(0, -1).split('\n')
  for (const line of lines) expect(line).toMatch(/^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,96}$/)
  expect(lines.map((line) => line.split(' ')[0]).sort()).toEqual([...labels].sort())
}

const versions = [
  { version: 'TLSv1.3', clientFlag: '--tls1.3', opensslFlag: '-tls1_3', labels: labels13 },
  { version: 'TLSv1.2', clientFlag: '--tls1.2', opensslFlag: '-tls1_2', labels: ['CLIENT_RANDOM'] },
] as const

describe('key logs decrypt a real capture in tshark', () => {
  for (const { version, clientFlag, opensslFlag, labels } of versions) {
    it(`${version}: pure-tls connect --keylog against openssl s_server`, async () => {
      const server = await startOpenSslServer(['-www', '-naccept', '1', '-alpn', 'http/1.1', '-cert', chain.leafPath, '-key', chain.keyPath, opensslFlag])
      const pcap = scratch('connect.pcapng')
      const keyLog = scratch('connect-keys.txt')
      const capture = await startCapture(server.port, pcap)
      const uri = `/keylog-connect-${version}`
      const result = await runCli(
        ['connect', `127.0.0.1:${server.port}`, '--ca', chain.rootPath, '--servername', 'localhost', '--alpn', 'http/1.1', clientFlag, '--keylog', keyLog, '-q'],
        { input: `GET ${uri} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n` },
      )
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toMatch(/^HTTP\/1\.0 200 ok/)
      await stopCapture(capture)
      expectKeyLogLines(await readFile(keyLog, 'utf8'), labels)
      expect(await decryptedRequests(pcap, keyLog, server.port)).toEqual([`GET ${uri} HTTP/1.1`])
      expect(await requestsWithoutKeys(pcap, server.port)).toBe('')
    })

    it(`${version}: pure-tls serve with SSLKEYLOGFILE, openssl s_client as the client`, async () => {
      const keyLog = scratch('serve-keys.txt')
      const env = { ...process.env, SSLKEYLOGFILE: keyLog }
      const { server, port } = await startCliServer(['--www', '--naccept', '1', '--alpn', 'http/1.1', '--cert', chain.chainPath, '--key', chain.keyPath, clientFlag], { env })
      const pcap = scratch('serve.pcapng')
      const capture = await startCapture(port, pcap)
      const uri = `/keylog-serve-${version}`
      const client = await runOpenSslClient(['-CAfile', chain.rootPath, '-verify_return_error', '-servername', 'localhost', '-alpn', 'http/1.1', '-quiet', '-ign_eof'], {
        connectTo: port,
        input: `GET ${uri} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
        endInput: true,
      })
      expect(await client.waitForExit()).toBe(0)
      expect(client.output()).toMatch(/^HTTP\/1\.0 200 OK/)
      expect(await server.waitForExit()).toBe(0)
      await stopCapture(capture)
      expectKeyLogLines(await readFile(keyLog, 'utf8'), labels)
      expect((await stat(keyLog)).mode & 0o777).toBe(0o600)
      expect(await decryptedRequests(pcap, keyLog, port)).toEqual([`GET ${uri} HTTP/1.1`])
    })
  }

  it('appends: two runs with one SSLKEYLOGFILE leave both sessions in it', async () => {
    const keyLog = scratch('appended.txt')
    for (let run = 0; run < 2; run++) {
      const server = await startOpenSslServer(['-www', '-naccept', '1', '-cert', chain.leafPath, '-key', chain.keyPath])
      const result = await runCli(['connect', `127.0.0.1:${server.port}`, '--ca', chain.rootPath, '--servername', 'localhost', '-q'], {
        input: 'GET / HTTP/1.0\r\n\r\n',
        env: { ...process.env, SSLKEYLOGFILE: keyLog },
      })
      expect(result.code, result.stderr).toBe(0)
    }
    const lines = (await readFile(keyLog, 'utf8')).trimEnd().split('\n')
    expect(lines).toHaveLength(2 * labels13.length)
    expect(new Set(lines.map((line) => line.split(' ')[1])).size).toBe(2) // two client randoms
  })
})
