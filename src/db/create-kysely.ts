import type Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import type { DB } from './schema.generated.js'

/**
 * The typed Kysely over a better-sqlite3 connection: every query in codeindex, and in host code, is checked against the
 * generated `DB`.
 *
 * ```ts
 * const db = createKysely(openDatabase('.codeindex/index.db'))
 * const exported = await db.selectFrom('definitions').select(['name', 'line']).where('exported', '=', 1).execute()
 * ```
 */
export function createKysely(database: Database.Database): Kysely<DB> {
  return new Kysely<DB>({ dialect: new SqliteDialect({ database }) })
}
