import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { migrationChecksum } from '../../src/migrator/index.js'
import {
  appliedNames,
  contentsOf,
  migrationModule,
  openTestDatabase,
  recordedChecksums,
  schemaOf,
  tableMigration,
  tableNames,
  tempDir,
  writeFiles,
} from '../helpers.js'

/** `0001_first` applied, then `0002_things` (creating table `things`) and `later` added. */
async function onePending(later: Readonly<Record<string, string>> = {}, backup = false) {
  const dir = tempDir()
  const folder = join(dir, 'migrations')
  writeFiles(folder, { '0001_first.ts': tableMigration('first', `await db.insertInto('first').values({ id: 1, value: 'one' }).execute()`) })
  const test = openTestDatabase(join(dir, 'index.db'), folder, backup ? { backup: { folder: join(dir, 'backups') } } : {})
  expect((await test.migrator.migrateToLatest()).error).toBeUndefined()
  writeFiles(folder, { '0002_things.ts': tableMigration('things'), ...later })
  return test
}

describe('a dry run', () => {
  it('reports the SQL the pending migration executed, its CREATE TABLE included', async () => {
    const { migrator } = await onePending()

    const { statements, dryRun } = await migrator.migrateToLatest({ dryRun: true })

    expect(dryRun).toBe(true)
    // tableMigration('things'); Kysely compiles a column as name, type, default, not null, primary key.
    expect(statements).toContain('create table "things" ("id" integer not null primary key, "value" text)')
    expect(statements).toContain('insert into "kysely_migration" ("name", "timestamp") values (?, ?)')
  })

  it('reports what would have run as Success', async () => {
    const { migrator } = await onePending({ '0003_more.ts': tableMigration('more') })

    const { error, results } = await migrator.migrateToLatest({ dryRun: true })

    expect(error).toBeUndefined()
    expect(results?.map(({ migrationName, status }) => ({ migrationName, status }))).toEqual([
      { migrationName: '0002_things', status: 'Success' },
      { migrationName: '0003_more', status: 'Success' },
    ])
  })

  it('leaves the schema and the bookkeeping as they were', async () => {
    const { database, migrator } = await onePending()
    const schema = schemaOf(database)
    const contents = contentsOf(database)

    await migrator.migrateToLatest({ dryRun: true })

    expect(schemaOf(database)).toEqual(schema)
    expect(contentsOf(database)).toEqual(contents)
    expect(appliedNames(database)).toEqual(['0001_first'])
  })

  it('leaves the bytes of the main database file as they were', async () => {
    const { database, migrator, path } = await onePending()
    // Everything committed so far goes into the main file, so that the comparison covers all of it.
    database.pragma('wal_checkpoint(TRUNCATE)')
    const bytes = readFileSync(path)

    await migrator.migrateToLatest({ dryRun: true })

    expect(readFileSync(path).equals(bytes)).toBe(true)
  })

  it('leaves the database as it was when a migration fails, and reports the failure', async () => {
    const { database, migrator } = await onePending({
      '0003_broken.ts': migrationModule({ up: ['CREATE TABLE broken (id INTEGER)', { code: `throw new Error('boom')` }] }),
    })
    const schema = schemaOf(database)

    const { error, statements } = await migrator.migrateToLatest({ dryRun: true })

    expect(error?.code).toBe('MIGRATION_FAILED')
    expect(error?.migrationName).toBe('0003_broken')
    expect(statements).toContain('create table "things" ("id" integer not null primary key, "value" text)')
    expect(schemaOf(database)).toEqual(schema)
  })

  it('of a down reports the DROP TABLE and reverts nothing', async () => {
    const { database, migrator } = await onePending()
    await migrator.migrateToLatest()

    const { statements } = await migrator.migrateDown({ dryRun: true })

    expect(statements).toContain('drop table "things"')
    expect(appliedNames(database)).toEqual(['0001_first', '0002_things'])
    expect(tableNames(database)).toContain('things')
  })

  it('takes no backup', async () => {
    const { migrator } = await onePending({}, true)

    const { backup } = await migrator.migrateToLatest({ dryRun: true })

    expect(backup).toBeUndefined()
    expect(await migrator.backups()).toEqual([])
  })

  it('with nothing to do reports no statement', async () => {
    const { migrator } = await onePending()
    await migrator.migrateToLatest()

    const { statements, results } = await migrator.migrateToLatest({ dryRun: true })

    expect(statements).toEqual([])
    expect(results).toEqual([])
  })

  it('of a transaction = false migration runs it and rolls it back too', async () => {
    const { database, migrator } = await onePending({
      '0003_standalone.ts': migrationModule({ up: ['CREATE TABLE standalone (id INTEGER)'], transaction: false }),
    })
    const schema = schemaOf(database)

    const { error, statements } = await migrator.migrateToLatest({ dryRun: true })

    expect(error).toBeUndefined()
    expect(statements).toContain('CREATE TABLE standalone (id INTEGER)')
    expect(schemaOf(database)).toEqual(schema)
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1)
  })
})

