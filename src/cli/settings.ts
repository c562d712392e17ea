import { resolve } from 'node:path'
import { DEFAULT_DATABASE } from '../config/define-config.js'
import { findConfigFile, loadConfig } from '../config/load-config.js'
import { defaultBackupFolder } from '../db/create-index-migrator.js'

/** Options every command shares. */
export interface GlobalOptions {
  readonly db?: string | undefined
  readonly migrations?: string | undefined
  readonly backupDir?: string | undefined
  readonly config?: string | undefined
  readonly json?: boolean | undefined
  readonly debug?: boolean | undefined
}

export interface Settings {
  readonly database: string
  readonly migrationFolder: string | undefined
  readonly backupFolder: string
  readonly backupRetain: number | undefined
}

/**
 * Flags first, then `kysely.config.*`, then defaults. Backups follow the database: a `--db` elsewhere keeps its
 * backups beside it unless `--backup-dir` says otherwise.
 */
export async function resolveSettings(cwd: string, options: GlobalOptions): Promise<Settings> {
  const file = findConfigFile(cwd, options.config)
  const config = file ? await loadConfig(file) : undefined
  const database = options.db !== undefined ? resolve(cwd, options.db) : (config?.database ?? resolve(cwd, DEFAULT_DATABASE))
  const backupFolder =
    options.backupDir !== undefined
      ? resolve(cwd, options.backupDir)
      : options.db === undefined && config
        ? config.backupFolder
        : defaultBackupFolder(database)
  return {
    database,
    migrationFolder: options.migrations !== undefined ? resolve(cwd, options.migrations) : config?.migrationFolder,
    backupFolder,
    backupRetain: config?.backupRetain,
  }
}
