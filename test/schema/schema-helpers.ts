import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import type { Kysely } from 'kysely'
import { afterEach } from 'vitest'
import { createIndexMigrator } from '../../src/db/create-index-migrator.js'
import { createKysely } from '../../src/db/create-kysely.js'
import { openDatabase } from '../../src/db/open-database.js'
import type { DB } from '../../src/db/schema.generated.js'
import type { GuardedMigrator } from '../../src/migrator/index.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!()
})

export interface IndexDatabase {
  readonly path: string
  readonly database: Database.Database
  readonly db: Kysely<DB>
  readonly migrator: GuardedMigrator
}

/** A new database file in a temporary folder, with codeindex's migrator (no backups); nothing applied yet. */
export function newIndexDatabase(): IndexDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'codeindex-schema-'))
  const path = join(dir, 'index.db')
  const database = openDatabase(path)
  cleanups.push(() => {
    database.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const db = createKysely(database)
  const migrator = createIndexMigrator(database, { db, backupFolder: false })
  return { path, database, db, migrator }
}

/** A database at the latest schema. */
export async function latestIndexDatabase(): Promise<IndexDatabase> {
  const index = newIndexDatabase()
  const { error } = await index.migrator.migrateToLatest()
  if (error) throw error
  return index
}

let nextPath = 0

/** Inserts a file row; `path` defaults to a fresh one. Returns its id. */
export function insertFile(database: Database.Database, path = `src/file-${++nextPath}.ts`): number {
  const filename = path.slice(path.lastIndexOf('/') + 1)
  const extension = filename.includes('.') ? filename.slice(filename.lastIndexOf('.')) : ''
  const info = database
    .prepare(
      `INSERT INTO files (path, filename, extension, language, size, mtime_ms, hash, line_count, indexed_at)
       VALUES (?, ?, ?, 'typescript', 10, 1700000000000.5, ?, 3, '2026-11-23T00:00:00.000Z')`,
    )
    .run(path, filename, extension, 'a'.repeat(64))
  const id = Number(info.lastInsertRowid)
  // The indexer writes a file's search document with the file (since migration 5, no trigger does).
  if (database.prepare(`SELECT 1 FROM sqlite_schema WHERE name = 'search_documents'`).get()) {
    database.prepare(`INSERT INTO search_documents (file_id, filename, path) VALUES (?, ?, ?)`).run(id, filename, path)
  }
  return id
}

/** Runs FTS5's integrity check with rank=1, which also compares the index with its external content. */
export function ftsIntegrityCheck(database: Database.Database, table: 'search_index' | 'content_index'): void {
  database.prepare(`INSERT INTO ${table} (${table}, rank) VALUES ('integrity-check', 1)`).run()
}

/** Rowids of `table` matching `query`. */
export function matchIds(database: Database.Database, table: 'search_index', query: string): number[] {
  return (database.prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH ? ORDER BY rowid`).all(query) as Array<{ rowid: number }>).map(
    (row) => row.rowid,
  )
}

/** Ids of the files whose content holds `needle`, from the trigram content index (LIKE; it keeps no positions). */
export function substringIds(database: Database.Database, needle: string): number[] {
  return (database.prepare(`SELECT rowid FROM content_index WHERE content LIKE ? ORDER BY rowid`).all(`%${needle}%`) as Array<{ rowid: number }>).map(
    (row) => row.rowid,
  )
}

/** A small deterministic PRNG (mulberry32), so that a failing sequence can be replayed from its seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
