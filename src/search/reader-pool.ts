import type { Worker } from 'node:worker_threads'
import type { ErrorCode } from '../errors.js'
import type { SearchOptions, SearchResultSet } from './search.js'
import { startWorker } from '../workers/start-worker.js'
import { SearchError } from './search-error.js'

interface Pending {
  readonly resolve: (result: SearchResultSet) => void
  readonly reject: (error: Error) => void
}

interface WorkerError {
  readonly name: string
  readonly message: string
  readonly code?: string | undefined
  readonly position?: number | undefined
}

/**
 * Searches in `size` worker threads, each with its own read-only connection: better-sqlite3 is synchronous, so
 * concurrent callers (an editor, an agent, a watcher) only run in parallel on threads of their own. Each search goes
 * to the least busy reader.
 *
 * ```ts
 * const pool = new ReaderPool({ path: '.codeindex/index.db', size: 2 })
 * const results = await Promise.all(['a', 'b'].map((query) => pool.search(query)))
 * await pool.close()
 * ```
 */
export class ReaderPool {
  readonly #readers: Array<{ worker: Worker; pending: Map<number, Pending> }> = []
  #nextId = 0
  #closed = false

  constructor(props: { readonly path: string; readonly size: number }) {
    if (!Number.isInteger(props.size) || props.size < 1) throw new RangeError('ReaderPool: props.size must be an integer >= 1')
    for (let index = 0; index < props.size; index++) {
      const reader = { worker: startWorker('search/reader-worker', { path: props.path }), pending: new Map<number, Pending>() }
      reader.worker.on('message', (message: { id: number; result?: SearchResultSet; error?: WorkerError }) => {
        const pending = reader.pending.get(message.id)
        reader.pending.delete(message.id)
        if (!pending) return
        if (message.error) pending.reject(toError(message.error))
        else pending.resolve(message.result!)
      })
      reader.worker.on('error', (error) => {
        for (const pending of reader.pending.values()) pending.reject(error)
        reader.pending.clear()
      })
      this.#readers.push(reader)
    }
  }

  search(query: string, options: SearchOptions = {}): Promise<SearchResultSet> {
    if (this.#closed) return Promise.reject(new Error('the reader pool is closed'))
    const reader = this.#readers.reduce((least, candidate) => (candidate.pending.size < least.pending.size ? candidate : least))
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      reader.pending.set(id, { resolve, reject })
      reader.worker.postMessage({ id, query, options })
    })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all(this.#readers.map(({ worker }) => worker.terminate()))
  }
}

function toError(error: WorkerError): Error {
  if (error.name === 'SearchError') return new SearchError(error.code as ErrorCode, error.message, { position: error.position })
  if (error.name === 'TypeError') return new TypeError(error.message)
  if (error.name === 'RangeError') return new RangeError(error.message)
  return Object.assign(new Error(error.message), { code: error.code })
}
