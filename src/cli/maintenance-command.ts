import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import type { Command } from 'commander'
import { backupDatabase } from '../db/backup-file.js'
import { createIndexMigrator } from '../db/create-index-migrator.js'
import { openDatabase } from '../db/open-database.js'
import { CodeIndexError, databaseError, messageOf } from '../errors.js'
import { openIndex, type CodeIndex } from '../open-index.js'
import { assertIndexed } from './assert-indexed.js'
import { keyFromEnvironment } from './key-from-environment.js'
import { CommandFailed, printJson, type Output } from './output.js'
import { resolveSettings, type GlobalOptions } from './settings.js'

/**
 * Runs `action` on the existing index. `migrate`: bring it to the latest schema first (optimize does); doctor takes
 * the file as it is, so that it reports pending migrations.
 */
async function withIndex<T>(program: Command, cwd: string, migrate: boolean, action: (index: CodeIndex) => Promise<T>) {
  const database = await existingIndex(program, cwd)
  return withOpenIndex(database, migrate, action)
}

/** The database the settings name, once it is known to hold an index (FILE_NOT_INDEXED otherwise). */
async function existingIndex(program: Command, cwd: string): Promise<string> {
  const settings = await resolveSettings(cwd, program.opts<GlobalOptions>())
  assertIndexed(settings.database)
  await assertMigrated(settings.database)
  return settings.database
}

async function withOpenIndex<T>(path: string, migrate: boolean, action: (index: CodeIndex) => Promise<T>) {
  const index = await openIndex({ path, migrate })
  try {
    return await action(index)
  } finally {
    index.close()
  }
}

/**
 * Runs doctor's `action` on the existing index as it is, or, when the file may not be written, on a private copy of it
 * (SQLite's backup API, through a read-only connection): FTS5's integrity-check is a write, so it cannot run on the
 * file itself. The copy holds the same pages, damage included, and is removed afterwards.
 */
async function withCheckableIndex<T>(program: Command, cwd: string, output: Output, action: (index: CodeIndex) => Promise<T>) {
  const path = await existingIndex(program, cwd)
  if (writable(path)) return withOpenIndex(path, false, action)
  let folder: string
  try {
    folder = mkdtempSync(join(tmpdir(), 'codeindex-doctor-'))
  } catch (error) {
    throw new CodeIndexError('BACKUP_FAILED', `could not make a folder in ${tmpdir()} for a copy of ${path} to check: ${messageOf(error)}`, {
      cause: error,
    })
  }
  try {
    const copy = join(folder, 'index.db')
    const source = openDatabase(path, { readonly: true })
    try {
      await source.backup(copy)
    } catch (error) {
      // A damaged source keeps its own code; writing the copy is what failed otherwise (a full temporary folder, say).
      const typed = databaseError(error, path)
      if (typed?.code === 'NOT_A_DATABASE' || typed?.code === 'DATABASE_CORRUPT') throw typed
      throw new CodeIndexError('BACKUP_FAILED', `could not copy ${path} to ${copy} to check it: ${messageOf(error)}`, { cause: error })
    } finally {
      source.close()
    }
    if (!program.opts<GlobalOptions>().json) output.stderr(`codeindex: ${path} may not be written: checking a copy of it\n`)
    return await withOpenIndex(copy, false, action)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

/**
 * Runs `action` on a connection to the existing index that need not write: for backup, which only reads. A file one
 * may not write is opened read-only (which leaves its -wal and -shm behind: only a writer removes them).
 */
async function withReadOnlyIndex<T>(program: Command, cwd: string, action: (database: BetterSqlite3.Database, path: string) => Promise<T>) {
  const path = await existingIndex(program, cwd)
  const database = openDatabase(path, { readonly: !writable(path) })
  try {
    return await action(database, path)
  } finally {
    database.close()
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Refuses a file no migration of the index was applied to (empty, or another program's database): optimize would
 * migrate it into an index, doctor and backup would fail on missing tables. Reads only, on a plain connection: opening
 * the index sets WAL, which writes a header into an empty file.
 */
async function assertMigrated(path: string): Promise<void> {
  let database: BetterSqlite3.Database | undefined
  let applied: boolean
  try {
    database = new BetterSqlite3(path, { fileMustExist: true })
    const statuses = await createIndexMigrator(database, { backupFolder: false }).status()
    applied = statuses.some((status) => status.appliedAt !== undefined)
  } catch (error) {
    throw databaseError(error, path) ?? error
  } finally {
    database?.close()
  }
  if (!applied) {
    throw new CodeIndexError(
      'FILE_NOT_INDEXED',
      `${path} holds no index (no codeindex migration was applied to it); check --db, or run \`codeindex index\` to build one`,
    )
  }
}

/** Adds `doctor`, `optimize` and `backup` to `program`. */
export function addMaintenanceCommands(program: Command, cwd: string, output: Output): void {
  program
    .command('doctor')
    .description('check the index: integrity, foreign keys, FTS indexes, migrations; exit 0 only when all pass')
    .option('--quick', 'quick_check instead of the full integrity_check')
    .action((options: { quick?: boolean }) =>
      withCheckableIndex(program, cwd, output, async (index) => {
        const report = await index.check({ quick: options.quick === true })
        if (program.opts<GlobalOptions>().json) printJson(output, report)
        else for (const check of report.checks) output.stdout(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}${check.ok ? '' : `: ${check.detail}`}\n`)
        if (!report.ok) throw new CommandFailed()
      }),
    )
  program
    .command('optimize')
    .description('merge the FTS5 indexes and refresh the query planner statistics')
    .action(() =>
      withIndex(program, cwd, true, async (index) => {
        index.optimize()
        if (program.opts<GlobalOptions>().json) printJson(output, { ok: true })
        else output.stdout('optimized\n')
      }),
    )
  program
    .command('backup')
    .requiredOption('--out <file>', 'where to write the backup (mode 0600)')
    .option('--key-env <name>', 'encrypt with AES-256-GCM, with the key in this environment variable')
    .description('write a consistent online backup of the index')
    .action((options: { out: string; keyEnv?: string }) =>
      withReadOnlyIndex(program, cwd, async (database, path) => {
        const out = resolve(cwd, options.out)
        await backupDatabase(database, out, { key: keyFromEnvironment(options.keyEnv) })
        if (program.opts<GlobalOptions>().json) printJson(output, { ok: true, backup: out, encrypted: options.keyEnv !== undefined })
        else output.stdout(`backed up ${path} to ${out}${options.keyEnv ? ' (encrypted)' : ''}\n`)
      }),
    )
}
