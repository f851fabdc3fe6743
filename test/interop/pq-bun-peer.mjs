// A Bun TLS peer (Bun's node:tls runs BoringSSL) for the post-quantum interop tests: stdin goes to the TLS socket, what arrives goes to stdout.
//
//   bun pq-bun-peer.mjs server PORT CERT KEY CURVES   listens on 127.0.0.1:PORT for one connection
//   bun pq-bun-peer.mjs client PORT CA CURVES         connects to 127.0.0.1:PORT, server name localhost
//
// CURVES is node's ecdhCurve (e.g. X25519MLKEM768, or X25519:X25519MLKEM768). On stderr: "secure PROTOCOL CIPHER"
// once the handshake is done, "tls error: ..." on failure (exit 1). The process exits when the peer ends the stream.
import { readFileSync } from 'node:fs'
import { connect, createServer } from 'node:tls'

const [mode, port, ...rest] = process.argv.slice(2)

/** Wires one secure socket to stdin and stdout, and reports it. */
function attach(socket) {
  process.stderr.write(`secure ${socket.getProtocol()} ${socket.getCipher()?.name}\n`)
  process.stdin.on('data', (chunk) => socket.write(chunk))
  process.stdin.on('end', () => socket.end())
  socket.on('data', (chunk) => process.stdout.write(chunk))
  socket.on('end', () => process.stdout.end(() => process.exit(0)))
}

function fail(error) {
  process.stderr.write(`tls error: ${error.message}\n`)
  process.exit(1)
}

if (mode === 'server') {
  const [cert, key, ecdhCurve] = rest
  const server = createServer({ cert: readFileSync(cert), key: readFileSync(key), ecdhCurve, minVersion: 'TLSv1.3' }, (socket) => {
    server.close()
    attach(socket)
  })
  server.on('tlsClientError', fail)
  server.listen(Number(port), '127.0.0.1')
} else if (mode === 'client') {
  const [ca, ecdhCurve] = rest
  const socket = connect({ host: '127.0.0.1', port: Number(port), servername: 'localhost', ca: readFileSync(ca), ecdhCurve, minVersion: 'TLSv1.3' }, () =>
    attach(socket),
  )
  socket.on('error', fail)
} else {
  fail(new Error(`unknown mode ${mode}`))
}
