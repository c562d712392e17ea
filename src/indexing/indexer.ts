import { accessSync, constants, statSync } from 'node:fs'
import { relative, resolve, sep } from 'node:path'
import type Database from 'better-sqlite3'
import { CodeIndexError, databaseError } from '../errors.js'
import type { AnalyzeJob, FileAnalysis } from './analyze-file.js'
import { pathMatcher } from '../path-glob.js'
import { createAnalyzer, defaultWorkerCount, MAX_THREADS, type Analyzer } from './analyzer.js'
import type { MigrationLogger } from '../migrator/migration-hooks.js'
import { retryWhileBusy } from '../migrator/retry-while-busy.js'
import { IndexWriter } from './index-writer.js'
import { PARSED_LANGUAGES } from './languages/registry.js'
import { readAhead } from './read-ahead.js'
import { walkTree, type WalkOptions } from './walk-tree.js'

/** Throws `INDEX_ROOT_INVALID` unless `path` is an existing folder this process can list. */
export function assertIndexRoot(path: string): void {
  let isDirectory = false
  try {
    isDirectory = statSync(path).isDirectory()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'it does not exist' : `it cannot be read (${code})`
    throw new CodeIndexError('INDEX_ROOT_INVALID', `cannot index ${path}: ${why}`, { cause: error })
  }
  if (!isDirectory) throw new CodeIndexError('INDEX_ROOT_INVALID', `cannot index ${path}: it is not a folder`)
  try {
    // Listing needs read permission, and looking at the entries search permission.
    accessSync(path, constants.R_OK | constants.X_OK)
  } catch (error) {
    throw new CodeIndexError('INDEX_ROOT_INVALID', `cannot index ${path}: it cannot be read (${(error as NodeJS.ErrnoException).code})`, { cause: error })
  }
}

/** How long a write waits for another writer before the run fails. */
const WRITE_LOCK_TIMEOUT_MS = 120_000

/** Progress is reported after every batch written, and every this many files read in between. */
const PROGRESS_EVERY = 100

/** Below this many files to read, a run parses in the calling thread, unless parse threads are up from the last. */
const FEW_FILES = 32

/**
 * How far each parse thread may run ahead of the writer: files, and bytes of source. While the writer writes a batch
 * (synchronously, in one transaction), the parse threads parse the next one; with less room than a batch they would
 * idle through every transaction. On the synthetic corpus, side by side: 32 files ahead, 22-32 s; 128, 19-20 s.
 */
const AHEAD_PER_WORKER = 128
const AHEAD_BYTES_PER_WORKER = 8 * 1024 * 1024

/** A batch is written once it holds this many bytes of source, however few files. */
const BATCH_BYTES = 16 * 1024 * 1024

/**
 * By default, a run that wrote at least this many files, and at least a quarter of the files in the index, ends by
 * merging the full-text indexes into one segment each. A run of 10,000 files leaves a dozen segments, and searches read
 * every one: merged, the bench:search query mix ran 13% (synthetic) and 14% (node_modules) faster at the median, for
 * about a second of merging per 10,000 files. Smaller runs leave their segments to FTS5's automerge.
 */
const MERGE_AFTER_FILES = 1000

export interface IndexOptions extends Omit<WalkOptions, 'signal'> {
  /** Larger files are recorded as skipped, not read. Default 1 MiB. */
  readonly maxFileSize?: number | undefined
  /**
   * Parse threads; 0 parses in this thread. Default: one per core, or none when fewer than 32 files need reading and
   * no threads are up from an earlier run.
   */
  readonly workers?: number | undefined
  /**
   * How long parse threads stay up after a run, for the next: they keep their grammars compiled, which a re-run would
   * otherwise wait for (up to half a second for the first file of a language). Default 30,000 ms; 0 stops them with
   * the run. They never keep the process alive; {@link Indexer.close} stops them at once.
   */
  readonly keepThreadsMs?: number | undefined
  /** Where the tree-sitter grammars are. Default: tree-sitter-wasms in node_modules. */
  readonly grammarFolder?: string | undefined
  /**
   * Whether the run ends by merging the full-text indexes into one segment each, for faster searches (this rewrites
   * them: about a second per 10,000 files). Default: when the run wrote at least 1,000 files and a quarter of the
   * index.
   */
  readonly mergeIndexes?: boolean | undefined
  /** Files written per transaction (fewer when they hold more than 16 MiB). Default 250. */
  readonly batchSize?: number | undefined
  /** Stops the run between batches: what was committed stays, nothing is half-written. */
  readonly signal?: AbortSignal | undefined
  readonly onProgress?: ((progress: IndexProgress) => void) | undefined
  /** Structured log lines (run start and end, degraded and failed files). Silent when left out. */
  readonly logger?: MigrationLogger | undefined
}

