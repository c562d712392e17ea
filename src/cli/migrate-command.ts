import { existsSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { decryptBackup, isEncryptedBackup } from '../db/backup-file.js'
import { CodeIndexError } from '../errors.js'
import { keyFromEnvironment } from './key-from-environment.js'
import { createIndexMigrator } from '../db/create-index-migrator.js'
import { openDatabase } from '../db/open-database.js'
import type { GuardedMigrationResultSet, GuardedMigrator, MigrationStatus } from '../migrator/index.js'
import { CommandFailed, errorJson, errorLine, printJson, stderrLogger, type Output } from './output.js'
import { resolveSettings, type GlobalOptions, type Settings } from './settings.js'

interface RunOptions {
  readonly dryRun?: boolean | undefined
}

type Action = (migrator: GuardedMigrator, context: CommandContext) => Promise<void>

export interface CommandContext {
  readonly cwd: string
  readonly output: Output
  readonly options: GlobalOptions
  readonly settings: Settings
}

/** Opens the database named by the settings, builds its migrator, runs `action`, and always closes. */
export async function withMigrator(
  cwd: string,
  output: Output,
  options: GlobalOptions,
  action: Action,
): Promise<void> {
  const settings = await resolveSettings(cwd, options)
  const database = openDatabase(settings.database)
  try {
    const migrator = createIndexMigrator(database, {
      migrationFolder: settings.migrationFolder,
      backupFolder: settings.backupFolder,
      backupRetain: settings.backupRetain,
      ...(options.debug ? { logger: stderrLogger(output) } : {}),
    })
    await action(migrator, { cwd, output, options, settings })
  } finally {
    database.close()
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
    output.stderr(`${errorLine(result.error)}\n`)
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
  const run = (action: Action) => withMigrator(cwd, output, globals(), action)
  const dryRun = (command: Command) => command.option('--dry-run', 'run inside a transaction, print the SQL, roll back')

  dryRun(migrate.command('latest').description('apply every pending migration')).action((options: RunOptions) =>
    run(async (migrator, context) => report(await migrator.migrateToLatest(options), context)),
  )
  dryRun(migrate.command('up').description('apply the next pending migration')).action((options: RunOptions) =>
    run(async (migrator, context) => report(await migrator.migrateUp(options), context)),
  )
  dryRun(migrate.command('down').description('revert the last applied migration')).action((options: RunOptions) =>
    run(async (migrator, context) => report(await migrator.migrateDown(options), context)),
  )
  dryRun(migrate.command('to').argument('<name>', 'the migration to end at').description('migrate up or down to <name>'))
    .action((name: string, options: RunOptions) =>
      run(async (migrator, context) => report(await migrator.migrateTo(name, options), context)),
    )
  dryRun(migrate.command('reset').description('revert every applied migration')).action((options: RunOptions) =>
    run(async (migrator, context) => report(await migrator.reset(options), context)),
  )

  migrate
    .command('status')
    .description('list every migration with its state and checksum')
    .action(() =>
      run(async (migrator, { output, options, settings }) => {
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
      run(async (migrator, { output, options }) => {
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
          output.stderr(`${errorLine(error)}\n`)
          throw new CommandFailed()
        }
      }),
    )

  migrate
    .command('backups')
    .description('list the backups taken before migrations, newest first')
    .action(() =>
      run(async (migrator, { output, options }) => {
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
    .description('verify a backup and put it back in place of the database')
    .action((file: string, restoreOptions: { keyEnv?: string }) =>
      withMigrator(cwd, output, program.opts<GlobalOptions>(), async (migrator, { settings, options }) => {
        const source = resolve(cwd, file)
        if (existsSync(source) && isEncryptedBackup(source)) {
          const key = keyFromEnvironment(restoreOptions.keyEnv)
          if (key === undefined) throw new CodeIndexError('BACKUP_INVALID', `${source} is encrypted; pass --key-env with its key`)
          const plain = `${settings.database}.restoring-${process.pid}`
          try {
            decryptBackup(source, plain, key)
            await migrator.restore(plain)
          } finally {
            rmSync(plain, { force: true })
          }
        } else {
          await migrator.restore(source)
        }
        if (options.json) printJson(output, { ok: true, restored: file, database: settings.database })
        else output.stdout(`restored ${file} into ${settings.database}\n`)
      }),
    )
}
