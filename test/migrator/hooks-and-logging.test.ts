import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type {
  GuardedMigratorProps,
  LogFields,
  LogLevel,
  MigrationDoneEvent,
  MigrationErrorEvent,
  MigrationEvent,
} from '../../src/migrator/index.js'
import { migrationModule, openTestDatabase, tableMigration, tableNames, tempDir, writeFiles } from '../helpers.js'

const broken = migrationModule({ up: ['CREATE TABLE broken (id INTEGER)', { code: `throw new Error('boom')` }] })

function setup(
  files: Readonly<Record<string, string>>,
  props: Partial<Omit<GuardedMigratorProps, 'db' | 'provider'>> = {},
  options: { readonly backups?: boolean } = {},
) {
  const dir = tempDir()
  const folder = join(dir, 'migrations')
  writeFiles(folder, files)
  const backup = options.backups ? { backup: { folder: join(dir, 'backups') } } : {}
  return { ...openTestDatabase(join(dir, 'index.db'), folder, { ...props, ...backup }), folder }
}

/** A logger that keeps every line it is given. */
function recordingLogger() {
  const lines: Array<{ level: LogLevel; message: string; fields: LogFields | undefined }> = []
  const at = (level: LogLevel) => (message: string, fields?: LogFields) => lines.push({ level, message, fields })
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } }
}

