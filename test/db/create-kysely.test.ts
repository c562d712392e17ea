import Database from 'better-sqlite3'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createKysely, reusingStatements } from '../../src/db/create-kysely.js'

describe('reusingStatements', () => {
  it('hands back the statement prepared before for the same SQL, and a fresh one while that one is busy', () => {
    const database = new Database(':memory:')
    const prepared = reusingStatements(database)
    database.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3)')
    const first = prepared.prepare('SELECT n FROM t ORDER BY n')
    expect(prepared.prepare('SELECT n FROM t ORDER BY n')).toBe(first)
    const iterating = first.iterate([])
    expect(iterating.next().value).toEqual({ n: 1 })
    const second = prepared.prepare('SELECT n FROM t ORDER BY n')
    expect(second).not.toBe(first)
    expect(second.all([])).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    expect([...iterating]).toEqual([{ n: 2 }, { n: 3 }])
    database.close()
  })

  it('keeps the 256 most recently used statements', () => {
    const database = new Database(':memory:')
    const prepared = reusingStatements(database)
    const oldest = prepared.prepare('SELECT 0')
    const kept = prepared.prepare('SELECT 1')
    for (let n = 2; n <= 256; n++) prepared.prepare(`SELECT ${n}`)
    expect(prepared.prepare('SELECT 1')).toBe(kept)
    prepared.prepare('SELECT 257')
    expect(prepared.prepare('SELECT 1')).toBe(kept)
    expect(prepared.prepare('SELECT 0')).not.toBe(oldest)
    database.close()
  })

  it('a reused statement sees the schema as it is now', async () => {
    const database = new Database(':memory:')
    const db = createKysely(database)
    await sql`CREATE TABLE t (a INTEGER)`.execute(db)
    await sql`INSERT INTO t VALUES (1)`.execute(db)
    expect((await sql`SELECT * FROM t`.execute(db)).rows).toEqual([{ a: 1 }])
    await sql`ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'`.execute(db)
    expect((await sql`SELECT * FROM t`.execute(db)).rows).toEqual([{ a: 1, b: 'x' }])
    // Streaming iterates a statement: the same query streamed twice in a row gets the statement back once it is done.
    for (let round = 0; round < 2; round++) {
      const rows: unknown[] = []
      for await (const row of db.selectFrom('t' as never).selectAll().stream()) rows.push(row)
      expect(rows).toEqual([{ a: 1, b: 'x' }])
    }
    await db.destroy()
    expect(database.open).toBe(false)
  })
})
