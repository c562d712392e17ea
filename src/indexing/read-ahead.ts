const ABORTED: unique symbol = Symbol('aborted')

/** How far {@link readAhead} may run ahead of its consumer. */
export interface ReadAheadWindow {
  /** Items started and not yet taken, at most. */
  readonly items: number
  /** The summed `weigh(item)` of those, at most; one item is started whatever its weight. Default: no limit. */
  readonly weight?: number | undefined
  /** Once aborted, nothing more is yielded, not even an item already started: the consumer stops at once. */
  readonly signal?: AbortSignal | undefined
}

/**
 * Yields `start(item)` for each item in order, keeping at most `window.items` started and not yet taken, and at most
 * `window.weight` of their weight (bytes, say). What the consumer has not taken yet is held in memory, so a bounded
 * window keeps a fast producer (parse threads) from filling the heap while a slow consumer (the writer) catches up.
 * Leaving the loop early starts nothing more.
 */
export async function* readAhead<T, R>(
  items: ReadonlyArray<T>,
  window: ReadAheadWindow,
  start: (item: T) => Promise<R>,
  weigh: (item: T) => number = () => 0,
): AsyncGenerator<R> {
  const { items: most, weight: heaviest = Infinity } = window
  if (!Number.isInteger(most) || most < 1) throw new RangeError('readAhead: window.items must be an integer >= 1')
  if (!(heaviest >= 0)) throw new RangeError('readAhead: window.weight must be a number >= 0')
  const started: Array<Promise<R> | undefined> = []
  let weight = 0
  const fill = (taken: number) => {
    for (let next = started.length; next < Math.min(taken + most, items.length); next++) {
      const itemWeight = weigh(items[next]!)
      if (next > taken && weight + itemWeight > heaviest) break
      weight += itemWeight
      const promise = start(items[next]!)
      // Settled before it is taken or never taken (the loop was left): not an unhandled rejection either way.
      promise.catch(() => {})
      started.push(promise)
    }
  }
  const { signal } = window
  for (let index = 0; index < items.length; index++) {
    if (signal?.aborted) return
    fill(index)
    const result = signal ? await unlessAborted(started[index]!, signal) : await started[index]!
    if (result === ABORTED) return
    // Dropped once taken: a settled promise would keep its result alive until the loop ends.
    started[index] = undefined
    weight -= weigh(items[index]!)
    yield result
  }
}

/**
 * `promise`, or {@link ABORTED} as soon as `signal` aborts. Not `Promise.race` with one promise for the abort: each race
 * adds a reaction to that promise, which never settles, and the reaction holds the race's result for as long as the
 * signal lives.
 */
function unlessAborted<R>(promise: Promise<R>, signal: AbortSignal): Promise<R | typeof ABORTED> {
  return new Promise((resolve, reject) => {
    const abort = () => resolve(ABORTED)
    signal.addEventListener('abort', abort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort)
        reject(error)
      },
    )
  })
}
