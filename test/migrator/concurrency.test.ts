import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MigrationFolderProvider, type GuardedMigrationProvider } from '../../src/migrator/index.js'
import {
  appliedNames,
  migrationModule,
  openConnection,
  openTestDatabase,
  projectRoot,
  tableMigration,
  tableNames,
  tempDir,
  writeFiles,
} from '../helpers.js'

/** A database file (WAL) with one pending migration, and a second connection to it, as another process would hold. */
function lockedLater(props: Parameters<typeof openTestDatabase>[2] = {}) {
  const dir = tempDir()
  const folder = join(dir, 'migrations')
  writeFiles(folder, { '0001_a.ts': tableMigration('a') })
  const test = openTestDatabase(join(dir, 'index.db'), folder, props)
  const other = openConnection(test.path)
  return { ...test, other }
}

describe('a run while another connection holds the write lock', () => {
  it('gives up after lockTimeoutMs with MIGRATION_LOCK_TIMEOUT, having changed nothing', async () => {
    const { database, migrator, other } = lockedLater({ lockTimeoutMs: 200 })
    other.exec('BEGIN IMMEDIATE')

    const { error, results } = await migrator.migrateToLatest()
    other.exec('ROLLBACK')

    expect(error?.code).toBe('MIGRATION_LOCK_TIMEOUT')
    expect((error?.cause as { code?: string }).code).toBe('SQLITE_BUSY')
    expect(results).toEqual([])
    expect(tableNames(database)).toEqual([])
  })

  it("waits with timers, not in SQLite's busy handler, whatever the connection's busy timeout", async () => {
    const { database, migrator, other } = lockedLater({ lockTimeoutMs: 300 })
    database.pragma('busy_timeout = 5000') // better-sqlite3's default
    other.exec('BEGIN IMMEDIATE')
    let ticks = 0
    const ticker = setInterval(() => ticks++, 10)

    const { error } = await migrator.migrateToLatest()
    clearInterval(ticker)
    other.exec('ROLLBACK')

    // In SQLite's busy handler the first attempt alone would hold the event loop for 5 s, and no tick would run.
    expect(error?.code).toBe('MIGRATION_LOCK_TIMEOUT')
    expect(ticks).toBeGreaterThanOrEqual(5)
    expect(database.pragma('busy_timeout', { simple: true })).toBe(5000)
  })

  it('waits for the other connection to commit, then completes on top of its work', async () => {
    const busy: string[] = []
    const { database, migrator, other } = lockedLater({
      logger: {
        debug: (message) => {
          // The run reports the lock is taken: let the other connection finish a little later.
          if (busy.push(message) === 1) setTimeout(() => other.exec('COMMIT'), 50)
        },
      },
    })
    other.exec('BEGIN IMMEDIATE')
    other.exec('CREATE TABLE other_work (id INTEGER)')

    const { error, results } = await migrator.migrateToLatest()

    expect(error).toBeUndefined()
    expect(busy[0]).toBe('database busy, waiting for the lock')
    expect(results?.map((result) => `${result.migrationName} ${result.status}`)).toEqual(['0001_a Success'])
    expect(tableNames(database)).toEqual(['a', 'kysely_migration', 'kysely_migration_checksum', 'kysely_migration_lock', 'other_work'])
  })

  it('does not keep status() from reading', async () => {
    const { migrator, other } = lockedLater({ lockTimeoutMs: 0 })
    other.exec('BEGIN IMMEDIATE')

    const statuses = await migrator.status()
    other.exec('ROLLBACK')

    expect(statuses.map(({ name, state }) => ({ name, state }))).toEqual([{ name: '0001_a', state: 'Pending' }])
  })
})

describe('a run with nothing to do', () => {
  it('takes no write lock: it succeeds at once while another connection holds it', async () => {
    const { migrator, other } = lockedLater({ lockTimeoutMs: 0 })
    expect((await migrator.migrateToLatest()).error).toBeUndefined()
    other.exec('BEGIN IMMEDIATE')

    const { error, results } = await migrator.migrateToLatest()
    other.exec('ROLLBACK')

    expect(error).toBeUndefined()
    expect(results).toEqual([])
  })
})

