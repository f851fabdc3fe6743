// The Web Streams adapter: a Connection over any { readable, writable } byte pair (browsers, Deno, Bun, workers, Node 18+).
import { TlsError } from '../errors.js'
import type { Connection } from '../handshake/connection.js'
import type { ConnectionInfo } from '../handshake/session.js'

/** A byte stream both ways: a TCP tunnel, a WebSocket adapter, a WebTransport stream, a socket of the runtime. */
export interface ByteStreamPair {
  /** The bytes arriving (from the network, or for a secure pair: the plaintext from the peer). */
  readable: ReadableStream<Uint8Array>
  /** The bytes to send (to the network, or for a secure pair: the plaintext for the peer). */
  writable: WritableStream<Uint8Array>
}

/** The plaintext side of secureStreams(): read and write application data; the handshake's outcome. */
export interface SecureStreamPair extends ByteStreamPair {
  /** Resolves with what was negotiated when the handshake completes; rejects with the TlsError that ended it. */
  readonly handshake: Promise<ConnectionInfo>
  /** The sans-I/O connection underneath (for info, exporters, key updates). */
  readonly connection: Connection
}

/** A failure of the underlying stream, as a TlsError (code ERR_TLS_TRANSPORT): every rejection here is one. */
function rethrowAsTlsError(cause: unknown): never {
  if (cause instanceof TlsError) throw cause
  const error = new TlsError('internal_error', `transport: ${cause instanceof Error ? cause.message : String(cause)}`, 'ERR_TLS_TRANSPORT')
  error.cause = cause
  throw error
}

/**
 * Runs `connection` over `transport`. Reading is pull-driven (nothing is read from the transport while the
 * application's readable is full), and writes resolve only once the transport has accepted the records.
 */
export function secureStreams(connection: Connection, transport: ByteStreamPair): SecureStreamPair {
  const reader = transport.readable.getReader()
  const writer = transport.writable.getWriter()
  let pumping: Promise<void> | undefined
  let transportDone = false

  async function flush(): Promise<void> {
    const out = connection.takeOutgoing()
    if (out.length > 0) await writer.write(out).catch(rethrowAsTlsError)
  }

  /** Reads one chunk from the transport into the connection (one reader at a time). */
  function pumpOnce(): Promise<void> {
    pumping ??= (async () => {
      try {
        const { value, done } = await reader.read().catch(rethrowAsTlsError)
        if (done) {
          transportDone = true
          return
        }
        try {
          connection.receive(value)
        } finally {
          await flush().catch(() => undefined)
        }
      } finally {
        pumping = undefined
      }
    })()
    return pumping
  }

  const handshake = (async () => {
    await flush()
    while (!connection.handshakeComplete) {
      if (transportDone) throw new TlsError('handshake_failure', 'the transport closed during the handshake', 'ERR_TLS_CONNECTION_CLOSED')
      await pumpOnce()
    }
    return connection.info!
  })()
  // The rejection is reported through `handshake` and through the streams; never unhandled.
  handshake.catch(() => undefined)

  const readable = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await handshake
      for (;;) {
        const data = connection.read()
        if (data.length > 0) return controller.enqueue(data)
        if (connection.peerClosed || transportDone) {
          controller.close()
          reader.releaseLock()
          return
        }
        await pumpOnce()
      }
    },
    cancel: (reason) => reader.cancel(reason),
  })

  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      connection.write(chunk)
      await flush()
    },
    async close() {
      await handshake
      connection.close()
      await flush()
      await writer.close()
    },
    async abort(reason) {
      await writer.abort(reason)
    },
  })

  return { readable, writable, handshake, connection }
}
