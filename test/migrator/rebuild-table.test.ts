import { cpSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { rebuildTable, type GuardedMigration } from '../../src/migrator/index.js'
import {
  appliedNames,
  migrationModule,
  openTestDatabase,
  projectRoot,
  schemaOf,
  tableNames,
  tempDir,
  writeFiles,
} from '../helpers.js'

// Most migrations here are objects rather than files, so that rebuildTable runs as the module this test imports (and
// coverage sees). One test below runs it from a migration file importing a second copy of the library, as a host's
// migrations loaded through jiti do.

const run = (db: Kysely<any>, ...statements: string[]) =>
  statements.reduce((previous, statement) => previous.then(() => sql.raw(statement).execute(db)), Promise.resolve() as Promise<unknown>)

/** A parent table with an index and two parents; a child table whose rows cascade on the parent's delete. */
const family: GuardedMigration = {
  up: (db) =>
    run(
      db,
      'CREATE TABLE parent (id INTEGER PRIMARY KEY, label TEXT)',
      'CREATE INDEX parent_label ON parent (label)',
      'CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE, name TEXT)',
      `INSERT INTO parent (id, label) VALUES (1, 'one'), (2, NULL)`,
      `INSERT INTO child (id, parent_id, name) VALUES (1, 1, 'a'), (2, 1, 'b'), (3, 2, 'c')`,
    ).then(() => undefined),
  down: (db) => run(db, 'DROP TABLE child', 'DROP TABLE parent').then(() => undefined),
}

/** Rebuilds parent with label NOT NULL (nulls become '(none)') and a new rank column. */
const rebuildParent = (transaction: boolean): GuardedMigration => ({
  transaction,
  up: (db) =>
    rebuildTable(db, {
      table: 'parent',
      create: (db, name) =>
        db.schema
          .createTable(name)
          .addColumn('id', 'integer', (c) => c.primaryKey().notNull())
          .addColumn('label', 'text', (c) => c.notNull())
          .addColumn('rank', 'integer', (c) => c.notNull().defaultTo(0)),
      columns: { label: sql`coalesce(label, '(none)')` },
    }),
})

/** Creates table `name`, dropped on down. */
const table = (name: string, transaction = true): GuardedMigration => ({
  transaction,
  up: (db) => run(db, `CREATE TABLE ${name} (id INTEGER)`).then(() => undefined),
  down: (db) => run(db, `DROP TABLE ${name}`).then(() => undefined),
})

/** Inserts a child whose parent does not exist. */
const orphan: GuardedMigration = {
  transaction: false,
  up: (db) => run(db, `INSERT INTO child (id, parent_id, name) VALUES (4, 99, 'orphan')`).then(() => undefined),
}

const CHILDREN = [
  { id: 1, parent_id: 1, name: 'a' },
  { id: 2, parent_id: 1, name: 'b' },
  { id: 3, parent_id: 2, name: 'c' },
]

/** `0001_family` applied on a connection with foreign keys on, then `later` added. */
async function familyWith(later: Readonly<Record<string, GuardedMigration>>) {
  const migrations: Record<string, GuardedMigration> = { '0001_family': family }
  const dir = tempDir()
  const test = openTestDatabase(join(dir, 'index.db'), join(dir, 'unused'), {
    provider: { getMigrations: async () => migrations },
  })
  expect((await test.migrator.migrateToLatest()).error).toBeUndefined()
  expect(test.database.pragma('foreign_keys', { simple: true })).toBe(1)
  Object.assign(migrations, later)
  return { ...test, dir }
}

const children = (database: Database.Database) => database.prepare('SELECT * FROM child ORDER BY id').all()
const parents = (database: Database.Database) => database.prepare('SELECT * FROM parent ORDER BY id').all()

describe('rebuildTable() in a migration exporting transaction = false', () => {
  it('keeps every child row of the rebuilt parent, although they cascade on delete', async () => {
    const { database, migrator } = await familyWith({ '0002_rebuild': rebuildParent(false) })

    const { error } = await migrator.migrateToLatest()

    expect(error).toBeUndefined()
    expect(children(database)).toEqual(CHILDREN)
  })

  it('turns foreign_keys back on afterwards', async () => {
    const { database, migrator } = await familyWith({ '0002_rebuild': rebuildParent(false) })

    await migrator.migrateToLatest()

    expect(database.pragma('foreign_keys', { simple: true })).toBe(1)
  })

  it('gives the table its new definition, with the old rows copied through the column expressions', async () => {
    const { database, migrator } = await familyWith({ '0002_rebuild': rebuildParent(false) })

    await migrator.migrateToLatest()

    expect(parents(database)).toEqual([
      { id: 1, label: 'one', rank: 0 },
      { id: 2, label: '(none)', rank: 0 },
    ])
    expect(() => database.prepare('INSERT INTO parent (id, label) VALUES (3, NULL)').run()).toThrow(/NOT NULL/)
  })

  it("recreates the table's indexes and leaves no temporary table", async () => {
    const { database, migrator } = await familyWith({ '0002_rebuild': rebuildParent(false) })

    await migrator.migrateToLatest()

    expect(schemaOf(database).filter((row) => row.type === 'index' && row.tbl_name === 'parent')).toEqual([
      { type: 'index', name: 'parent_label', tbl_name: 'parent', sql: 'CREATE INDEX parent_label ON parent (label)' },
    ])
    expect(tableNames(database)).toEqual(['child', 'kysely_migration', 'kysely_migration_checksum', 'kysely_migration_lock', 'parent'])
  })

  it('keeps cascading deletes working on the rebuilt parent', async () => {
    const { database, migrator } = await familyWith({ '0002_rebuild': rebuildParent(false) })
    await migrator.migrateToLatest()

    database.prepare('DELETE FROM parent WHERE id = 1').run()

    expect(children(database)).toEqual([{ id: 3, parent_id: 2, name: 'c' }])
  })

  it('fails with MIGRATION_FOREIGN_KEY_VIOLATION naming the migration, rolled back, when the rebuild leaves rows pointing nowhere', async () => {
    const { database, migrator } = await familyWith({
      '0002_rebuild_child': {
        transaction: false,
        up: (db) =>
          rebuildTable(db, {
            table: 'child',
            create: (db, name) =>
              db.schema
                .createTable(name)
                .addColumn('id', 'integer', (c) => c.primaryKey().notNull())
                .addColumn('parent_id', 'integer', (c) => c.notNull().references('parent.id').onDelete('cascade'))
                .addColumn('name', 'text'),
            columns: { parent_id: sql`parent_id + 100` },
          }),
      },
    })
    const schema = schemaOf(database)

    const { error, results } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_FOREIGN_KEY_VIOLATION')
    expect(error?.migrationName).toBe('0002_rebuild_child')
    expect(error?.message).toBe('rebuildTable(child) left 3 row(s) whose foreign key points nowhere')
    expect(results?.map(({ migrationName, status }) => `${migrationName} ${status}`)).toEqual(['0002_rebuild_child Error'])
    expect(schemaOf(database)).toEqual(schema)
    expect(children(database)).toEqual(CHILDREN)
  })
})

describe('rebuildTable() in a migration run inside the run transaction', () => {
  it('fails with MIGRATION_REBUILD_UNSAFE naming the migration', async () => {
    const { migrator } = await familyWith({ '0002_rebuild': rebuildParent(true) })

    const { error } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_REBUILD_UNSAFE')
    expect(error?.migrationName).toBe('0002_rebuild')
  })

  it('leaves everything intact: schema, parents, children, bookkeeping', async () => {
    const { database, migrator } = await familyWith({ '0002_rebuild': rebuildParent(true) })
    const schema = schemaOf(database)

    await migrator.migrateToLatest()

    expect(schemaOf(database)).toEqual(schema)
    expect(parents(database)).toEqual([
      { id: 1, label: 'one' },
      { id: 2, label: null },
    ])
    expect(children(database)).toEqual(CHILDREN)
    expect(appliedNames(database)).toEqual(['0001_family'])
  })

  it('keeps its code when the migration file imports a second copy of the library, as jiti-loaded migrations do', async () => {
    const dir = tempDir()
    // A copy of the helper and what it imports, at another path: a module instance of its own.
    const library = join(dir, 'library')
    for (const file of ['migrator/rebuild-table.ts', 'migrator/migration-error.ts', 'errors.ts']) {
      cpSync(join(projectRoot, 'src', file), join(library, file))
    }
    const folder = join(dir, 'migrations')
    writeFiles(folder, {
      '0001_family.ts': migrationModule({
        up: [
          'CREATE TABLE parent (id INTEGER PRIMARY KEY, label TEXT)',
          'CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE)',
          'INSERT INTO parent (id) VALUES (1)',
          'INSERT INTO child (id, parent_id) VALUES (1, 1)',
        ],
      }),
      '0002_rebuild.ts': migrationModule({
        imports: `import { rebuildTable } from ${JSON.stringify(join(library, 'migrator', 'rebuild-table.js'))}`,
        up: [
          {
            code: `await rebuildTable(db, {
    table: 'parent',
    create: (db, name) => db.schema.createTable(name).addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('label', 'text'),
  })`,
          },
        ],
      }),
    })
    const { database, migrator } = openTestDatabase(join(dir, 'index.db'), folder)

    const { error } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_REBUILD_UNSAFE')
    expect(error?.migrationName).toBe('0002_rebuild')
    expect(tableNames(database)).toEqual([])
  })
})

describe('a transaction = false migration that leaves a dangling foreign key', () => {
  it('fails with MIGRATION_FOREIGN_KEY_VIOLATION naming the migration, reported Error', async () => {
    const { migrator } = await familyWith({ '0002_orphan': orphan })

    const { error, results } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_FOREIGN_KEY_VIOLATION')
    expect(error?.migrationName).toBe('0002_orphan')
    expect(results?.map(({ migrationName, status }) => `${migrationName} ${status}`)).toEqual(['0002_orphan Error'])
  })

  it('is rolled back, and foreign_keys is on again', async () => {
    const { database, migrator } = await familyWith({ '0002_orphan': orphan })

    await migrator.migrateToLatest()

    expect(children(database)).toEqual(CHILDREN)
    expect(appliedNames(database)).toEqual(['0001_family'])
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1)
  })
})

