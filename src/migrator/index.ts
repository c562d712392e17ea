export { GuardedMigrator } from './guarded-migrator.js'
export type {
  GuardedMigratorProps,
  GuardedMigrationResult,
  GuardedMigrationResultSet,
  MigrateOptions,
  MigrationState,
  MigrationStatus,
  MigrationValidationResult,
  RepairResult,
} from './guarded-migrator.js'
export { MigrationFolderProvider } from './migration-folder-provider.js'
export type { MigrationFolderProviderProps } from './migration-folder-provider.js'
export type { GuardedMigration, GuardedMigrationProvider } from './guarded-migration.js'
export { SqliteMigrationDialect } from './sqlite-migration-dialect.js'
export type { SqliteMigrationDialectProps } from './sqlite-migration-dialect.js'
export type { BeginOptions, MigrationDialect, MigrationTransaction, SchemaObject } from './migration-dialect.js'
export type { BackupInfo, BackupOptions } from './backup-store.js'
export type {
  LogFields,
  LogLevel,
  MigrationDirection,
  MigrationDoneEvent,
  MigrationErrorEvent,
  MigrationEvent,
  MigrationHooks,
  MigrationLogger,
} from './migration-hooks.js'
export { MigrationError } from './migration-error.js'
export { CodeIndexError } from '../errors.js'
export type { ErrorCode } from '../errors.js'
export { migrationChecksum } from './checksum.js'
export { integrityFileFor } from './integrity.js'
export { INTEGRITY_FILE_NAME } from './integrity-file.js'
export { rebuildTable } from './rebuild-table.js'
export type { RebuildTableOptions } from './rebuild-table.js'
export { assertReversibleMigrations } from './assert-reversible-migrations.js'
export type { AssertReversibleMigrationsOptions } from './assert-reversible-migrations.js'
export { NO_MIGRATIONS } from 'kysely'
