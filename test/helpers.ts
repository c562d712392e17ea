import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
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

/** The package's own folder. */
export const projectRoot = resolve(fileURLToPath(import.meta.url), '..', '..')

/**
 * A fresh temporary folder, removed after the test. It carries a `node_modules` link to the project's, so that
 * migration modules written into it can `import ... from 'kysely'` as real migrations do (rm removes the link only).
 */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'codeindex-test-'))
  symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'), 'dir')
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

/**
 * Opens `path` (WAL, foreign keys on) with a guarded migrator over `folder` (or over `props.provider`, when given).
 * Closed after the test.
 */
export function openTestDatabase(
  path: string,
  folder: string,
  props: Partial<Omit<GuardedMigratorProps, 'db'>> = {},
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

/** A statement of a migration written by {@link migrationModule}: SQL text, or TypeScript run as it stands. */
export type MigrationStep = string | { readonly code: string }

export interface MigrationSource {
  readonly up: ReadonlyArray<MigrationStep>
  /** Leave it out for a migration without down(). */
  readonly down?: ReadonlyArray<MigrationStep>
  /** `false` writes `export const transaction = false`. */
  readonly transaction?: boolean
  /** Extra import lines. */
  readonly imports?: string
}

/** A migration module whose up() (and down()) run `steps` in order; a string step is one SQL statement. */
export function migrationModule(source: MigrationSource): string {
  const body = (steps: ReadonlyArray<MigrationStep>) =>
    steps
      .map((step) => (typeof step === 'string' ? `  await sql.raw(${JSON.stringify(step)}).execute(db)` : `  ${step.code}`))
      .join('\n')
  return [
    `import { sql, type Kysely } from 'kysely'`,
    source.imports ?? '',
    source.transaction === false ? 'export const transaction = false' : '',
    `export async function up(db: Kysely<any>): Promise<void> {\n${body(source.up)}\n}`,
    source.down ? `export async function down(db: Kysely<any>): Promise<void> {\n${body(source.down)}\n}` : '',
    '',
  ].join('\n')
}

/** Another connection to `path` (as a second process would open it), closed after the test. */
export function openConnection(path: string): Database.Database {
  const database = new Database(path)
  cleanups.push(() => database.close())
  return database
}

export interface SchemaRow {
  readonly type: string
  readonly name: string
  readonly tbl_name: string
  readonly sql: string | null
}

/** Every object of sqlite_schema, bookkeeping tables included, sorted by type and name. */
export function schemaOf(database: Database.Database): SchemaRow[] {
  return database
    .prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name')
    .all() as SchemaRow[]
}

/** Every row of every table but SQLite's own, bookkeeping included, by table name, in rowid order. */
export function contentsOf(database: Database.Database): Record<string, unknown[]> {
  const contents: Record<string, unknown[]> = {}
  for (const table of tableNames(database)) {
    contents[table] = database.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).all()
  }
  return contents
}

/** The migrations recorded as applied in `kysely_migration`, sorted; empty when the table does not exist. */
export function appliedNames(database: Database.Database): string[] {
  if (!tableNames(database).includes('kysely_migration')) return []
  return (database.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as Array<{ name: string }>).map(
    (row) => row.name,
  )
}

/** The checksums recorded in `kysely_migration_checksum`, by migration name; empty when the table does not exist. */
export function recordedChecksums(database: Database.Database): Record<string, string> {
  if (!tableNames(database).includes('kysely_migration_checksum')) return {}
  const rows = database.prepare('SELECT name, checksum FROM kysely_migration_checksum ORDER BY name').all() as Array<{
    name: string
    checksum: string
  }>
  return Object.fromEntries(rows.map((row) => [row.name, row.checksum]))
}
