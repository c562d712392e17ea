import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MigrationError } from '../../src/migrator/index.js'
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
  type TestDatabase,
} from '../helpers.js'

/** Creates a table, fills a row into it and into `base`, then throws: each step must vanish with the rollback. */
const throwsHalfway = migrationModule({
  up: [
    'CREATE TABLE broken (id INTEGER PRIMARY KEY)',
    'INSERT INTO broken (id) VALUES (1)',
    `INSERT INTO base (id, value) VALUES (2, 'from the failing migration')`,
    { code: `throw new Error('boom')` },
  ],
  down: ['DROP TABLE broken'],
})

/** Same, but the last step is SQL that SQLite rejects. */
const badSql = migrationModule({
  up: [
    'CREATE TABLE broken (id INTEGER PRIMARY KEY)',
    'INSERT INTO broken (id) VALUES (1)',
    'INSERT INTO no_such_table (id) VALUES (1)',
  ],
  down: ['DROP TABLE broken'],
})

/** A database with `0001_base` applied (table `base` holding one row), then `later` added to the folder. */
async function databaseWith(later: Readonly<Record<string, string>>): Promise<TestDatabase> {
  const dir = tempDir()
  const folder = join(dir, 'migrations')
  writeFiles(folder, { '0001_base.ts': tableMigration('base', `await db.insertInto('base').values({ id: 1, value: 'kept' }).execute()`) })
  const test = openTestDatabase(join(dir, 'index.db'), folder)
  const { error } = await test.migrator.migrateToLatest()
  expect(error).toBeUndefined()
  writeFiles(folder, later)
  return test
}

describe('a migration that throws halfway', () => {
  it('leaves sqlite_schema exactly as it was before the run', async () => {
    const { database, migrator } = await databaseWith({ '0002_ok.ts': tableMigration('ok'), '0003_broken.ts': throwsHalfway })
    const before = schemaOf(database)

    await migrator.migrateToLatest()

    expect(schemaOf(database)).toEqual(before)
  })

  it('leaves the bookkeeping as it was: only 0001_base applied, only its checksum recorded', async () => {
    const { database, migrator } = await databaseWith({ '0002_ok.ts': tableMigration('ok'), '0003_broken.ts': throwsHalfway })
    const checksums = recordedChecksums(database)

    await migrator.migrateToLatest()

    expect(appliedNames(database)).toEqual(['0001_base'])
    expect(recordedChecksums(database)).toEqual(checksums)
    expect(Object.keys(checksums)).toEqual(['0001_base'])
  })

  it('takes back the rows it wrote into an existing table', async () => {
    const { database, migrator } = await databaseWith({ '0002_broken.ts': throwsHalfway })

    await migrator.migrateToLatest()

    expect(database.prepare('SELECT id, value FROM base').all()).toEqual([{ id: 1, value: 'kept' }])
  })

  it('returns error code MIGRATION_FAILED naming the failed migration, with the thrown error as cause', async () => {
    const { migrator } = await databaseWith({ '0002_ok.ts': tableMigration('ok'), '0003_broken.ts': throwsHalfway })

    const { error } = await migrator.migrateToLatest()

    expect(error).toBeInstanceOf(MigrationError)
    expect(error?.code).toBe('MIGRATION_FAILED')
    expect(error?.migrationName).toBe('0003_broken')
    expect((error?.cause as Error).message).toBe('boom')
  })

  it('reports the earlier migrations of the run NotExecuted, because they were rolled back, and the failed one Error', async () => {
    const { migrator } = await databaseWith({ '0002_ok.ts': tableMigration('ok'), '0003_broken.ts': throwsHalfway })

    const { results } = await migrator.migrateToLatest()

    expect(results?.map(({ migrationName, direction, status }) => ({ migrationName, direction, status }))).toEqual([
      { migrationName: '0002_ok', direction: 'Up', status: 'NotExecuted' },
      { migrationName: '0003_broken', direction: 'Up', status: 'Error' },
    ])
  })

  it('does not keep the tables of the earlier migrations of the run', async () => {
    const { database, migrator } = await databaseWith({ '0002_ok.ts': tableMigration('ok'), '0003_broken.ts': throwsHalfway })

    await migrator.migrateToLatest()

    expect(tableNames(database)).toEqual(['base', 'kysely_migration', 'kysely_migration_checksum', 'kysely_migration_lock'])
  })
})

