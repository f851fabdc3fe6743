// Local TCP ports for test peers: pick a free one, and tell when a server is listening on it without connecting.
import { readFile, readdir, readlink } from 'node:fs/promises'
import { createServer, connect } from 'node:net'
import { sleep } from './timeouts.js'

/** A port that was free a moment ago (listen on port 0, read the port, close). Callers retry on EADDRINUSE. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read the free port'))))
    })
  })
}

const LISTEN_STATE = '0A'

/** The socket inodes in LISTEN state on `port` per /proc/net/tcp and tcp6, or null where /proc is not there. */
async function listeningInodesFromProc(port: number): Promise<Set<string> | null> {
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((file) => readFile(file, 'utf8').catch(() => null)))
  if (tables.every((table) => table === null)) return null
  const inodes = new Set<string>()
  for (const table of tables) {
    for (const line of table?.split('\n').slice(1) ?? []) {
      // "0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 12345 ...":
      // local address:port in hex, remote, state, queues, timer, retransmits, uid, timeout, inode.
      const fields = line.trim().split(/\s+/)
      const localPort = fields[1]?.split(':')[1]
      if (fields[3] === LISTEN_STATE && localPort !== undefined && Number.parseInt(localPort, 16) === port) inodes.add(fields[9] ?? '')
    }
  }
  return inodes
}

/** Whether process `pid` holds one of the socket `inodes` (so the listener on the port is that process's). */
async function ownsSocket(pid: number, inodes: Set<string>): Promise<boolean> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [])
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')))
  return targets.some((target) => inodes.has(target.replace(/^socket:\[(\d+)\]$/, '$1')))
}

/** Whether a TCP connection to 127.0.0.1:port is accepted (the fallback where /proc is missing; it does connect). */
function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Whether something listens on `port` (with `pid`: whether that process does). On Linux this reads the
 * kernel's socket tables, so it does not consume a connection: a server started with `-naccept 1` still
 * has its one accept for the test, and a server that lost the port to another process is not mistaken for it.
 */
export async function isListening(port: number, pid?: number): Promise<boolean> {
  const inodes = await listeningInodesFromProc(port)
  if (inodes === null) return acceptsConnections(port)
  if (inodes.size === 0) return false
  return pid === undefined || ownsSocket(pid, inodes)
}

export interface ListenWait {
  timeoutMs: number
  /** The process that must own the listening socket. */
  pid?: number
  /** Called between polls: a reason string stops the wait (e.g. "the process exited"). */
  abandoned?: () => string | null
}

/** Polls until `port` is listening; throws when the deadline passes or the wait is abandoned. */
export async function waitUntilListening(port: number, { timeoutMs, pid, abandoned }: ListenWait): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const reason = abandoned?.()
    if (reason) throw new Error(`port ${port} never listened: ${reason}`)
    if (await isListening(port, pid)) return
    if (Date.now() > deadline) throw new Error(`port ${port} not listening after ${timeoutMs} ms`)
    await sleep(15)
  }
}
