import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { BackupStore } from '../../src/migrator/backup-store.js'
import { CodeIndexError, GuardedMigrator } from '../../src/migrator/index.js'
import {
  contentsOf,
  migrationModule,
  openTestDatabase,
  schemaOf,
  tableMigration,
  tempDir,
  writeFiles,
} from '../helpers.js'

const items = migrationModule({
  up: [
    'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL)',
    `INSERT INTO items (id, name, price) VALUES (1, 'pen', 1.5), (2, 'ink', 7.25), (3, 'nib', NULL)`,
  ],
  down: ['DROP TABLE items'],
})

/** Changes data and schema: what a restore must undo. */
const reprice = migrationModule({
  up: [
    'UPDATE items SET price = price * 2',
    'DELETE FROM items WHERE id = 2',
    `INSERT INTO items (id, name, price) VALUES (4, 'pad', 3)`,
    'ALTER TABLE items ADD COLUMN currency TEXT',
    'CREATE TABLE price_history (item_id INTEGER, price REAL)',
  ],
  down: ['DROP TABLE price_history', 'ALTER TABLE items DROP COLUMN currency'],
})

function setup(files: Readonly<Record<string, string>>, backup: { readonly retain?: number; readonly prefix?: string } = {}) {
  const dir = tempDir()
  const folder = join(dir, 'migrations')
  const backupFolder = join(dir, 'backups')
  writeFiles(folder, files)
  const test = openTestDatabase(join(dir, 'index.db'), folder, { backup: { folder: backupFolder, ...backup } })
  return { ...test, dir, folder, backupFolder }
}

describe('a run on a database that already has tables', () => {
  it('first backs it up into the configured folder, named from the last applied migration, and names the file', async () => {
    const { migrator, folder, backupFolder } = setup({ '0001_items.ts': items })
    expect((await migrator.migrateToLatest()).error).toBeUndefined()
    writeFiles(folder, { '0002_reprice.ts': reprice })

    const { error, backup } = await migrator.migrateToLatest()

    expect(error).toBeUndefined()
    expect(dirname(backup!)).toBe(backupFolder)
    expect(basename(backup!)).toMatch(/^backup-.*-from-0001_items\.sqlite$/)
    expect(readdirSync(backupFolder)).toEqual([basename(backup!)])
  })

  it('writes the backup readable and writable by its owner only (mode 0600)', async () => {
    const { migrator, folder } = setup({ '0001_items.ts': items })
    await migrator.migrateToLatest()
    writeFiles(folder, { '0002_reprice.ts': reprice })

    const { backup } = await migrator.migrateToLatest()

    expect(statSync(backup!).mode & 0o777).toBe(0o600)
  })

  it('backs up the database as it was before the run, as one self-contained file', async () => {
    const { database, migrator, folder } = setup({ '0001_items.ts': items })
    await migrator.migrateToLatest()
    const before = contentsOf(database)
    writeFiles(folder, { '0002_reprice.ts': reprice })

    const { backup } = await migrator.migrateToLatest()

    expect(existsSync(`${backup}-wal`)).toBe(false)
    const copy = new Database(backup!, { readonly: true })
    try {
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete')
      expect(contentsOf(copy)).toEqual(before)
    } finally {
      copy.close()
    }
  })

  it('uses the configured prefix for the file name', async () => {
    const { migrator, folder } = setup({ '0001_items.ts': items }, { prefix: 'index' })
    await migrator.migrateToLatest()
    writeFiles(folder, { '0002_reprice.ts': reprice })

    const { backup } = await migrator.migrateToLatest()

    expect(basename(backup!)).toMatch(/^index-.*-from-0001_items\.sqlite$/)
  })
})

describe('no backup is taken', () => {
  it('of a fresh empty database', async () => {
    const { migrator, backupFolder } = setup({ '0001_items.ts': items })

    const { error, backup } = await migrator.migrateToLatest()

    expect(error).toBeUndefined()
    expect(backup).toBeUndefined()
    expect(await migrator.backups()).toEqual([])
    expect(existsSync(backupFolder)).toBe(false)
  })

  it('of a database holding only the bookkeeping tables, every migration reverted', async () => {
    const { migrator } = setup({ '0001_items.ts': items })
    await migrator.migrateToLatest()
    const { backup: resetBackup } = await migrator.reset()

    const { backup } = await migrator.migrateToLatest()

    expect(resetBackup).toMatch(/-from-0001_items\.sqlite$/)
    expect(backup).toBeUndefined()
  })

  it('by a run with nothing to do', async () => {
    const { migrator } = setup({ '0001_items.ts': items })
    await migrator.migrateToLatest()

    const { backup } = await migrator.migrateToLatest()

    expect(backup).toBeUndefined()
    expect(await migrator.backups()).toEqual([])
  })

  it('when the migrator has no backup configured', async () => {
    const dir = tempDir()
    const folder = join(dir, 'migrations')
    writeFiles(folder, { '0001_items.ts': items })
    const { migrator } = openTestDatabase(join(dir, 'index.db'), folder)
    await migrator.migrateToLatest()
    writeFiles(folder, { '0002_reprice.ts': reprice })

    const { backup } = await migrator.migrateToLatest()

    expect(backup).toBeUndefined()
    expect(await migrator.backups()).toEqual([])
  })
})