describe('a migration whose SQL fails halfway', () => {
  it('leaves sqlite_schema and every row as they were', async () => {
    const { database, migrator } = await databaseWith({ '0002_ok.ts': tableMigration('ok'), '0003_bad_sql.ts': badSql })
    const schema = schemaOf(database)
    const contents = contentsOf(database)

    await migrator.migrateToLatest()

    expect(schemaOf(database)).toEqual(schema)
    expect(contentsOf(database)).toEqual(contents)
  })

  it('returns MIGRATION_FAILED naming it, with SQLite error as cause', async () => {
    const { migrator } = await databaseWith({ '0002_bad_sql.ts': badSql })

    const { error, results } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_FAILED')
    expect(error?.migrationName).toBe('0002_bad_sql')
    expect((error?.cause as { code?: string }).code).toBe('SQLITE_ERROR')
    expect(results?.map((result) => result.status)).toEqual(['Error'])
  })
})

describe('the migrate methods', () => {
  it('resolve with the error instead of throwing when a migration fails, whichever method runs it', async () => {
    const { migrator } = await databaseWith({ '0002_broken.ts': throwsHalfway })

    await expect(migrator.migrateToLatest()).resolves.toMatchObject({ error: { code: 'MIGRATION_FAILED' } })
    await expect(migrator.migrateUp()).resolves.toMatchObject({ error: { code: 'MIGRATION_FAILED' } })
    await expect(migrator.migrateTo('0002_broken')).resolves.toMatchObject({ error: { code: 'MIGRATION_FAILED' } })
  })

  it('resolve with the error when a down fails, and the reverted migration stays applied', async () => {
    const { database, migrator } = await databaseWith({
      '0002_stubborn.ts': migrationModule({
        up: ['CREATE TABLE stubborn (id INTEGER PRIMARY KEY)'],
        down: ['DROP TABLE stubborn', { code: `throw new Error('no way down')` }],
      }),
    })
    expect((await migrator.migrateToLatest()).error).toBeUndefined()

    const { error, results } = await migrator.migrateDown()

    expect(error?.code).toBe('MIGRATION_FAILED')
    expect(error?.migrationName).toBe('0002_stubborn')
    expect(results?.map(({ migrationName, direction, status }) => ({ migrationName, direction, status }))).toEqual([
      { migrationName: '0002_stubborn', direction: 'Down', status: 'Error' },
    ])
    expect(tableNames(database)).toContain('stubborn')
    expect(appliedNames(database)).toEqual(['0001_base', '0002_stubborn'])
  })

  it('apply the pending migrations on the next run once the failing one is fixed', async () => {
    const dir = tempDir()
    const folder = join(dir, 'migrations')
    writeFiles(folder, { '0001_ok.ts': tableMigration('ok'), '0002_broken.ts': throwsHalfway })
    const { database, migrator } = openTestDatabase(join(dir, 'index.db'), folder)
    expect((await migrator.migrateToLatest()).error?.code).toBe('MIGRATION_FAILED')
    writeFiles(folder, { '0002_broken.ts': tableMigration('fixed') })

    const { error } = await migrator.migrateToLatest()

    expect(error).toBeUndefined()
    expect(appliedNames(database)).toEqual(['0001_ok', '0002_broken'])
    expect(tableNames(database)).toEqual(['fixed', 'kysely_migration', 'kysely_migration_checksum', 'kysely_migration_lock', 'ok'])
  })
})
