import type { Migration, MigrationProvider } from 'kysely'

/**
 * A Kysely `Migration` with what the guarded migrator adds: the checksum of its source and, rarely, `transaction: false`.
 *
 * `transaction: false` takes the migration out of the run's transaction. The migrator commits what ran before it, turns
 * `foreign_keys` off (SQLite only allows that outside a transaction), then runs the migration and its bookkeeping in a
 * transaction of their own that `PRAGMA foreign_key_check` must pass before COMMIT. Use it for the 12-step table rebuild
 * ({@link rebuildTable}); everything else belongs in the run's transaction.
 *
 * ```ts
 * // migrations/0003_widen_files.ts
 * export const transaction = false
 * export async function up(db: Kysely<any>) { await rebuildTable(db, { table: 'files', create: ... }) }
 * ```
 */
export interface GuardedMigration extends Migration {
  /** `sha256:<hex>` of the migration's source. Providers that cannot read a source may leave it out. */
  readonly checksum?: string | undefined
  readonly transaction?: boolean | undefined
}

/** A Kysely `MigrationProvider` whose migrations may carry checksums. Any Kysely provider fits. */
export interface GuardedMigrationProvider extends MigrationProvider {
  getMigrations(): Promise<Record<string, GuardedMigration>>
  /**
   * Names and checksums without loading the modules. With it, a run that finds nothing to do loads no module at all;
   * without it, the migrator loads every migration to learn the same.
   */
  getChecksums?(): Promise<Record<string, string>>
}