describe('backups()', () => {
  /** Applies four migrations one run each: the runs after the first back up from 0001, 0002 and 0003. */
  async function fourRuns(retain?: number) {
    const test = setup(
      {
        '0001_a.ts': tableMigration('a'),
        '0002_b.ts': tableMigration('b'),
        '0003_c.ts': tableMigration('c'),
        '0004_d.ts': tableMigration('d'),
      },
      retain === undefined ? {} : { retain },
    )
    for (let run = 0; run < 4; run++) expect((await test.migrator.migrateUp()).error).toBeUndefined()
    return test
  }

  it('lists the backups newest first, with the migration each was taken from', async () => {
    const { migrator } = await fourRuns()

    const backups = await migrator.backups()

    expect(backups.map((backup) => backup.fromVersion)).toEqual(['0003_c', '0002_b', '0001_a'])
    for (const backup of backups) expect(backup.path.endsWith(`-from-${backup.fromVersion}.sqlite`)).toBe(true)
  })

  it('gives each backup its size in bytes and the time it was taken', async () => {
    const { migrator } = await fourRuns()

    const [newest] = await migrator.backups()

    expect(newest?.size).toBe(statSync(newest!.path).size)
    expect(newest?.createdAt).toBeInstanceOf(Date)
  })

  it('keeps only the newest `retain` backups', async () => {
    const { migrator, backupFolder } = await fourRuns(2)

    const backups = await migrator.backups()

    expect(backups.map((backup) => backup.fromVersion)).toEqual(['0003_c', '0002_b'])
    expect(readdirSync(backupFolder).sort()).toEqual(backups.map((backup) => basename(backup.path)).sort())
  })

  it('ignores files in the folder that are not backups', async () => {
    const { migrator, backupFolder } = await fourRuns()
    writeFiles(backupFolder, { 'notes.txt': 'x', 'backup-yesterday-from-0001_a.sqlite': 'x', 'backup-nodash.sqlite': 'x' })

    expect((await migrator.backups()).map((backup) => backup.fromVersion)).toEqual(['0003_c', '0002_b', '0001_a'])
  })
})

describe('a backup that cannot be written', () => {
  it('fails the run with BACKUP_FAILED before anything is changed', async () => {
    const dir = tempDir()
    const folder = join(dir, 'migrations')
    writeFiles(folder, { '0001_items.ts': items })
    // A file where the backup folder should be: mkdir fails.
    writeFileSync(join(dir, 'backups'), 'not a folder')
    const { database, migrator } = openTestDatabase(join(dir, 'index.db'), folder, { backup: { folder: join(dir, 'backups') } })
    await migrator.migrateToLatest()
    const schema = schemaOf(database)
    writeFiles(folder, { '0002_reprice.ts': reprice })

    const { error, backup } = await migrator.migrateToLatest()

    expect(error?.code).toBe('BACKUP_FAILED')
    expect(backup).toBeUndefined()
    expect(schemaOf(database)).toEqual(schema)
  })
})

