import { dirname, join, resolve } from 'node:path'
import type Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import {
  GuardedMigrator,
  MigrationFolderProvider,
  SqliteMigrationDialect,
  type GuardedMigratorProps,
} from '../migrator/index.js'
import { CodeIndexError } from '../errors.js'
import { PACKAGE_MIGRATIONS_FOLDER } from './package-migrations.js'

/** How the index migrator names its backups (`index-<time>-from-<version>.sqlite`): before a run, and before a restore. */
export const INDEX_BACKUP_PREFIX = 'index'

export interface IndexMigratorOptions
  extends Pick<GuardedMigratorProps, 'hooks' | 'logger' | 'lockTimeoutMs'> {
  /** A Kysely over `database`; one is made when left out. */
  readonly db?: Kysely<any> | undefined
  /** Migrations to run instead of codeindex's own (a host application's folder of `.ts` or `.js` modules). */
  readonly migrationFolder?: string | undefined
  /** Where backups go. Default: `backups/` beside the database file. `false`: no backups. */
  readonly backupFolder?: string | false | undefined
  /** How many backups to keep. Default 10. */
  readonly backupRetain?: number | undefined
}

/** Default backup folder of a database file: `backups/` beside it. */
export function defaultBackupFolder(databasePath: string): string {
  return join(dirname(resolve(databasePath)), 'backups')
}

/**
 * A guarded migrator for a better-sqlite3 database, over codeindex's own migrations unless told otherwise.
 *
 * ```ts
 * const database = openDatabase('.codeindex/index.db')
 * const { error } = await createIndexMigrator(database).migrateToLatest()
 * ```
 */
export function createIndexMigrator(database: Database.Database, options: IndexMigratorOptions = {}): GuardedMigrator {
  const onDisk = !database.memory
  const backupFolder = options.backupFolder ?? (onDisk ? defaultBackupFolder(database.name) : false)
  return new GuardedMigrator({
    db: options.db ?? new Kysely<any>({ dialect: new SqliteDialect({ database }) }),
    provider: new MigrationFolderProvider({ folder: options.migrationFolder ?? PACKAGE_MIGRATIONS_FOLDER }),
    dialect: new SqliteMigrationDialect(onDisk ? { path: database.name } : {}),
    backup: backupFolder === false ? false : { folder: backupFolder, retain: options.backupRetain, prefix: INDEX_BACKUP_PREFIX },
    hooks: options.hooks,
    logger: options.logger,
    lockTimeoutMs: options.lockTimeoutMs,
  })
}

/**
 * Throws `SCHEMA_TOO_NEW` when the database holds a migration `migrator` does not know: a newer codeindex migrated it,
 * and this one must not run on it (its migrator would refuse with MIGRATION_MISSING, which asks to put a file back).
 */
export async function assertSchemaKnown(migrator: GuardedMigrator, path: string): Promise<void> {
  const newer = (await migrator.status()).find((status) => status.state === 'Missing')
  if (newer) {
    throw new CodeIndexError(
      'SCHEMA_TOO_NEW',
      `${path} was migrated by a newer codeindex (migration ${newer.name} is unknown here); upgrade codeindex`,
    )
  }
}