describe('a run with a transaction = false migration among others', () => {
  it('applies them all, in order', async () => {
    const { database, migrator } = await familyWith({
      '0002_before': table('before'),
      '0003_rebuild': rebuildParent(false),
      '0004_after': table('after'),
    })

    const { error, results } = await migrator.migrateToLatest()

    expect(error).toBeUndefined()
    expect(results?.map(({ migrationName, status }) => `${migrationName} ${status}`)).toEqual([
      '0002_before Success',
      '0003_rebuild Success',
      '0004_after Success',
    ])
    expect(appliedNames(database)).toEqual(['0001_family', '0002_before', '0003_rebuild', '0004_after'])
  })

  it('keeps the migrations committed before the transaction = false one when it fails, and runs none after it', async () => {
    const { database, migrator } = await familyWith({
      '0002_before': table('before'),
      '0003_orphan': orphan,
      '0004_after': table('after'),
    })

    const { error, results } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_FOREIGN_KEY_VIOLATION')
    expect(results?.map(({ migrationName, status }) => `${migrationName} ${status}`)).toEqual([
      '0002_before Success',
      '0003_orphan Error',
    ])
    expect(appliedNames(database)).toEqual(['0001_family', '0002_before'])
    expect(tableNames(database)).not.toContain('after')
  })

  it('reverts them all on reset, the transaction = false one in a transaction of its own', async () => {
    const { database, migrator } = await familyWith({
      '0002_before': table('before'),
      '0003_standalone': table('standalone', false),
    })
    await migrator.migrateToLatest()

    const { error, results } = await migrator.reset()

    expect(error).toBeUndefined()
    expect(results?.map(({ migrationName, status }) => `${migrationName} ${status}`)).toEqual([
      '0003_standalone Success',
      '0002_before Success',
      '0001_family Success',
    ])
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1)
  })
})

