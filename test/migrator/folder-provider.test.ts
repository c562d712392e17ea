import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  INTEGRITY_FILE_NAME,
  MigrationError,
  MigrationFolderProvider,
  integrityFileFor,
  migrationChecksum,
} from '../../src/migrator/index.js'
import { openTestDatabase, recordedChecksums, tableMigration, tableNames, tempDir, writeFiles } from '../helpers.js'

/** A migration as `tsc` would emit it for an ESM package: plain JavaScript, no imports. */
function compiledTableMigration(table: string): string {
  return `export async function up(db) {
  await db.schema.createTable('${table}').addColumn('id', 'integer', (c) => c.primaryKey().notNull()).addColumn('value', 'text').execute()
}
export async function down(db) {
  await db.schema.dropTable('${table}').execute()
}
`
}

/** A fresh folder inside an ESM package (so that `.js` is an ES module, as in the project). */
function migrationsFolder(files: Readonly<Record<string, string>>): string {
  const dir = tempDir()
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
  const folder = join(dir, 'migrations')
  writeFiles(folder, files)
  return folder
}

/** What getMigrations() rejected with. */
async function loadError(folder: string): Promise<MigrationError> {
  const error = await new MigrationFolderProvider({ folder }).getMigrations().then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(MigrationError)
  return error as MigrationError
}

describe('MigrationFolderProvider', () => {
  it('loads .ts and .js modules, named after their files without the extension', async () => {
    const folder = migrationsFolder({ '0001_a.ts': tableMigration('a'), '0002_b.js': compiledTableMigration('b') })

    const migrations = await new MigrationFolderProvider({ folder }).getMigrations()

    expect(Object.keys(migrations)).toEqual(['0001_a', '0002_b'])
    expect(Object.values(migrations).map((migration) => [typeof migration.up, typeof migration.down])).toEqual([
      ['function', 'function'],
      ['function', 'function'],
    ])
  })

  it('gives the migrator modules that run: both tables are created', async () => {
    const folder = migrationsFolder({ '0001_a.ts': tableMigration('a'), '0002_b.js': compiledTableMigration('b') })
    const { database, migrator } = openTestDatabase(join(folder, '..', 'index.db'), folder)

    expect((await migrator.migrateToLatest()).error).toBeUndefined()
    expect(tableNames(database)).toEqual(['a', 'b', 'kysely_migration', 'kysely_migration_checksum', 'kysely_migration_lock'])
  })

  it('ignores declaration files and files that are not modules', async () => {
    const folder = migrationsFolder({
      '0001_a.ts': tableMigration('a'),
      '0001_a.d.ts': 'export declare function up(db: unknown): Promise<void>\n',
      '0002_types.d.ts': 'export {}\n',
      'README.md': '# migrations\n',
      '0003_notes.txt': 'not code',
    })

    expect(Object.keys(await new MigrationFolderProvider({ folder }).getMigrations())).toEqual(['0001_a'])
  })

  it('checksums each .ts module from its source', async () => {
    const source = tableMigration('a')
    const folder = migrationsFolder({ '0001_a.ts': source })

    const migrations = await new MigrationFolderProvider({ folder }).getMigrations()

    expect(migrations['0001_a']?.checksum).toBe(migrationChecksum(source))
  })

  it('marks a module exporting transaction = false, and only that one', async () => {
    const folder = migrationsFolder({
      '0001_a.ts': tableMigration('a'),
      '0002_b.ts': `export const transaction = false\nexport async function up() {}\n`,
    })

    const migrations = await new MigrationFolderProvider({ folder }).getMigrations()

    expect([migrations['0001_a']?.transaction, migrations['0002_b']?.transaction]).toEqual([true, false])
  })

  it('takes the migration of a module that default-exports it', async () => {
    const folder = migrationsFolder({ '0001_a.js': `export default { up: async () => {}, down: async () => {} }\n` })

    const migrations = await new MigrationFolderProvider({ folder }).getMigrations()

    expect(Object.keys(migrations)).toEqual(['0001_a'])
    expect(typeof migrations['0001_a']?.down).toBe('function')
  })

  it('leaves down out for a module that exports none', async () => {
    const folder = migrationsFolder({ '0001_a.ts': `export async function up() {}\n` })

    const migrations = await new MigrationFolderProvider({ folder }).getMigrations()

    expect('down' in migrations['0001_a']!).toBe(false)
  })
})

