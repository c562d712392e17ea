import { existsSync, renameSync } from 'node:fs'
import BetterSqlite3, { type Database } from 'better-sqlite3'
import type { Kysely } from 'kysely'
import { assertSchemaKnown, createIndexMigrator } from './db/create-index-migrator.js'
import { createKysely } from './db/create-kysely.js'
import { openDatabase } from './db/open-database.js'
import { MAX_THREADS } from './indexing/analyzer.js'
import type { DB } from './db/schema.generated.js'
import { CodeIndexError, databaseError } from './errors.js'
import { mergeFullTextIndexes } from './indexing/index-writer.js'
import { Indexer, type IndexOptions, type IndexResultSet } from './indexing/indexer.js'
import { listUserTags, setUserTag, type UserTag } from './indexing/user-tags.js'
import type { GuardedMigrator, MigrationLogger } from './migrator/index.js'
import { ReaderPool } from './search/reader-pool.js'
import { search, type SearchOptions, type SearchResultSet } from './search/search.js'
import { loggedSearch } from './search/search-log.js'

export interface OpenIndexOptions {
  /** The index database; created with its folder (mode 0600) when missing. */
  readonly path: string
  /** Run the guarded migrator to the latest schema on open. Default true. */
  readonly migrate?: boolean | undefined
  /**
   * What to do with a file that is not a database, or is corrupt: `'error'` (default) throws its typed error;
   * `'rebuild'` moves it aside (`<path>.corrupt-<time>`) and starts an empty index, to be filled by the next run.
   */
  readonly onCorrupt?: 'error' | 'rebuild' | undefined
  /**
   * Structured log lines from the migrator, the indexer and the search (each search at debug level with its figures;
   * failures at error). Silent when left out.
   */
  readonly logger?: MigrationLogger | undefined
  /**
   * Search threads, each with a read-only connection, so that concurrent searches run in parallel (and beside the
   * indexer's writes). Default 0: searches run on this connection, one at a time.
   */
  readonly readers?: number | undefined
}

export interface CheckReport {
  /** True when every check passed. */
  readonly ok: boolean
  readonly checks: ReadonlyArray<{ readonly name: string; readonly ok: boolean; readonly detail: string }>
}

/** An open index: the typed database, the indexer and the search bound to it. */
export interface CodeIndex {
  readonly path: string
  readonly database: Database
  readonly db: Kysely<DB>
  readonly migrator: GuardedMigrator
  /** Indexes `root`; user tags salvaged from a rebuilt index are put back on their files afterwards. */
  index(root: string, options?: IndexOptions): Promise<IndexResultSet>
  /** Every user tag (`setUserTag`); export them to keep them apart from the derived data. */
  userTags(): Promise<ReadonlyArray<UserTag>>
  /** User tags salvaged from a damaged index whose files are not indexed yet. */
  pendingUserTags(): ReadonlyArray<UserTag>
  search(query: string, options?: SearchOptions): Promise<SearchResultSet>
  /** integrity_check (or quick_check), foreign_key_check, the FTS5 integrity checks, and the migrations' checksums. */
  check(options?: { readonly quick?: boolean }): Promise<CheckReport>
  /** FTS5 optimize, `PRAGMA optimize` and ANALYZE. */
  optimize(): void
  vacuum(): void
  /** Closes the database; calling it again does nothing. */
  close(): void
}

/**
 * Opens an index: creates it when missing, sets WAL and foreign keys, migrates it to the latest schema (guarded:
 * atomic, checksummed, backed up), and hands back the typed database with the indexer and search bound to it.
 * A foreign, corrupt, newer-schema or read-only file gives a typed error (`NOT_A_DATABASE`, `DATABASE_CORRUPT`,
 * `SCHEMA_TOO_NEW`, `READ_ONLY`) and is never overwritten unless `onCorrupt: 'rebuild'` says so.
 *
 * ```ts
 * const index = await openIndex({ path: '.codeindex/index.db' })
 * await index.index('.')
 * const { results } = await index.search('GuardedMigrator')
 * index.close()
 * ```
 */
export async function openIndex(options: OpenIndexOptions): Promise<CodeIndex> {
  if (typeof options?.path !== 'string' || options.path === '') throw new TypeError('openIndex: options.path must be a file path')
  const { readers } = options
  if (readers !== undefined && (typeof readers !== 'number' || !Number.isInteger(readers) || readers < 0 || readers > MAX_THREADS)) {
    throw new RangeError(`openIndex: options.readers must be an integer from 0 to ${MAX_THREADS} (four per core)`)
  }
  if (options.onCorrupt !== undefined && options.onCorrupt !== 'error' && options.onCorrupt !== 'rebuild') {
    throw new TypeError(`openIndex: options.onCorrupt must be 'error' or 'rebuild'`)
  }
  if (options.migrate !== undefined && typeof options.migrate !== 'boolean') throw new TypeError('openIndex: options.migrate must be a boolean')
  try {
    return await open(options)
  } catch (error) {
    const typed = error instanceof CodeIndexError ? error : databaseError(error, options.path)
    if (options.onCorrupt === 'rebuild' && (typed?.code === 'NOT_A_DATABASE' || typed?.code === 'DATABASE_CORRUPT')) {
      const aside = `${options.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`
      renameSync(options.path, aside)
      for (const suffix of ['-wal', '-shm']) if (existsSync(options.path + suffix)) renameSync(options.path + suffix, aside + suffix)
      options.logger?.warn?.(`moved the unreadable index aside to ${aside}; it will be rebuilt`, { path: options.path, aside })
      // User tags are not derived data: whatever of them can still be read goes back on the files once indexed.
      return open(options, salvageUserTags(aside))
    }
    throw typed ?? error
  }
}

