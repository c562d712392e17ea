import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { afterEach } from 'vitest'
import {
  GuardedMigrator,
  MigrationFolderProvider,
  SqliteMigrationDialect,
  type GuardedMigratorProps,
} from '../src/migrator/index.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!()
})

/** A fresh temporary folder, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'codeindex-test-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Writes `files` (name -> source) into `folder`, creating it. */
export function writeFiles(folder: string, files: Readonly<Record<string, string>>): void {
  mkdirSync(folder, { recursive: true })
  for (const [name, source] of Object.entries(files)) writeFileSync(join(folder, name), source)
}

/** A migration module creating table `name` (with an `id` and a `value` column) and dropping it on down. */
export function tableMigration(table: string, extra = ''): string {
  return `import { sql, type Kysely } from 'kysely'
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('${table}').addColumn('id', 'integer', (c) => c.primaryKey().notNull()).addColumn('value', 'text').execute()
  ${extra}
}
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('${table}').execute()
}
`
}

export interface TestDatabase {
  readonly path: string
  readonly database: Database.Database
  readonly db: Kysely<any>
  readonly migrator: GuardedMigrator
}

/** Opens `path` (WAL, foreign keys on) with a guarded migrator over `folder`. Closed after the test. */
export function openTestDatabase(
  path: string,
  folder: string,
  props: Partial<Omit<GuardedMigratorProps, 'db' | 'provider'>> = {},
): TestDatabase {
  const database = new Database(path)
  database.pragma('journal_mode = WAL')
  database.pragma('foreign_keys = ON')
  database.pragma('busy_timeout = 20')
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) })
  cleanups.push(() => database.close())
  const migrator = new GuardedMigrator({
    db,
    provider: new MigrationFolderProvider({ folder }),
    dialect: new SqliteMigrationDialect({ path }),
    ...props,
  })
  return { path, database, db, migrator }
}

/** Table names in the database, sorted, without SQLite's own. */
export function tableNames(database: Database.Database): string[] {
  return (
    database
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name`)
      .all() as Array<{ name: string }>
  ).map((row) => row.name)
}
