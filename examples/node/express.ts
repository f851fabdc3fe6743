// An express app behind pure-tls's createServer: keep-alive, keepAliveTimeout and req.ip work as behind https.createServer.
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import express from 'express'
import { createServer } from 'pure-tls/node'

const port = Number(process.env.PORT ?? 8443)
const cert = readFileSync(process.env.CERT_FILE ?? 'cert.pem')
const key = readFileSync(process.env.KEY_FILE ?? 'key.pem')

const app = express()
app.get('/', (req, res) => {
  const socket = req.socket as typeof req.socket & { getProtocol?: () => string | null }
  res.send(`hello ${req.ip} over ${socket.getProtocol?.()}`)
})

const http = createHttpServer(app)
http.keepAliveTimeout = 5_000
const server = createServer({ cert, key, ALPNProtocols: ['http/1.1'] }, (socket) => http.emit('connection', socket))
server.listen(port, '127.0.0.1', () => console.log(`https://localhost:${port}/ (pure-tls)`))