/** The user tags of a damaged index, as far as they can be read; none when they cannot. */
function salvageUserTags(path: string): UserTag[] {
  let damaged: Database | undefined
  try {
    damaged = new BetterSqlite3(path, { readonly: true, fileMustExist: true })
    return damaged
      .prepare(
        `SELECT f.path AS path, t.tag AS tag, t.weight AS weight FROM file_tags t JOIN files f ON f.id = t.file_id WHERE t.source = 'user'`,
      )
      .all() as UserTag[]
  } catch {
    return []
  } finally {
    damaged?.close()
  }
}

async function open(options: OpenIndexOptions, pendingTags: ReadonlyArray<UserTag> = []): Promise<CodeIndex> {
  const database = openDatabase(options.path)
  try {
    // Reading the schema makes SQLite read the header: a foreign or mangled file fails here, not later.
    database.prepare('SELECT count(*) FROM sqlite_schema').get()
    const db = createKysely(database)
    const migrator = createIndexMigrator(database, { db, logger: options.logger })
    await assertSchemaKnown(migrator, options.path)
    if (options.migrate !== false) {
      const { error } = await migrator.migrateToLatest()
      if (error) throw databaseError(error.cause, options.path) ?? error
    }
    const indexer = new Indexer(database, options.logger ? { logger: options.logger } : {})
    const pool = options.readers ? new ReaderPool({ path: options.path, size: options.readers, logger: options.logger }) : undefined
    let waiting: ReadonlyArray<UserTag> = pendingTags
    let closed = false
    const assertOpen = () => {
      if (closed) throw new CodeIndexError('DATABASE_CLOSED', `the index ${options.path} was closed; open it again with openIndex`)
    }
    return {
      path: options.path,
      database,
      db,
      migrator,
      index: async (root, indexOptions) => {
        assertOpen()
        const result = await indexer.index(root, indexOptions)
        if (waiting.length > 0 && result.status === 'Completed') waiting = await applyUserTags(db, waiting)
        return result
      },
      userTags: async () => {
        assertOpen()
        return listUserTags(db)
      },
      pendingUserTags: () => waiting,
      search: async (query, searchOptions) => {
        assertOpen()
        return loggedSearch(options.logger, query, () => (pool ? pool.search(query, searchOptions) : search(db, query, searchOptions)))
      },
      check: async (checkOptions) => {
        assertOpen()
        return check(database, migrator, checkOptions?.quick === true)
      },
      optimize: () => {
        assertOpen()
        mergeFullTextIndexes(database)
        database.pragma('optimize')
        database.exec('ANALYZE')
      },
      vacuum: () => {
        assertOpen()
        database.exec('VACUUM')
      },
      close: () => {
        if (closed) return
        closed = true
        void pool?.close()
        void indexer.close()
        database.close()
      },
    }
  } catch (error) {
    database.close()
    throw error
  }
}

/** Sets each tag whose file is indexed; returns the ones whose file is not (yet). */
async function applyUserTags(db: Kysely<DB>, tags: ReadonlyArray<UserTag>): Promise<UserTag[]> {
  const left: UserTag[] = []
  for (const tag of tags) {
    try {
      await setUserTag(db, tag.path, tag.tag, tag.weight)
    } catch (error) {
      if ((error as CodeIndexError).code !== 'FILE_NOT_INDEXED') throw error
      left.push(tag)
    }
  }
  return left
}

async function check(database: Database, migrator: GuardedMigrator, quick: boolean): Promise<CheckReport> {
  const checks: Array<{ name: string; ok: boolean; detail: string }> = []
  const run = (name: string, body: () => string) => {
    try {
      const detail = body()
      checks.push({ name, ok: detail === 'ok', detail })
    } catch (error) {
      checks.push({ name, ok: false, detail: (error as Error).message })
    }
  }
  run(quick ? 'quick_check' : 'integrity_check', () =>
    (database.pragma(quick ? 'quick_check' : 'integrity_check') as Array<Record<string, string>>).map((row) => Object.values(row)[0]).join('; '),
  )
  run('foreign_key_check', () => {
    const rows = database.pragma('foreign_key_check') as unknown[]
    return rows.length === 0 ? 'ok' : `${rows.length} row(s) point nowhere`
  })
  for (const table of ['search_index', 'content_index']) {
    run(`${table} integrity-check`, () => {
      database.prepare(`INSERT INTO ${table} (${table}, rank) VALUES ('integrity-check', 1)`).run()
      return 'ok'
    })
  }
  const { problems } = await migrator.validate()
  const pending = (await migrator.status()).filter((status) => status.state === 'Pending').length
  checks.push({
    name: 'migrations',
    ok: problems.length === 0 && pending === 0,
    detail: problems.length > 0 ? problems.map((problem) => `${problem.code}: ${problem.message}`).join('; ') : pending > 0 ? `${pending} pending` : 'ok',
  })
  return { ok: checks.every((entry) => entry.ok), checks }
}
