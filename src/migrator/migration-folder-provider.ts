import { readdirSync, readFileSync } from 'node:fs'
import { extname, join, resolve } from 'node:path'
import type { Migration } from 'kysely'
import { migrationChecksum } from './checksum.js'
import type { GuardedMigration, GuardedMigrationProvider } from './guarded-migration.js'
import { INTEGRITY_FILE_NAME, readIntegrityFile } from './integrity-file.js'
import { importModule, TYPESCRIPT_EXTENSIONS } from './import-module.js'
import { MigrationError } from './migration-error.js'

export interface MigrationFolderProviderProps {
  /** The folder holding one module per migration; the file name without extension is the migration's name. */
  readonly folder: string
  /**
   * Checksums of the TypeScript sources, for a folder that ships compiled `.js` only. Defaults to `migrations.sum`
   * in the folder when that file exists.
   */
  readonly integrityFile?: string
}

const JAVASCRIPT = new Set(['.js', '.mjs', '.cjs'])

/**
 * Reads a folder of migration modules (`.ts` loaded through jiti, or `.js`) and checksums each one.
 *
 * A TypeScript migration is hashed as it stands; a `.js` migration takes its checksum from the folder's integrity file
 * when that file lists it (compiled output carrying its source's hash), and is hashed itself otherwise. A module exports
 * `up`, optionally `down`, and optionally `transaction = false`.
 *
 * ```ts
 * const migrator = new GuardedMigrator({ db, provider: new MigrationFolderProvider({ folder: 'migrations' }) })
 * ```
 */
export class MigrationFolderProvider implements GuardedMigrationProvider {
  readonly #folder: string
  readonly #integrityFile: string
  /** Modules already loaded, by file, with the checksum they had: an unchanged file is not imported again. */
  readonly #loaded = new Map<string, GuardedMigration>()

  constructor(props: MigrationFolderProviderProps) {
    if (typeof props?.folder !== 'string' || props.folder === '') {
      throw new TypeError('MigrationFolderProvider: props.folder must be a non-empty path')
    }
    this.#folder = resolve(props.folder)
    this.#integrityFile = props.integrityFile ?? join(this.#folder, INTEGRITY_FILE_NAME)
  }

  /** Names and checksums, read from the files without importing any module. */
  async getChecksums(): Promise<Record<string, string>> {
    return Object.fromEntries(this.#scan().map(({ name, checksum }) => [name, checksum]))
  }

  async getMigrations(): Promise<Record<string, GuardedMigration>> {
    const loaded = await Promise.all(
      this.#scan().map(async ({ name, file, checksum }) => {
        const cached = this.#loaded.get(file)
        if (cached?.checksum === checksum) return [name, cached] as const
        const migration = await this.#load(name, file, checksum)
        this.#loaded.set(file, migration)
        return [name, migration] as const
      }),
    )
    return Object.fromEntries(loaded)
  }

  /** The folder's migration files with their checksums. Synchronous on purpose: for a few hundred small files it is
   * several times faster than the async pool. */
  #scan(): Array<{ name: string; file: string; checksum: string }> {
    let entries: string[]
    try {
      entries = readdirSync(this.#folder)
    } catch (error) {
      throw new MigrationError('MIGRATION_LOAD_FAILED', `cannot read the migrations folder ${this.#folder}`, {
        cause: error,
      })
    }
    const integrity = readIntegrityFile(this.#integrityFile)
    const files = new Map<string, string>()
    for (const entry of entries.sort()) {
      const extension = extname(entry)
      if (/\.d\.[mc]?ts$/.test(entry)) continue
      if (!TYPESCRIPT_EXTENSIONS.has(extension) && !JAVASCRIPT.has(extension)) continue
      const name = entry.slice(0, -extension.length)
      const other = files.get(name)
      if (other !== undefined) {
        throw new MigrationError(
          'MIGRATION_LOAD_FAILED',
          `migration ${name} has two modules (${other} and ${entry}) in ${this.#folder}; keep one`,
          { migrationName: name },
        )
      }
      files.set(name, entry)
    }
    return [...files].map(([name, entry]) => {
      const file = join(this.#folder, entry)
      const typescript = TYPESCRIPT_EXTENSIONS.has(extname(entry))
      const recorded = typescript ? undefined : integrity?.get(name)
      return { name, file, checksum: recorded ?? migrationChecksum(readFileSync(file)) }
    })
  }

  async #load(name: string, file: string, checksum: string): Promise<GuardedMigration> {
    let module: Partial<Migration> & { readonly transaction?: unknown; readonly default?: unknown }
    try {
      module = (await importModule(file, { version: checksum.slice('sha256:'.length, 'sha256:'.length + 16) })) as typeof module
    } catch (error) {
      const reason = String((error as Error | undefined)?.message ?? error).split('\n')[0]
      throw new MigrationError('MIGRATION_LOAD_FAILED', `cannot load migration ${name} from ${file}: ${reason}`, {
        cause: error,
        migrationName: name,
      })
    }
    // A CommonJS or default-exporting module keeps its migration under `default`.
    const candidate = (typeof module.up === 'function' ? module : (module.default ?? module)) as typeof module
    if (typeof candidate.up !== 'function') {
      throw new MigrationError('MIGRATION_LOAD_FAILED', `migration ${name} (${file}) exports no up() function`, {
        migrationName: name,
      })
    }
    if (candidate.down !== undefined && typeof candidate.down !== 'function') {
      throw new MigrationError('MIGRATION_LOAD_FAILED', `migration ${name} (${file}) exports a down that is not a function`, {
        migrationName: name,
      })
    }
    if (candidate.transaction !== undefined && typeof candidate.transaction !== 'boolean') {
      throw new MigrationError('MIGRATION_LOAD_FAILED', `migration ${name} (${file}) exports a non-boolean transaction`, {
        migrationName: name,
      })
    }
    return {
      up: candidate.up,
      ...(candidate.down ? { down: candidate.down } : {}),
      checksum,
      transaction: candidate.transaction !== false,
    }
  }
}
