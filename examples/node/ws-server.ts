// A ws WebSocket server behind pure-tls's createServer: TLS sockets are handed to an http.Server that ws upgrades.
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { createServer } from 'pure-tls/node'
import { WebSocketServer } from 'ws'

const port = Number(process.env.PORT ?? 8443)
const cert = readFileSync(process.env.CERT_FILE ?? 'cert.pem')
const key = readFileSync(process.env.KEY_FILE ?? 'key.pem')

const http = createHttpServer()
const wss = new WebSocketServer({ server: http })
wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo: ${String(data)}`)))

const server = createServer({ cert, key }, (socket) => http.emit('connection', socket))
server.listen(port, '127.0.0.1', () => console.log(`wss://localhost:${port}/ (pure-tls)`))
