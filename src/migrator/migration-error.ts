import { CodeIndexError, type ErrorCode } from '../errors.js'

/**
 * An error of the guarded migrator. `migrationName` names the migration at fault, when there is one.
 *
 * ```ts
 * const { error } = await migrator.migrateToLatest()
 * if (error?.code === 'MIGRATION_CHECKSUM_MISMATCH') console.error(`${error.migrationName} was edited after it ran`)
 * ```
 */
export class MigrationError extends CodeIndexError {
  readonly migrationName: string | undefined

  constructor(
    code: ErrorCode,
    message: string,
    options?: { readonly cause?: unknown; readonly migrationName?: string | undefined },
  ) {
    super(code, message, options)
    this.name = 'MigrationError'
    this.migrationName = options?.migrationName
  }
}
