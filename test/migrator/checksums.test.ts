import { appendFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { Migrator } from 'kysely'
import { describe, expect, it } from 'vitest'
import { GuardedMigrator, MigrationFolderProvider, migrationChecksum } from '../../src/migrator/index.js'
import {
  appliedNames,
  openTestDatabase,
  recordedChecksums,
  tableMigration,
  tableNames,
  tempDir,
  writeFiles,
} from '../helpers.js'

/** SHA-256("abc"), the test vector of FIPS 180-2. */
const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'

describe('migrationChecksum', () => {
  it('is sha256: followed by the hex SHA-256 digest of the text', () => {
    expect(migrationChecksum('abc')).toBe(`sha256:${SHA256_ABC}`)
  })

  it('ignores a leading byte order mark', () => {
    expect(migrationChecksum('\uFEFFabc')).toBe(`sha256:${SHA256_ABC}`)
  })

  it('hashes UTF-8 bytes like the text they encode, BOM included', () => {
    expect(migrationChecksum(Buffer.from('\uFEFFabc', 'utf8'))).toBe(`sha256:${SHA256_ABC}`)
  })

  it('treats CRLF and lone CR line ends as LF', () => {
    expect(migrationChecksum('a\r\nb\rc\n')).toBe(migrationChecksum('a\nb\nc\n'))
  })

  it('differs when one character of the text differs', () => {
    expect(migrationChecksum('abd')).not.toBe(migrationChecksum('abc'))
  })
})

/** A folder with `files`, a database migrated to its latest migration, and the migrator. */
async function migrated(files: Readonly<Record<string, string>>) {
  const dir = tempDir()
  const folder = join(dir, 'migrations')
  writeFiles(folder, files)
  const test = openTestDatabase(join(dir, 'index.db'), folder)
  const { error } = await test.migrator.migrateToLatest()
  expect(error).toBeUndefined()
  return { ...test, folder }
}

describe('recorded checksums', () => {
  it('are the checksum of each applied migration source', async () => {
    const first = tableMigration('first')
    const second = tableMigration('second')

    const { database } = await migrated({ '0001_first.ts': first, '0002_second.ts': second })

    expect(recordedChecksums(database)).toEqual({
      '0001_first': migrationChecksum(first),
      '0002_second': migrationChecksum(second),
    })
  })

  it('of a source saved with a BOM and CRLF line ends equal those of the same source with LF', async () => {
    const source = tableMigration('first')

    const { database } = await migrated({ '0001_first.ts': `\uFEFF${source.replace(/\n/g, '\r\n')}` })

    expect(recordedChecksums(database)).toEqual({ '0001_first': migrationChecksum(source) })
  })
})

describe('a run that finds a problem with applied migrations', () => {
  it('refuses an applied migration edited since with MIGRATION_CHECKSUM_MISMATCH and runs no pending one', async () => {
    const { database, migrator, folder } = await migrated({ '0001_first.ts': tableMigration('first') })
    appendFileSync(join(folder, '0001_first.ts'), '// edited\n')
    writeFiles(folder, { '0002_pending.ts': tableMigration('pending') })

    const { error, results } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_CHECKSUM_MISMATCH')
    expect(error?.migrationName).toBe('0001_first')
    expect(results).toEqual([])
    expect(tableNames(database)).not.toContain('pending')
    expect(appliedNames(database)).toEqual(['0001_first'])
  })

  it('refuses an applied migration whose file was deleted with MIGRATION_MISSING and runs no pending one', async () => {
    const { database, migrator, folder } = await migrated({
      '0001_first.ts': tableMigration('first'),
      '0002_second.ts': tableMigration('second'),
    })
    rmSync(join(folder, '0001_first.ts'))
    writeFiles(folder, { '0003_pending.ts': tableMigration('pending') })

    const { error } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_MISSING')
    expect(error?.migrationName).toBe('0001_first')
    expect(tableNames(database)).not.toContain('pending')
    expect(appliedNames(database)).toEqual(['0001_first', '0002_second'])
  })

  it('refuses a new migration sorting before the last applied one with MIGRATION_OUT_OF_ORDER and runs nothing', async () => {
    const { database, migrator, folder } = await migrated({
      '0001_first.ts': tableMigration('first'),
      '0003_third.ts': tableMigration('third'),
    })
    writeFiles(folder, { '0002_late.ts': tableMigration('late'), '0004_pending.ts': tableMigration('pending') })

    const { error } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_OUT_OF_ORDER')
    expect(error?.migrationName).toBe('0002_late')
    expect(tableNames(database)).not.toContain('late')
    expect(tableNames(database)).not.toContain('pending')
    expect(appliedNames(database)).toEqual(['0001_first', '0003_third'])
  })

  it('refuses to migrate down as well', async () => {
    const { database, migrator, folder } = await migrated({
      '0001_first.ts': tableMigration('first'),
      '0002_second.ts': tableMigration('second'),
    })
    appendFileSync(join(folder, '0001_first.ts'), '// edited\n')

    const { error } = await migrator.migrateDown()

    expect(error?.code).toBe('MIGRATION_CHECKSUM_MISMATCH')
    expect(appliedNames(database)).toEqual(['0001_first', '0002_second'])
  })
})

describe('status()', () => {
  it('shows an edited applied migration as Modified and a deleted one as Missing', async () => {
    const { migrator, folder } = await migrated({
      '0001_first.ts': tableMigration('first'),
      '0002_second.ts': tableMigration('second'),
      '0003_third.ts': tableMigration('third'),
    })
    appendFileSync(join(folder, '0002_second.ts'), '// edited\n')
    rmSync(join(folder, '0003_third.ts'))
    writeFiles(folder, { '0004_fourth.ts': tableMigration('fourth') })

    const statuses = await migrator.status()

    expect(statuses.map(({ name, state }) => ({ name, state }))).toEqual([
      { name: '0001_first', state: 'Applied' },
      { name: '0002_second', state: 'Modified' },
      { name: '0003_third', state: 'Missing' },
      { name: '0004_fourth', state: 'Pending' },
    ])
  })

  it('gives a Modified migration its checksum now and the one recorded, and a Missing one only the recorded one', async () => {
    const second = tableMigration('second')
    const third = tableMigration('third')
    const { migrator, folder } = await migrated({
      '0001_first.ts': tableMigration('first'),
      '0002_second.ts': second,
      '0003_third.ts': third,
    })
    appendFileSync(join(folder, '0002_second.ts'), '// edited\n')
    rmSync(join(folder, '0003_third.ts'))

    const [, modified, missing] = await migrator.status()

    expect(modified).toMatchObject({ checksum: migrationChecksum(`${second}// edited\n`), recordedChecksum: migrationChecksum(second) })
    expect(missing).toMatchObject({ checksum: undefined, recordedChecksum: migrationChecksum(third) })
    expect(missing?.appliedAt).toBeInstanceOf(Date)
  })
})

describe('validate()', () => {
  it('lists every problem, in the order: applied migrations by name, then out-of-order new ones', async () => {
    const { migrator, folder } = await migrated({
      '0001_first.ts': tableMigration('first'),
      '0002_second.ts': tableMigration('second'),
      '0003_third.ts': tableMigration('third'),
    })
    appendFileSync(join(folder, '0001_first.ts'), '// edited\n')
    rmSync(join(folder, '0002_second.ts'))
    writeFiles(folder, { '0002a_late.ts': tableMigration('late') })

    const { problems } = await migrator.validate()

    expect(problems.map(({ code, migrationName }) => ({ code, migrationName }))).toEqual([
      { code: 'MIGRATION_CHECKSUM_MISMATCH', migrationName: '0001_first' },
      { code: 'MIGRATION_MISSING', migrationName: '0002_second' },
      { code: 'MIGRATION_OUT_OF_ORDER', migrationName: '0002a_late' },
    ])
  })

  it('finds no problem with untouched applied migrations and a pending one sorting last', async () => {
    const { migrator, folder } = await migrated({ '0001_first.ts': tableMigration('first') })
    writeFiles(folder, { '0002_second.ts': tableMigration('second') })

    expect((await migrator.validate()).problems).toEqual([])
  })
})

describe('repair()', () => {
  it('is never done by a run: after a refused run the old checksum is still recorded', async () => {
    const first = tableMigration('first')
    const { database, migrator, folder } = await migrated({ '0001_first.ts': first })
    appendFileSync(join(folder, '0001_first.ts'), '// edited\n')

    await migrator.migrateToLatest()

    expect(recordedChecksums(database)).toEqual({ '0001_first': migrationChecksum(first) })
  })

  it('records the checksum of the edited source and names the repaired migration', async () => {
    const first = tableMigration('first')
    const { database, migrator, folder } = await migrated({
      '0001_first.ts': first,
      '0002_second.ts': tableMigration('second'),
    })
    appendFileSync(join(folder, '0001_first.ts'), '// edited\n')

    const { error, repaired } = await migrator.repair()

    expect(error).toBeUndefined()
    expect(repaired).toEqual(['0001_first'])
    expect(recordedChecksums(database)['0001_first']).toBe(migrationChecksum(`${first}// edited\n`))
  })

  it('lets the next run apply the pending migrations', async () => {
    const { database, migrator, folder } = await migrated({ '0001_first.ts': tableMigration('first') })
    appendFileSync(join(folder, '0001_first.ts'), '// edited\n')
    writeFiles(folder, { '0002_pending.ts': tableMigration('pending') })
    expect((await migrator.migrateToLatest()).error?.code).toBe('MIGRATION_CHECKSUM_MISMATCH')

    await migrator.repair()
    const { error } = await migrator.migrateToLatest()

    expect(error).toBeUndefined()
    expect(appliedNames(database)).toEqual(['0001_first', '0002_pending'])
    expect(tableNames(database)).toContain('pending')
  })

  it('repairs nothing when every checksum matches', async () => {
    const { migrator } = await migrated({ '0001_first.ts': tableMigration('first') })

    expect(await migrator.repair()).toEqual({ repaired: [] })
  })

  it('returns MIGRATION_LOAD_FAILED, repairing nothing, when the migrations cannot be read', async () => {
    const { migrator, folder } = await migrated({ '0001_first.ts': tableMigration('first') })
    writeFiles(folder, { '0001_first.js': 'export async function up() {}\n' })

    const { error, repaired } = await migrator.repair()

    expect(error?.code).toBe('MIGRATION_LOAD_FAILED')
    expect(repaired).toEqual([])
  })
})

describe('a migration applied by plain Kysely, without a checksum', () => {
  /** `0001_first` applied by Kysely's own Migrator, which records no checksum. */
  async function appliedByKysely() {
    const dir = tempDir()
    const folder = join(dir, 'migrations')
    const first = tableMigration('first')
    writeFiles(folder, { '0001_first.ts': first })
    const warnings: string[] = []
    const test = openTestDatabase(join(dir, 'index.db'), folder, { logger: { warn: (message) => warnings.push(message) } })
    const kysely = new Migrator({ db: test.db, provider: new MigrationFolderProvider({ folder }) })
    expect((await kysely.migrateToLatest()).error).toBeUndefined()
    expect(recordedChecksums(test.database)).toEqual({})
    return { ...test, folder, first, warnings }
  }

  it('is shown Applied, with no recorded checksum', async () => {
    const { migrator, first } = await appliedByKysely()

    expect((await migrator.status()).map(({ name, state, checksum, recordedChecksum }) => ({ name, state, checksum, recordedChecksum }))).toEqual([
      { name: '0001_first', state: 'Applied', checksum: migrationChecksum(first), recordedChecksum: undefined },
    ])
  })

  it('is adopted by the next run that applies a new migration: its checksum is recorded as the source is now', async () => {
    const { database, migrator, folder, first, warnings } = await appliedByKysely()
    writeFiles(folder, { '0002_second.ts': tableMigration('second') })

    const { error } = await migrator.migrateToLatest()

    expect(error).toBeUndefined()
    expect(recordedChecksums(database)['0001_first']).toBe(migrationChecksum(first))
    expect(appliedNames(database)).toEqual(['0001_first', '0002_second'])
    expect(warnings).toEqual(['adopted migration 0001_first, applied without a checksum'])
  })

  it('is adopted by a run with nothing to apply, so that a later edit is caught', async () => {
    const { database, migrator, folder, first } = await appliedByKysely()

    expect((await migrator.migrateToLatest()).error).toBeUndefined()
    appendFileSync(join(folder, '0001_first.ts'), '// edited\n')

    expect(recordedChecksums(database)).toEqual({ '0001_first': migrationChecksum(first) })
    expect((await migrator.migrateToLatest()).error?.code).toBe('MIGRATION_CHECKSUM_MISMATCH')
  })

  it('is not adopted by a dry run', async () => {
    const { database, migrator } = await appliedByKysely()

    await migrator.migrateToLatest({ dryRun: true })

    expect(recordedChecksums(database)).toEqual({})
  })
})

describe('a provider that gives no checksum', () => {
  it('has its migrations checksummed from the text of their functions, so an edit is still caught', async () => {
    const dir = tempDir()
    const first = {
      up: async () => {},
      down: async () => {},
    }
    const test = openTestDatabase(join(dir, 'index.db'), join(dir, 'unused'))
    const migrator = new GuardedMigrator({ db: test.db, provider: { getMigrations: async () => ({ '0001_first': first }) } })
    expect((await migrator.migrateToLatest()).error).toBeUndefined()

    const edited = new GuardedMigrator({
      db: test.db,
      provider: { getMigrations: async () => ({ '0001_first': { up: async () => { void 0 } } }) },
    })

    expect(recordedChecksums(test.database)).toEqual({ '0001_first': migrationChecksum(`${String(first.up)}\n${String(first.down)}`) })
    expect((await edited.validate()).problems.map((problem) => problem.code)).toEqual(['MIGRATION_CHECKSUM_MISMATCH'])
  })
})

