import { resolve } from 'node:path'
import {
  Migrator,
  NO_MIGRATIONS,
  type Kysely,
  type Migration,
  type MigrationInfo,
  type MigrationProvider,
  type MigrationResult,
  type MigrationResultSet,
} from 'kysely'
import { BackupStore, type BackupInfo, type BackupOptions } from './backup-store.js'
import { migrationChecksum } from './checksum.js'
import type { GuardedMigration, GuardedMigrationProvider } from './guarded-migration.js'
import type { MigrationDialect, MigrationTransaction } from './migration-dialect.js'
import { MigrationError } from './migration-error.js'
import type { CodeIndexError } from '../errors.js'
import type { LogFields, LogLevel, MigrationDirection, MigrationHooks, MigrationLogger } from './migration-hooks.js'
import { retryWhileBusy } from './retry-while-busy.js'
import { SqlCapturePlugin } from './sql-capture-plugin.js'
import { SqliteMigrationDialect } from './sqlite-migration-dialect.js'
import { expectMethod, expectObject, expectOptionalFunction, expectOptionalInteger, expectOptionalString } from './check-props.js'

export interface GuardedMigratorProps {
  /** The database. On SQLite, a Kysely over one better-sqlite3 connection (`SqliteDialect`). */
  readonly db: Kysely<any>
  /** Where migrations come from: {@link MigrationFolderProvider}, or any Kysely `MigrationProvider`. */
  readonly provider: MigrationProvider
  /** The engine's locking, transactions and backups. Default: `new SqliteMigrationDialect()` (no backups). */
  readonly dialect?: MigrationDialect | undefined
  /** Take a backup before a run changes a database that holds tables. Needs a dialect that can back up. */
  readonly backup?: BackupOptions | false | undefined
  /** Kysely's bookkeeping table. Default `kysely_migration`, so a database migrated by plain Kysely carries on. */
  readonly migrationTableName?: string | undefined
  /** Kysely's lock table. Default `kysely_migration_lock`. */
  readonly migrationLockTableName?: string | undefined
  /** The migrator's checksum table. Default `<migrationTableName>_checksum`. */
  readonly checksumTableName?: string | undefined
  /** How long to wait for another process's migration run before failing with `MIGRATION_LOCK_TIMEOUT`. Default 60 s. */
  readonly lockTimeoutMs?: number | undefined
  readonly hooks?: MigrationHooks | undefined
  readonly logger?: MigrationLogger | undefined
}

export interface MigrateOptions {
  /** Run the migrations inside the transaction, record the SQL they executed, then roll everything back. */
  readonly dryRun?: boolean | undefined
}

export type MigrationState = 'Applied' | 'Pending' | 'Modified' | 'Missing'

export interface MigrationStatus {
  readonly name: string
  readonly state: MigrationState
  /** The checksum of the source as it is now; `undefined` when the source is missing. */
  readonly checksum: string | undefined
  /** The checksum recorded when the migration was applied; `undefined` when pending or applied by plain Kysely. */
  readonly recordedChecksum: string | undefined
  readonly appliedAt: Date | undefined
}

export interface GuardedMigrationResult extends MigrationResult {
  /** How long the migration's `up` or `down` took, when it ran. */
  readonly durationMs: number | undefined
}

/**
 * The outcome of a run. Its arrays are Kysely's mutable types so that the migrator stays a drop-in `Migrator`; they are
 * frozen all the same.
 */
export interface GuardedMigrationResultSet extends MigrationResultSet {
  readonly error?: MigrationError
  readonly results?: GuardedMigrationResult[]
  /** The backup taken before the run changed anything, if one was. */
  readonly backup: string | undefined
  readonly dryRun: boolean
  /** For a dry run, the SQL statements the migrations executed before everything was rolled back. */
  readonly statements: ReadonlyArray<string> | undefined
  readonly durationMs: number
}

export interface MigrationValidationResult {
  /** Every problem that would stop a run; empty when migrating is safe. */
  readonly problems: ReadonlyArray<MigrationError>
}

export interface RepairResult {
  readonly error?: MigrationError
  /** The applied migrations whose checksum was recorded anew. */
  readonly repaired: ReadonlyArray<string>
}

type RunKind = 'Latest' | 'Up' | 'Down' | 'To' | 'Reset'
/** The last migration to be applied when the run ends; `NO_MIGRATIONS` for none; `null` when there is nothing to do. */
type Target = string | typeof NO_MIGRATIONS | null

