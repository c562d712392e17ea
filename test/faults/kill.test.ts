import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createIndexMigrator } from '../../src/db/create-index-migrator.js'
import { openDatabase } from '../../src/db/open-database.js'
import { Indexer } from '../../src/indexing/indexer.js'
import { startChild } from './fault-helpers.js'

const root = resolve(import.meta.dirname, '..', '..')
const TRIALS = 20
const AT_ONCE = 4
let work: string

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'codeindex-kill-'))
  // The host migrations import kysely, resolved as a host project's would be.
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir')
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** What must hold after any crash: a sound file, FTS indexes that agree with their content, a recorded version. */
function assertSound(path: string, migrationNames: ReadonlyArray<string>): string[] {
  const database = new Database(path)
  try {
    expect(database.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(database.pragma('foreign_key_check')).toEqual([])
    const tables = new Set((database.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).all() as Array<{ name: string }>).map((row) => row.name))
    for (const fts of ['search_index', 'content_index']) {
      if (tables.has(fts)) database.prepare(`INSERT INTO ${fts} (${fts}, rank) VALUES ('integrity-check', 1)`).run()
    }
    const applied = tables.has('kysely_migration')
      ? (database.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as Array<{ name: string }>).map((row) => row.name)
      : []
    // The recorded version is a prefix of the migrations: each one is in, with its bookkeeping, or not at all.
    expect(applied).toEqual(migrationNames.slice(0, applied.length))
    return applied
  } finally {
    database.close()
  }
}

async function inBatches(trials: number, run: (trial: number) => Promise<void>): Promise<void> {
  for (let first = 0; first < trials; first += AT_ONCE) {
    await Promise.all(Array.from({ length: Math.min(AT_ONCE, trials - first) }, (_, offset) => run(first + offset)))
  }
}

describe('kill -9', () => {
  it(`at ${TRIALS} points of a migration run, the database opens sound at a recorded version and the next run completes`, async () => {
    const migrations = join(work, 'migrations')
    cpSync(join(root, 'migrations'), migrations, { recursive: true })
    rmSync(join(migrations, 'migrations.sum'))
    // A slow migration, so that kills land inside work and not only around it.
    writeFileSync(
      join(migrations, '0005_heavy.ts'),
      `import { sql, type Kysely } from 'kysely'
export async function up(db: Kysely<any>) {
  await sql\`CREATE TABLE heavy (id INTEGER PRIMARY KEY, label TEXT NOT NULL)\`.execute(db)
  await sql\`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 80000) INSERT INTO heavy SELECT i, hex(randomblob(24)) FROM n\`.execute(db)
  await sql\`CREATE INDEX heavy_label ON heavy (label)\`.execute(db)
}
export async function down(db: Kysely<any>) { await sql\`DROP TABLE heavy\`.execute(db) }
`,
    )
    const names = readdirSync(migrations).map((name) => name.replace(/\.ts$/, '')).sort()
    const stages = new Map<number, number>()
    await inBatches(TRIALS, async (trial) => {
      const path = join(work, `migrate-${trial}.db`)
      const child = await startChild('migrate', path, migrations)
      child.go()
      // Most kills fall inside the run; the last few after it, as controls whatever the machine's speed.
      const timer = setTimeout(() => child.process.kill('SIGKILL'), trial < 16 ? 5 + trial * 15 : 2000 + trial * 50)
      await child.exited
      clearTimeout(timer)
      const applied = assertSound(path, names)
      stages.set(applied.length, (stages.get(applied.length) ?? 0) + 1)
      const database = openDatabase(path)
      const { error } = await createIndexMigrator(database, { migrationFolder: migrations, backupFolder: false }).migrateToLatest()
      database.close()
      expect(error).toBeUndefined()
      expect(assertSound(path, names)).toEqual(names)
    })
    // The kills landed at more than one stage of the run (a check that the trials probe something).
    expect(stages.size).toBeGreaterThan(1)
  })

  it(`at ${TRIALS} points of an indexing run, the index opens sound, keeps what was committed, and the next run completes`, async () => {
    const tree = join(work, 'tree')
    for (let index = 0; index < 200; index++) {
      mkdirSync(join(tree, `d${index % 10}`), { recursive: true })
      writeFileSync(join(tree, `d${index % 10}`, `f${index}.ts`), `/** Number ${index}. */\nexport function fn${index}(a: number): number {\n  return a + ${index}\n}\n`)
    }
    const names = ['0001_initial_schema', '0002_search_index', '0003_content_index', '0004_slimmer_indexes', '0005_leaner_writes', '0006_content_positions', '0007_covering_definitions_index', '0008_definition_name_keys']
    const committed = new Set<number>()
    await inBatches(TRIALS, async (trial) => {
      const path = join(work, `index-${trial}.db`)
      const child = await startChild('index', path, tree)
      child.go()
      await child.printed('migrated')
      const timer = setTimeout(() => child.process.kill('SIGKILL'), trial * 60)
      await child.exited
      clearTimeout(timer)
      assertSound(path, names)
      const database = openDatabase(path)
      committed.add((database.prepare('SELECT count(*) AS n FROM files').get() as { n: number }).n)
      const result = await new Indexer(database, { workers: 0 }).index(tree)
      expect(result.status).toBe('Completed')
      expect(result.totals.indexed + result.totals.unchanged).toBe(200)
      expect(database.prepare('SELECT count(*) AS n FROM definitions').get()).toEqual({ n: 200 })
      database.close()
      assertSound(path, names)
    })
    expect(committed.size).toBeGreaterThan(1)
  })
})
