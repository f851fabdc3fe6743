// Typed listener and emit signatures for TlsSocket and TlsServer, built from an interface naming each event's listener.

/** A listener for an event the event map does not name (the Duplex and net.Server events pure-tls leaves as node types them). */
export type UntypedListener = (...args: any[]) => void

/**
 * The type of on, once, addListener, removeListener, off, prependListener and prependOnceListener over an event
 * map: an event the map names takes exactly its listener (a listener with other arguments does not compile);
 * any other event takes any listener, as in node's typings. Returns the emitter, for chaining.
 */
export type TypedListen<Events, This> = {
  /** Adds (or removes) `listener` for an event of the map; its arguments are the map's. */
  <E extends keyof Events>(event: E, listener: Events[E]): This
  /** Adds (or removes) `listener` for an event the map does not name. */
  <E extends string | symbol>(event: E extends keyof Events ? never : E, listener: UntypedListener): This
}

/** The type of emit over an event map: an event the map names takes exactly its listener's arguments. True when someone listened. */
export type TypedEmit<Events> = {
  /** Calls the listeners of an event of the map with its arguments. */
  <E extends keyof Events>(event: E, ...args: Events[E] extends (...args: infer A) => void ? A : never): boolean
  /** Calls the listeners of an event the map does not name. */
  <E extends string | symbol>(event: E extends keyof Events ? never : E, ...args: any[]): boolean
}