/**
 * Refuses options of the wrong type before anything is read or written: a string where globs go, say, would
 * otherwise be taken for a list of one-letter globs, match nothing, and remove every file from the index.
 */
function assertIndexOptions(options: IndexOptions): void {
  for (const name of ['include', 'exclude'] as const) {
    const globs: unknown = options[name]
    if (globs !== undefined && (!Array.isArray(globs) || !globs.every((glob) => typeof glob === 'string' && glob !== ''))) {
      throw new TypeError(`index: options.${name} must be an array of globs (non-empty strings)`)
    }
    const matcher = globs === undefined ? undefined : pathMatcher(globs as string[])
    if (matcher && 'refused' in matcher) {
      throw new RangeError(`index: options.${name} ${matcher.reason}`)
    }
  }
  for (const name of ['defaultExcludes', 'gitignore', 'mergeIndexes'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') throw new TypeError(`index: options.${name} must be a boolean`)
  }
  const { workers } = options
  if (workers !== undefined) {
    if (typeof workers !== 'number') throw new TypeError('index: options.workers must be a number')
    if (!Number.isInteger(workers) || workers < 0 || workers > MAX_THREADS) {
      throw new RangeError(`index: options.workers must be an integer from 0 to ${MAX_THREADS} (four per core)`)
    }
  }
  if (options.grammarFolder !== undefined && typeof options.grammarFolder !== 'string') throw new TypeError('index: options.grammarFolder must be a path')
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new TypeError('index: options.signal must be an AbortSignal')
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new TypeError('index: options.onProgress must be a function')
  if (options.logger !== undefined && (typeof options.logger !== 'object' || options.logger === null)) {
    throw new TypeError('index: options.logger must be an object with info, warn and error methods')
  }
}

export type IndexPhase = 'Walking' | 'Indexing' | 'Finishing' | 'Done'

export interface IndexTotals {
  readonly seen: number
  readonly indexed: number
  readonly unchanged: number
  readonly skipped: number
  readonly failed: number
  readonly removed: number
  /** Bytes read and parsed. */
  readonly bytes: number
}

export interface IndexProgress extends IndexTotals {
  readonly phase: IndexPhase
  /** Files that need reading this run (new or changed since the last). */
  readonly toRead: number
  readonly elapsedMs: number
  /** Files settled (indexed, unchanged, skipped or failed) per second so far. */
  readonly filesPerSecond: number
}

export type FileOutcome = 'Indexed' | 'Unchanged' | 'Skipped' | 'Failed'

export interface FileResult {
  readonly path: string
  readonly status: FileOutcome
  /** Why a file was skipped or failed, or why an indexed file was read as text only. */
  readonly reason?: string | undefined
}

export type IndexRunOutcome = 'Completed' | 'Cancelled' | 'Failed'

export interface IndexResultSet {
  readonly runId: number
  readonly root: string
  readonly status: IndexRunOutcome
  readonly error?: CodeIndexError
  readonly files: ReadonlyArray<FileResult>
  readonly removed: ReadonlyArray<string>
  /**
   * Folders the walk could not list whole (no permission, a path too long), relative to the root ('.' for the root
   * itself). The files the index holds under them are kept as they are: neither re-read nor removed, nor counted.
   */
  readonly unreadableFolders: ReadonlyArray<string>
  readonly totals: IndexTotals
  readonly durationMs: number
  /**
   * Where the time went: walking the tree, writing (inside transactions) and merging the full-text indexes at the end.
   * The rest is reading and parsing.
   */
  readonly timings: { readonly walkMs: number; readonly writeMs: number; readonly mergeMs: number }
  /** The parse threads the run used; 0 when it parsed in the calling thread (or had nothing to parse). */
  readonly parseThreads: number
}

/**
 * Indexes folders into one database: walks with git's ignore rules, reads and parses only what changed (in worker
 * threads), and writes in large transactions on the given better-sqlite3 connection. Indexing a tree returns a result
 * set and never throws for a file; only a root that is not a folder, or cannot be listed, throws (`INDEX_ROOT_INVALID`),
 * before anything is written. A subfolder that cannot be listed is reported in `unreadableFolders`, and the files
 * indexed under it stay.
 *
 * ```ts
 * const indexer = new Indexer(database)
 * const { totals, files } = await indexer.index('.', { onProgress: (p) => console.log(p.indexed) })
 * ```
 */
export class Indexer {
  readonly #writer: IndexWriter
  readonly #defaults: IndexOptions
  readonly #databaseFile: string | undefined

  constructor(database: Database.Database, defaults: IndexOptions = {}) {
    this.#writer = new IndexWriter(database)
    this.#defaults = defaults
    this.#databaseFile = database.memory ? undefined : resolve(database.name)
  }

  #localAnalyzer: Analyzer | undefined
  #localGrammars: string | undefined

  /** Parse threads kept up between runs, with the runs using them and the timer that stops them once idle. */
  #threads: { analyzer: Analyzer; size: number; grammars: string | undefined; runs: number; idle?: NodeJS.Timeout } | undefined

  /** Parse threads for a run: the ones kept from an earlier run when they fit, else new ones (the old ones stop). */
  #takeThreads(size: number, grammars: string | undefined): Analyzer {
    const threads = this.#threads
    if (threads && threads.size === size && threads.grammars === grammars) {
      clearTimeout(threads.idle)
      threads.runs++
      return threads.analyzer
    }
    if (threads && threads.runs === 0) void this.#stopThreads()
    const analyzer = createAnalyzer(size, grammars)
    if (!threads || threads.runs === 0) this.#threads = { analyzer, size, grammars, runs: 1 }
    return analyzer
  }

  /** A run is done with `analyzer`: kept threads wait `keepMs` for the next run; any others stop now. */
  async #releaseThreads(analyzer: Analyzer, keepMs: number): Promise<void> {
    const threads = this.#threads
    if (threads?.analyzer !== analyzer) return analyzer.close()
    if (--threads.runs > 0) return
    if (keepMs <= 0) return this.#stopThreads()
    threads.idle = setTimeout(() => void this.#stopThreads(), keepMs)
    threads.idle.unref()
  }

  async #stopThreads(): Promise<void> {
    const threads = this.#threads
    this.#threads = undefined
    if (!threads) return
    clearTimeout(threads.idle)
    await threads.analyzer.close()
  }

  /** Stops the parse threads kept from the last run, if any. The indexer stays usable: a run starts new ones. */
  async close(): Promise<void> {
    await this.#stopThreads()
  }

  /** The analyzer that parses in this thread, kept across runs so that its grammars stay loaded. */
  #inThread(grammarFolder: string | undefined): Analyzer {
    if (!this.#localAnalyzer || this.#localGrammars !== grammarFolder) {
      this.#localAnalyzer = createAnalyzer(0, grammarFolder)
      this.#localGrammars = grammarFolder
    }
    return this.#localAnalyzer
  }

  /**
   * One write transaction, retried while another connection holds the write lock (a migration, another indexer):
   * SQLite's own busy wait is kept short because it blocks the event loop; this one waits with timers.
   */
  #write<T>(work: () => T): Promise<T> {
    return retryWhileBusy(async () => this.#writer.transaction(work), {
      isBusy: (error) => String((error as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_BUSY'),
      timeoutMs: WRITE_LOCK_TIMEOUT_MS,
      timeoutError: (cause) =>
        new CodeIndexError('INDEX_FAILED', `the index stayed locked by another writer for ${WRITE_LOCK_TIMEOUT_MS / 1000} s`, { cause }),
    })
  }

  /** The index's own files, when they sit inside the tree being indexed. */
  #ownFiles(root: string): string[] {
    if (!this.#databaseFile?.startsWith(root + sep)) return []
    const path = relative(root, this.#databaseFile).split(sep).join('/')
    return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]
  }

  async index(root: string, callOptions: IndexOptions = {}): Promise<IndexResultSet> {
    if (typeof root !== 'string' || root === '') throw new TypeError('index: root must be a folder path')
    const options = { ...this.#defaults, ...callOptions }
    assertIndexOptions(options)
    const absoluteRoot = resolve(root)
    assertIndexRoot(absoluteRoot)
    const maxFileSize = options.maxFileSize ?? 1024 * 1024
    const batchSize = options.batchSize ?? 250
    if (!Number.isInteger(maxFileSize) || maxFileSize < 0) throw new RangeError('index: options.maxFileSize must be an integer >= 0')
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('index: options.batchSize must be an integer >= 1')
    const keepThreadsMs = options.keepThreadsMs ?? 30_000
    if (!(keepThreadsMs >= 0)) throw new RangeError('index: options.keepThreadsMs must be a number >= 0')

    const started = performance.now()
    const writer = this.#writer
    const runId = await this.#write(() => writer.startRun(absoluteRoot, new Date()))
    const log = options.logger ?? {}
    log.info?.('index run started', { runId, root: absoluteRoot })
    const files: FileResult[] = []
    const removed: string[] = []
    const unreadableFolders: string[] = []
    const totals = { seen: 0, indexed: 0, unchanged: 0, skipped: 0, failed: 0, removed: 0, bytes: 0 }
    let toRead = 0
    let phase: IndexPhase = 'Walking'
    const timings = { walkMs: 0, writeMs: 0, mergeMs: 0 }
    const progress = () => {
      const elapsedMs = performance.now() - started
      const settled = totals.indexed + totals.unchanged + totals.skipped + totals.failed
      options.onProgress?.({ phase, ...totals, toRead, elapsedMs, filesPerSecond: elapsedMs > 0 ? (settled * 1000) / elapsedMs : 0 })
    }
    const finish = async (status: IndexRunOutcome, error?: CodeIndexError): Promise<IndexResultSet> => {
      const durationMs = performance.now() - started
      try {
        await this.#write(() =>
          writer.finishRun(runId, {
            finished_at: new Date().toISOString(),
            status,
            files_seen: totals.seen,
            files_indexed: totals.indexed,
            files_unchanged: totals.unchanged,
            files_skipped: totals.skipped,
            files_failed: totals.failed,
            files_removed: totals.removed,
            duration_ms: durationMs,
            error: error?.message ?? null,
          }),
        )
      } catch (recordError) {
        // A full disk can refuse even the run record; the result set still says what happened.
        if (!error) throw recordError
      }
      phase = 'Done'
      progress()
      for (const file of files) {
        if (file.status === 'Failed') log.warn?.('file failed', { runId, path: file.path, reason: file.reason })
        else if (file.status === 'Indexed' && file.reason) log.warn?.('file indexed as text only', { runId, path: file.path, reason: file.reason })
      }
      const fields = { runId, status, ...totals, durationMs: Math.round(durationMs) }
      if (error) log.error?.(`index run ${status.toLowerCase()}: ${error.message}`, { ...fields, code: error.code })
      else log.info?.(`index run ${status.toLowerCase()}`, fields)
      return Object.freeze({
        runId,
        root: absoluteRoot,
        status,
        ...(error ? { error } : {}),
        files: Object.freeze(files),
        removed: Object.freeze(removed),
        unreadableFolders: Object.freeze(unreadableFolders),
        totals: Object.freeze({ ...totals }),
        durationMs,
        timings: Object.freeze({ ...timings }),
        parseThreads,
      })
    }

    let analyzer: Analyzer | undefined
    let parseThreads = 0
    try {
      progress()
      const walkStarted = performance.now()
      const walk = walkTree(absoluteRoot, { ...options, exclude: [...(options.exclude ?? []), ...this.#ownFiles(absoluteRoot)] })
      timings.walkMs = performance.now() - walkStarted
      const known = writer.knownFiles()
      const keepContent = writer.contentIndexEnabled()
      totals.seen = walk.files.length
      const walked = new Map(walk.files.map((file) => [file.path, file]))
      const jobs: AnalyzeJob[] = []
      for (const file of walk.files) {
        const previous = known.get(file.path)
        const contentMissing = keepContent && previous?.status === 'Indexed' && !previous.hasContent
        if (previous && previous.size === file.size && previous.mtimeMs === file.mtimeMs && !contentMissing) {
          totals.unchanged++
          files.push({ path: file.path, status: 'Unchanged' })
          continue
        }
        jobs.push({
          path: file.path,
          absolutePath: file.absolutePath,
          size: file.size,
          previousHash: previous?.status === 'Indexed' && !contentMissing ? (previous.hash ?? undefined) : undefined,
          maxFileSize,
          keepContent,
        })
      }
      // By default, threads start only for a run with enough to read: starting them (and compiling each grammar in
      // each) costs more than parsing a handful of files here. Threads kept up from an earlier run have done that.
      const kept = this.#threads?.grammars === options.grammarFolder ? this.#threads?.size : undefined
      const workers = jobs.length === 0 ? 0 : (options.workers ?? (jobs.length >= FEW_FILES ? defaultWorkerCount() : (kept ?? 0)))
      if (workers > 0) {
        analyzer = this.#takeThreads(workers, options.grammarFolder)
        parseThreads = workers
      } else if (jobs.length > 0) {
        analyzer = this.#inThread(options.grammarFolder)
      }
      for (const folder of walk.unreadableFolders) {
        unreadableFolders.push(folder.path)
        log.warn?.(`folder cannot be read (${folder.code}); the files indexed under it stay as they are`, { runId, path: folder.path, code: folder.code })
      }
      const unread = new Set(unreadableFolders)
      for (const path of known.keys()) if (!walked.has(path) && !underAny(unread, path)) removed.push(path)
      toRead = jobs.length
      phase = 'Indexing'
      progress()

      let batch: FileAnalysis[] = []
      let batchBytes = 0
      const written: number[] = []
      let newFiles = 0
      const flush = async () => {
        const indexedAt = new Date().toISOString()
        const writeStarted = performance.now()
        await this.#write(() => {
          for (const analysis of batch) {
            const { size, mtimeMs } = walked.get(analysis.path)!
            if (analysis.status === 'Unchanged') writer.touch(known.get(analysis.path)!.id, size, mtimeMs)
            else {
              written.push(writer.write(analysis, mtimeMs, indexedAt))
              if (!known.has(analysis.path)) newFiles++
            }
          }
        })
        timings.writeMs += performance.now() - writeStarted
        batch = []
        batchBytes = 0
        progress()
      }
      let cancelled = false
      // Parse threads run a bounded number of files ahead of the writer: a parsed file waiting to be written holds its
      // text and rows, and parsing outruns writing.
      const threads = Math.max(workers, 1)
      const analyses = readAhead(
        jobs,
        { items: AHEAD_PER_WORKER * threads, weight: AHEAD_BYTES_PER_WORKER * threads, signal: options.signal },
        (job) => analyzer!.analyze(job),
        (job) => job.size,
      )
      let index = 0
      for await (const analysis of analyses) {
        if (options.signal?.aborted) {
          cancelled = true
          break
        }
        batch.push(analysis)
        if (analysis.status === 'Indexed') batchBytes += analysis.size
        record(analysis, files, totals)
        if (batch.length >= batchSize || batchBytes >= BATCH_BYTES) await flush()
        else if (++index % PROGRESS_EVERY === 0) progress()
      }
      // Also when the signal came during the walk, or before a file was parsed: no known file may then be taken for
      // removed. The files analysed and counted so far are written, so that the totals say what the index holds.
      if (cancelled || options.signal?.aborted) {
        if (batch.length > 0) await flush()
        // Found missing by a walk that may have stopped short: not removed, and not reported so.
        removed.length = 0
        return await finish('Cancelled')
      }
      if (batch.length > 0) await flush()

      phase = 'Finishing'
      progress()
      if (removed.length > 0) {
        await this.#write(() => {
          for (const path of removed) writer.remove(known.get(path)!.id)
        })
        totals.removed = removed.length
      }
      // A new path can resolve imports anywhere; otherwise only the files written this run have unresolved imports
      // worth a look (a removed file's importers were set to NULL and stay so until a file appears at that path).
      if (newFiles > 0) await this.#write(() => resolveImports(writer))
      else if (written.length > 0) await this.#write(() => resolveImports(writer, written))
      const filesNow = known.size - removed.length + newFiles
      if (!options.signal?.aborted && (options.mergeIndexes ?? (written.length >= MERGE_AFTER_FILES && written.length * 4 >= filesNow))) {
        const mergeStarted = performance.now()
        try {
          await this.#write(() => writer.mergeFullTextIndexes())
        } catch (error) {
          // The run's rows are committed and whole; unmerged segments only make searches slower.
          log.warn?.('merging the full-text indexes failed; they stay as they are', { runId, reason: (error as Error).message })
        }
        timings.mergeMs = performance.now() - mergeStarted
      }
      return await finish('Completed')
    } catch (error) {
      if (error instanceof RangeError || error instanceof TypeError) throw error
      const failure =
        error instanceof CodeIndexError
          ? error
          : (databaseError(error, this.#databaseFile ?? ':memory:') ??
            new CodeIndexError('INDEX_FAILED', `indexing failed: ${(error as Error).message}`, { cause: error }))
      return await finish('Failed', failure)
    } finally {
      if (analyzer && analyzer !== this.#localAnalyzer) await this.#releaseThreads(analyzer, keepThreadsMs)
    }
  }
}

