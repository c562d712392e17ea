/**
 * Yields `start(item)` for each item in order, keeping at most `ahead` started and not yet taken. What the consumer
 * has not taken yet is held in memory, so a bounded window keeps a fast producer (parse threads) from filling the heap
 * while a slow consumer (the writer) catches up. Leaving the loop early starts nothing more.
 */
export async function* readAhead<T, R>(items: ReadonlyArray<T>, ahead: number, start: (item: T) => Promise<R>): AsyncGenerator<R> {
  if (!Number.isInteger(ahead) || ahead < 1) throw new RangeError('readAhead: ahead must be an integer >= 1')
  const started: Array<Promise<R> | undefined> = []
  const fill = (until: number) => {
    for (let next = started.length; next < Math.min(until, items.length); next++) {
      const promise = start(items[next]!)
      // Settled before it is taken or never taken (the loop was left): not an unhandled rejection either way.
      promise.catch(() => {})
      started.push(promise)
    }
  }
  for (let index = 0; index < items.length; index++) {
    fill(index + ahead)
    const result = await started[index]!
    // Dropped once taken: a settled promise would keep its result alive until the loop ends.
    started[index] = undefined
    yield result
  }
}
