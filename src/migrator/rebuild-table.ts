import { sql, type Kysely, type RawBuilder } from 'kysely'
import { MigrationError } from './migration-error.js'

export interface RebuildTableOptions {
  /** The table to rebuild. */
  readonly table: string
  /** Creates the new table under `name` (a temporary name; it is renamed to `table` afterwards). */
  readonly create: (db: Kysely<any>, name: string) => { execute(): Promise<unknown> }
  /**
   * What to put in the new table's columns, as SQL over the old table's columns. A column left out is copied from the
   * old column of the same name, or left to its default when there is none.
   */
  readonly columns?: Readonly<Record<string, RawBuilder<unknown>>> | undefined
}

interface ColumnInfo {
  readonly name: string
}

interface SchemaRow {
  readonly sql: string
}

/**
 * SQLite's 12-step table rebuild (https://sqlite.org/lang_altertable.html#otheralter), for changes ALTER TABLE cannot
 * make: create the new table, copy the rows, drop the old table, rename, recreate its indexes and triggers, then
 * `PRAGMA foreign_key_check`.
 *
 * It only runs with `foreign_keys` off, because dropping the old table with them on deletes every child row through
 * ON DELETE CASCADE, and `PRAGMA foreign_keys=OFF` is silently ignored inside a transaction. So the migration that calls
 * it exports `transaction = false`; the guarded migrator then turns foreign keys off before its BEGIN. Anywhere else it
 * throws `MIGRATION_REBUILD_UNSAFE` before touching anything.
 *
 * ```ts
 * export const transaction = false
 * export async function up(db: Kysely<any>) {
 *   await rebuildTable(db, {
 *     table: 'parent',
 *     create: (db, name) => db.schema.createTable(name)
 *       .addColumn('id', 'integer', (c) => c.primaryKey().notNull())
 *       .addColumn('label', 'text', (c) => c.notNull().check(sql`length(label) > 0`)),
 *   })
 * }
 * ```
 */
export async function rebuildTable(db: Kysely<any>, options: RebuildTableOptions): Promise<void> {
  if (typeof options?.table !== 'string' || options.table === '') {
    throw new TypeError('rebuildTable: options.table must be a table name')
  }
  if (typeof options.create !== 'function') {
    throw new TypeError('rebuildTable: options.create must be a function that creates the new table')
  }
  const { table } = options
  const { rows: pragma } = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(db)
  if (pragma[0]?.foreign_keys !== 0) {
    throw new MigrationError(
      'MIGRATION_REBUILD_UNSAFE',
      `rebuildTable(${table}) needs foreign_keys off, or dropping the old table would cascade-delete child rows; ` +
        'export `transaction = false` from the migration so the migrator turns them off before BEGIN',
    )
  }
  const oldColumns = await columnsOf(db, table)
  if (oldColumns.length === 0) {
    throw new MigrationError('MIGRATION_FAILED', `rebuildTable: there is no table named ${table}`)
  }
  const { rows: dependents } = await sql<SchemaRow>`
    SELECT sql FROM sqlite_schema
    WHERE tbl_name = ${table} AND type IN ('index', 'trigger') AND sql IS NOT NULL
    ORDER BY type, name
  `.execute(db)

  const temporary = `${table}__rebuild`
  await options.create(db, temporary).execute()
  const newColumns = await columnsOf(db, temporary)
  const copied = newColumns.filter((column) => options.columns?.[column] !== undefined || oldColumns.includes(column))
  const values = copied.map((column) => options.columns?.[column] ?? sql.ref(column))
  await sql`
    INSERT INTO ${sql.table(temporary)} (${sql.join(copied.map((column) => sql.ref(column)))})
    SELECT ${sql.join(values)} FROM ${sql.table(table)}
  `.execute(db)
  await db.schema.dropTable(table).execute()
  await db.schema.alterTable(temporary).renameTo(table).execute()
  for (const dependent of dependents) await sql.raw(dependent.sql).execute(db)

  const { rows: violations } = await sql<{ table: string; rowid: number; parent: string }>`
    PRAGMA foreign_key_check(${sql.table(table)})
  `.execute(db)
  if (violations.length > 0) {
    throw new MigrationError(
      'MIGRATION_FOREIGN_KEY_VIOLATION',
      `rebuildTable(${table}) left ${violations.length} row(s) whose foreign key points nowhere`,
    )
  }
}

async function columnsOf(db: Kysely<any>, table: string): Promise<string[]> {
  const { rows } = await sql<ColumnInfo>`SELECT name FROM pragma_table_info(${table})`.execute(db)
  return rows.map((row) => row.name)
}
