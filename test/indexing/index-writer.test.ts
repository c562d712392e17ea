import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { analyzeFile, type FileAnalysis } from '../../src/indexing/analyze-file.js'
import { Extractor } from '../../src/indexing/extractor.js'
import { IndexWriter } from '../../src/indexing/index-writer.js'
import { ftsIntegrityCheck, latestIndexDatabase, matchIds, substringIds } from '../schema/schema-helpers.js'
import { tree } from './indexing-helpers.js'

type Written = Exclude<FileAnalysis, { status: 'Unchanged' }>

const extractor = new Extractor()

/** Real analyses (read, hashed, parsed) of `files` written to a temporary tree, by path. */
async function analyses(files: Readonly<Record<string, string>>): Promise<Map<string, Written>> {
  const root = tree(files)
  const result = new Map<string, Written>()
  for (const path of Object.keys(files)) {
    const analysis = await analyzeFile(
      { path, absolutePath: join(root, path), size: Buffer.byteLength(files[path]!), previousHash: undefined, maxFileSize: 1 << 20, keepContent: true },
      extractor,
    )
    if (analysis.status === 'Unchanged') throw new Error('unexpected')
    result.set(path, analysis)
  }
  return result
}

const count = (database: Database.Database, table: string): number =>
  database.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number

/** A module with `n` functions of one parameter and one local each: 2n symbols. */
function functions(prefix: string, n: number): string {
  return Array.from(
    { length: n },
    (_, index) => `export function ${prefix}${index}(${prefix}P${index}: number) {\n  const ${prefix}V${index} = ${prefix}P${index}\n  return ${prefix}V${index}\n}\n`,
  ).join('')
}

describe('IndexWriter', () => {
  it('writes rows many to a statement, past a statement-full, and the full-text indexes agree with them', async () => {
    const files = Object.fromEntries(Array.from({ length: 123 }, (_, index) => [`src/m${index}.ts`, functions(`fn${index}_`, 1)]))
    files['src/big.ts'] = functions('big', 130)
    const found = await analyses(files)
    const { database } = await latestIndexDatabase()
    const writer = new IndexWriter(database)
    writer.transaction(() => {
      for (const analysis of found.values()) writer.write(analysis, 1, '2026-01-01T00:00:00.000Z')
    })
    expect(count(database, 'files')).toBe(124)
    expect(count(database, 'search_documents')).toBe(124)
    expect(count(database, 'file_contents')).toBe(124)
    expect(count(database, 'symbols')).toBe(123 * 2 + 130 * 2)
    expect(database.prepare(`SELECT count(*) FROM symbols s JOIN files f ON f.id = s.file_id WHERE f.path = 'src/big.ts'`).pluck().get()).toBe(260)
    ftsIntegrityCheck(database, 'search_index')
    ftsIntegrityCheck(database, 'content_index')
    const big = database.prepare(`SELECT id FROM files WHERE path = 'src/big.ts'`).pluck().get() as number
    expect(matchIds(database, 'search_index', 'big129')).toEqual([big])
    expect(substringIds(database, 'big129(bigP129')).toEqual([big])
  })

  it('writes nothing of a transaction that failed, and the next transaction writes only its own rows', async () => {
    const found = await analyses({ 'a.ts': functions('alpha', 2), 'b.ts': functions('beta', 2) })
    const { database } = await latestIndexDatabase()
    const writer = new IndexWriter(database)
    expect(() =>
      writer.transaction(() => {
        writer.write(found.get('a.ts')!, 1, '2026-01-01T00:00:00.000Z')
        throw new Error('disk on fire')
      }),
    ).toThrow('disk on fire')
    writer.transaction(() => writer.write(found.get('b.ts')!, 1, '2026-01-01T00:00:00.000Z'))
    expect(database.prepare('SELECT path FROM files').pluck().all()).toEqual(['b.ts'])
    expect(database.prepare('SELECT names FROM search_documents').pluck().all()).toEqual(['beta0\nbeta1'])
    expect(database.prepare('SELECT name FROM symbols ORDER BY line, name').pluck().all()).toEqual(['betaP0', 'betaV0', 'betaP1', 'betaV1'])
    expect(count(database, 'file_contents')).toBe(1)
    ftsIntegrityCheck(database, 'search_index')
    ftsIntegrityCheck(database, 'content_index')
  })

  it('replaces a file written twice in one transaction, and removes one written and removed in it', async () => {
    const first = await analyses({ 'a.ts': functions('first', 1), 'gone.ts': functions('gone', 1) })
    const second = await analyses({ 'a.ts': functions('second', 3) })
    const { database } = await latestIndexDatabase()
    const writer = new IndexWriter(database)
    writer.transaction(() => {
      writer.write(first.get('a.ts')!, 1, '2026-01-01T00:00:00.000Z')
      const gone = writer.write(first.get('gone.ts')!, 1, '2026-01-01T00:00:00.000Z')
      writer.write(second.get('a.ts')!, 2, '2026-01-01T00:00:00.000Z')
      writer.remove(gone)
    })
    expect(database.prepare('SELECT path, mtime_ms FROM files').raw().all()).toEqual([['a.ts', 2]])
    expect(database.prepare('SELECT names FROM search_documents').pluck().all()).toEqual(['second0\nsecond1\nsecond2'])
    expect(database.prepare('SELECT name FROM symbols ORDER BY line, name').pluck().all()).toEqual([
      'secondP0', 'secondV0', 'secondP1', 'secondV1', 'secondP2', 'secondV2',
    ])
    expect(database.prepare('SELECT content FROM file_contents').pluck().all()).toEqual([functions('second', 3)])
    ftsIntegrityCheck(database, 'search_index')
    ftsIntegrityCheck(database, 'content_index')
  })

  it('refuses a write outside transaction(), which would leave its rows unwritten', async () => {
    const found = await analyses({ 'a.ts': functions('alpha', 1) })
    const { database } = await latestIndexDatabase()
    const writer = new IndexWriter(database)
    expect(() => writer.write(found.get('a.ts')!, 1, '2026-01-01T00:00:00.000Z')).toThrow(
      new TypeError('IndexWriter.write: call it inside transaction()'),
    )
    expect(count(database, 'files')).toBe(0)
  })
})