/** A migration as far as verification and planning need it: its name and checksum. */
interface MigrationSource {
  readonly name: string
  readonly checksum: string
}

interface LoadedMigration extends MigrationSource {
  readonly migration: GuardedMigration
  readonly standalone: boolean
}

interface AppliedMigration {
  readonly appliedAt: Date
  readonly checksum: string | undefined
}

/** Applied migrations by name, sorted by name. */
type AppliedState = ReadonlyMap<string, AppliedMigration>

interface RunContext {
  readonly kind: RunKind
  readonly requested: string | undefined
  readonly dryRun: boolean
  readonly migrations: ReadonlyArray<LoadedMigration>
  readonly results: GuardedMigrationResult[]
  readonly statements: string[]
  readonly durations: Map<string, number>
  target: Target | undefined
  standalone: boolean
  backupChecked: boolean
  backup: string | undefined
}

function checkProps(props: GuardedMigratorProps): void {
  expectObject(props, 'GuardedMigrator: props')
  expectMethod(props.db, 'getExecutor', 'GuardedMigrator: props.db', 'a Kysely instance')
  expectMethod(props.provider, 'getMigrations', 'GuardedMigrator: props.provider', 'a MigrationProvider')
  if (props.dialect !== undefined) expectMethod(props.dialect, 'begin', 'GuardedMigrator: props.dialect', 'a MigrationDialect')
  if (props.backup !== undefined && props.backup !== false) {
    expectObject(props.backup, 'GuardedMigrator: props.backup')
    if (typeof props.backup.folder !== 'string' || props.backup.folder === '') {
      throw new TypeError('GuardedMigrator: props.backup.folder must be a non-empty path')
    }
    expectOptionalInteger(props.backup.retain, 'GuardedMigrator: props.backup.retain', 1)
    expectOptionalString(props.backup.prefix, 'GuardedMigrator: props.backup.prefix', /^[A-Za-z0-9_.-]+$/)
  }
  expectOptionalString(props.migrationTableName, 'GuardedMigrator: props.migrationTableName')
  expectOptionalString(props.migrationLockTableName, 'GuardedMigrator: props.migrationLockTableName')
  expectOptionalString(props.checksumTableName, 'GuardedMigrator: props.checksumTableName')
  expectOptionalInteger(props.lockTimeoutMs, 'GuardedMigrator: props.lockTimeoutMs', 0)
  if (props.hooks !== undefined) {
    expectObject(props.hooks, 'GuardedMigrator: props.hooks')
    for (const hook of ['beforeMigration', 'afterMigration', 'onError'] as const) {
      expectOptionalFunction(props.hooks[hook], `GuardedMigrator: props.hooks.${hook}`)
    }
  }
  if (props.logger !== undefined) expectObject(props.logger, 'GuardedMigrator: props.logger')
}

/**
 * Kysely's `Migrator`, guarded for data people keep: every run is one transaction holding the database's write lock
 * (so it is atomic and safe across processes), applied migrations are verified against recorded checksums before
 * anything runs, and a backup is taken before a database with tables is changed.
 *
 * Like Kysely's, the migrate methods never throw for a failed run: they return a result set whose `error` has a code.
 * Misuse (a bad prop, a non-string migration name) throws `TypeError`/`RangeError` at once.
 *
 * ```ts
 * const database = new Database('.codeindex/index.db')
 * const migrator = new GuardedMigrator({
 *   db: new Kysely<any>({ dialect: new SqliteDialect({ database }) }),
 *   provider: new MigrationFolderProvider({ folder: 'migrations' }),
 *   dialect: new SqliteMigrationDialect({ path: database.name }),
 *   backup: { folder: '.codeindex/backups' },
 * })
 * const { error, results, backup } = await migrator.migrateToLatest()
 * ```
 */
export class GuardedMigrator extends Migrator {
  readonly #db: Kysely<any>
  readonly #provider: MigrationProvider
  readonly #dialect: MigrationDialect
  readonly #backups: BackupStore | undefined
  readonly #migrationTable: string
  readonly #lockTable: string
  readonly #checksumTable: string
  readonly #lockTimeoutMs: number
  readonly #hooks: MigrationHooks
  readonly #logger: MigrationLogger

