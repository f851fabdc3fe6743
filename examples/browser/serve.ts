// npm run example:browser: the page, the WebSocket bridge and a TLS server, all on 127.0.0.1, until Ctrl-C.
//
// A CA and a certificate for "localhost" are made at start; the TLS server (pure-tls's Node server) answers any
// request with a greeting; the bridge relays to that server only; the page is bundled by esbuild as it is served.
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { join } from 'node:path'
import { build } from 'esbuild'
import { startBridge } from '../../src/cli/bridge.js'
import { createCertificateAuthority, issueLeafCertificate } from '../../src/cli/certificates.js'
import { createServer as createTlsServer } from '../../src/transport/node.js'

const here = import.meta.dirname
const port = Number(process.argv[process.argv.indexOf('--port') + 1] ?? 0) || 0

const ca = createCertificateAuthority({ commonName: 'pure-tls browser example CA', keyType: 'ecdsa-p256', validDays: 1 })
const leaf = issueLeafCertificate({ issuer: ca, commonName: 'localhost', dnsNames: ['localhost'], purpose: 'serverAuth', keyType: 'ecdsa-p256', validDays: 1 })

const tlsServer = createTlsServer({ cert: leaf.certificatePem, key: leaf.keyPem }, (socket) => {
  socket.once('data', (request: Buffer) => {
    const { version, cipherSuite } = socket.info!
    socket.end(`HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello, browser: this came over ${version} (${cipherSuite}).\nyou sent: ${request.toString().split('\r\n')[0]}\n`)
  })
})
tlsServer.on('tlsClientError', (error: Error) => console.log(`the TLS server refused a client: ${error.message}`))
tlsServer.listen(0, '127.0.0.1')
await once(tlsServer.server, 'listening')
const target = { host: '127.0.0.1', port: tlsServer.address().port }

const bridge = await startBridge({ listen: { host: '127.0.0.1', port: 0 }, targets: [target], log: (line) => console.log(`bridge: ${line}`) })

/** The page script, bundled for the browser with 'pure-tls' resolved to this repository's source. */
async function pageScript(): Promise<string> {
  const result = await build({
    entryPoints: [join(here, 'page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    alias: { 'pure-tls': join(here, '..', '..', 'src', 'index.ts') },
  })
  return result.outputFiles[0]!.text
}

const config = JSON.stringify({ bridgeUrl: bridge.url, target: `${target.host}:${target.port}`, caPem: ca.certificatePem })
const site = createHttpServer(async (request, response) => {
  const path = (request.url ?? '/').split('?')[0]
  if (path === '/' || path === '/index.html') return void response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(readFileSync(join(here, 'index.html')))
  if (path === '/page.js') return void response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(await pageScript())
  if (path === '/config.json') return void response.writeHead(200, { 'Content-Type': 'application/json' }).end(config)
  response.writeHead(404).end()
})
site.listen(port, '127.0.0.1')
await once(site, 'listening')
const address = site.address() as { port: number }
console.log(`TLS server on ${target.host}:${target.port} (certificate for "localhost", made just now)`)
console.log(`bridge on ${bridge.url}, relaying to that server only`)
console.log(`open http://127.0.0.1:${address.port}/ and press "Connect"`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await bridge.close()
    site.close()
    tlsServer.close()
    process.exit(0)
  })
}
