import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kysely, sql, SqliteDialect } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createKysely } from '../../src/db/create-kysely.js'
import { openDatabase } from '../../src/db/open-database.js'
import { idsQuery, readSnapshot } from '../../src/db/read-snapshot.js'

let work: string
let path: string
let writer: Database.Database

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'codeindex-snapshot-'))
  path = join(work, 'index.db')
  writer = openDatabase(path)
  writer.exec('CREATE TABLE t (n INTEGER NOT NULL); INSERT INTO t VALUES (1)')
})
afterEach(() => {
  writer.close()
  rmSync(work, { recursive: true, force: true })
})

const count = sql<{ rows: number }>`SELECT count(*) AS rows FROM t`
const add = (n: number) => writer.prepare('INSERT INTO t VALUES (?)').run(n)

it('every query of a snapshot reads the database as it was at the first, whatever another connection commits', async () => {
  const db = createKysely(openDatabase(path, { readonly: true }))
  const seen = await readSnapshot(db, async (reader) => {
    const before = await reader.rows(count)
    add(2)
    const during = await reader.rows(count)
    return [before[0]!.rows, during[0]!.rows]
  })
  expect(seen).toEqual([1, 1])
  expect((await readSnapshot(db, (reader) => reader.rows(count)))[0]!.rows).toBe(2)
  await db.destroy()
})

it('runs builders and raw queries alike, typed by the builder', async () => {
  const db = createKysely(openDatabase(path, { readonly: true }))
  const rows = await readSnapshot(db, async (reader) => [
    ...(await reader.rows(reader.db.selectFrom('t' as never).select(sql<number>`n * 10`.as('tenfold')))),
    ...(await reader.rows(sql<{ tenfold: number }>`SELECT n * 100 AS tenfold FROM t`)),
  ])
  expect(rows).toEqual([{ tenfold: 10 }, { tenfold: 100 }])
  await db.destroy()
})

it('a transaction on the same Kysely finishes before a snapshot begins, and sees no reads of it', async () => {
  const database = openDatabase(path)
  const db = createKysely(database)
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  let inserted!: () => void
  const writes = new Promise<void>((resolve) => (inserted = resolve))
  const order: string[] = []
  const writing = db.transaction().execute(async (trx) => {
    await sql`INSERT INTO t VALUES (2)`.execute(trx)
    inserted()
    await held
    order.push('committed')
  })
  await writes
  const reading = readSnapshot(db, async (reader) => {
    order.push('read')
    return (await reader.rows(count))[0]!.rows
  })
  release()
  expect(await reading).toBe(2)
  await writing
  expect(order).toEqual(['committed', 'read'])
  await db.destroy()
})

it('ends its transaction when a query fails, and gives the error back as it was', async () => {
  const database = openDatabase(path)
  const db = createKysely(database)
  const error = await readSnapshot(db, (reader) => reader.rows(sql`DELETE FROM t`)).catch((caught: unknown) => caught)
  expect(error).toBeInstanceOf(TypeError)
  expect((error as Error).message).toMatch(/does not return data/)
  expect(database.inTransaction).toBe(false)
  expect(writer.prepare('SELECT count(*) AS rows FROM t').get()).toEqual({ rows: 1 })
  await db.destroy()
})

it('inside a transaction the caller opened on the connection, reads in it and leaves it open', async () => {
  const database = openDatabase(path)
  const db = createKysely(database)
  database.exec('BEGIN')
  database.exec('INSERT INTO t VALUES (2)')
  expect((await readSnapshot(db, (reader) => reader.rows(count)))[0]!.rows).toBe(2)
  expect(database.inTransaction).toBe(true)
  database.exec('ROLLBACK')
  await db.destroy()
})

it('over a Kysely it did not make, runs each query through Kysely, in a snapshot of its own', async () => {
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(path, { readonly: true }) }) })
  const seen = await readSnapshot(db, async (reader) => {
    const before = await reader.rows(count)
    add(2)
    return [before[0]!.rows, (await reader.rows(count))[0]!.rows]
  })
  expect(seen).toEqual([1, 2])
  await db.destroy()
})

it('an ids query is built once for each Kysely, and reads lists of any length, none included', async () => {
  writer.exec('INSERT INTO t VALUES (2), (3), (4)')
  let built = 0
  const tenfold = idsQuery((db: Kysely<unknown>, ids) => {
    built++
    return db.selectFrom('t' as never).select(sql<number>`n * 10`.as('tenfold')).where(sql.ref('n'), 'in', ids).orderBy(sql.ref('n'))
  })
  const ours = createKysely(openDatabase(path, { readonly: true }))
  const theirs = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(path, { readonly: true }) }) })
  for (const db of [ours, theirs] as Array<Kysely<unknown>>) {
    const read = (ids: number[]) => readSnapshot(db, (reader) => tenfold(reader, ids))
    expect(await read([3, 1])).toEqual([{ tenfold: 10 }, { tenfold: 30 }])
    expect(await read([4, 2, 3, 9])).toEqual([{ tenfold: 20 }, { tenfold: 30 }, { tenfold: 40 }])
    expect(await read([])).toEqual([])
    await db.destroy()
  }
  expect(built).toBe(2)
})
