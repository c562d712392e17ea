import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { readAhead } from '../../src/indexing/read-ahead.js'

/** V8's full collection, which a test may ask for once `--expose-gc` is set (the new context gets `gc`). */
function collector(): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

/** A producer whose jobs finish only when the test says so, recording how many are started and not yet taken. */
function producer() {
  const finishers = new Map<number, () => void>()
  let started = 0
  let taken = 0
  let mostOutstanding = 0
  return {
    start: (item: number) =>
      new Promise<number>((resolve) => {
        started++
        mostOutstanding = Math.max(mostOutstanding, started - taken)
        finishers.set(item, () => resolve(item * 10))
      }),
    finishAll: () => {
      for (const finish of finishers.values()) finish()
    },
    take: () => taken++,
    get started() {
      return started
    },
    get mostOutstanding() {
      return mostOutstanding
    },
  }
}

describe('readAhead', () => {
  it('yields every result in input order, with at most `ahead` started and not taken', async () => {
    const items = Array.from({ length: 20 }, (_, index) => index)
    const jobs = producer()
    const results: number[] = []
    const iterator = readAhead(items, { items: 3 }, jobs.start)
    const first = iterator.next()
    await Promise.resolve()
    // Before the first is taken, exactly three are started.
    expect(jobs.started).toBe(3)
    jobs.finishAll()
    results.push((await first).value as number)
    jobs.take()
    for await (const result of { [Symbol.asyncIterator]: () => iterator }) {
      jobs.finishAll()
      results.push(result)
      jobs.take()
    }
    expect(results).toEqual(items.map((item) => item * 10))
    expect(jobs.mostOutstanding).toBe(3)
  })

  it('keeps results in order when later jobs finish first', async () => {
    const delays = [30, 1, 20, 1, 10]
    const start = (index: number) => new Promise<number>((resolve) => setTimeout(() => resolve(index), delays[index]))
    const results: number[] = []
    for await (const result of readAhead([0, 1, 2, 3, 4], { items: 5 }, start)) results.push(result)
    expect(results).toEqual([0, 1, 2, 3, 4])
  })

  it('starts nothing more once the loop is left', async () => {
    const jobs = producer()
    const items = Array.from({ length: 10 }, (_, index) => index)
    for await (const result of readAhead(items, { items: 2 }, (item) => {
      const promise = jobs.start(item)
      jobs.finishAll()
      return promise
    })) {
      if (result === 30) break
    }
    // Items 0-3 were taken one by one with two ahead: the 4th take (item 3) had started item 4, and nothing after it.
    expect(jobs.started).toBe(5)
  })

  it('stops at once when its signal is aborted, though the job it waits for never settles', async () => {
    const controller = new AbortController()
    const taken: number[] = []
    const started: number[] = []
    const loop = (async () => {
      for await (const value of readAhead([1, 2, 3, 4], { items: 2, signal: controller.signal }, (item) => {
        started.push(item)
        return item === 2 ? new Promise<number>(() => {}) : Promise.resolve(item)
      })) {
        taken.push(value)
      }
    })()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(taken).toEqual([1])
    controller.abort()
    await loop
    expect(taken).toEqual([1])
    expect(started).toEqual([1, 2, 3])
  })

  it('yields nothing under a signal aborted before it starts', async () => {
    const started: number[] = []
    const signal = AbortSignal.abort()
    for await (const value of readAhead([1, 2], { items: 1, signal }, async (item) => (started.push(item), item))) {
      throw new Error(`yielded ${value}`)
    }
    expect(started).toEqual([])
  })

  it('passes a failed job on to the consumer, at its turn, with a signal or without', async () => {
    const start = (item: number) => (item === 1 ? Promise.reject(new Error('parse failed')) : Promise.resolve(item))
    for (const signal of [undefined, new AbortController().signal]) {
      const results: number[] = []
      await expect(async () => {
        for await (const result of readAhead([0, 1, 2], { items: 3, signal }, start)) results.push(result)
      }).rejects.toThrow('parse failed')
      expect(results).toEqual([0])
    }
  })

  it('keeps the weight started and not taken within the window, but always starts the next one', async () => {
    // Weights 4, 4, 4, 9, 1, 1 with room for 8: two at a time, then the 9 alone (heavier than the window), then 1 and 1.
    const weights = [4, 4, 4, 9, 1, 1]
    const startedWhenTaken: number[] = []
    let started = 0
    const results: number[] = []
    const start = (index: number) => {
      started++
      return Promise.resolve(index)
    }
    for await (const result of readAhead([0, 1, 2, 3, 4, 5], { items: 10, weight: 8 }, start, (index) => weights[index]!)) {
      startedWhenTaken.push(started)
      results.push(result)
    }
    expect(results).toEqual([0, 1, 2, 3, 4, 5])
    expect(startedWhenTaken).toEqual([2, 3, 3, 4, 6, 6])
  })

  it('keeps nothing it yielded once taken, with a signal that never aborts as with none', async () => {
    // Racing each result against one promise for the abort kept every result alive, through that promise's reactions,
    // as long as the signal lived: a CLI run of 10,000 files held all their rows to the end.
    const gc = collector()
    // Taken in a function of their own, whose frame holds no result once it returns.
    const takeAll = async (signal: AbortSignal | undefined) => {
      const taken: Array<WeakRef<object>> = []
      const items = Array.from({ length: 50 }, (_, index) => index)
      for await (const result of readAhead(items, { items: 4, signal }, async (item) => ({ item, rows: new Array(1000).fill(item) }))) {
        taken.push(new WeakRef(result))
      }
      return taken
    }
    const controller = new AbortController()
    for (const signal of [controller.signal, undefined]) {
      const taken = await takeAll(signal)
      await new Promise((resolve) => setImmediate(resolve))
      gc()
      expect(taken.flatMap((ref, index) => (ref.deref() === undefined ? [] : [index]))).toEqual([])
    }
    expect(controller.signal.aborted).toBe(false)
  })

  it('refuses a window below one item or a negative weight', async () => {
    await expect(readAhead([1], { items: 0 }, async (item) => item).next()).rejects.toThrow(RangeError)
    await expect(readAhead([1], { items: 1, weight: -1 }, async (item) => item).next()).rejects.toThrow(RangeError)
  })
})