describe('another process migrating between the first look of a run and its lock', () => {
  /**
   * Our run over `ours`; another migrator on a connection of its own over `theirs` runs to completion while ours loads
   * its modules, i.e. after ours found work to do and before it takes the lock.
   */
  function racing(ours: Readonly<Record<string, string>>, theirs: Readonly<Record<string, string>>) {
    const dir = tempDir()
    const ourFolder = join(dir, 'ours')
    const theirFolder = join(dir, 'theirs')
    writeFiles(ourFolder, ours)
    writeFiles(theirFolder, theirs)
    const path = join(dir, 'index.db')
    const them = openTestDatabase(path, theirFolder)
    const inner = new MigrationFolderProvider({ folder: ourFolder })
    const us = openTestDatabase(path, ourFolder, {
      provider: {
        getChecksums: () => inner.getChecksums(),
        getMigrations: async () => {
          expect((await them.migrator.migrateToLatest()).error).toBeUndefined()
          return inner.getMigrations()
        },
      } as GuardedMigrationProvider,
    })
    return { us }
  }

  it('makes the run find nothing left to do under the lock; each migration ran once', async () => {
    const dir = tempDir()
    const log = join(dir, 'side-effects.log')
    const counted = (table: string) =>
      migrationModule({
        imports: `import { appendFileSync } from 'node:fs'`,
        up: [`CREATE TABLE ${table} (id INTEGER)`, { code: `appendFileSync(${JSON.stringify(log)}, '${table}\\n')` }],
      })
    const files = { '0001_a.ts': counted('a'), '0002_b.ts': counted('b') }
    const { us } = racing(files, files)

    const { error, results } = await us.migrator.migrateToLatest()

    expect(error).toBeUndefined()
    expect(results).toEqual([])
    expect(readFileSync(log, 'utf8')).toBe('a\nb\n')
    expect(appliedNames(us.database)).toEqual(['0001_a', '0002_b'])
  })

  it('refuses with MIGRATION_MISSING when the other applied a migration this one does not know, running nothing', async () => {
    const { us } = racing(
      { '0001_a.ts': tableMigration('a') },
      { '0001_a.ts': tableMigration('a'), '0002_newer.ts': tableMigration('newer') },
    )

    const { error, results } = await us.migrator.migrateToLatest()

    expect(error?.code).toBe('MIGRATION_MISSING')
    expect(error?.migrationName).toBe('0002_newer')
    expect(results).toEqual([])
  })
})

interface ChildOutcome {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

describe('eight processes migrating one fresh database file at once', () => {
  it('all succeed, and each migration runs exactly once', async () => {
    const dir = tempDir()
    const folder = join(dir, 'migrations')
    const path = join(dir, 'index.db')
    // Every call of an up() appends its name to this file. Unlike a row in the database, a line in the file survives
    // a rollback, so the file counts every execution, even one whose work was later undone: one line per migration
    // proves that no migration ran twice, not even in a run that then failed or was rolled back.
    const sideEffects = join(dir, 'side-effects.log')
    const record = (name: string) => ({
      code: `appendFileSync(${JSON.stringify(sideEffects)}, ${JSON.stringify(`${name}\n`)})`,
    })
    const imports = `import { appendFileSync } from 'node:fs'`
    writeFiles(folder, {
      // Fills a table, so that the first run holds the lock long enough for the others to find it taken.
      '0001_numbers.ts': migrationModule({
        imports,
        up: [
          'CREATE TABLE numbers (n INTEGER PRIMARY KEY)',
          'WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 50000) INSERT INTO numbers SELECT n FROM seq',
          record('0001_numbers'),
        ],
      }),
      '0002_words.ts': migrationModule({ imports, up: ['CREATE TABLE words (w TEXT)', record('0002_words')] }),
      '0003_index.ts': migrationModule({ imports, up: ['CREATE INDEX words_w ON words (w)', record('0003_index')] }),
    })

    const script = join(projectRoot, 'test', 'fixtures', 'migrate-child.ts')
    const children = Array.from({ length: 8 }, () =>
      spawn(process.execPath, ['--import', 'jiti/register', script, path, folder], {
        cwd: projectRoot,
        env: { ...process.env, MIGRATE_CHILD_BARRIER: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    )
    // Start every run at once: each child says `ready` when loaded, and waits for a line on stdin.
    let ready = 0
    const outcomes = children.map(
      (child) =>
        new Promise<ChildOutcome>((resolve, reject) => {
          let stdout = ''
          let stderr = ''
          child.stdout.on('data', (chunk: Buffer) => {
            const before = stdout
            stdout += chunk.toString()
            if (!before.includes('ready\n') && stdout.includes('ready\n') && ++ready === children.length) {
              for (const each of children) each.stdin.end('go\n')
            }
          })
          child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()))
          child.on('error', reject)
          child.on('close', (code) => resolve({ code, stdout, stderr }))
        }),
    )

    const results = await Promise.all(outcomes)

    expect(results.map(({ code, stdout, stderr }) => (code === 0 ? 0 : `${code}: ${stdout} ${stderr}`))).toEqual(
      Array.from({ length: 8 }, () => 0),
    )
    expect(readFileSync(sideEffects, 'utf8').split('\n').filter(Boolean).sort()).toEqual([
      '0001_numbers',
      '0002_words',
      '0003_index',
    ])
    const { database } = openTestDatabase(path, folder)
    expect(appliedNames(database)).toEqual(['0001_numbers', '0002_words', '0003_index'])
    expect(database.prepare('SELECT count(*) AS n FROM numbers').get()).toEqual({ n: 50000 })
  }, 30_000)
})
