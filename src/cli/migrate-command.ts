import { mkdirSync, opendirSync, rmSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import type { Command } from 'commander'
import { decryptBackup, isEncryptedBackup } from '../db/backup-file.js'
import { CodeIndexError, messageOf } from '../errors.js'
import { assertIndexed } from './assert-indexed.js'
import { keyFromEnvironment } from './key-from-environment.js'
import { createIndexMigrator } from '../db/create-index-migrator.js'
import { openDatabase } from '../db/open-database.js'
import {
  type GuardedMigrationResultSet,
  type GuardedMigrator,
  type MigrationStatus,
} from '../migrator/index.js'
import { CommandFailed, errorJson, errorLine, printJson, reportError, stderrLogger, type Output } from './output.js'
import { resolveSettings, type GlobalOptions, type Settings } from './settings.js'

interface RunOptions {
  readonly dryRun?: boolean | undefined
}

type Action = (migrator: GuardedMigrator, context: CommandContext) => Promise<void>

export interface CommandContext {
  readonly cwd: string
  readonly database: BetterSqlite3.Database
  readonly output: Output
  readonly options: GlobalOptions
  readonly settings: Settings
}

export interface WithMigratorOptions {
  /** Create the database when it is missing: only for runs that apply migrations (or a restore, which fills it). */
  readonly create: boolean
  /** Open the database read-only: for the subcommands that only read, so that they work on a file one cannot write. */
  readonly readonly?: boolean | undefined
}

/**
 * Opens the database named by the settings, builds its migrator, runs `action`, and always closes. Refuses a missing
 * database (`FILE_NOT_INDEXED`) unless `create`, and a migrations folder that cannot be read, before opening anything.
 */
export async function withMigrator(
  cwd: string,
  output: Output,
  options: GlobalOptions,
  withOptions: WithMigratorOptions,
  action: Action,
): Promise<void> {
  const settings = await resolveSettings(cwd, options)
  if (settings.migrationFolder !== undefined) assertMigrationFolder(settings.migrationFolder)
  if (!withOptions.create) assertIndexed(settings.database)
  const database = openDatabase(settings.database, { readonly: withOptions.readonly === true })
  try {
    const migrator = createIndexMigrator(database, {
      migrationFolder: settings.migrationFolder,
      backupFolder: settings.backupFolder,
      backupRetain: settings.backupRetain,
      ...(options.debug ? { logger: stderrLogger(output) } : {}),
    })
    await action(migrator, { cwd, database, output, options, settings })
  } finally {
    database.close()
  }
}

/** Fails as the migration provider would on reading the folder, but before a database is opened (and created). */
function assertMigrationFolder(folder: string): void {
  try {
    opendirSync(folder).closeSync()
  } catch (error) {
    throw new CodeIndexError('MIGRATION_LOAD_FAILED', `cannot read the migrations folder ${folder}`, { cause: error })
  }
}

/** Reports a run in text or JSON; a failed run ends the command with exit code 1. */
function report(result: GuardedMigrationResultSet, context: CommandContext): void {
  const { output } = context
  if (context.options.json) {
    printJson(output, {
      ok: result.error === undefined,
      ...(result.error ? errorJson(result.error) : {}),
      dryRun: result.dryRun,
      backup: result.backup ?? null,
      results: (result.results ?? []).map((entry) => ({
        name: entry.migrationName,
        direction: entry.direction,
        status: entry.status,
        durationMs: entry.durationMs ?? null,
      })),
      ...(result.statements ? { statements: result.statements } : {}),
      durationMs: result.durationMs,
    })
  } else {
    if (result.backup) output.stdout(`backup: ${result.backup}\n`)
    for (const entry of result.results ?? []) {
      const verb = entry.direction === 'Up' ? 'apply' : 'revert'
      const ms = entry.durationMs === undefined ? '' : ` (${entry.durationMs.toFixed(1)} ms)`
      const text =
        entry.status === 'Success'
          ? `${result.dryRun ? `would ${verb}` : `${verb === 'apply' ? 'applied' : 'reverted'}`} ${entry.migrationName}${ms}`
          : entry.status === 'Error'
            ? `failed to ${verb} ${entry.migrationName}`
            : `did not ${verb} ${entry.migrationName}`
      output.stdout(`${text}\n`)
    }
    for (const statement of result.statements ?? []) output.stdout(`  ${statement.replace(/\s+/g, ' ').trim()};\n`)
    if (!result.error && (result.results ?? []).length === 0) output.stdout('nothing to do: the database is up to date\n')
    if (result.dryRun && !result.error) output.stdout('dry run: everything was rolled back\n')
  }
  if (result.error) {
    reportError(output, result.error, context.options.debug)
    throw new CommandFailed()
  }
}

function statusLine(status: MigrationStatus): string {
  const checksum = (status.checksum ?? status.recordedChecksum ?? '').slice(0, 'sha256:'.length + 12)
  const applied = status.appliedAt ? status.appliedAt.toISOString() : ''
  return `${status.state.padEnd(8)} ${status.name}  ${checksum}  ${applied}`.trimEnd()
}

/** Adds `migrate <subcommand>` to `program`. */
export function addMigrateCommands(program: Command, cwd: string, output: Output): void {
  const migrate = program.command('migrate').description('run, inspect and repair the database migrations')
  const globals = () => program.opts<GlobalOptions>()
  // Only a run that applies migrations may start a database; every other subcommand refuses a mistyped --db.
  const run = (action: Action, create = false) => withMigrator(cwd, output, globals(), { create }, action)
  const read = (action: Action) => withMigrator(cwd, output, globals(), { create: false, readonly: true }, action)
  const dryRun = (command: Command) => command.option('--dry-run', 'run inside a transaction, print the SQL, roll back')

  dryRun(migrate.command('latest').description('apply every pending migration')).action((options: RunOptions) =>
    run(async (migrator, context) => report(await migrator.migrateToLatest(options), context), options.dryRun !== true),
  )
  dryRun(migrate.command('up').description('apply the next pending migration')).action((options: RunOptions) =>
    run(async (migrator, context) => report(await migrator.migrateUp(options), context), options.dryRun !== true),
  )
  dryRun(migrate.command('down').description('revert the last applied migration')).action((options: RunOptions) =>
    run(async (migrator, context) => report(await migrator.migrateDown(options), context)),
  )
  dryRun(migrate.command('to').argument('<name>', 'the migration to end at').description('migrate up or down to <name>'))
    .action((name: string, options: RunOptions) =>
      run(async (migrator, context) => report(await migrator.migrateTo(name, options), context), options.dryRun !== true),
    )
  dryRun(migrate.command('reset').description('revert every applied migration')).action((options: RunOptions) =>
    run(async (migrator, context) => report(await migrator.reset(options), context)),
  )

  migrate
    .command('status')
    .description('list every migration with its state and checksum')
    .action(() =>
      read(async (migrator, { output, options, settings }) => {
        const statuses = await migrator.status()
        if (options.json) {
          printJson(output, {
            database: settings.database,
            migrations: statuses.map((status) => ({
              name: status.name,
              state: status.state,
              checksum: status.checksum ?? null,
              recordedChecksum: status.recordedChecksum ?? null,
              appliedAt: status.appliedAt?.toISOString() ?? null,
            })),
          })
        } else {
          output.stdout(`database: ${settings.database}\n`)
          for (const status of statuses) output.stdout(`${statusLine(status)}\n`)
          const applied = statuses.filter((status) => status.state === 'Applied').length
          output.stdout(`${applied} of ${statuses.length} applied\n`)
        }
      }),
    )

  migrate
    .command('validate')
    .description('check applied migrations against their sources without running anything')
    .action(() =>
      read(async (migrator, { output, options }) => {
        const { problems } = await migrator.validate()
        if (options.json) {
          printJson(output, { ok: problems.length === 0, problems: problems.map((problem) => errorJson(problem).error) })
        } else if (problems.length === 0) {
          output.stdout('ok: every applied migration matches its source\n')
        }
        for (const problem of problems) output.stderr(`${errorLine(problem)}\n`)
        if (problems.length > 0) throw new CommandFailed()
      }),
    )

  migrate
    .command('repair')
    .description('record the current checksum of applied migrations that were edited on purpose')
    .action(() =>
      run(async (migrator, { output, options }) => {
        const { error, repaired } = await migrator.repair()
        if (options.json) printJson(output, { ok: !error, ...(error ? errorJson(error) : {}), repaired })
        else if (!error) {
          for (const name of repaired) output.stdout(`recorded a new checksum for ${name}\n`)
          if (repaired.length === 0) output.stdout('nothing to repair\n')
        }
        if (error) {
          reportError(output, error, options.debug)
          throw new CommandFailed()
        }
      }),
    )

  migrate
    .command('backups')
    .description('list the backups taken before migrations, newest first')
    .action(() =>
      read(async (migrator, { output, options }) => {
        const backups = await migrator.backups()
        if (options.json) {
          printJson(output, {
            backups: backups.map((backup) => ({ ...backup, createdAt: backup.createdAt.toISOString(), fromVersion: backup.fromVersion ?? null })),
          })
        } else {
          for (const backup of backups) {
            output.stdout(`${backup.path}  from ${backup.fromVersion ?? '(none)'}  ${backup.size} bytes\n`)
          }
          if (backups.length === 0) output.stdout('no backups\n')
        }
      }),
    )
}

/** Adds `restore <file>` to `program`. */
export function addRestoreCommand(program: Command, cwd: string, output: Output): void {
  program
    .command('restore')
    .argument('<file>', 'a backup file')
    .option('--key-env <name>', 'the environment variable holding the key of an encrypted backup')
    .description('verify a backup, back the database up, and put the backup in its place')
    .action((file: string, restoreOptions: { keyEnv?: string }) => restore(cwd, output, program.opts<GlobalOptions>(), file, restoreOptions.keyEnv))
}

/**
 * Proves `file` a backup of this database (sound, and every applied migration known to the migrations in use) before
 * the database is opened, then backs the database up as a migration run would, and only then replaces it.
 */
async function restore(cwd: string, output: Output, options: GlobalOptions, file: string, keyEnv: string | undefined): Promise<void> {
  const settings = await resolveSettings(cwd, options)
  if (settings.migrationFolder !== undefined) assertMigrationFolder(settings.migrationFolder)
  const source = resolve(cwd, file)
  assertBackupFile(source)
  let plain = source
  if (isEncryptedBackup(source)) {
    const key = keyFromEnvironment(keyEnv)
    if (key === undefined) throw new CodeIndexError('BACKUP_INVALID', `${source} is encrypted; pass --key-env with its key`)
    // Decrypted beside the database, never in a shared temporary folder.
    mkdirSync(dirname(settings.database), { recursive: true, mode: 0o700 })
    plain = `${settings.database}.restoring-${process.pid}`
    decryptBackup(source, plain, key)
  }
  try {
    await assertBackupOf(plain, source, settings.migrationFolder)
    await withMigrator(cwd, output, options, { create: true }, async (migrator, { settings, options }) => {
      const backup = await migrator.restore(plain)
      if (options.json) printJson(output, { ok: true, restored: file, database: settings.database, backup: backup ?? null })
      else output.stdout(`${backup === undefined ? '' : `backup: ${backup}\n`}restored ${file} into ${settings.database}\n`)
    })
  } finally {
    if (plain !== source) rmSync(plain, { force: true })
  }
}

function assertBackupFile(source: string): void {
  let isFile: boolean
  try {
    isFile = statSync(source).isFile()
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
    throw new CodeIndexError('BACKUP_INVALID', missing ? `${source} does not exist` : `cannot read ${source}: ${messageOf(error)}`, {
      cause: error,
    })
  }
  if (!isFile) throw new CodeIndexError('BACKUP_INVALID', `${source} is not a file; name a backup file`)
}

/**
 * Refuses `path` unless it is a sound SQLite file whose applied migrations are all known to the migrations in use
 * (`label` names it in messages: the encrypted original of a decrypted copy). A plain connection that only reads:
 * a read-only one would leave -wal and -shm files beside a WAL-mode backup.
 */
async function assertBackupOf(path: string, label: string, migrationFolder: string | undefined): Promise<void> {
  const database = openSoundDatabase(path, label)
  try {
    let statuses: ReadonlyArray<MigrationStatus>
    try {
      statuses = await createIndexMigrator(database, { migrationFolder, backupFolder: false }).status()
    } catch (error) {
      if (error instanceof CodeIndexError) throw error
      throw new CodeIndexError('BACKUP_INVALID', `${label} is not a sound SQLite database: ${messageOf(error)}`, { cause: error })
    }
    const unknown = statuses.filter((status) => status.state === 'Missing').map((status) => status.name)
    if (unknown.length > 0) {
      throw new CodeIndexError(
        'BACKUP_INVALID',
        `${label} is not a backup of this database: migration ${unknown.join(', ')} applied to it is unknown to the migrations in use`,
      )
    }
    if (!statuses.some((status) => status.appliedAt !== undefined)) {
      throw new CodeIndexError('BACKUP_INVALID', `${label} is not a backup of this database: it records no applied migration (no kysely_migration rows)`)
    }
  } finally {
    database.close()
  }
}

function openSoundDatabase(path: string, label: string): BetterSqlite3.Database {
  let database: BetterSqlite3.Database | undefined
  try {
    database = new BetterSqlite3(path, { fileMustExist: true })
    database.prepare('SELECT count(*) FROM sqlite_schema').get()
    return database
  } catch (error) {
    database?.close()
    throw new CodeIndexError('BACKUP_INVALID', `${label} is not a sound SQLite database: ${messageOf(error)}`, { cause: error })
  }
}
