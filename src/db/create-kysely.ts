import type Database from 'better-sqlite3'
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely'
import { keepConnection } from './read-snapshot.js'
import type { DB } from './schema.generated.js'

/**
 * Prepared statements kept per connection, most recently used last. Kysely's SQLite driver prepares every query it
 * runs; preparing costs about as much as running a small indexed query, and a search runs several.
 */
const STATEMENT_CACHE_SIZE = 256

/**
 * The typed Kysely over a better-sqlite3 connection: every query in codeindex, and in host code, is checked against the
 * generated `DB`. Statements are prepared once per SQL text and reused.
 *
 * ```ts
 * const db = createKysely(openDatabase('.codeindex/index.db'))
 * const exported = await db.selectFrom('definitions').select(['name', 'line']).where('exported', '=', 1).execute()
 * ```
 */
export function createKysely(database: Database.Database): Kysely<DB> {
  const statements = reusingStatements(database)
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: statements }) })
  keepConnection(db, { database, prepare: statements.prepare })
  return db
}

/**
 * `database` with a `prepare` that hands back the statement it prepared for the same SQL before, unless that one is
 * still busy (a stream iterating it), in which case the caller gets a fresh one. SQLite re-prepares a statement by
 * itself when the schema changes under it.
 */
export function reusingStatements(database: Database.Database): SqliteDatabase & { prepare(sql: string): Database.Statement } {
  const statements = new Map<string, Database.Statement>()
  return {
    close: () => database.close(),
    prepare: (sql: string) => {
      const cached = statements.get(sql)
      if (cached && !cached.busy) {
        statements.delete(sql)
        statements.set(sql, cached)
        return cached
      }
      const statement = database.prepare(sql)
      statements.set(sql, statement)
      if (statements.size > STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!)
      return statement
    },
  }
}
