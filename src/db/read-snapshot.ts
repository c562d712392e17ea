import type Database from 'better-sqlite3'
import { sql, type Compilable, type CompiledQuery, type Kysely, type RawBuilder } from 'kysely'

/** The connection under a Kysely that createKysely made, and its statement cache. */
interface KeptConnection {
  readonly database: Database.Database
  readonly prepare: (sql: string) => Database.Statement
}

const connections = new WeakMap<object, KeptConnection>()

/** Records the connection under `db`, for {@link readSnapshot}; createKysely's part, not exported from the package. */
export function keepConnection<DB>(db: Kysely<DB>, connection: KeptConnection): void {
  connections.set(db, connection)
}

/** A query to read: a builder's (`db.selectFrom(...)`), a raw `sql` one, or one compiled before. */
export type ReadQuery<O> = Compilable<O> | RawBuilder<O> | CompiledQuery<O>

export interface SnapshotReader<DB> {
  /** The database the queries are built on. */
  readonly db: Kysely<DB>
  /** The rows of `query`, read in the snapshot. */
  rows<O>(query: ReadQuery<O>): Promise<O[]>
}

/**
 * Runs `read` with a reader whose queries all see one snapshot of the database: a search's statements agree with one
 * another while an index run commits beside it. For a Kysely that createKysely made, the snapshot is a read transaction
 * on its connection, held for `read` through Kysely (a transaction elsewhere on the same Kysely waits for it, and it for
 * that one), and each query, compiled by Kysely, runs on the connection's cached statement: a search runs a dozen small
 * queries, and Kysely's executor cost about as much as SQLite did on the smaller ones. A query is only ever read, never
 * written: a statement that returns no rows throws a `TypeError`. Any other Kysely runs the queries as it always does,
 * each in its own snapshot.
 *
 * ```ts
 * const [files, tags] = await readSnapshot(db, async (reader) => [
 *   await reader.rows(db.selectFrom('files').select(['id', 'path'])),
 *   await reader.rows(db.selectFrom('file_tags').selectAll()),
 * ])
 * ```
 */
export async function readSnapshot<DB, T>(db: Kysely<DB>, read: (reader: SnapshotReader<DB>) => Promise<T>): Promise<T> {
  const compile = <O>(query: ReadQuery<O>): CompiledQuery<O> =>
    'isRawBuilder' in query ? query.compile(db) : 'compile' in query ? query.compile() : query
  const connection = connections.get(db)
  if (connection === undefined) return read({ db, rows: async (query) => [...(await db.executeQuery(compile(query))).rows] })
  const { database, prepare } = connection
  return db.connection().execute(async () => {
    // Within a transaction the caller opened on the connection itself, the snapshot is that transaction's.
    const begun = !database.inTransaction
    if (begun) prepare('BEGIN').run()
    try {
      return await read({
        db,
        rows: async <O>(query: ReadQuery<O>) => {
          const { sql, parameters } = compile(query)
          return prepare(sql).all(parameters as unknown[]) as O[]
        },
      })
    } finally {
      if (begun && database.inTransaction) prepare('COMMIT').run()
    }
  })
}

/** The parameter that stands for the list in an {@link idsQuery}'s compiled SQL. */
const IDS = '\u0000ids'

/**
 * A query over a list of ids, built and compiled once for each Kysely it reads: `build` gets the list as an expression
 * to compare an id with (`where('id', 'in', ids)`), one JSON parameter however long the list, so that the SQL is the
 * same for every list. For the queries a search runs a dozen times, with lists of a few to a few dozen ids.
 *
 * ```ts
 * const pathsOf = idsQuery((db: Kysely<DB>, ids) => db.selectFrom('files').select(['id', 'path']).where('id', 'in', ids))
 * const paths = await readSnapshot(db, (reader) => pathsOf(reader, [1, 2, 3]))
 * ```
 */
export function idsQuery<DB, O>(
  build: (db: Kysely<DB>, ids: RawBuilder<number>) => Compilable<O>,
): (reader: SnapshotReader<DB>, ids: ReadonlyArray<number>) => Promise<O[]> {
  const compiled = new WeakMap<Kysely<DB>, CompiledQuery<O>>()
  return (reader, ids) => {
    let query = compiled.get(reader.db)
    if (query === undefined) {
      query = build(reader.db, sql<number>`(SELECT value FROM json_each(${IDS}))`).compile()
      compiled.set(reader.db, query)
    }
    const list = JSON.stringify(ids)
    return reader.rows({ ...query, parameters: query.parameters.map((parameter) => (parameter === IDS ? list : parameter)) })
  }
}
