import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assertReversibleMigrations, MigrationError } from '../../src/migrator/index.js'
import { appliedNames, migrationModule, openTestDatabase, tableMigration, tempDir, writeFiles } from '../helpers.js'

/** A scratch database at no migration over `files`. */
function scratch(files: Readonly<Record<string, string>>) {
  const dir = tempDir()
  const folder = join(dir, 'migrations')
  writeFiles(folder, files)
  return openTestDatabase(join(dir, 'scratch.db'), folder)
}

/** What assertReversibleMigrations rejected with. */
async function rejection(run: Promise<unknown>): Promise<MigrationError> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(MigrationError)
  return error as MigrationError
}

describe('assertReversibleMigrations()', () => {
  it('returns the names of the pending migrations it proved reversible, and leaves them applied', async () => {
    const { db, database, migrator } = scratch({
      '0001_a.ts': tableMigration('a'),
      '0002_index.ts': migrationModule({ up: ['CREATE INDEX a_value ON a (value)'], down: ['DROP INDEX a_value'] }),
    })

    expect(await assertReversibleMigrations({ migrator, db })).toEqual(['0001_a', '0002_index'])
    expect(appliedNames(database)).toEqual(['0001_a', '0002_index'])
  })

  it('throws MIGRATION_NOT_REVERSIBLE naming a migration whose down forgets to drop an index', async () => {
    const { db, migrator } = scratch({
      '0001_a.ts': tableMigration('a'),
      '0002_index.ts': migrationModule({ up: ['CREATE INDEX a_value ON a (value)'], down: [] }),
    })

    const error = await rejection(assertReversibleMigrations({ migrator, db }))

    expect(error.code).toBe('MIGRATION_NOT_REVERSIBLE')
    expect(error.migrationName).toBe('0002_index')
    expect(error.message).toBe('migration 0002_index is not reversible: after down, index a_value is left over')
  })

  it('throws MIGRATION_NOT_REVERSIBLE naming a migration whose down forgets to drop a table', async () => {
    const { db, migrator } = scratch({
      '0001_a.ts': tableMigration('a'),
      '0002_b.ts': migrationModule({ up: ['CREATE TABLE b (id INTEGER)', 'CREATE TABLE c (id INTEGER)'], down: ['DROP TABLE c'] }),
    })

    const error = await rejection(assertReversibleMigrations({ migrator, db }))

    expect(error.code).toBe('MIGRATION_NOT_REVERSIBLE')
    expect(error.migrationName).toBe('0002_b')
    expect(error.message).toBe('migration 0002_b is not reversible: after down, table b is left over')
  })

  it('throws MIGRATION_NOT_REVERSIBLE when a down drops more than its up created', async () => {
    const { db, migrator } = scratch({
      '0001_a.ts': tableMigration('a'),
      '0002_b.ts': migrationModule({ up: ['CREATE TABLE b (id INTEGER)'], down: ['DROP TABLE b', 'DROP TABLE a'] }),
    })

    const error = await rejection(assertReversibleMigrations({ migrator, db }))

    expect(error.message).toBe('migration 0002_b is not reversible: after down, table a is missing')
  })

  it('throws MIGRATION_NOT_REVERSIBLE when a down puts back a table defined differently', async () => {
    const { db, migrator } = scratch({
      '0001_a.ts': migrationModule({ up: ['CREATE TABLE a (id INTEGER)'], down: ['DROP TABLE a'] }),
      '0002_widen.ts': migrationModule({
        up: ['ALTER TABLE a ADD COLUMN note TEXT'],
        down: ['DROP TABLE a', 'CREATE TABLE a (id INTEGER NOT NULL)'],
      }),
    })

    const error = await rejection(assertReversibleMigrations({ migrator, db }))

    expect(error.migrationName).toBe('0002_widen')
    expect(error.message).toBe(
      'migration 0002_widen is not reversible: after down, table a differs: CREATE TABLE a (id INTEGER NOT NULL) instead of CREATE TABLE a (id INTEGER)',
    )
  })

  it('throws MIGRATION_NOT_REVERSIBLE when up, applied again after down, gives another schema', async () => {
    // The second up sees the marker table its first run left, and creates another table.
    const { db, migrator } = scratch({
      '0001_marker.ts': migrationModule({ up: ['CREATE TABLE IF NOT EXISTS marker (id INTEGER)'], down: [] }),
      '0002_drifting.ts': migrationModule({
        up: [
          'CREATE TABLE drifting (id INTEGER)',
          {
            code: `const { rows } = await sql.raw<{ n: number }>("SELECT count(*) AS n FROM marker").execute(db)
  if (rows[0]!.n > 0) await sql.raw('CREATE TABLE drifted (id INTEGER)').execute(db)
  await sql.raw('INSERT INTO marker (id) VALUES (1)').execute(db)`,
          },
        ],
        down: ['DROP TABLE IF EXISTS drifted', 'DROP TABLE drifting'],
      }),
    })
    // Applied beforehand, so that only 0002_drifting is pending and checked (0001_marker's down undoes nothing).
    expect((await migrator.migrateUp()).error).toBeUndefined()

    const error = await rejection(assertReversibleMigrations({ migrator, db }))

    expect(error.migrationName).toBe('0002_drifting')
    expect(error.message).toBe('migration 0002_drifting is not reversible: after up again, table drifted is left over')
  })

  it('throws MIGRATION_NOT_REVERSIBLE naming a migration that fails outright', async () => {
    const { db, migrator } = scratch({
      '0001_broken.ts': migrationModule({ up: ['INSERT INTO nowhere VALUES (1)'], down: [] }),
    })

    const error = await rejection(assertReversibleMigrations({ migrator, db }))

    expect(error.code).toBe('MIGRATION_NOT_REVERSIBLE')
    expect(error.migrationName).toBe('0001_broken')
    expect(error.message).toMatch(/^migration 0001_broken failed while checking reversibility: /)
  })
})