describe('MigrationFolderProvider fails with MIGRATION_LOAD_FAILED', () => {
  it('for two modules with the same name, naming the migration', async () => {
    const folder = migrationsFolder({ '0001_a.ts': tableMigration('a'), '0001_a.js': compiledTableMigration('a') })

    const error = await loadError(folder)

    expect(error.code).toBe('MIGRATION_LOAD_FAILED')
    expect(error.migrationName).toBe('0001_a')
    expect(error.message).toMatch(/^migration 0001_a has two modules \(0001_a\.js and 0001_a\.ts\)/)
  })

  it('for a module without up()', async () => {
    const folder = migrationsFolder({ '0001_a.ts': `export async function down() {}\n` })

    const error = await loadError(folder)

    expect(error.code).toBe('MIGRATION_LOAD_FAILED')
    expect(error.migrationName).toBe('0001_a')
  })

  it('for a down that is not a function', async () => {
    const folder = migrationsFolder({ '0001_a.ts': `export async function up() {}\nexport const down = 'drop it'\n` })

    expect((await loadError(folder)).code).toBe('MIGRATION_LOAD_FAILED')
  })

  it('for a transaction export that is not a boolean', async () => {
    const folder = migrationsFolder({ '0001_a.ts': `export async function up() {}\nexport const transaction = 'no'\n` })

    expect((await loadError(folder)).code).toBe('MIGRATION_LOAD_FAILED')
  })

  it('for a module that cannot be loaded, keeping the loader error as cause', async () => {
    const folder = migrationsFolder({ '0001_a.js': `export const up = ;\n` })

    const error = await loadError(folder)

    expect(error.code).toBe('MIGRATION_LOAD_FAILED')
    // The cause is whatever the module loader threw (a SyntaxError in Node, a parse error under vitest); the message
    // ends with its first line, so that the CLI's one line says what is wrong.
    const cause = (error.cause as Error).message
    expect(cause).toMatch(/./)
    expect(error.message).toBe(`cannot load migration 0001_a from ${join(folder, '0001_a.js')}: ${cause.split('\n')[0]}`)
  })

  it('for a folder that does not exist', async () => {
    const error = await loadError(join(tempDir(), 'missing'))

    expect(error.code).toBe('MIGRATION_LOAD_FAILED')
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT')
  })

  it('which a migrate run returns in its result set instead of throwing', async () => {
    const folder = migrationsFolder({ '0001_a.ts': `export async function down() {}\n` })
    const { migrator } = openTestDatabase(join(folder, '..', 'index.db'), folder)

    const { error, results } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_LOAD_FAILED')
    expect(results).toEqual([])
  })
})

describe('a folder of compiled .js migrations with an integrity file', () => {
  /** TypeScript sources in `src`, their compiled output and the sources' integrity file in `dist`. */
  async function compiled() {
    const a = tableMigration('a')
    const b = tableMigration('b')
    const src = migrationsFolder({ '0001_a.ts': a, '0002_b.ts': b })
    const dist = join(src, '..', 'dist')
    writeFiles(dist, {
      '0001_a.js': compiledTableMigration('a'),
      '0002_b.js': compiledTableMigration('b'),
      [INTEGRITY_FILE_NAME]: await integrityFileFor(src),
    })
    return { src, dist, a, b }
  }

  it('gives each .js migration listed in migrations.sum the checksum of its TypeScript source', async () => {
    const { dist, a, b } = await compiled()

    const migrations = await new MigrationFolderProvider({ folder: dist }).getMigrations()

    expect([migrations['0001_a']?.checksum, migrations['0002_b']?.checksum]).toEqual([migrationChecksum(a), migrationChecksum(b)])
  })

  it('hashes a .js migration the file does not list itself', async () => {
    const { dist } = await compiled()
    const c = compiledTableMigration('c')
    writeFiles(dist, { '0003_c.js': c })

    const migrations = await new MigrationFolderProvider({ folder: dist }).getMigrations()

    expect(migrations['0003_c']?.checksum).toBe(migrationChecksum(c))
  })

  it('hashes a .ts migration itself even when the file lists it', async () => {
    const a = tableMigration('a')
    const folder = migrationsFolder({
      '0001_a.ts': a,
      [INTEGRITY_FILE_NAME]: `0001_a sha256:${'0'.repeat(64)}\n`,
    })

    const migrations = await new MigrationFolderProvider({ folder }).getMigrations()

    expect(migrations['0001_a']?.checksum).toBe(migrationChecksum(a))
  })

  it('lets a database migrated from the .ts sources run from the .js output with no checksum mismatch', async () => {
    const { src, dist, a, b } = await compiled()
    const path = join(src, '..', 'index.db')
    const fromSources = openTestDatabase(path, src)
    expect((await fromSources.migrator.migrateTo('0001_a')).error).toBeUndefined()
    const fromOutput = openTestDatabase(path, dist)

    const { error } = await fromOutput.migrator.migrateToLatest()

    expect(error).toBeUndefined()
    expect(recordedChecksums(fromOutput.database)).toEqual({ '0001_a': migrationChecksum(a), '0002_b': migrationChecksum(b) })
  })

  it('reads the integrity file from props.integrityFile when given', async () => {
    const { src, a } = await compiled()
    const dist = join(src, '..', 'elsewhere')
    const sum = join(src, '..', 'checksums.sum')
    writeFiles(dist, { '0001_a.js': compiledTableMigration('a') })
    writeFileSync(sum, await integrityFileFor(src))

    const migrations = await new MigrationFolderProvider({ folder: dist, integrityFile: sum }).getMigrations()

    expect(migrations['0001_a']?.checksum).toBe(migrationChecksum(a))
  })

  it('fails with MIGRATION_INTEGRITY_FILE_INVALID for a malformed line, naming the file and line', async () => {
    const folder = migrationsFolder({
      '0001_a.js': compiledTableMigration('a'),
      [INTEGRITY_FILE_NAME]: `# comment\n\n0001_a md5:abc\n`,
    })

    const error = await loadError(folder)

    expect(error.code).toBe('MIGRATION_INTEGRITY_FILE_INVALID')
    expect(error.message).toMatch(new RegExp(`^${join(folder, INTEGRITY_FILE_NAME).replace(/[.]/g, '\\.')}:3 `))
  })
})