  constructor(props: GuardedMigratorProps) {
    checkProps(props)
    const migrationTableName = props.migrationTableName ?? 'kysely_migration'
    const migrationLockTableName = props.migrationLockTableName ?? 'kysely_migration_lock'
    super({ db: props.db, provider: props.provider, migrationTableName, migrationLockTableName })
    this.#db = props.db
    this.#provider = props.provider
    this.#dialect = props.dialect ?? new SqliteMigrationDialect()
    this.#migrationTable = migrationTableName
    this.#lockTable = migrationLockTableName
    this.#checksumTable = props.checksumTableName ?? `${migrationTableName}_checksum`
    this.#lockTimeoutMs = props.lockTimeoutMs ?? 60_000
    this.#hooks = props.hooks ?? {}
    this.#logger = props.logger ?? {}
    if (props.backup) {
      if (!this.#dialect.backup) {
        throw new TypeError(
          'GuardedMigrator: props.backup needs a dialect that can back up (SqliteMigrationDialect with a file path)',
        )
      }
      this.#backups = new BackupStore(props.backup)
    }
  }

  /** The tables the migrator keeps for itself; codegen and schema comparisons leave them out. */
  get bookkeepingTables(): ReadonlyArray<string> {
    return [this.#migrationTable, this.#lockTable, this.#checksumTable]
  }

  /** Applies every pending migration. */
  override migrateToLatest(options?: MigrateOptions): Promise<GuardedMigrationResultSet> {
    return this.#run('Latest', undefined, options)
  }

  /**
   * Migrates up or down until `targetMigrationName` is the last applied migration; `NO_MIGRATIONS` reverts all.
   *
   * ```ts
   * await migrator.migrateTo('0001_initial_schema')
   * ```
   */
  override migrateTo(
    targetMigrationName: string | typeof NO_MIGRATIONS,
    options?: MigrateOptions,
  ): Promise<GuardedMigrationResultSet> {
    if (targetMigrationName === NO_MIGRATIONS) return this.#run('Reset', undefined, options)
    if (typeof targetMigrationName !== 'string' || targetMigrationName === '') {
      throw new TypeError('migrateTo: targetMigrationName must be a migration name or NO_MIGRATIONS')
    }
    return this.#run('To', targetMigrationName, options)
  }

  /** Applies the next pending migration. */
  override migrateUp(options?: MigrateOptions): Promise<GuardedMigrationResultSet> {
    return this.#run('Up', undefined, options)
  }

  /** Reverts the last applied migration. */
  override migrateDown(options?: MigrateOptions): Promise<GuardedMigrationResultSet> {
    return this.#run('Down', undefined, options)
  }

  /** Reverts every applied migration, newest first. */
  reset(options?: MigrateOptions): Promise<GuardedMigrationResultSet> {
    return this.#run('Reset', undefined, options)
  }

  /** Kysely's view of the migrations (name, migration, executedAt), for tools such as kysely-ctl. */
  override async getMigrations(): Promise<MigrationInfo[]> {
    const migrations = await this.#loadMigrations()
    return [...(await this.#kyselyMigrator(this.#db, migrations, new Map()).getMigrations())]
  }

  /**
   * Every migration, known or recorded, with its state: `Applied`, `Pending`, `Modified` (edited after it was applied)
   * or `Missing` (applied, but its source is gone). Reads only.
   */
  async status(): Promise<ReadonlyArray<MigrationStatus>> {
    const migrations = await this.#listMigrations()
    const applied = await this.#withBusyRetry(() => this.#readState(this.#db))
    const statuses: MigrationStatus[] = migrations.map(({ name, checksum }) => {
      const record = applied.get(name)
      const state: MigrationState = !record
        ? 'Pending'
        : record.checksum === undefined || record.checksum === checksum
          ? 'Applied'
          : 'Modified'
      return { name, state, checksum, recordedChecksum: record?.checksum, appliedAt: record?.appliedAt }
    })
    for (const [name, record] of applied) {
      if (migrations.some((migration) => migration.name === name)) continue
      statuses.push({
        name,
        state: 'Missing',
        checksum: undefined,
        recordedChecksum: record.checksum,
        appliedAt: record.appliedAt,
      })
    }
    return Object.freeze(statuses.sort((a, b) => compareNames(a.name, b.name)))
  }

  /** Checks what every run checks first, without running anything, and reports every problem found. */
  async validate(): Promise<MigrationValidationResult> {
    const migrations = await this.#listMigrations()
    const applied = await this.#withBusyRetry(() => this.#readState(this.#db))
    return { problems: Object.freeze(findProblems(migrations, applied)) }
  }

  /**
   * Records the current checksum of every applied migration whose source was edited on purpose. Only ever runs when
   * called; a migrate run never repairs.
   */
  async repair(): Promise<RepairResult> {
    let repaired: string[] = []
    try {
      const migrations = await this.#listMigrations()
      await this.#db.connection().execute(async (db) => {
        const transaction = await this.#begin(db, false)
        try {
          const applied = await this.#readState(db)
          const stale = migrations.filter(({ name, checksum }) => {
            const record = applied.get(name)
            return record !== undefined && record.checksum !== checksum
          })
          await this.#ensureChecksumTable(db)
          for (const migration of stale) await this.#recordChecksum(db, migration, applied.get(migration.name)!.appliedAt)
          await this.#commit(transaction)
          repaired = stale.map(({ name }) => name)
        } catch (error) {
          await transaction.rollback()
          throw error
        }
      })
      for (const name of repaired) this.#log('warn', `recorded a new checksum for migration ${name}`, { migration: name })
      return { repaired: Object.freeze(repaired) }
    } catch (error) {
      return { error: asMigrationError(error, 'MIGRATION_FAILED', 'repair failed'), repaired: Object.freeze([]) }
    }
  }

  /** The backups in the configured folder, newest first. */
  async backups(): Promise<ReadonlyArray<BackupInfo>> {
    return this.#backups ? this.#backups.list() : []
  }

  /**
   * Puts a backup back in place of the database, after proving it sound with `PRAGMA integrity_check`. The database
   * is backed up first, as before a migration run (when it holds more than the bookkeeping and backups are on), so
   * that restoring the wrong file loses nothing; resolves to that backup's path. Throws `BACKUP_INVALID` for a file
   * that is not a sound database.
   */
  restore(backupPath: string): Promise<string | undefined> {
    if (typeof backupPath !== 'string' || backupPath === '') {
      throw new TypeError('restore: backupPath must be the path of a backup file')
    }
    return this.#restore(backupPath)
  }

  async #restore(backupPath: string): Promise<string | undefined> {
    if (!this.#dialect.restore) {
      throw new MigrationError('BACKUP_UNSUPPORTED', 'this database cannot be restored (in-memory, or a dialect without restore)')
    }
    const applied = (await this.status()).filter((status) => status.appliedAt !== undefined)
    // The file being restored may be the oldest backup in the folder: pruning keeps it.
    const backup = await this.#takeBackup(this.#db, applied.at(-1)?.name, { before: 'restoring', keep: resolve(backupPath) })
    await this.#dialect.restore(backupPath)
    this.#log('info', `restored ${backupPath}`, { backup: backupPath })
    return backup
  }

