// Values that may arrive now or later: what an asynchronous CryptoProvider hands back, and steps that wait only when they must.

/** A result, or a promise of it: what a CryptoProvider operation may return. */
export type MaybePromise<T> = T | PromiseLike<T>

/** Whether `value` is still on its way (a thenable) rather than the result itself. */
export function isPending<T>(value: MaybePromise<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/**
 * A step of work that may wait on providers: it yields an operation in flight and is resumed with its result
 * (or, when the operation fails, with its error thrown at the yield).
 */
export type Waiting<T> = Generator<PromiseLike<unknown>, T, unknown>

/**
 * Inside a step, `yield* settle(x)` is `x` when it is a plain value (the step runs straight on, nothing is
 * yielded) and the result of `x` once it settles when it is a promise.
 */
export function* settle<T>(value: MaybePromise<T>): Waiting<T> {
  if (!isPending(value)) return value
  return (yield value) as T
}

/**
 * Runs a step to its end: synchronously, returning its result, while every operation it waits on is a plain
 * value; from the first pending operation on, asynchronously, returning a promise of the result.
 */
export function drive<T>(step: Waiting<T>): MaybePromise<T> {
  const first = step.next()
  return first.done ? first.value : finish(step, first.value)
}

async function finish<T>(step: Waiting<T>, pending: PromiseLike<unknown>): Promise<T> {
  for (;;) {
    let outcome: IteratorResult<PromiseLike<unknown>, T>
    let value: unknown
    try {
      value = await pending
    } catch (error) {
      outcome = step.throw(error)
      if (outcome.done) return outcome.value
      pending = outcome.value
      continue
    }
    outcome = step.next(value)
    if (outcome.done) return outcome.value
    pending = outcome.value
  }
}

/**
 * Applies `f` to a value that may still be pending, staying synchronous when it is not. (Not named `then`: a
 * module exporting `then` would itself look like a promise to `await import(...)`.)
 */
export function whenSettled<T, U>(value: MaybePromise<T>, f: (value: T) => U): MaybePromise<U> {
  return isPending(value) ? Promise.resolve(value).then(f) : f(value)
}
