import { MAX_THREADS } from '../indexing/analyzer.js'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { assertSchemaKnown, createIndexMigrator } from '../db/create-index-migrator.js'
import { openDatabase } from '../db/open-database.js'
import { assertIndexRoot, Indexer, type IndexProgress, type IndexResultSet } from '../indexing/indexer.js'
import { CommandFailed, printJson, reportError, stderrLogger, type Output } from './output.js'
import type { GlobalOptions } from './settings.js'

interface IndexCommandOptions {
  readonly include?: string[] | undefined
  readonly exclude?: string[] | undefined
  readonly maxFileSize?: string | undefined
  readonly workers?: string | undefined
}

/** A progress bar on stderr when it is a terminal; nothing otherwise (the summary line says it all). */
async function progressReporter(enabled: boolean) {
  if (!enabled) return { update: (_progress: IndexProgress) => {}, stop: () => {} }
  const { default: progress } = await import('cli-progress')
  const bar = new progress.SingleBar(
    {
      format: '{phase} [{bar}] {value}/{total} files | {rate} files/s | {failed} failed',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    progress.Presets.shades_classic,
  )
  let started = false
  return {
    update: (p: IndexProgress) => {
      // Of the files to read: unchanged ones among them are those found unchanged beyond the stat-unchanged ones.
      const settled = p.indexed + p.skipped + p.failed + (p.unchanged - (p.seen - p.toRead))
      const values = { phase: p.phase.padEnd(9), rate: Math.round(p.filesPerSecond), failed: p.failed }
      if (!started && p.phase === 'Indexing') {
        bar.start(Math.max(p.toRead, 1), 0, values)
        started = true
      } else if (started) bar.update(Math.max(0, settled), values)
    },
    stop: () => {
      if (started) bar.stop()
    },
  }
}

function summary(result: IndexResultSet, database: string): string {
  const { totals } = result
  const seconds = (result.durationMs / 1000).toFixed(2)
  const mb = (totals.bytes / 1024 / 1024).toFixed(1)
  return (
    `${result.status === 'Completed' ? 'indexed' : result.status === 'Cancelled' ? 'cancelled after' : 'failed after'} ` +
    `${totals.seen} files in ${seconds} s: ${totals.indexed} indexed (${mb} MB), ${totals.unchanged} unchanged, ` +
    `${totals.skipped} skipped, ${totals.failed} failed, ${totals.removed} removed -> ${database}`
  )
}

/** Adds `index [dir]` to `program`. */
export function addIndexCommand(program: Command, cwd: string, output: Output): void {
  program
    .command('index')
    .argument('[dir]', 'the folder to index', '.')
    .description('index a folder: every file git would track, with definitions, imports and symbols')
    .option('--include <glob...>', 'only index files matching these globs')
    .option('--exclude <glob...>', 'leave out files matching these globs')
    .option('--max-file-size <bytes>', 'record larger files as skipped (default 1048576)')
    .option('--workers <n>', 'parse threads (default: one per core; 0 parses in the main thread)')
    .action(async (dir: string, options: IndexCommandOptions) => {
      const globals = program.opts<GlobalOptions>()
      const root = resolve(cwd, dir)
      // Before the database is opened: opening creates its folder and file, which a mistyped root or option would leave.
      assertIndexRoot(root)
      const maxFileSize = options.maxFileSize === undefined ? undefined : parseCount(options.maxFileSize, '--max-file-size')
      const workers = options.workers === undefined ? undefined : parseCount(options.workers, '--workers', MAX_THREADS)
      const databasePath = globals.db !== undefined ? resolve(cwd, globals.db) : join(root, '.codeindex', 'index.db')
      const database = openDatabase(databasePath)
      const controller = new AbortController()
      const interrupt = () => controller.abort()
      process.once('SIGINT', interrupt)
      try {
        const migrator = createIndexMigrator(database, {
          ...(globals.backupDir !== undefined ? { backupFolder: resolve(cwd, globals.backupDir) } : {}),
        })
        await assertSchemaKnown(migrator, databasePath)
        const migrated = await migrator.migrateToLatest()
        if (migrated.error) {
          reportError(output, migrated.error, globals.debug)
          throw new CommandFailed()
        }
        const reporter = await progressReporter(!globals.json && process.stderr.isTTY === true)
        const result = await new Indexer(database).index(root, {
          include: options.include,
          exclude: options.exclude,
          maxFileSize,
          workers,
          signal: controller.signal,
          // One run per process: nothing to keep parse threads up for.
          keepThreadsMs: 0,
          onProgress: reporter.update,
          ...(globals.debug ? { logger: stderrLogger(output) } : {}),
        })
        reporter.stop()
        if (globals.json) {
          printJson(output, {
            status: result.status,
            root: result.root,
            database: databasePath,
            ...result.totals,
            durationMs: Math.round(result.durationMs),
            ...(result.error ? { error: { code: result.error.code, message: result.error.message } } : {}),
            failures: result.files.filter((file) => file.status === 'Failed').map(({ path, reason }) => ({ path, reason })),
            unreadableFolders: result.unreadableFolders,
          })
        } else {
          output.stdout(`${summary(result, databasePath)}\n`)
          for (const file of result.files) if (file.status === 'Failed') output.stderr(`failed: ${file.path}: ${file.reason}\n`)
          for (const folder of result.unreadableFolders) output.stderr(`unreadable: ${folder}/ (the files indexed under it were kept)\n`)
        }
        if (result.error) reportError(output, result.error, globals.debug)
        if (result.status !== 'Completed') throw new CommandFailed(result.status === 'Cancelled' ? 130 : 1)
      } finally {
        process.removeListener('SIGINT', interrupt)
        database.close()
      }
    })
}


function parseCount(value: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  const number = Number(value)
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number)) throw new RangeError(`${flag} must be a whole number, not "${value}"`)
  if (number > max) throw new RangeError(`${flag} must be at most ${max} (four per core), not ${value}`)
  return number
}