  /** Checks the options at once (a TypeError, not a rejected promise), then runs. */
  #run(kind: RunKind, requested: string | undefined, options: MigrateOptions | undefined) {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError('options must be an object such as { dryRun: true }')
    }
    return this.#execute(kind, requested, options)
  }

  async #execute(kind: RunKind, requested: string | undefined, options: MigrateOptions | undefined) {
    const started = performance.now()
    const dryRun = options?.dryRun === true
    let context: RunContext | undefined
    let error: MigrationError | undefined
    try {
      // Unlocked first look: a run with nothing to do (or refused) neither loads modules nor takes the write lock.
      const sources = await this.#listMigrations()
      const applied = await this.#withBusyRetry(() => this.#readState(this.#db))
      const problem = findProblems(sources, applied)[0]
      if (problem) throw problem
      // Migrations applied without a checksum are adopted under the lock, even when there is nothing else to do.
      const adopt = !dryRun && sources.some(({ name }) => applied.has(name) && applied.get(name)!.checksum === undefined)
      if (adopt || planSteps(sources, applied, resolveTarget(kind, requested, sources, applied)).length > 0) {
        context = {
          kind,
          requested,
          dryRun,
          migrations: await this.#loadMigrations(),
          results: [],
          statements: [],
          durations: new Map(),
          target: undefined,
          standalone: false,
          backupChecked: false,
          backup: undefined,
        }
        const run = context
        while (await this.#db.connection().execute((db) => this.#runSegment(db, run))) {
          // Each turn takes the lock anew, re-reads the state and runs the next segment.
        }
      }
    } catch (caught) {
      error = asMigrationError(caught, 'MIGRATION_FAILED', 'the migration run failed')
      this.#log('error', error.message, { code: error.code, migration: error.migrationName })
      try {
        await this.#hooks.onError?.({ error, migrationName: error.migrationName })
      } catch (hookError) {
        this.#log('warn', `onError hook threw: ${(hookError as Error).message}`)
      }
    }
    const results = (context?.results ?? []).map((result) => Object.freeze(result))
    return Object.freeze({
      ...(error ? { error } : {}),
      results: Object.freeze(results) as GuardedMigrationResult[],
      backup: context?.backup,
      dryRun,
      statements: dryRun ? Object.freeze([...(context?.statements ?? [])]) : undefined,
      durationMs: performance.now() - started,
    })
  }

  /** One transaction of a run. Resolves `true` when another segment follows. */
  async #runSegment(db: Kysely<any>, run: RunContext): Promise<boolean> {
    const transaction = await this.#begin(db, run.standalone)
    let open = true
    const finish = async (commit: boolean) => {
      open = false
      if (commit) {
        try {
          await this.#commit(transaction)
        } catch (error) {
          await transaction.rollback()
          throw error
        }
      } else {
        await transaction.rollback()
      }
    }
    const firstResult = run.results.length
    try {
      const applied = await this.#readState(db)
      const problem = findProblems(run.migrations, applied)[0]
      if (problem) throw problem
      if (run.target === undefined) run.target = resolveTarget(run.kind, run.requested, run.migrations, applied)
      const steps = planSteps(run.migrations, applied, run.target)
      if (steps.length === 0) {
        // Adopt here too: a database that only ever meets no-op runs must still have its sources guarded.
        if (!run.dryRun) await this.#adoptChecksums(db, run.migrations, applied)
        await finish(!run.dryRun)
        return false
      }
      if (steps[0]!.direction === 'Down') {
        const irreversible = steps.find((step) => step.migration.migration.down === undefined)
        if (irreversible) {
          throw new MigrationError(
            'MIGRATION_IRREVERSIBLE',
            `migration ${irreversible.migration.name} has no down(); it cannot be reverted, so nothing was reverted`,
            { migrationName: irreversible.migration.name },
          )
        }
      }
      const segment = run.dryRun ? steps : takeSegment(steps)
      const standalone = segment.some((step) => step.migration.standalone)
      if (standalone !== run.standalone) {
        // The lock is dropped and taken again in the mode this segment needs; the state is read anew then.
        run.standalone = standalone
        await finish(false)
        return true
      }
      if (!run.backupChecked && !run.dryRun) {
        run.backupChecked = true
        run.backup = await this.#takeBackup(db, lastName(applied))
      }
      await this.#ensureChecksumTable(db)
      await this.#adoptChecksums(db, run.migrations, applied)
      const target = segmentTarget(segment, applied)
      const migrationDb = run.dryRun
        ? db.withPlugin(new SqlCapturePlugin(db.getExecutor(), run.statements))
        : db
      const resultSet = await this.#kyselyMigrator(migrationDb, run.migrations, run.durations).migrateTo(target)
      for (const result of resultSet.results ?? []) {
        run.results.push({ ...result, durationMs: run.durations.get(durationKey(result.direction, result.migrationName)) })
      }
      if (resultSet.error !== undefined) {
        const failed = resultSet.results?.find((result) => result.status === 'Error')?.migrationName
        throw asMigrationError(resultSet.error, 'MIGRATION_FAILED', `migration ${failed ?? '(unknown)'} failed`, failed)
      }
      await transaction.verify()
      if (run.dryRun) {
        await finish(false)
        return false
      }
      await finish(true)
      run.standalone = false
      return segment.length < steps.length
    } catch (error) {
      if (open) await finish(false)
      // Everything since this segment's BEGIN is gone: what Kysely reported as done is not.
      for (let index = firstResult; index < run.results.length; index++) {
        const result = run.results[index]!
        if (result.status === 'Success') run.results[index] = { ...result, status: 'NotExecuted' }
      }
      // verify()'s violation names no migration: it belongs to the segment's last one (a standalone segment has one).
      if (
        error instanceof MigrationError &&
        error.code === 'MIGRATION_FOREIGN_KEY_VIOLATION' &&
        error.migrationName === undefined &&
        run.results.length > firstResult
      ) {
        const last = run.results[run.results.length - 1]!
        run.results[run.results.length - 1] = { ...last, status: 'Error' }
        throw new MigrationError(error.code, `migration ${last.migrationName}: ${error.message}`, {
          cause: error,
          migrationName: last.migrationName,
        })
      }
      throw error
    }
  }

  #begin(db: Kysely<any>, standalone: boolean): Promise<MigrationTransaction> {
    return this.#withBusyRetry(() => this.#dialect.begin(db, { standalone }))
  }

  #commit(transaction: MigrationTransaction): Promise<void> {
    return this.#withBusyRetry(() => transaction.commit())
  }

  #withBusyRetry<T>(operation: () => Promise<T>): Promise<T> {
    return retryWhileBusy(operation, {
      isBusy: (error) => this.#dialect.isBusy(error),
      timeoutMs: this.#lockTimeoutMs,
      onRetry: (attempt, delayMs) =>
        this.#log('debug', 'database busy, waiting for the lock', { attempt, delayMs: Math.round(delayMs) }),
    })
  }

  async #takeBackup(
    db: Kysely<any>,
    fromVersion: string | undefined,
    { before = 'migrating', keep }: { readonly before?: string; readonly keep?: string } = {},
  ): Promise<string | undefined> {
    if (!this.#backups || !this.#dialect.backup) return undefined
    const bookkeeping = this.bookkeepingTables
    const tables = await this.#dialect.tableNames(db)
    if (!tables.some((table) => !bookkeeping.includes(table))) return undefined
    let path: string | undefined
    try {
      path = await this.#backups.create(fromVersion)
      await this.#dialect.backup(path)
      await this.#backups.prune(keep)
    } catch (error) {
      throw new MigrationError('BACKUP_FAILED', `could not back up the database before ${before}${path ? ` to ${path}` : ''}; nothing was changed`, {
        cause: error,
      })
    }
    this.#log('info', `backed up the database to ${path}`, { backup: path, fromVersion })
    return path
  }

  /** Names and checksums: from the provider's `getChecksums()` when it has one, else from the loaded migrations. */
  async #listMigrations(): Promise<ReadonlyArray<MigrationSource>> {
    const provider = this.#provider as GuardedMigrationProvider
    if (typeof provider.getChecksums !== 'function') return this.#loadMigrations()
    let checksums: Record<string, string>
    try {
      checksums = await provider.getChecksums()
    } catch (error) {
      throw asMigrationError(error, 'MIGRATION_LOAD_FAILED', 'could not read the migrations')
    }
    return Object.keys(checksums)
      .sort(compareNames)
      .map((name) => ({ name, checksum: checksums[name]! }))
  }

  async #loadMigrations(): Promise<ReadonlyArray<LoadedMigration>> {
    let migrations: Record<string, GuardedMigration>
    try {
      migrations = await this.#provider.getMigrations()
    } catch (error) {
      throw asMigrationError(error, 'MIGRATION_LOAD_FAILED', 'could not load the migrations')
    }
    return Object.keys(migrations)
      .sort(compareNames)
      .map((name) => {
        const migration = migrations[name]!
        if (typeof migration?.up !== 'function') {
          throw new MigrationError('MIGRATION_LOAD_FAILED', `migration ${name} has no up() function`, { migrationName: name })
        }
        // A provider without sources: the functions' text is the best stand-in, stable as long as the build is.
        const checksum = migration.checksum ?? migrationChecksum(`${String(migration.up)}\n${String(migration.down ?? '')}`)
        return { name, migration, checksum, standalone: migration.transaction === false }
      })
  }

  async #readState(db: Kysely<any>): Promise<AppliedState> {
    const tables = new Set(await this.#dialect.tableNames(db))
    const applied = new Map<string, AppliedMigration>()
    if (!tables.has(this.#migrationTable)) return applied
    const checksums = new Map<string, string>()
    if (tables.has(this.#checksumTable)) {
      const rows = await db.selectFrom(this.#checksumTable).select(['name', 'checksum']).execute()
      for (const row of rows as Array<{ name: string; checksum: string }>) checksums.set(row.name, row.checksum)
    }
    const rows = (await db.selectFrom(this.#migrationTable).select(['name', 'timestamp']).execute()) as Array<{
      name: string
      timestamp: string
    }>
    for (const row of rows.sort((a, b) => compareNames(a.name, b.name))) {
      applied.set(row.name, { appliedAt: new Date(row.timestamp), checksum: checksums.get(row.name) })
    }
    return applied
  }

  async #ensureChecksumTable(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable(this.#checksumTable)
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (column) => column.notNull().primaryKey())
      .addColumn('checksum', 'varchar(255)', (column) => column.notNull())
      .addColumn('recorded_at', 'varchar(255)', (column) => column.notNull())
      .addColumn('duration_ms', 'real')
      .execute()
  }

  /** Applied migrations without a checksum (applied by plain Kysely, before this migrator) are adopted as they are. */
  async #adoptChecksums(db: Kysely<any>, migrations: ReadonlyArray<MigrationSource>, applied: AppliedState) {
    const unrecorded = migrations.filter((migration) => {
      const record = applied.get(migration.name)
      return record !== undefined && record.checksum === undefined
    })
    if (unrecorded.length > 0) await this.#ensureChecksumTable(db)
    for (const migration of unrecorded) {
      await this.#recordChecksum(db, migration, applied.get(migration.name)!.appliedAt)
      this.#log('warn', `adopted migration ${migration.name}, applied without a checksum`, { migration: migration.name })
    }
  }

  async #recordChecksum(db: Kysely<any>, migration: MigrationSource, at: Date, durationMs?: number): Promise<void> {
    const row = {
      name: migration.name,
      checksum: migration.checksum,
      recorded_at: at.toISOString(),
      duration_ms: durationMs ?? null,
    }
    await db
      .insertInto(this.#checksumTable)
      .values(row)
      .onConflict((conflict) => conflict.column('name').doUpdateSet(row))
      .execute()
  }

  /** A Kysely Migrator bound to one connection, over migrations wrapped with hooks, timing and checksum bookkeeping. */
  #kyselyMigrator(db: Kysely<any>, migrations: ReadonlyArray<LoadedMigration>, durations: Map<string, number>) {
    const wrapped: Record<string, Migration> = {}
    for (const loaded of migrations) wrapped[loaded.name] = this.#wrap(loaded, durations)
    return new Migrator({
      db,
      provider: { getMigrations: async () => wrapped },
      migrationTableName: this.#migrationTable,
      migrationLockTableName: this.#lockTable,
      // The transaction is ours, opened before Kysely looks at anything.
      disableTransactions: true,
    })
  }

  #wrap(loaded: LoadedMigration, durations: Map<string, number>): Migration {
    const { name, migration } = loaded
    const step = async (db: Kysely<any>, direction: MigrationDirection, body: (db: Kysely<any>) => Promise<void>) => {
      await this.#hooks.beforeMigration?.({ migrationName: name, direction })
      const started = performance.now()
      await body(db)
      const durationMs = performance.now() - started
      if (direction === 'Up') {
        await this.#recordChecksum(db, loaded, new Date(), durationMs)
      } else {
        await db.deleteFrom(this.#checksumTable).where('name', '=', name).execute()
      }
      durations.set(durationKey(direction, name), durationMs)
      this.#log('info', `${direction === 'Up' ? 'applied' : 'reverted'} migration ${name}`, {
        migration: name,
        direction,
        durationMs: Math.round(durationMs * 100) / 100,
      })
      await this.#hooks.afterMigration?.({ migrationName: name, direction, durationMs })
    }
    const down = migration.down
    return {
      up: (db) => step(db, 'Up', (db) => migration.up(db)),
      ...(down ? { down: (db: Kysely<any>) => step(db, 'Down', (db) => down(db)) } : {}),
    }
  }

  #log(level: LogLevel, message: string, fields?: LogFields): void {
    this.#logger[level]?.(message, fields)
  }
}

