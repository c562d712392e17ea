// The public entry of codeindex. Named exports only; the migrator alone is also on `codeindex/migrator`.
export { defineConfig } from './config/define-config.js'
export type { CodeIndexConfig, CodeIndexConfigInput, ResolvedCodeIndexConfig } from './config/define-config.js'
export { openDatabase } from './db/open-database.js'
export type { OpenDatabaseOptions } from './db/open-database.js'
export { createIndexMigrator } from './db/create-index-migrator.js'
export { createKysely } from './db/create-kysely.js'
export type { DB } from './db/schema.generated.js'
export type * from './db/tables.js'
export type { IndexMigratorOptions } from './db/create-index-migrator.js'
export { CodeIndexError } from './errors.js'
export type { ErrorCode } from './errors.js'
export {
  GuardedMigrator,
  MigrationError,
  MigrationFolderProvider,
  SqliteMigrationDialect,
  NO_MIGRATIONS,
} from './migrator/index.js'
export type {
  GuardedMigrationResultSet,
  GuardedMigratorProps,
  MigrationState,
  MigrationStatus,
} from './migrator/index.js'
