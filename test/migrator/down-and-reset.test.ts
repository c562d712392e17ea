import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { NO_MIGRATIONS } from '../../src/migrator/index.js'
import {
  appliedNames,
  migrationModule,
  openTestDatabase,
  recordedChecksums,
  schemaOf,
  tableMigration,
  tableNames,
  tempDir,
  writeFiles,
} from '../helpers.js'

const BOOKKEEPING = ['kysely_migration', 'kysely_migration_checksum', 'kysely_migration_lock']

/** Three migrations creating tables a, b and c; all applied when `applied` is true. */
async function abc(options: { applied?: boolean; b?: string } = {}) {
  const dir = tempDir()
  const folder = join(dir, 'migrations')
  writeFiles(folder, {
    '0001_a.ts': tableMigration('a'),
    '0002_b.ts': options.b ?? tableMigration('b'),
    '0003_c.ts': tableMigration('c'),
  })
  const test = openTestDatabase(join(dir, 'index.db'), folder)
  if (options.applied !== false) expect((await test.migrator.migrateToLatest()).error).toBeUndefined()
  return test
}

const summary = (results: ReadonlyArray<{ migrationName: string; direction: string; status: string }> | undefined) =>
  results?.map(({ migrationName, direction, status }) => `${direction} ${migrationName} ${status}`)

describe('migrateDown()', () => {
  it('reverts the last applied migration only', async () => {
    const { database, migrator } = await abc()

    const { error, results } = await migrator.migrateDown()

    expect(error).toBeUndefined()
    expect(summary(results)).toEqual(['Down 0003_c Success'])
    expect(tableNames(database)).toEqual(['a', 'b', ...BOOKKEEPING])
    expect(appliedNames(database)).toEqual(['0001_a', '0002_b'])
  })

  it("forgets the reverted migration's checksum", async () => {
    const { database, migrator } = await abc()

    await migrator.migrateDown()

    expect(Object.keys(recordedChecksums(database))).toEqual(['0001_a', '0002_b'])
  })

  it('does nothing when nothing is applied', async () => {
    const { database, migrator } = await abc({ applied: false })

    const { error, results } = await migrator.migrateDown()

    expect(error).toBeUndefined()
    expect(results).toEqual([])
    expect(tableNames(database)).toEqual([])
  })
})

describe('migrateUp()', () => {
  it('applies the next pending migration only', async () => {
    const { database, migrator } = await abc({ applied: false })

    const { results } = await migrator.migrateUp()

    expect(summary(results)).toEqual(['Up 0001_a Success'])
    expect(appliedNames(database)).toEqual(['0001_a'])
  })

  it('does nothing when nothing is pending', async () => {
    const { migrator } = await abc()

    const { error, results } = await migrator.migrateUp()

    expect(error).toBeUndefined()
    expect(results).toEqual([])
  })
})

describe('migrateTo()', () => {
  it('goes down to the named migration, reverting the later ones newest first', async () => {
    const { database, migrator } = await abc()

    const { results } = await migrator.migrateTo('0001_a')

    expect(summary(results)).toEqual(['Down 0003_c Success', 'Down 0002_b Success'])
    expect(tableNames(database)).toEqual(['a', ...BOOKKEEPING])
  })

  it('goes up to the named migration, applying the earlier ones in order', async () => {
    const { database, migrator } = await abc({ applied: false })

    const { results } = await migrator.migrateTo('0002_b')

    expect(summary(results)).toEqual(['Up 0001_a Success', 'Up 0002_b Success'])
    expect(appliedNames(database)).toEqual(['0001_a', '0002_b'])
  })

  it('does nothing when the named migration is the last applied one', async () => {
    const { migrator } = await abc()

    const { error, results } = await migrator.migrateTo('0003_c')

    expect(error).toBeUndefined()
    expect(results).toEqual([])
  })

  it('returns MIGRATION_NOT_FOUND for a name that is no migration', async () => {
    const { database, migrator } = await abc()

    const { error } = await migrator.migrateTo('nope')

    expect(error?.code).toBe('MIGRATION_NOT_FOUND')
    expect(error?.migrationName).toBe('nope')
    expect(appliedNames(database)).toEqual(['0001_a', '0002_b', '0003_c'])
  })

  it('throws TypeError at once for a target that is neither a name nor NO_MIGRATIONS', async () => {
    const { migrator } = await abc()

    expect(() => migrator.migrateTo(42 as any)).toThrow(TypeError)
    expect(() => migrator.migrateTo('')).toThrow(TypeError)
  })

  it('reverts everything given NO_MIGRATIONS', async () => {
    const { database, migrator } = await abc()

    const { results } = await migrator.migrateTo(NO_MIGRATIONS)

    expect(summary(results)).toEqual(['Down 0003_c Success', 'Down 0002_b Success', 'Down 0001_a Success'])
    expect(tableNames(database)).toEqual(BOOKKEEPING)
  })
})

describe('reset()', () => {
  it('reverts every applied migration, newest first, leaving only the bookkeeping tables', async () => {
    const { database, migrator } = await abc()

    const { error, results } = await migrator.reset()

    expect(error).toBeUndefined()
    expect(summary(results)).toEqual(['Down 0003_c Success', 'Down 0002_b Success', 'Down 0001_a Success'])
    expect(tableNames(database)).toEqual(BOOKKEEPING)
    expect(appliedNames(database)).toEqual([])
    expect(recordedChecksums(database)).toEqual({})
  })
})

describe('a migration without down()', () => {
  const irreversible = migrationModule({ up: ['CREATE TABLE b (id INTEGER PRIMARY KEY)'] })

  it('makes a reset fail with MIGRATION_IRREVERSIBLE naming it, and nothing is reverted', async () => {
    const { database, migrator } = await abc({ b: irreversible })
    const schema = schemaOf(database)

    const { error, results } = await migrator.reset()

    expect(error?.code).toBe('MIGRATION_IRREVERSIBLE')
    expect(error?.migrationName).toBe('0002_b')
    expect(results).toEqual([])
    expect(schemaOf(database)).toEqual(schema)
    expect(appliedNames(database)).toEqual(['0001_a', '0002_b', '0003_c'])
  })

  it('makes migrateTo a migration before it fail the same way, the later migration c not reverted either', async () => {
    const { database, migrator } = await abc({ b: irreversible })

    const { error } = await migrator.migrateTo('0001_a')

    expect(error?.code).toBe('MIGRATION_IRREVERSIBLE')
    expect(tableNames(database)).toContain('c')
  })

  it('does not stop reverting the migrations after it', async () => {
    const { database, migrator } = await abc({ b: irreversible })

    const { error } = await migrator.migrateDown()

    expect(error).toBeUndefined()
    expect(appliedNames(database)).toEqual(['0001_a', '0002_b'])
  })
})

describe('the options of a migrate method', () => {
  it('must be an object: anything else is a TypeError', async () => {
    const { migrator } = await abc()

    expect(() => migrator.migrateToLatest(null as any)).toThrow(TypeError)
    expect(() => migrator.migrateDown('dry' as any)).toThrow(TypeError)
  })
})
