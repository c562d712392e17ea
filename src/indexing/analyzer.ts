import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'
import { analyzeFile, receivedAnalysis, type AnalyzeJob, type FileAnalysis, type PostedAnalysis } from './analyze-file.js'
import { startWorker } from '../workers/start-worker.js'
import { Extractor } from './extractor.js'

/** Reads and parses files, in worker threads or in this one. */
export interface Analyzer {
  analyze(job: AnalyzeJob): Promise<FileAnalysis>
  close(): Promise<void>
}

/** Threads past four per core only cost memory (each parse thread loads its grammars: 512 of them took 4.8 GB). */
export const MAX_THREADS = 4 * availableParallelism()

/** One worker per core by default; 0 parses in the calling thread. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism())
}

/**
 * An analyzer over `workers` threads (0: this thread). Each worker keeps at most a few jobs in flight so that a slow
 * file does not hold up a queue behind it.
 */
export function createAnalyzer(workers: number, grammarFolder?: string): Analyzer {
  if (!Number.isInteger(workers) || workers < 0) throw new RangeError('createAnalyzer: workers must be an integer >= 0')
  if (workers === 0) {
    const extractor = new Extractor(grammarFolder)
    return { analyze: (job) => analyzeFile(job, extractor), close: async () => {} }
  }
  return new WorkerAnalyzer(workers, grammarFolder)
}

interface Pending {
  readonly job: AnalyzeJob
  readonly resolve: (result: FileAnalysis) => void
}

/**
 * Jobs queued per worker, at most. A worker takes its next job only from its own queue, and the main thread refills
 * that queue only between write transactions: the queue must hold a transaction's worth of files, or the worker idles
 * while the writer writes. (How far parsing runs ahead in all is the caller's window; see readAhead.)
 */
const IN_FLIGHT_PER_WORKER = 128

/**
 * The V8 young generation of a parse thread, in MB. Each parse leaves short-lived garbage (node wrappers, strings);
 * V8's default young generation (48 MB here) lets each thread hold that much before collecting it. Measured on the
 * synthetic corpus: peak RSS 20-40 MB lower, in the same time.
 */
const YOUNG_GENERATION_MB = 8

interface Slot {
  worker: Worker
  readonly inFlight: Map<number, Pending>
  /** The size of the files in flight. */
  bytes: number
}

class WorkerAnalyzer implements Analyzer {
  readonly #slots: Slot[] = []
  readonly #queue: Pending[] = []
  #nextId = 0
  #closed = false
  readonly #grammarFolder: string | undefined

  constructor(count: number, grammarFolder: string | undefined) {
    this.#grammarFolder = grammarFolder
    for (let index = 0; index < count; index++) this.#slots.push({ worker: this.#spawn(index), inFlight: new Map(), bytes: 0 })
  }

  analyze(job: AnalyzeJob): Promise<FileAnalysis> {
    if (this.#closed) return Promise.reject(new Error('the analyzer is closed'))
    return new Promise((resolve) => {
      this.#queue.push({ job, resolve })
      this.#dispatch()
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    await Promise.all(this.#slots.map(({ worker }) => worker.terminate()))
  }

  /** Queued jobs go to the worker with the fewest bytes to read, while one has room. */
  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot: Slot | undefined
      for (const candidate of this.#slots) {
        if (candidate.inFlight.size < IN_FLIGHT_PER_WORKER && (!slot || candidate.bytes < slot.bytes)) slot = candidate
      }
      if (!slot) return
      const pending = this.#queue.shift()!
      const id = this.#nextId++
      slot.inFlight.set(id, pending)
      slot.bytes += pending.job.size
      slot.worker.postMessage({ id, job: pending.job })
    }
  }

  #spawn(index: number): Worker {
    const worker = startWorker('indexing/parse-worker', { grammarFolder: this.#grammarFolder }, { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB })
    worker.unref()
    worker.on('message', (message: { id?: number; result?: PostedAnalysis }) => {
      if (message.id === undefined || !message.result) return
      const slot = this.#slots[index]!
      const pending = slot.inFlight.get(message.id)
      if (!pending) return
      slot.inFlight.delete(message.id)
      slot.bytes -= pending.job.size
      pending.resolve(receivedAnalysis(message.result))
      this.#dispatch()
    })
    worker.on('error', (error) => this.#crashed(index, error))
    worker.on('exit', (code) => {
      if (!this.#closed && code !== 0) this.#crashed(index, new Error(`exit code ${code}`))
    })
    return worker
  }

  /** A worker died (out of memory in WebAssembly, say): its files fail, the others carry on in a new worker. */
  #crashed(index: number, error: Error): void {
    const slot = this.#slots[index]
    if (!slot || this.#closed) return
    for (const pending of slot.inFlight.values()) {
      pending.resolve({ status: 'Failed', path: pending.job.path, reason: `the parse worker crashed: ${error.message}` })
    }
    slot.inFlight.clear()
    slot.bytes = 0
    void slot.worker.terminate()
    slot.worker = this.#spawn(index)
    this.#dispatch()
  }
}