describe('a run that is not dry', () => {
  it('reports no statements', async () => {
    const { migrator } = await onePending()

    const { statements, dryRun } = await migrator.migrateToLatest()

    expect(statements).toBeUndefined()
    expect(dryRun).toBe(false)
  })
})

describe('status()', () => {
  it('shows every migration Pending, with its checksum and nothing recorded, on a fresh database', async () => {
    const dir = tempDir()
    const folder = join(dir, 'migrations')
    const first = tableMigration('first')
    writeFiles(folder, { '0001_first.ts': first })
    const { migrator } = openTestDatabase(join(dir, 'index.db'), folder)

    expect(await migrator.status()).toEqual([
      { name: '0001_first', state: 'Pending', checksum: migrationChecksum(first), recordedChecksum: undefined, appliedAt: undefined },
    ])
  })

  it('creates nothing in a fresh database', async () => {
    const dir = tempDir()
    const folder = join(dir, 'migrations')
    writeFiles(folder, { '0001_first.ts': tableMigration('first') })
    const { database, migrator } = openTestDatabase(join(dir, 'index.db'), folder)

    await migrator.status()

    expect(tableNames(database)).toEqual([])
  })

  it('shows applied migrations Applied with the time they were applied and the checksum recorded then', async () => {
    const { migrator } = await onePending()
    const before = Date.now()
    await migrator.migrateToLatest()
    const after = Date.now()

    const statuses = await migrator.status()

    expect(statuses.map(({ name, state }) => ({ name, state }))).toEqual([
      { name: '0001_first', state: 'Applied' },
      { name: '0002_things', state: 'Applied' },
    ])
    const things = statuses[1]!
    expect(things.recordedChecksum).toBe(things.checksum)
    expect(things.appliedAt!.getTime()).toBeGreaterThanOrEqual(before)
    expect(things.appliedAt!.getTime()).toBeLessThanOrEqual(after)
  })
})

describe('getMigrations()', () => {
  it("gives Kysely's view: each migration, executedAt set for the applied ones only", async () => {
    const { migrator } = await onePending()

    const migrations = await migrator.getMigrations()

    expect(migrations.map(({ name, executedAt }) => ({ name, applied: executedAt instanceof Date }))).toEqual([
      { name: '0001_first', applied: true },
      { name: '0002_things', applied: false },
    ])
    expect(typeof migrations[1]?.migration.up).toBe('function')
  })
})

describe('the bookkeeping tables', () => {
  it('are named after migrationTableName unless named one by one', async () => {
    const dir = tempDir()
    const folder = join(dir, 'migrations')
    writeFiles(folder, { '0001_first.ts': tableMigration('first') })
    const { database, migrator } = openTestDatabase(join(dir, 'index.db'), folder, { migrationTableName: 'app_migration' })

    await migrator.migrateToLatest()

    expect(migrator.bookkeepingTables).toEqual(['app_migration', 'kysely_migration_lock', 'app_migration_checksum'])
    expect(tableNames(database)).toEqual(['app_migration', 'app_migration_checksum', 'first', 'kysely_migration_lock'])
    expect(recordedChecksums(database)).toEqual({})
  })
})