interface Step<T extends MigrationSource = LoadedMigration> {
  readonly migration: T
  readonly direction: MigrationDirection
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function durationKey(direction: MigrationDirection, name: string): string {
  return `${direction}:${name}`
}

function lastName(applied: AppliedState): string | undefined {
  let last: string | undefined
  for (const name of applied.keys()) last = name
  return last
}

/** What a run refuses to start with: edited, vanished or out-of-order migrations. */
function findProblems(migrations: ReadonlyArray<MigrationSource>, applied: AppliedState): MigrationError[] {
  const problems: MigrationError[] = []
  const known = new Map(migrations.map((migration) => [migration.name, migration]))
  for (const [name, record] of applied) {
    const migration = known.get(name)
    if (!migration) {
      problems.push(
        new MigrationError(
          'MIGRATION_MISSING',
          `migration ${name} was applied but its source is gone; put the file back (or restore a backup from before it)`,
          { migrationName: name },
        ),
      )
    } else if (record.checksum !== undefined && record.checksum !== migration.checksum) {
      problems.push(
        new MigrationError(
          'MIGRATION_CHECKSUM_MISMATCH',
          `migration ${name} was edited after it was applied (recorded ${record.checksum}, now ${migration.checksum}); ` +
            'revert the edit, or run `codeindex migrate repair` if it was intended',
          { migrationName: name },
        ),
      )
    }
  }
  const last = lastName(applied)
  if (last !== undefined) {
    for (const migration of migrations) {
      if (!applied.has(migration.name) && compareNames(migration.name, last) < 0) {
        problems.push(
          new MigrationError(
            'MIGRATION_OUT_OF_ORDER',
            `migration ${migration.name} is new but sorts before ${last}, which is already applied; rename it to sort after ${last}`,
            { migrationName: migration.name },
          ),
        )
      }
    }
  }
  return problems
}

function resolveTarget(
  kind: RunKind,
  requested: string | undefined,
  migrations: ReadonlyArray<MigrationSource>,
  applied: AppliedState,
): Target {
  switch (kind) {
    case 'Latest':
      return migrations[migrations.length - 1]?.name ?? null
    case 'Up':
      return migrations.find((migration) => !applied.has(migration.name))?.name ?? null
    case 'Down': {
      const names = [...applied.keys()]
      return names.length === 0 ? null : (names[names.length - 2] ?? NO_MIGRATIONS)
    }
    case 'To': {
      const name = requested!
      if (!migrations.some((migration) => migration.name === name)) {
        throw new MigrationError('MIGRATION_NOT_FOUND', `there is no migration named ${name}`, { migrationName: name })
      }
      return name
    }
    case 'Reset':
      return NO_MIGRATIONS
  }
}

/** The migrations between the applied state and the target, in the order they run. */
function planSteps<T extends MigrationSource>(migrations: ReadonlyArray<T>, applied: AppliedState, target: Target): Step<T>[] {
  if (target === null) return []
  const limit = typeof target === 'string' ? target : undefined
  const up = migrations.filter(
    (migration) => !applied.has(migration.name) && limit !== undefined && compareNames(migration.name, limit) <= 0,
  )
  if (up.length > 0) return up.map((migration) => ({ migration, direction: 'Up' }))
  return migrations
    .filter((migration) => applied.has(migration.name) && (limit === undefined || compareNames(migration.name, limit) > 0))
    .reverse()
    .map((migration) => ({ migration, direction: 'Down' }))
}

/** Leading steps that share one transaction: a standalone migration alone, or everything up to the next one. */
function takeSegment(steps: ReadonlyArray<Step>): ReadonlyArray<Step> {
  if (steps[0]!.migration.standalone) return steps.slice(0, 1)
  const next = steps.findIndex((step) => step.migration.standalone)
  return next === -1 ? steps : steps.slice(0, next)
}

/** The name Kysely's `migrateTo` needs so that it runs exactly `segment`. */
function segmentTarget(segment: ReadonlyArray<Step>, applied: AppliedState): string | typeof NO_MIGRATIONS {
  const last = segment[segment.length - 1]!
  if (last.direction === 'Up') return last.migration.name
  const names = [...applied.keys()]
  const remaining = names[names.indexOf(last.migration.name) - 1]
  return remaining ?? NO_MIGRATIONS
}

function asMigrationError(
  error: unknown,
  code: MigrationError['code'],
  message: string,
  migrationName?: string,
): MigrationError {
  if (isCodedError(error)) {
    const named = error.migrationName ?? migrationName
    if (error instanceof MigrationError && named === error.migrationName) return error
    // A migration's import of this library may be a second copy (jiti loads a migration's imports itself), whose
    // MigrationError is another class; its code must survive all the same, with the failed migration's name added.
    return new MigrationError(error.code, error.message, { cause: error, migrationName: named })
  }
  const reason = error instanceof Error ? error.message : String(error)
  return new MigrationError(code, `${message}: ${reason}`, { cause: error, migrationName })
}

/** A codeindex error, from this copy of the library or another one. */
function isCodedError(error: unknown): error is CodeIndexError & { readonly migrationName?: string | undefined } {
  return (
    error instanceof Error &&
    (error.name === 'MigrationError' || error.name === 'CodeIndexError') &&
    typeof (error as { code?: unknown }).code === 'string'
  )
}