describe('beforeMigration and afterMigration', () => {
  it('are called around each migration, in order, with its name and direction', async () => {
    const events: string[] = []
    const { migrator } = setup(
      { '0001_a.ts': tableMigration('a'), '0002_b.ts': tableMigration('b') },
      {
        hooks: {
          beforeMigration: ({ migrationName, direction }: MigrationEvent) => void events.push(`before ${direction} ${migrationName}`),
          afterMigration: ({ migrationName, direction }: MigrationDoneEvent) => void events.push(`after ${direction} ${migrationName}`),
        },
      },
    )

    await migrator.migrateToLatest()

    expect(events).toEqual(['before Up 0001_a', 'after Up 0001_a', 'before Up 0002_b', 'after Up 0002_b'])
  })

  it('are told the direction Down when migrations are reverted', async () => {
    const events: string[] = []
    const { migrator } = setup(
      { '0001_a.ts': tableMigration('a'), '0002_b.ts': tableMigration('b') },
      {
        hooks: {
          beforeMigration: ({ migrationName, direction }: MigrationEvent) => void events.push(`before ${direction} ${migrationName}`),
          afterMigration: ({ migrationName, direction }: MigrationDoneEvent) => void events.push(`after ${direction} ${migrationName}`),
        },
      },
    )
    await migrator.migrateToLatest()
    events.length = 0

    await migrator.reset()

    expect(events).toEqual(['before Down 0002_b', 'after Down 0002_b', 'before Down 0001_a', 'after Down 0001_a'])
  })

  it('gives afterMigration the duration of the migration, the same the result reports', async () => {
    const done: MigrationDoneEvent[] = []
    const { migrator } = setup({ '0001_a.ts': tableMigration('a') }, { hooks: { afterMigration: (event: MigrationDoneEvent) => void done.push(event) } })

    const { results } = await migrator.migrateToLatest()

    expect(done).toEqual([{ migrationName: '0001_a', direction: 'Up', durationMs: results?.[0]?.durationMs }])
    expect(done[0]?.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('fails the migration when beforeMigration throws, and the migration is rolled back', async () => {
    const { database, migrator } = setup(
      { '0001_a.ts': tableMigration('a') },
      {
        hooks: {
          beforeMigration: () => {
            throw new Error('not now')
          },
        },
      },
    )

    const { error } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_FAILED')
    expect(error?.migrationName).toBe('0001_a')
    expect(tableNames(database)).toEqual([])
  })
})

describe('onError', () => {
  it('is called once, after the rollback, with the error of the result and the failed migration', async () => {
    const calls: Array<MigrationErrorEvent & { tables: string[] }> = []
    const test = setup({ '0001_a.ts': tableMigration('a'), '0002_broken.ts': broken }, {
      hooks: { onError: (event: MigrationErrorEvent) => void calls.push({ ...event, tables: tableNames(test.database) }) },
    })

    const { error } = await test.migrator.migrateToLatest()

    expect(calls).toEqual([{ error, migrationName: '0002_broken', tables: [] }])
    expect(calls[0]?.error).toBe(error)
  })

  it('is not called when the run succeeds', async () => {
    const calls: MigrationErrorEvent[] = []
    const { migrator } = setup({ '0001_a.ts': tableMigration('a') }, { hooks: { onError: (event: MigrationErrorEvent) => void calls.push(event) } })

    await migrator.migrateToLatest()

    expect(calls).toEqual([])
  })

  it('that throws changes nothing in the result; the logger is warned', async () => {
    const { lines, logger } = recordingLogger()
    const { migrator } = setup(
      { '0001_broken.ts': broken },
      {
        logger,
        hooks: {
          onError: () => {
            throw new Error('hook broke')
          },
        },
      },
    )

    const { error } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_FAILED')
    expect(lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual(['onError hook threw: hook broke'])
  })
})

describe('the logger', () => {
  it('receives an info line per applied migration, with its name, direction and duration', async () => {
    const { lines, logger } = recordingLogger()
    const { migrator } = setup({ '0001_a.ts': tableMigration('a'), '0002_b.ts': tableMigration('b') }, { logger })

    await migrator.migrateToLatest()

    const info = lines.filter((line) => line.level === 'info')
    expect(info.map((line) => line.message)).toEqual(['applied migration 0001_a', 'applied migration 0002_b'])
    expect(info[0]?.fields).toEqual({ migration: '0001_a', direction: 'Up', durationMs: expect.any(Number) })
  })

  it('receives an info line per reverted migration', async () => {
    const { lines, logger } = recordingLogger()
    const { migrator } = setup({ '0001_a.ts': tableMigration('a') }, { logger })
    await migrator.migrateToLatest()
    lines.length = 0

    await migrator.migrateDown()

    expect(lines.map((line) => `${line.level} ${line.message}`)).toEqual(['info reverted migration 0001_a'])
  })

  it('receives an info line naming the backup taken', async () => {
    const { lines, logger } = recordingLogger()
    const { migrator, folder } = setup({ '0001_a.ts': tableMigration('a') }, { logger }, { backups: true })
    await migrator.migrateToLatest()
    writeFiles(folder, { '0002_b.ts': tableMigration('b') })
    lines.length = 0

    const { backup } = await migrator.migrateToLatest()

    expect(lines.filter((line) => line.level === 'info').map((line) => line.message)).toEqual([
      `backed up the database to ${backup}`,
      'applied migration 0002_b',
    ])
  })

  it('receives an error line with the code of a failed run', async () => {
    const { lines, logger } = recordingLogger()
    const { migrator } = setup({ '0001_broken.ts': broken }, { logger })

    const { error } = await migrator.migrateToLatest()

    expect(lines.filter((line) => line.level === 'error')).toEqual([
      { level: 'error', message: error?.message, fields: { code: 'MIGRATION_FAILED', migration: '0001_broken' } },
    ])
  })

  it('may leave levels out: a logger with info only is enough', async () => {
    const messages: string[] = []
    const { migrator } = setup({ '0001_broken.ts': broken }, { logger: { info: (message) => messages.push(message) } })

    const { error } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_FAILED')
    expect(messages).toEqual([])
  })
})

describe('durations', () => {
  it('are numbers on the results of executed migrations and on the result set', async () => {
    const { migrator } = setup({ '0001_a.ts': tableMigration('a'), '0002_b.ts': tableMigration('b') })

    const { results, durationMs } = await migrator.migrateToLatest()

    expect(results?.map((result) => typeof result.durationMs)).toEqual(['number', 'number'])
    expect(durationMs).toBeGreaterThanOrEqual(results!.reduce((sum, result) => sum + result.durationMs!, 0))
  })

  it('are undefined on the result of a migration that failed', async () => {
    const { migrator } = setup({ '0001_a.ts': tableMigration('a'), '0002_broken.ts': broken })

    const { results } = await migrator.migrateToLatest()

    expect(results?.map((result) => ({ name: result.migrationName, timed: result.durationMs !== undefined }))).toEqual([
      { name: '0001_a', timed: true },
      { name: '0002_broken', timed: false },
    ])
  })
})
