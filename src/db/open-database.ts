import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { CodeIndexError, databaseError } from '../errors.js'

export interface OpenDatabaseOptions {
  /** Open without writing; the file must exist. */
  readonly readonly?: boolean | undefined
  /**
   * SQLite's own busy wait, which blocks the event loop. Kept short: the migrator and writers retry asynchronously.
   * Default 50 ms.
   */
  readonly busyTimeoutMs?: number | undefined
}

/** How long opening may wait for another process that is switching the file to WAL at the same moment. */
const OPEN_BUSY_TIMEOUT_MS = 5_000

/**
 * How much of the file a read-only connection maps into memory: SQLite's ceiling (`SQLITE_MAX_MMAP_SIZE`), 2 GiB less
 * 64 KiB. Mapped pages are read without a system call each, and on this project's machines a system call is dear:
 * searches through a mapped connection ran 13-16% faster at the median, and two reader threads served 25-45% more
 * searches a second. Writing connections stay unmapped: the pages an index run touches would count in its RSS. The
 * price, as SQLite documents it: a file cut short by another program behind SQLite's back raises SIGBUS in a mapped
 * reader instead of an error.
 */
const READ_MAP_BYTES = 0x7fff0000

/**
 * Opens (and creates, with its folder) a SQLite database the way codeindex uses it: WAL, `foreign_keys=ON`,
 * `synchronous=NORMAL`, a short busy timeout. A new file is created with mode 0600. A read-only connection maps the
 * file into memory (`PRAGMA mmap_size`; set it to 0 to read through system calls again).
 *
 * ```ts
 * const database = openDatabase('.codeindex/index.db')
 * ```
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  if (typeof path !== 'string' || path === '') throw new TypeError('openDatabase: path must be a file path or :memory:')
  const memory = path === ':memory:'
  const file = memory ? path : resolve(path)
  // SQLite says "unable to open database file", which the mapping below would take for a permissions problem.
  if (options.readonly && !memory && !existsSync(file)) throw new CodeIndexError('DATABASE_OPEN_FAILED', `there is no database at ${file}`)
  let opened: Database.Database | undefined
  try {
    if (!memory && !options.readonly) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
      // 'a' creates the file with mode 0600 when missing and leaves an existing one alone.
      closeSync(openSync(file, 'a', 0o600))
    }
    opened = new Database(file, { readonly: options.readonly === true, fileMustExist: options.readonly === true })
    opened.pragma(`busy_timeout = ${OPEN_BUSY_TIMEOUT_MS}`)
    if (!options.readonly) {
      opened.pragma('journal_mode = WAL')
      opened.pragma('synchronous = NORMAL')
    } else if (!memory) {
      opened.pragma(`mmap_size = ${READ_MAP_BYTES}`)
      // Reads the header now, so that a file SQLite cannot read (a WAL database in a folder where its -shm file cannot
      // be created) fails here, named, rather than at the first query.
      opened.pragma('schema_version')
    }
    opened.pragma('foreign_keys = ON')
    opened.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 50))}`)
    return opened
  } catch (error) {
    opened?.close()
    const typed = databaseError(error, file)
    if (typed) throw typed
    throw new CodeIndexError('DATABASE_OPEN_FAILED', `cannot open the database ${file}: ${(error as Error).message}`, {
      cause: error,
    })
  }
}