function record(analysis: FileAnalysis, files: FileResult[], totals: { indexed: number; unchanged: number; skipped: number; failed: number; bytes: number }) {
  switch (analysis.status) {
    case 'Unchanged':
      totals.unchanged++
      files.push({ path: analysis.path, status: 'Unchanged' })
      break
    case 'Skipped':
      totals.skipped++
      files.push({ path: analysis.path, status: 'Skipped', reason: analysis.reason })
      break
    case 'Failed':
      totals.failed++
      files.push({ path: analysis.path, status: 'Failed', reason: analysis.reason })
      break
    case 'Indexed':
      totals.indexed++
      totals.bytes += analysis.size
      files.push({ path: analysis.path, status: 'Indexed', ...(analysis.degraded ? { reason: analysis.degraded } : {}) })
      break
  }
}

/** Whether `path` lies in one of `folders` ('.' being the root). */
function underAny(folders: ReadonlySet<string>, path: string): boolean {
  if (folders.size === 0) return false
  if (folders.has('.')) return true
  for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
    if (folders.has(path.slice(0, slash))) return true
  }
  return false
}

const RESOLVERS = new Map(
  PARSED_LANGUAGES.filter((spec) => spec.resolveImport).map((spec) => [spec.id, spec.resolveImport!] as const),
)

/** Points relative imports at the indexed files they name; run after every change to the set of files. */
function resolveImports(writer: IndexWriter, onlyFiles?: ReadonlyArray<number>): void {
  writer.resolveImports(
    [...RESOLVERS.keys()],
    (module, fromPath, language, exists) => RESOLVERS.get(language)?.(module, fromPath, exists),
    onlyFiles,
  )
}
