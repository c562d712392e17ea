import type { Kysely } from 'kysely'

/** One row of a database's schema, as {@link assertReversibleMigrations} compares it. */
export interface SchemaObject {
  readonly type: string
  readonly name: string
  readonly tableName: string
  readonly sql: string | null
}

export interface BeginOptions {
  /**
   * For a `transaction: false` migration: prepare what must precede BEGIN (SQLite: `foreign_keys=OFF`) and check
   * what must hold before COMMIT (SQLite: `foreign_key_check`).
   */
  readonly standalone: boolean
}

/** A transaction opened by {@link MigrationDialect.begin}. */
export interface MigrationTransaction {
  /** Runs the checks that must pass before COMMIT (SQLite: `foreign_key_check` for a standalone transaction). */
  verify(): Promise<void>
  /** Commits; may reject with a busy error, which the migrator retries. */
  commit(): Promise<void>
  /** Rolls back and restores what begin() changed. Never rejects for a transaction that is already gone. */
  rollback(): Promise<void>
}

/**
 * What the migrator needs from a database engine beyond Kysely: a write lock that spans processes, transactions that
 * include DDL, snapshots and schema reads. {@link SqliteMigrationDialect} is SQLite's; another engine (PostgreSQL with
 * `pg_advisory_xact_lock`, say) implements the same few methods.
 */
export interface MigrationDialect {
  /**
   * Opens the run's transaction holding the database's write lock, so that no other process can migrate until it
   * ends. Rejects at once with an error that {@link isBusy} recognises when another process holds the lock.
   */
  begin(db: Kysely<any>, options: BeginOptions): Promise<MigrationTransaction>
  /** Whether `error` means "locked by someone else, try again later". */
  isBusy(error: unknown): boolean
  /** The names of the database's tables, without the engine's internal ones. */
  tableNames(db: Kysely<any>): Promise<ReadonlyArray<string>>
  /** Every schema object except the engine's internal ones, sorted. */
  readSchema(db: Kysely<any>): Promise<ReadonlyArray<SchemaObject>>
  /**
   * Writes a consistent snapshot of the database to `destination`, a new file that already exists with mode 0600.
   * Called while {@link begin}'s lock is held and before anything was written in it. Absent: no backups.
   */
  readonly backup?: ((destination: string) => Promise<void>) | undefined
  /** Verifies `source` and puts it back in place of the database. Absent: no restore. */
  readonly restore?: ((source: string) => Promise<void>) | undefined
}
