import type { Worker } from 'node:worker_threads'
import { CodeIndexError, type ErrorCode } from '../errors.js'
import type { MigrationLogger } from '../migrator/migration-hooks.js'
import type { SearchOptions, SearchResultSet } from './search.js'
import { startWorker } from '../workers/start-worker.js'
import { SearchError } from './search-error.js'

interface Pending {
  readonly resolve: (result: SearchResultSet) => void
  readonly reject: (error: Error) => void
}

interface Reader {
  readonly worker: Worker
  readonly pending: Map<number, Pending>
  /** It has answered a search: it started, so a crash later is worth a restart. */
  answered: boolean
  /** Why it stopped for good. */
  down?: Error
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
  readonly #readers: Reader[] = []
  readonly #path: string
  readonly #logger: MigrationLogger | undefined
  #nextId = 0
  #closed = false

  constructor(props: { readonly path: string; readonly size: number; readonly logger?: MigrationLogger | undefined }) {
    if (!Number.isInteger(props.size) || props.size < 1) throw new RangeError('ReaderPool: props.size must be an integer >= 1')
    this.#path = props.path
    this.#logger = props.logger
    for (let index = 0; index < props.size; index++) this.#readers.push(this.#spawn(index))
  }

  /**
   * A reader thread. When it dies, its searches fail with the cause; a new thread takes its place if this one had
   * answered (one that never did, say on a file that is not a database, would only die again: it stays down, and
   * searches routed to it fail at once).
   */
  #spawn(index: number): Reader {
    const reader: Reader = { worker: startWorker('search/reader-worker', { path: this.#path }), pending: new Map(), answered: false }
    let failure: Error | undefined
    reader.worker.on('message', (message: { id: number; result?: SearchResultSet; error?: WorkerError }) => {
      reader.answered = true
      const pending = reader.pending.get(message.id)
      reader.pending.delete(message.id)
      if (!pending) return
      if (message.error) pending.reject(toError(message.error))
      else pending.resolve(message.result!)
    })
    reader.worker.on('error', (error) => {
      failure = error
    })
    reader.worker.on('exit', (code) => {
      if (this.#closed) return
      const error = failure ?? new Error(`the search reader exited with code ${code}`)
      for (const pending of reader.pending.values()) pending.reject(error)
      reader.pending.clear()
      if (reader.answered) {
        this.#logger?.error?.(`search reader ${index} stopped: ${error.message}; starting a new one`, { reader: index })
        this.#readers[index] = this.#spawn(index)
      } else {
        this.#logger?.error?.(`search reader ${index} failed to start: ${error.message}`, { reader: index })
        reader.down = error
      }
    })
    return reader
  }

  search(query: string, options: SearchOptions = {}): Promise<SearchResultSet> {
    if (this.#closed) return Promise.reject(new Error('the reader pool is closed'))
    const up = this.#readers.filter((reader) => !reader.down)
    if (up.length === 0) return Promise.reject(this.#readers[0]!.down)
    const reader = up.reduce((least, candidate) => (candidate.pending.size < least.pending.size ? candidate : least))
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
  if (error.name === 'CodeIndexError') return new CodeIndexError(error.code as ErrorCode, error.message)
  if (error.name === 'TypeError') return new TypeError(error.message)
  if (error.name === 'RangeError') return new RangeError(error.message)
  return Object.assign(new Error(error.message), { code: error.code })
}
