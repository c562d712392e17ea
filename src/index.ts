// The public entry of codeindex. Named exports only; the migrator alone is also on `codeindex/migrator`.
export { defineConfig } from './config/define-config.js'
export type { CodeIndexConfig, CodeIndexConfigInput, ResolvedCodeIndexConfig } from './config/define-config.js'
export { openDatabase } from './db/open-database.js'
export type { OpenDatabaseOptions } from './db/open-database.js'
export { createIndexMigrator } from './db/create-index-migrator.js'
export type { IndexMigratorOptions } from './db/create-index-migrator.js'
export { createKysely } from './db/create-kysely.js'
export type { DB } from './db/schema.generated.js'
export type * from './db/tables.js'
export { openIndex } from './open-index.js'
export type { CheckReport, CodeIndex, OpenIndexOptions } from './open-index.js'
export { backupDatabase, decryptBackup, isEncryptedBackup } from './db/backup-file.js'
export { CodeIndexError } from './errors.js'
export type { ErrorCode } from './errors.js'
export { Indexer } from './indexing/indexer.js'
export type {
  FileOutcome,
  FileResult,
  IndexOptions,
  IndexPhase,
  IndexProgress,
  IndexResultSet,
  IndexRunOutcome,
  IndexTotals,
} from './indexing/indexer.js'
export { DEFAULT_EXCLUDES } from './indexing/walk-tree.js'
export { listUserTags, removeUserTag, setUserTag } from './indexing/user-tags.js'
export type { UserTag } from './indexing/user-tags.js'
export { splitWords } from './indexing/split-words.js'
export { search } from './search/search.js'
export type { MatchedDefinition, SearchOptions, SearchResult, SearchResultSet, Snippet } from './search/search.js'
export { SearchError } from './search/search-error.js'
export { fileOutline, findDefinitions, findImporters, importsOf } from './search/lookups.js'
export type { DefinitionLocation, ImportEdge, OutlineEntry } from './search/lookups.js'
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