describe('integrityFileFor()', () => {
  it('lists each TypeScript source with its checksum, sorted, after a header line; .d.ts and .js left out', async () => {
    const a = tableMigration('a')
    const b = tableMigration('b')
    const folder = migrationsFolder({
      '0002_b.ts': b,
      '0001_a.ts': a,
      '0001_a.d.ts': 'export {}\n',
      '0003_c.js': compiledTableMigration('c'),
    })

    const text = await integrityFileFor(folder)

    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^# /),
      `0001_a ${migrationChecksum(a)}`,
      `0002_b ${migrationChecksum(b)}`,
      '',
    ])
  })
})

describe('MigrationFolderProvider.getChecksums()', () => {
  it('gives every name and checksum without importing a module', async () => {
    const source = `throw new Error('imported')\n`
    const folder = migrationsFolder({ '0001_a.ts': source, '0002_b.js': source })

    expect(await new MigrationFolderProvider({ folder }).getChecksums()).toEqual({
      '0001_a': migrationChecksum(source),
      '0002_b': migrationChecksum(source),
    })
  })
})

describe('a module loaded once by a provider', () => {
  it('is loaded again as it now is after its file is edited, .ts and .js alike', async () => {
    const folder = migrationsFolder({
      '0001_a.ts': `export async function up() { return 'first' }\n`,
      '0002_b.js': `export async function up() { return 'first' }\n`,
    })
    const provider = new MigrationFolderProvider({ folder })
    await provider.getMigrations()
    writeFiles(folder, {
      '0001_a.ts': `export async function up() { return 'edited' }\n`,
      '0002_b.js': `export async function up() { return 'edited' }\n`,
    })

    const migrations = await provider.getMigrations()

    expect(await Promise.all([migrations['0001_a']!.up(undefined as never), migrations['0002_b']!.up(undefined as never)])).toEqual([
      'edited',
      'edited',
    ])
  })

  it('is not imported again while its file is unchanged', async () => {
    const folder = migrationsFolder({ '0001_a.ts': tableMigration('a') })
    const provider = new MigrationFolderProvider({ folder })

    const first = await provider.getMigrations()
    const second = await provider.getMigrations()

    expect(second['0001_a']).toBe(first['0001_a'])
  })
})

describe('a run with nothing to do', () => {
  it('imports no migration module', async () => {
    const folder = migrationsFolder({})
    const imports = join(folder, '..', 'imports.log')
    writeFiles(folder, {
      '0001_a.ts': `import { appendFileSync } from 'node:fs'\nappendFileSync(${JSON.stringify(imports)}, 'imported\\n')\n${tableMigration('a')}`,
    })
    const path = join(folder, '..', 'index.db')
    expect((await openTestDatabase(path, folder).migrator.migrateToLatest()).error).toBeUndefined()
    // A migrator of its own, as in the next process: nothing cached.
    const { migrator } = openTestDatabase(path, folder)

    const { error, results } = await migrator.migrateToLatest()

    expect(error).toBeUndefined()
    expect(results).toEqual([])
    expect(readFileSync(imports, 'utf8')).toBe('imported\n')
  })
})

describe('a migration from any provider', () => {
  it('without up() fails the run with MIGRATION_LOAD_FAILED naming it', async () => {
    const dir = tempDir()
    const { migrator } = openTestDatabase(join(dir, 'index.db'), dir, {
      provider: { getMigrations: async () => ({ '0001_a': { down: async () => {} } as never }) },
    })

    const { error } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_LOAD_FAILED')
    expect(error?.migrationName).toBe('0001_a')
  })

  it('whose provider throws fails the run with MIGRATION_LOAD_FAILED, keeping the cause', async () => {
    const dir = tempDir()
    const cause = new Error('no migrations today')
    const { migrator } = openTestDatabase(join(dir, 'index.db'), dir, {
      provider: {
        getMigrations: async () => {
          throw cause
        },
      },
    })

    const { error } = await migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_LOAD_FAILED')
    expect(error?.cause).toBe(cause)
  })
})