it('a transaction = false migration leaves foreign_keys off on a connection that had them off', async () => {
  const { database, migrator } = await familyWith({ '0002_standalone': table('standalone', false) })
  database.pragma('foreign_keys = OFF')

  expect((await migrator.migrateToLatest()).error).toBeUndefined()

  expect(database.pragma('foreign_keys', { simple: true })).toBe(0)
})

describe('rebuildTable() called directly', () => {
  function scratch() {
    const database = new Database(':memory:')
    database.pragma('foreign_keys = OFF')
    return new Kysely<any>({ dialect: new SqliteDialect({ database }) })
  }

  it('throws TypeError for a missing table name or create function', async () => {
    const db = scratch()

    await expect(rebuildTable(db, { table: '', create: () => ({ execute: async () => {} }) })).rejects.toThrow(TypeError)
    await expect(rebuildTable(db, { table: 'parent' } as any)).rejects.toThrow(TypeError)
    await db.destroy()
  })

  it('fails with MIGRATION_FAILED for a table that does not exist', async () => {
    const db = scratch()

    await expect(
      rebuildTable(db, { table: 'nowhere', create: (db, name) => db.schema.createTable(name).addColumn('id', 'integer') }),
    ).rejects.toMatchObject({ code: 'MIGRATION_FAILED', message: 'rebuildTable: there is no table named nowhere' })
    await db.destroy()
  })

  it('copies a column the old table lacks from its expression, and leaves a new column without one to its default', async () => {
    const db = scratch()
    await run(db, 'CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)', `INSERT INTO t (id, a) VALUES (1, 'x')`)

    await rebuildTable(db, {
      table: 't',
      create: (db, name) =>
        db.schema
          .createTable(name)
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('a', 'text')
          .addColumn('b', 'text')
          .addColumn('c', 'text', (c) => c.defaultTo('default')),
      columns: { b: sql`upper(a)` },
    })

    expect((await sql`SELECT * FROM t`.execute(db)).rows).toEqual([{ id: 1, a: 'x', b: 'X', c: 'default' }])
    await db.destroy()
  })
})
