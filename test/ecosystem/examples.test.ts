// examples/node/*.ts run as a user runs them (node + tsx, `pure-tls/node` resolved to this tree): each against real servers or clients, output checked.
import { once } from 'node:events'
import * as http2 from 'node:http2'
import * as https from 'node:https'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { type Chain, cleanupPki, makeChain } from '../helpers/pki.js'
import { freePort, waitUntilListening } from '../helpers/ports.js'
import { disposeAllProcesses, PeerProcess } from '../helpers/processes.js'
import { withTimeout } from '../helpers/timeouts.js'
import { disposeStacks, listen } from './stacks.js'

const root = join(import.meta.dirname, '..', '..')
const examples = join(root, 'examples', 'node')
let chain: Chain

beforeAll(async () => {
  chain = await makeChain({ leafKey: 'ecdsa-p256', withIntermediate: true })
})
afterEach(async () => {
  await Promise.all([disposeAllProcesses(), disposeStacks()])
})
afterAll(cleanupPki)

/** `node --import tsx examples/node/<name>.ts` with the example's tsconfig, which maps `pure-tls/*` onto src/. */
function runExample(name: string, env: Record<string, string>): PeerProcess {
  return new PeerProcess(process.execPath, ['--import', 'tsx', join(examples, `${name}.ts`)], {
    name: `examples/node/${name}.ts`,
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(examples, 'tsconfig.json'), CA_FILE: chain.rootPath, CERT_FILE: chain.chainPath, KEY_FILE: chain.keyPath, ...env },
  })
}

async function finished(example: PeerProcess): Promise<string> {
  const code = await example.waitForExit(60_000)
  expect(code, `${example.name} failed: ${example.errorOutput()}`).toBe(0)
  return example.output()
}

describe('examples/node', () => {
  it('https-agent.ts: three requests through a keep-alive Agent on one socket, then two connections the second of which resumes', async () => {
    const server = https.createServer({ cert: chain.chainPem, key: chain.keyPem }, (req, res) => res.end(`you asked for ${req.url}`))
    const port = await listen(server)
    const output = await finished(runExample('https-agent', { URL: `https://localhost:${port}/` }))
    expect(output).toBe(
      [
        '200 you asked for /one (reused socket: false, resumed: false)',
        '200 you asked for /two (reused socket: true, resumed: false)',
        '200 you asked for /three (reused socket: true, resumed: false)',
        '200 you asked for /four (reused socket: false, resumed: false)',
        '200 you asked for /five (reused socket: false, resumed: true)',
        '',
      ].join('\n'),
    )
  })

  it('undici.ts: fetch through a pure-tls connector', async () => {
    const server = https.createServer({ cert: chain.chainPem, key: chain.keyPem }, (_req, res) => res.end('hello undici'))
    const port = await listen(server)
    expect(await finished(runExample('undici', { URL: `https://localhost:${port}/` }))).toBe('200 hello undici\n')
  })

  it('http2.ts: an HTTP/2 request over a pure-tls socket that negotiated h2', async () => {
    const server = http2.createSecureServer({ cert: chain.chainPem, key: chain.keyPem }, (req, res) => res.end(`h2 ${req.httpVersion} ${req.url}`))
    const port = await listen(server)
    expect(await finished(runExample('http2', { URL: `https://localhost:${port}/over-h2` }))).toBe('status 200\nh2 2.0 /over-h2\n')
  })

  it('ws-client.ts: a WebSocket client over pure-tls to a wss server', async () => {
    const server = https.createServer({ cert: chain.chainPem, key: chain.keyPem })
    new WebSocketServer({ server }).on('connection', (ws) => ws.on('message', (data) => ws.send(`echo: ${String(data)}`)))
    const port = await listen(server)
    expect(await finished(runExample('ws-client', { URL: `wss://localhost:${port}/` }))).toBe('received: echo: hello from pure-tls\n')
  })

  it('ws-server.ts: a ws client (node:tls) gets its echo from the server behind pure-tls', async () => {
    const port = await freePort()
    const example = runExample('ws-server', { PORT: String(port) })
    await waitUntilListening(port, { timeoutMs: 30_000, ...(example.pid === undefined ? {} : { pid: example.pid }) })
    const ws = new WebSocket(`wss://localhost:${port}/`, { ca: chain.rootPem })
    try {
      await once(ws, 'open')
      ws.send('ping')
      const [data] = (await withTimeout(once(ws, 'message'), 15_000, 'the echo')) as [Buffer]
      expect(String(data)).toBe('echo: ping')
    } finally {
      ws.terminate()
    }
  })

  it('express.ts: an https client (node:tls) gets the app\u2019s answer, keep-alive reuses the connection, req.ip is set', async () => {
    const port = await freePort()
    const example = runExample('express', { PORT: String(port) })
    await waitUntilListening(port, { timeoutMs: 30_000, ...(example.pid === undefined ? {} : { pid: example.pid }) })
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 })
    const get = () =>
      new Promise<[string, boolean]>((resolve, reject) => {
        const req = https.get({ host: '127.0.0.1', port, path: '/', agent, servername: 'localhost', ca: chain.rootPem }, (res) => {
          let body = ''
          res.on('data', (d: Buffer) => (body += d))
          res.on('end', () => resolve([body, req.reusedSocket]))
        })
        req.on('error', reject)
      })
    try {
      expect(await get()).toEqual(['hello 127.0.0.1 over TLSv1.3', false])
      expect(await get()).toEqual(['hello 127.0.0.1 over TLSv1.3', true])
    } finally {
      agent.destroy()
    }
  })
})