describe('restore()', () => {
  it('brings back every row of every table as it was before the run that took the backup', async () => {
    const { database, migrator, folder } = setup({ '0001_items.ts': items })
    await migrator.migrateToLatest()
    database.prepare(`INSERT INTO items (id, name, price) VALUES (5, 'added by the app', 0.1)`).run()
    const before = contentsOf(database)
    writeFiles(folder, { '0002_reprice.ts': reprice })
    const { backup } = await migrator.migrateToLatest()
    expect(contentsOf(database)).not.toEqual(before)

    await migrator.restore(backup!)

    expect(contentsOf(database)).toEqual(before)
  })

  it('brings back the schema as it was before the run', async () => {
    const { database, migrator, folder } = setup({ '0001_items.ts': items })
    await migrator.migrateToLatest()
    const before = schemaOf(database)
    writeFiles(folder, { '0002_reprice.ts': reprice })
    const { backup } = await migrator.migrateToLatest()

    await migrator.restore(backup!)

    expect(schemaOf(database)).toEqual(before)
    expect((await migrator.status()).map(({ name, state }) => ({ name, state }))).toEqual([
      { name: '0001_items', state: 'Applied' },
      { name: '0002_reprice', state: 'Pending' },
    ])
  })

  it('backs the database up first and names that backup; pruning keeps the file being restored', async () => {
    const { database, migrator, folder } = setup({ '0001_items.ts': items }, { retain: 1 })
    await migrator.migrateToLatest()
    writeFiles(folder, { '0002_reprice.ts': reprice })
    const { backup } = await migrator.migrateToLatest()
    const migrated = contentsOf(database)

    const taken = await migrator.restore(backup!)

    expect(taken).toMatch(/-from-0002_reprice\.sqlite$/)
    // retain: 1, yet the restored file (the older one) is still there beside the new backup.
    expect((await migrator.backups()).map((entry) => entry.path).sort()).toEqual([backup!, taken!].sort())
    const copy = new Database(taken!, { readonly: true })
    expect(copy.prepare('SELECT * FROM items ORDER BY rowid').all()).toEqual(migrated['items'])
    copy.close()
  })

  it('keeps the database in WAL mode', async () => {
    const { database, migrator, folder } = setup({ '0001_items.ts': items })
    await migrator.migrateToLatest()
    writeFiles(folder, { '0002_reprice.ts': reprice })
    const { backup } = await migrator.migrateToLatest()

    await migrator.restore(backup!)

    expect(database.pragma('journal_mode', { simple: true })).toBe('wal')
  })

  it('throws BACKUP_INVALID for a text file and leaves the database untouched', async () => {
    const { database, dir, migrator } = setup({ '0001_items.ts': items })
    await migrator.migrateToLatest()
    const before = contentsOf(database)
    const text = join(dir, 'notes.sqlite')
    writeFileSync(text, 'these are notes, not a database\n'.repeat(200))

    const restoring = migrator.restore(text)

    await expect(restoring).rejects.toBeInstanceOf(CodeIndexError)
    await expect(restoring).rejects.toMatchObject({ code: 'BACKUP_INVALID' })
    expect(contentsOf(database)).toEqual(before)
    expect(readFileSync(text, 'utf8')).toBe('these are notes, not a database\n'.repeat(200))
  })

  it('throws BACKUP_INVALID for a database that fails integrity_check, naming the fault, and leaves the database untouched', async () => {
    const { database, dir, migrator } = setup({ '0001_items.ts': items })
    await migrator.migrateToLatest()
    const before = contentsOf(database)
    // A sound file, then one row of the table changed behind its index's back.
    const damaged = join(dir, 'damaged.sqlite')
    const scratch = new Database(damaged)
    scratch.exec(`CREATE TABLE t (x TEXT); CREATE INDEX ix ON t (x); INSERT INTO t VALUES ('original-value')`)
    const pageSize = scratch.pragma('page_size', { simple: true }) as number
    const root = scratch.prepare(`SELECT rootpage FROM sqlite_schema WHERE name = 't'`).pluck().get() as number
    scratch.close()
    const bytes = readFileSync(damaged)
    const page = bytes.subarray((root - 1) * pageSize, root * pageSize)
    page.write('tampered-value', page.indexOf('original-value'))
    writeFileSync(damaged, bytes)

    const restoring = migrator.restore(damaged)

    await expect(restoring).rejects.toMatchObject({ code: 'BACKUP_INVALID' })
    await expect(restoring).rejects.toThrow(/row 1 missing from index ix/)
    expect(contentsOf(database)).toEqual(before)
  })

  it('throws BACKUP_INVALID for a file that does not exist and leaves the database untouched', async () => {
    const { database, dir, migrator } = setup({ '0001_items.ts': items })
    await migrator.migrateToLatest()
    const before = contentsOf(database)

    await expect(migrator.restore(join(dir, 'missing.sqlite'))).rejects.toMatchObject({ code: 'BACKUP_INVALID' })

    expect(contentsOf(database)).toEqual(before)
    expect(existsSync(join(dir, 'missing.sqlite'))).toBe(false)
  })

  it('throws BACKUP_UNSUPPORTED when the dialect has no file path', async () => {
    const { db, dir } = setup({ '0001_items.ts': items })
    const migrator = new GuardedMigrator({ db, provider: { getMigrations: async () => ({}) } })

    await expect(migrator.restore(join(dir, 'any.sqlite'))).rejects.toMatchObject({ code: 'BACKUP_UNSUPPORTED' })
  })

  it('throws TypeError for an empty path', async () => {
    const { migrator } = setup({ '0001_items.ts': items })

    expect(() => migrator.restore('')).toThrow(TypeError)
  })
})

describe('BackupStore', () => {
  it('names a second backup taken in the same millisecond from the same version with a ~1 suffix, listed as newer', async () => {
    const store = new BackupStore({ folder: join(tempDir(), 'backups') })
    const at = new Date('2024-05-06T07:08:09.010Z')

    const first = await store.create('0001_a', at)
    const second = await store.create('0001_a', at)

    expect(basename(first)).toBe('backup-2024-05-06T07-08-09-010Z-from-0001_a.sqlite')
    expect(basename(second)).toBe('backup-2024-05-06T07-08-09-010Z-from-0001_a~1.sqlite')
    expect((await store.list()).map((backup) => ({ path: backup.path, createdAt: backup.createdAt, fromVersion: backup.fromVersion }))).toEqual([
      { path: second, createdAt: at, fromVersion: '0001_a' },
      { path: first, createdAt: at, fromVersion: '0001_a' },
    ])
  })

  it('names a backup of a database with no migration applied from-none, listed with no version', async () => {
    const store = new BackupStore({ folder: join(tempDir(), 'backups') })

    const path = await store.create(undefined, new Date('2024-05-06T07:08:09.010Z'))

    expect(basename(path)).toBe('backup-2024-05-06T07-08-09-010Z-from-none.sqlite')
    expect((await store.list())[0]?.fromVersion).toBeUndefined()
  })
})
