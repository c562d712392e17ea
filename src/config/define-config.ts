import { resolve } from 'node:path'
import type Database from 'better-sqlite3'
import type { Kysely, SqliteDialectConfig } from 'kysely'
import { createIndexMigrator, defaultBackupFolder } from '../db/create-index-migrator.js'
import { openDatabase } from '../db/open-database.js'
import type { GuardedMigrator } from '../migrator/index.js'
import { parseInput, z } from './parse-input.js'

/** What `kysely.config.ts` says about an index. Relative paths are relative to the config file's folder. */
export interface CodeIndexConfigInput {
  /** The index database file. Default `.codeindex/index.db`. */
  readonly database?: string | undefined
  /** A folder of migrations to run instead of codeindex's own. */
  readonly migrationFolder?: string | undefined
  /** Where backups go. Default `backups/` beside the database. */
  readonly backupFolder?: string | undefined
  /** How many backups to keep. Default 10. */
  readonly backupRetain?: number | undefined
}

/** The same settings with defaults applied and paths absolute (resolved against the config file's folder). */
export interface ResolvedCodeIndexConfig {
  readonly database: string
  readonly migrationFolder: string | undefined
  readonly backupFolder: string
  readonly backupRetain: number | undefined
}

/**
 * A `kysely.config.ts` that codeindex's CLI and codegen read, and that kysely-ctl runs as it is: its migrator is the
 * guarded one, so `npx kysely migrate latest` gets the same checksums, lock and backups as `codeindex migrate latest`.
 * Lazy: importing it opens nothing.
 */
export interface CodeIndexConfig {
  /** The settings as written; {@link resolveConfig} makes them absolute. */
  readonly codeindex: CodeIndexConfigInput
  readonly dialect: 'better-sqlite3'
  readonly dialectConfig: () => SqliteDialectConfig
  readonly migrations: { readonly migrator: (db: Kysely<any>) => GuardedMigrator }
}

export const DEFAULT_DATABASE = '.codeindex/index.db'

const path = () => z.optional(z.string().check(z.minLength(1)))
/** The settings of a config, checked as `defineConfig` checks them: known keys only, each of its type. */
export const configInputSchema = z.strictObject({
  database: path(),
  migrationFolder: path(),
  backupFolder: path(),
  backupRetain: z.optional(z.int().check(z.gte(1))),
})

/**
 * Declares the index's database, migrations and backups in one place.
 *
 * ```ts
 * // kysely.config.ts
 * import { defineConfig } from 'codeindex'
 * export default defineConfig({ database: '.codeindex/index.db', backupFolder: '.codeindex/backups' })
 * ```
 */
export function defineConfig(input: CodeIndexConfigInput = {}): CodeIndexConfig {
  parseInput('defineConfig', configInputSchema, input)
  const codeindex = Object.freeze({ ...input })
  let handle: Database.Database | undefined
  // kysely-ctl runs in the folder that holds the config file, so the working directory is the base there.
  const settings = () => resolveConfig(codeindex, process.cwd())
  return {
    codeindex,
    dialect: 'better-sqlite3',
    dialectConfig: () => ({ database: (handle = openDatabase(settings().database)) }),
    migrations: {
      migrator: (db) => {
        const { database, migrationFolder, backupFolder, backupRetain } = settings()
        return createIndexMigrator(handle ?? openDatabase(database), { db, migrationFolder, backupFolder, backupRetain })
      },
    },
  }
}

/** Applies the defaults and resolves the paths of `input` against `base`, the folder of the config file. */
export function resolveConfig(input: CodeIndexConfigInput, base: string): ResolvedCodeIndexConfig {
  const database = resolve(base, input.database ?? DEFAULT_DATABASE)
  return {
    database,
    migrationFolder: input.migrationFolder === undefined ? undefined : resolve(base, input.migrationFolder),
    backupFolder: input.backupFolder === undefined ? defaultBackupFolder(database) : resolve(base, input.backupFolder),
    backupRetain: input.backupRetain,
  }
}
