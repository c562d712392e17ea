import { sql, type Kysely } from 'kysely'
import { dynamicImport } from './dynamic-import.js'
import { MigrationError } from './migration-error.js'
import type { BeginOptions, MigrationDialect, MigrationTransaction, SchemaObject } from './migration-dialect.js'

export interface SqliteMigrationDialectProps {
  /**
   * The database file, for backups and restores, which go through SQLite's online backup API on a connection of their
   * own. Leave it out (or pass `:memory:`) and the dialect can neither back up nor restore.
   */
  readonly path?: string | undefined
}

type BetterSqlite3 = typeof import('better-sqlite3')

async function openDatabase(path: string, readonly: boolean): Promise<import('better-sqlite3').Database> {
  const { default: Database } = (await dynamicImport('better-sqlite3')) as { default: BetterSqlite3 }
  return new Database(path, { readonly, fileMustExist: true })
}

/** Opens `path` read-only and proves it is a sound SQLite database. */
async function verifiedDatabase(path: string): Promise<import('better-sqlite3').Database> {
  let database: import('better-sqlite3').Database | undefined
  try {
    database = await openDatabase(path, true)
    const rows = database.pragma('integrity_check') as Array<{ integrity_check: string }>
    if (rows.length !== 1 || rows[0]?.integrity_check !== 'ok') {
      throw new Error(rows.map((row) => row.integrity_check).join('; '))
    }
    return database
  } catch (error) {
    database?.close()
    throw new MigrationError('BACKUP_INVALID', `${path} is not a sound SQLite database: ${(error as Error).message}`, {
      cause: error,
    })
  }
}

/**
 * SQLite's side of the migrator: `BEGIN IMMEDIATE` on the connection Kysely already holds (the write lock that other
 * processes see), `foreign_keys=OFF` before BEGIN and `foreign_key_check` before COMMIT for `transaction: false`
 * migrations, and the online backup API for snapshots.
 *
 * ```ts
 * const database = new Database('index.db')
 * const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) })
 * const migrator = new GuardedMigrator({ db, provider, dialect: new SqliteMigrationDialect({ path: database.name }) })
 * ```
 */
export class SqliteMigrationDialect implements MigrationDialect {
  readonly backup: ((destination: string) => Promise<void>) | undefined
  readonly restore: ((source: string) => Promise<void>) | undefined

  constructor(props: SqliteMigrationDialectProps = {}) {
    const path = props.path
    if (path !== undefined && (typeof path !== 'string' || path === '')) {
      throw new TypeError('SqliteMigrationDialect: props.path must be a non-empty string')
    }
    const onDisk = path !== undefined && path !== ':memory:'
    this.backup = onDisk ? (destination) => backupDatabase(path, destination) : undefined
    this.restore = onDisk ? (source) => restoreDatabase(source, path) : undefined
  }

  async begin(db: Kysely<any>, options: BeginOptions): Promise<MigrationTransaction> {
    let restoreForeignKeys = false
    if (options.standalone) {
      const { rows } = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(db)
      if (rows[0]?.foreign_keys === 1) {
        // A no-op inside a transaction: it has to come before BEGIN, or a table rebuild cascades its deletes.
        await sql`PRAGMA foreign_keys = OFF`.execute(db)
        restoreForeignKeys = true
      }
    }
    const restore = async () => {
      if (restoreForeignKeys) await sql`PRAGMA foreign_keys = ON`.execute(db)
      restoreForeignKeys = false
    }
    try {
      await withoutBusyWait(db, () => sql`BEGIN IMMEDIATE`.execute(db))
    } catch (error) {
      await restore()
      throw error
    }
    return {
      verify: async () => {
        if (options.standalone) await assertForeignKeys(db)
      },
      commit: async () => {
        await withoutBusyWait(db, () => sql`COMMIT`.execute(db))
        await restore()
      },
      rollback: async () => {
        try {
          await sql`ROLLBACK`.execute(db)
        } catch (error) {
          // SQLite may already have rolled back on its own (e.g. after SQLITE_FULL); there is nothing left to undo.
          if (!/no transaction is active/.test((error as Error).message)) throw error
        } finally {
          await restore()
        }
      },
    }
  }

  isBusy(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code
    return typeof code === 'string' && code.startsWith('SQLITE_BUSY')
  }

  async tableNames(db: Kysely<any>): Promise<ReadonlyArray<string>> {
    const { rows } = await sql<{ name: string }>`
      SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
    `.execute(db)
    return rows.map((row) => row.name)
  }

  async readSchema(db: Kysely<any>): Promise<ReadonlyArray<SchemaObject>> {
    const { rows } = await sql<SchemaObject>`
      SELECT type, name, tbl_name AS tableName, sql FROM sqlite_schema
      WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
      ORDER BY type, name
    `.execute(db)
    return rows
  }
}

/**
 * Runs `work` with the connection's busy timeout at 0, then puts it back: a locked database fails at once with
 * SQLITE_BUSY, and the migrator waits with timers (retryWhileBusy) rather than in SQLite's busy handler, which would
 * block the event loop for up to the timeout (5 s on a better-sqlite3 connection's default) at every attempt.
 */
async function withoutBusyWait<T>(db: Kysely<any>, work: () => Promise<T>): Promise<T> {
  const { rows } = await sql<{ timeout: number }>`PRAGMA busy_timeout`.execute(db)
  const previous = rows[0]?.timeout ?? 0
  if (previous === 0) return work()
  await sql`PRAGMA busy_timeout = 0`.execute(db)
  try {
    return await work()
  } finally {
    // A pragma takes a literal: better-sqlite3 would bind a number as a REAL.
    await sql.raw(`PRAGMA busy_timeout = ${Math.trunc(previous)}`).execute(db)
  }
}

async function assertForeignKeys(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ table: string; rowid: number; parent: string }>`PRAGMA foreign_key_check`.execute(db)
  if (rows.length > 0) {
    const first = rows[0]!
    throw new MigrationError(
      'MIGRATION_FOREIGN_KEY_VIOLATION',
      `${rows.length} row(s) would break a foreign key (first: ${first.table} rowid ${first.rowid} -> ${first.parent}); nothing was committed`,
    )
  }
}

async function backupDatabase(path: string, destination: string): Promise<void> {
  const source = await openDatabase(path, true)
  try {
    await source.backup(destination)
  } finally {
    source.close()
  }
  // The copy inherits WAL mode; a rollback-journal file stays one self-contained file when it is opened read-only.
  const copy = await openDatabase(destination, false)
  try {
    copy.pragma('journal_mode = DELETE')
  } finally {
    copy.close()
  }
}

async function restoreDatabase(source: string, path: string): Promise<void> {
  const backup = await verifiedDatabase(source)
  try {
    await backup.backup(path)
  } catch (error) {
    throw new MigrationError('BACKUP_FAILED', `could not restore ${source} into ${path}`, { cause: error })
  } finally {
    backup.close()
  }
}
