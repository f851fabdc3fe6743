// Tests over the noble provider expect synchronous answers: these unwrap them, and fail loudly on a pending one.
import { drive, isPending, type MaybePromise, type Waiting } from '../../src/pending.js'

/** `value` itself; a promise here means a synchronous path went asynchronous, which is a bug the test reports. */
export function now<T>(value: MaybePromise<T>): T {
  if (isPending(value)) throw new Error('expected a synchronous result, got a promise')
  return value
}

/** Runs a provider-dependent step to its end, which must not wait on anything with the noble provider. */
export function runNow<T>(step: Waiting<T>): T {
  return now(drive(step))
}

/** A record a protection opened, synchronously: neither pending nor discarded. */
export function openedNow<T>(value: MaybePromise<T | undefined>): T {
  const result = now(value)
  if (result === undefined) throw new Error('expected an opened record, the protection discarded it')
  return result
}
