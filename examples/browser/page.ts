// The example page: TLS from the browser to a TCP server, through the WebSocket bridge, with pure-tls.
import { connectOverWebSocket, createDefaultContext } from 'pure-tls'

interface Config {
  bridgeUrl: string
  target: string
  serverName: string
  caPem: string
}

const output = document.getElementById('output')!
const status = document.getElementById('status')!

async function fetchOverTls(config: Config): Promise<void> {
  const context = createDefaultContext('server-auth', { ca: config.caPem })
  const tls = await connectOverWebSocket({ url: config.bridgeUrl + config.target, serverName: config.serverName, context })
  const { version, cipherSuite, peerVerified } = tls.connection.info!
  status.textContent = `${version}, ${cipherSuite}, certificate ${peerVerified ? 'verified' : 'NOT verified'}`
  const writer = tls.writable.getWriter()
  await writer.write(`GET / HTTP/1.0\r\nHost: ${config.serverName}\r\n\r\n`)
  writer.releaseLock()
  const decoder = new TextDecoder()
  for await (const chunk of tls.readable as unknown as AsyncIterable<Uint8Array>) output.textContent += decoder.decode(chunk, { stream: true })
}

document.getElementById('connect')!.addEventListener('click', async () => {
  output.textContent = ''
  status.textContent = 'connecting…'
  const config = (await (await fetch('config.json')).json()) as Config
  const serverName = (document.getElementById('server-name') as HTMLInputElement).value
  try {
    await fetchOverTls({ ...config, serverName })
  } catch (error) {
    const { name, code, message } = error as { name: string; code?: string; message: string }
    status.textContent = `${name}${code ? ` (${code})` : ''}: ${message}`
  }
})
