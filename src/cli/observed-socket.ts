// A TCP socket that shows a listener every byte it sends and receives, for the wire-level handshake trace.
import { Socket } from 'node:net'

/** What the socket calls with each chunk, as it goes out or comes in. */
export interface WireObserver {
  sent(bytes: Uint8Array): void
  received(bytes: Uint8Array): void
}

/** A net.Socket whose writes and reads are also handed to an observer (through the stream hooks, not by patching). */
export class ObservedSocket extends Socket {
  constructor(private readonly observer: WireObserver) {
    // Half-open like the socket connect() makes itself, so our close_notify can follow the peer's FIN.
    super({ allowHalfOpen: true })
    this.on('data', (chunk: Buffer) => this.observer.received(chunk))
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.observer.sent(chunk)
    super._write(chunk, encoding, callback)
  }

  override _writev(chunks: { chunk: Buffer; encoding: BufferEncoding }[], callback: (error?: Error | null) => void): void {
    for (const { chunk } of chunks) this.observer.sent(chunk)
    super._writev!(chunks, callback)
  }
}
