import { renameSync, rmSync, utimesSync, writeFileSync, mkdtempSync, copyFileSync, readdirSync, readFileSync } from 'node:fs'
import { availableParallelism, getPriority, tmpdir } from 'node:os'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { CodeIndexError } from '../../src/errors.js'
import { openDatabase } from '../../src/db/open-database.js'
import { postedAnalysis, receivedAnalysis, type FileAnalysis } from '../../src/indexing/analyze-file.js'
import { createAnalyzer } from '../../src/indexing/analyzer.js'
import { DEFAULT_GRAMMAR_FOLDER } from '../../src/indexing/extractor.js'
import { Indexer, type IndexProgress } from '../../src/indexing/indexer.js'
import { listUserTags, removeUserTag, setUserTag } from '../../src/indexing/user-tags.js'
import { ftsIntegrityCheck, latestIndexDatabase, matchIds, substringIds } from '../schema/schema-helpers.js'
import { eventually, niceThreads, tree, writeTree } from './indexing-helpers.js'

const SOURCE = `import { helper } from './helper.js'

/** Adds two numbers. */
export function add(a: number, b: number): number {
  return helper(a) + b
}
`

const rows = (database: Database.Database, sql: string, ...params: unknown[]) => database.prepare(sql).all(...params)

/** Everything the index holds except the run records, to prove a run changed nothing. */
function snapshot(database: Database.Database): string {
  return ['files', 'definitions', 'imports', 'symbols', 'file_tags', 'search_documents', 'file_contents']
    .map((table) => JSON.stringify(rows(database, `SELECT * FROM ${table} ORDER BY 1`)))
    .join('\n')
}

async function indexed(files: Readonly<Record<string, string | Uint8Array>>) {
  const root = tree(files)
  const { database, db, path } = await latestIndexDatabase()
  const indexer = new Indexer(database, { workers: 0 })
  const first = await indexer.index(root)
  return { root, database, db, indexer, first, path }
}

describe('a first run', () => {
  it('indexes every file with its definitions, imports, symbols, tags, content and search document', async () => {
    const { database, first } = await indexed({ 'src/math.ts': SOURCE, 'src/helper.ts': 'export const helper = (x: number) => x\n' })
    expect(first.status).toBe('Completed')
    expect(first.totals).toEqual({ seen: 2, indexed: 2, unchanged: 0, skipped: 0, failed: 0, removed: 0, bytes: SOURCE.length + 39 })
    expect(rows(database, 'SELECT path, filename, extension, language, size, line_count AS lines, status FROM files ORDER BY path')).toEqual([
      { path: 'src/helper.ts', filename: 'helper.ts', extension: '.ts', language: 'typescript', size: 39, lines: 1, status: 'Indexed' },
      { path: 'src/math.ts', filename: 'math.ts', extension: '.ts', language: 'typescript', size: SOURCE.length, lines: 6, status: 'Indexed' },
    ])
    expect(rows(database, `SELECT name, kind, line, end_line AS endLine, exported, docstring, signature FROM definitions ORDER BY name`)).toEqual([
      { name: 'add', kind: 'function', line: 4, endLine: 6, exported: 1, docstring: 'Adds two numbers.', signature: 'function add(a: number, b: number): number' },
      { name: 'helper', kind: 'function', line: 1, endLine: 1, exported: 1, docstring: null, signature: 'helper = (x: number) => x' },
    ])
    expect(rows(database, `SELECT i.module, i.kind, i.names, i.line, r.path AS resolved FROM imports i LEFT JOIN files r ON r.id = i.resolved_file_id`)).toEqual([
      { module: './helper.js', kind: 'import', names: '["helper"]', line: 1, resolved: 'src/helper.ts' },
    ])
    expect(rows(database, `SELECT name, kind, scope FROM symbols ORDER BY line, "column"`)).toEqual([
      { name: 'x', kind: 'parameter', scope: 'helper' },
      { name: 'a', kind: 'parameter', scope: 'add' },
      { name: 'b', kind: 'parameter', scope: 'add' },
    ])
    expect(rows(database, `SELECT t.tag, t.weight, t.source FROM file_tags t JOIN files f ON f.id = t.file_id WHERE f.path = 'src/math.ts' ORDER BY tag`)).toEqual([
      { tag: 'src', weight: 0.5, source: 'auto' },
      { tag: 'typescript', weight: 1, source: 'auto' },
    ])
    expect(rows(database, `SELECT c.content FROM file_contents c JOIN files f ON f.id = c.file_id WHERE f.path = 'src/math.ts'`)).toEqual([{ content: SOURCE }])
    const [math] = rows(database, `SELECT id FROM files WHERE path = 'src/math.ts'`) as Array<{ id: number }>
    expect(matchIds(database, 'search_index', 'names:add')).toEqual([math!.id])
    expect(matchIds(database, 'search_index', 'docstrings:numbers')).toEqual([math!.id])
    ftsIntegrityCheck(database, 'search_index')
    ftsIntegrityCheck(database, 'content_index')
  })

  it('records the run with its counts and status', async () => {
    const { database, first } = await indexed({ 'a.ts': 'export const a = 1\n', 'b.bin': new Uint8Array([0, 1, 2]) })
    expect(rows(database, 'SELECT id, status, files_seen AS seen, files_indexed AS indexed, files_skipped AS skipped, finished_at IS NOT NULL AS finished FROM index_runs')).toEqual([
      { id: first.runId, status: 'Completed', seen: 2, indexed: 1, skipped: 1, finished: 1 },
    ])
  })

  it('reports progress through each phase, ending with the totals', async () => {
    const root = tree({ 'a.ts': 'export const a = 1\n', 'b.ts': 'export const b = 2\n' })
    const { database } = await latestIndexDatabase()
    const seen: IndexProgress[] = []
    await new Indexer(database, { workers: 0 }).index(root, { onProgress: (progress) => seen.push(progress) })
    expect(seen.map((progress) => progress.phase)).toEqual(['Walking', 'Indexing', 'Indexing', 'Finishing', 'Done'])
    expect(seen.at(-1)).toMatchObject({ phase: 'Done', seen: 2, indexed: 2, toRead: 2, bytes: 38 })
  })
})

describe('files that are not source code', () => {
  it('records binary and oversized files as skipped, unread and unparsed', async () => {
    const root = tree({ 'image.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 'big.ts': 'x'.repeat(2048), 'ok.ts': 'export {}\n' })
    const { database } = await latestIndexDatabase()
    const result = await new Indexer(database, { workers: 0 }).index(root, { maxFileSize: 1024 })
    // In walk order: files are settled in the order they were found, whichever thread finishes first.
    expect(result.files).toEqual([
      { path: 'big.ts', status: 'Skipped', reason: 'TooLarge' },
      { path: 'image.png', status: 'Skipped', reason: 'Binary' },
      { path: 'ok.ts', status: 'Indexed' },
    ])
    expect(rows(database, 'SELECT path, status, status_reason AS reason, hash IS NULL AS unhashed FROM files ORDER BY path')).toEqual([
      { path: 'big.ts', status: 'Skipped', reason: 'TooLarge', unhashed: 1 },
      { path: 'image.png', status: 'Skipped', reason: 'Binary', unhashed: 0 },
      { path: 'ok.ts', status: 'Indexed', reason: null, unhashed: 0 },
    ])
    expect(rows(database, 'SELECT count(*) AS n FROM file_contents')).toEqual([{ n: 1 }])
  })

  it('reads non-UTF-8 text as Latin-1 without crashing, and indexes its definitions', async () => {
    const latin1 = Buffer.from('// caf\xe9\nexport function menu() {}\n', 'latin1')
    const { database, first } = await indexed({ 'menu.js': latin1 })
    expect(first.totals.indexed).toBe(1)
    expect(rows(database, 'SELECT content FROM file_contents')).toEqual([{ content: '// café\nexport function menu() {}\n' }])
    expect(rows(database, 'SELECT name, line FROM definitions')).toEqual([{ name: 'menu', line: 2 }])
  })

  it('indexes an unknown kind of text by name, path and content only', async () => {
    const { database } = await indexed({ 'notes/todo.xyz': 'remember the milk\n' })
    expect(rows(database, 'SELECT language, status FROM files')).toEqual([{ language: null, status: 'Indexed' }])
    expect(rows(database, 'SELECT count(*) AS n FROM definitions')).toEqual([{ n: 0 }])
    expect(substringIds(database, 'the milk')).toHaveLength(1)
  })

  it('degrades a file whose grammar fails to load to text only, reports it, and finishes the run', async () => {
    const grammars = mkdtempSync(join(tmpdir(), 'codeindex-grammars-'))
    for (const entry of readdirSync(DEFAULT_GRAMMAR_FOLDER)) copyFileSync(join(DEFAULT_GRAMMAR_FOLDER, entry), join(grammars, entry))
    writeFileSync(join(grammars, 'tree-sitter-typescript.wasm'), 'not webassembly')
    try {
      const root = tree({ 'a.ts': 'export const a = 1\n', 'b.js': 'export function b() {}\n' })
      const { database } = await latestIndexDatabase()
      const warnings: Array<[string, unknown]> = []
      const logger = { warn: (message: string, fields?: unknown) => void warnings.push([message, fields]) }
      const result = await new Indexer(database, { workers: 0, grammarFolder: grammars, logger }).index(root)
      expect(result.status).toBe('Completed')
      expect(warnings).toEqual([
        ['file indexed as text only', { runId: result.runId, path: 'a.ts', reason: expect.stringMatching(/^the typescript grammar failed to load: /) }],
      ])
      expect(result.files.find((file) => file.path === 'a.ts')).toEqual({
        path: 'a.ts',
        status: 'Indexed',
        reason: expect.stringMatching(/^the typescript grammar failed to load: /),
      })
      expect(rows(database, 'SELECT f.path, d.name FROM definitions d JOIN files f ON f.id = d.file_id')).toEqual([{ path: 'b.js', name: 'b' }])
      expect(rows(database, `SELECT status_reason LIKE 'the typescript grammar failed to load%' AS degraded FROM files WHERE path = 'a.ts'`)).toEqual([{ degraded: 1 }])
    } finally {
      rmSync(grammars, { recursive: true, force: true })
    }
  })
})

describe('a re-run', () => {
  it('over an unchanged tree reads nothing and writes nothing but its own run record', async () => {
    const { root, database, indexer } = await indexed({ 'a.ts': 'export const a = 1\n', 'b/c.ts': 'export class C {}\n' })
    const before = snapshot(database)
    const second = await indexer.index(root)
    expect(second.totals).toEqual({ seen: 2, indexed: 0, unchanged: 2, skipped: 0, failed: 0, removed: 0, bytes: 0 })
    expect(snapshot(database)).toBe(before)
    expect(rows(database, 'SELECT count(*) AS n FROM index_runs')).toEqual([{ n: 2 }])
  })

  it('re-parses a changed file, and only hashes one whose time changed but content did not', async () => {
    const { root, database, indexer } = await indexed({ 'a.ts': 'export const a = 1\n', 'b.ts': 'export const b = 1\n' })
    writeFileSync(join(root, 'a.ts'), 'export const renamed = 1\n')
    utimesSync(join(root, 'b.ts'), new Date(), new Date(Date.now() + 5000))
    const second = await indexer.index(root)
    expect(second.files).toEqual([
      { path: 'a.ts', status: 'Indexed' },
      { path: 'b.ts', status: 'Unchanged' },
    ])
    expect(rows(database, 'SELECT name FROM definitions ORDER BY name')).toEqual([{ name: 'b' }, { name: 'renamed' }])
    const third = await indexer.index(root)
    expect(third.totals.unchanged).toBe(2)
    expect(third.totals.bytes).toBe(0)
  })

  it('removes a deleted file with everything hanging off it', async () => {
    const { root, database, indexer } = await indexed({ 'a.ts': 'export const a = 1\n', 'gone.ts': 'export function gone() {}\n' })
    rmSync(join(root, 'gone.ts'))
    const second = await indexer.index(root)
    expect(second.removed).toEqual(['gone.ts'])
    expect(second.totals.removed).toBe(1)
    expect(rows(database, 'SELECT path FROM files')).toEqual([{ path: 'a.ts' }])
    expect(rows(database, 'SELECT name FROM definitions')).toEqual([{ name: 'a' }])
    expect(matchIds(database, 'search_index', 'gone')).toEqual([])
    ftsIntegrityCheck(database, 'search_index')
    ftsIntegrityCheck(database, 'content_index')
  })

  it('treats a renamed file as one removed and one added, and re-resolves imports that pointed at it', async () => {
    const { root, database, indexer } = await indexed({ 'main.ts': "import { x } from './old'\nimport { y } from './new'\n", 'old.ts': 'export const x = 1\n' })
    expect(rows(database, `SELECT module, resolved_file_id IS NOT NULL AS resolved FROM imports ORDER BY module`)).toEqual([
      { module: './new', resolved: 0 },
      { module: './old', resolved: 1 },
    ])
    renameSync(join(root, 'old.ts'), join(root, 'new.ts'))
    const second = await indexer.index(root)
    expect(second.removed).toEqual(['old.ts'])
    expect(second.files.filter((file) => file.status === 'Indexed')).toEqual([{ path: 'new.ts', status: 'Indexed' }])
    expect(rows(database, `SELECT i.module, r.path AS resolved FROM imports i LEFT JOIN files r ON r.id = i.resolved_file_id ORDER BY module`)).toEqual([
      { module: './new', resolved: 'new.ts' },
      { module: './old', resolved: null },
    ])
  })

  it('resolves many relative imports (read from every path at once) as it resolves a few (looked up one by one)', async () => {
    // 240 files, each importing the one before it and a file that does not exist: 480 unresolved imports.
    const files = Object.fromEntries(
      Array.from({ length: 240 }, (_, index) => [`m${index}.ts`, `import { v${index - 1} } from './m${index - 1}'\nimport { w } from './missing${index}'\nexport const v${index} = ${index}\n`]),
    )
    const { database } = await indexed(files)
    const resolved = rows(
      database,
      `SELECT f.path AS path, r.path AS target FROM imports i JOIN files f ON f.id = i.file_id JOIN files r ON r.id = i.resolved_file_id ORDER BY f.id`,
    )
    expect(resolved).toHaveLength(239)
    expect(resolved).toEqual(Array.from({ length: 239 }, (_, index) => ({ path: `m${index + 1}.ts`, target: `m${index}.ts` })).sort((a, b) => (a.path < b.path ? -1 : 1)))
    expect(rows(database, `SELECT count(*) AS n FROM imports WHERE resolved_file_id IS NULL`)).toEqual([{ n: 241 }])
  })

  it('stores contents again for files indexed while the content index was off, once it is on', async () => {
    const { root, database, indexer } = await indexed({ 'a.ts': 'export const a = 1\n' })
    database.prepare(`UPDATE index_settings SET value = 'off' WHERE key = 'content_index'`).run()
    writeTree(root, { 'b.ts': 'export const b = 2\n' })
    await indexer.index(root)
    expect(rows(database, 'SELECT count(*) AS n FROM file_contents')).toEqual([{ n: 0 }])
    database.prepare(`UPDATE index_settings SET value = 'on' WHERE key = 'content_index'`).run()
    const third = await indexer.index(root)
    expect(third.totals.indexed).toBe(2)
    expect(rows(database, 'SELECT count(*) AS n FROM file_contents')).toEqual([{ n: 2 }])
  })
})

describe('the files a re-run compares against', () => {
  // The indexer keeps the files table between runs and reads again only what it wrote itself. These prove it reads
  // everything again when someone else changed the table: with a stale copy, the file below would count as unchanged.
  const byPath = (files: ReadonlyArray<{ path: string }>) => [...files].sort((a, b) => (a.path < b.path ? -1 : 1))

  async function tamperedWith(change: (database: Database.Database, path: string) => void) {
    const { root, database, indexer, path } = await indexed({ 'a.ts': 'export const a = 1\n', 'b.ts': 'export const b = 2\n' })
    await indexer.index(root)
    change(database, path)
    const third = await indexer.index(root)
    return { database, third }
  }

  it('notices rows deleted by another connection', async () => {
    const { database, third } = await tamperedWith((_, path) => {
      const other = openDatabase(path)
      other.prepare(`DELETE FROM files WHERE path = 'a.ts'`).run()
      other.close()
    })
    expect(byPath(third.files)).toEqual([
      { path: 'a.ts', status: 'Indexed' },
      { path: 'b.ts', status: 'Unchanged' },
    ])
    expect(rows(database, 'SELECT path FROM files ORDER BY path')).toEqual([{ path: 'a.ts' }, { path: 'b.ts' }])
  })

  it('notices rows changed on the same connection, outside the indexer', async () => {
    const { database, third } = await tamperedWith((database) => database.prepare(`UPDATE files SET size = 0 WHERE path = 'b.ts'`).run())
    // b.ts is read again (its size differs from the row's), found unchanged by its hash, and its row put right.
    expect(third.totals).toMatchObject({ indexed: 0, unchanged: 2 })
    expect(rows(database, `SELECT size FROM files WHERE path = 'b.ts'`)).toEqual([{ size: 'export const b = 2\n'.length }])
  })

  it('keeps up with its own writes across runs: added, changed and removed files', async () => {
    const { root, database, indexer } = await indexed({ 'a.ts': 'export const a = 1\n', 'b.ts': 'export const b = 2\n' })
    writeTree(root, { 'c.ts': 'export const c = 3\n', 'a.ts': 'export const a = 10\n' })
    rmSync(join(root, 'b.ts'))
    const second = await indexer.index(root)
    expect(second.totals).toMatchObject({ indexed: 2, unchanged: 0, removed: 1 })
    const third = await indexer.index(root)
    expect(third.totals).toMatchObject({ seen: 2, indexed: 0, unchanged: 2, removed: 0 })
    writeTree(root, { 'b.ts': 'export const b = 2\n' })
    const fourth = await indexer.index(root)
    expect(byPath(fourth.files)).toEqual([
      { path: 'a.ts', status: 'Unchanged' },
      { path: 'b.ts', status: 'Indexed' },
      { path: 'c.ts', status: 'Unchanged' },
    ])
    expect(rows(database, 'SELECT path FROM files ORDER BY path')).toEqual([{ path: 'a.ts' }, { path: 'b.ts' }, { path: 'c.ts' }])
  })
})

describe('user tags', () => {
  it('are kept apart from automatic ones, searchable, and survive a re-index', async () => {
    const { root, database, db, indexer } = await indexed({ 'src/a.ts': 'export const a = 1\n' })
    await setUserTag(db, 'src/a.ts', 'hot-path', 2.5)
    await setUserTag(db, 'src/a.ts', 'typescript', 3)
    writeFileSync(join(root, 'src/a.ts'), 'export const changed = 2\n')
    await indexer.index(root)
    expect(await listUserTags(db)).toEqual([
      { path: 'src/a.ts', tag: 'hot-path', weight: 2.5 },
      { path: 'src/a.ts', tag: 'typescript', weight: 3 },
    ])
    expect(rows(database, 'SELECT tag, source FROM file_tags ORDER BY tag')).toEqual([
      { tag: 'hot-path', source: 'user' },
      { tag: 'src', source: 'auto' },
      { tag: 'typescript', source: 'user' },
    ])
    expect(matchIds(database, 'search_index', 'tags:"hot-path"')).toHaveLength(1)
    expect(await removeUserTag(db, 'src/a.ts', 'hot-path')).toBe(true)
    expect(await removeUserTag(db, 'src/a.ts', 'hot-path')).toBe(false)
    expect(matchIds(database, 'search_index', 'tags:"hot-path"')).toEqual([])
    ftsIntegrityCheck(database, 'search_index')
  })

  it('refuse an unknown file, an empty tag and a negative weight', async () => {
    const { db } = await indexed({ 'a.ts': '' })
    await expect(setUserTag(db, 'missing.ts', 'x')).rejects.toMatchObject({ code: 'FILE_NOT_INDEXED' })
    await expect(setUserTag(db, 'a.ts', ' ')).rejects.toThrow(TypeError)
    await expect(setUserTag(db, 'a.ts', 'x', -1)).rejects.toThrow(RangeError)
  })
})

describe('cancellation and threads', () => {
  it('stops between batches when aborted: what was committed stays, the run says Cancelled', async () => {
    const files: Record<string, string> = {}
    for (let index = 0; index < 30; index++) files[`f${String(index).padStart(2, '0')}.ts`] = `export const v${index} = ${index}\n`
    const root = tree(files)
    const { database } = await latestIndexDatabase()
    const controller = new AbortController()
    const result = await new Indexer(database, { workers: 0 }).index(root, {
      batchSize: 10,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.phase === 'Indexing' && progress.indexed >= 10) controller.abort()
      },
    })
    expect(result.status).toBe('Cancelled')
    expect(result.totals.indexed).toBe(10)
    expect(rows(database, 'SELECT count(*) AS n FROM files')).toEqual([{ n: 10 }])
    expect(rows(database, 'SELECT count(*) AS n FROM definitions')).toEqual([{ n: 10 }])
    expect(rows(database, 'SELECT status FROM index_runs')).toEqual([{ status: 'Cancelled' }])
    ftsIntegrityCheck(database, 'search_index')
    const resumed = await new Indexer(database, { workers: 0 }).index(root)
    expect(resumed.totals).toMatchObject({ indexed: 20, unchanged: 10 })
  })

  it('aborted before any file is read (during the walk, say), removes nothing and says Cancelled', async () => {
    const root = tree({ 'a.ts': 'export const a = 1\n', 'b.ts': 'export const b = 2\n', 'c.ts': 'export const c = 3\n' })
    const { database } = await latestIndexDatabase()
    const indexer = new Indexer(database, { workers: 0 })
    await indexer.index(root)
    rmSync(join(root, 'b.ts'))
    const result = await indexer.index(root, { signal: AbortSignal.abort() })
    expect(result.status).toBe('Cancelled')
    expect(result.removed).toEqual([])
    expect(result.totals).toMatchObject({ indexed: 0, removed: 0 })
    expect(rows(database, 'SELECT path FROM files ORDER BY path')).toEqual([{ path: 'a.ts' }, { path: 'b.ts' }, { path: 'c.ts' }])
    const resumed = await indexer.index(root)
    expect(resumed.removed).toEqual(['b.ts'])
  })

  it('writes a batch once it holds 16 MiB of source, however few files', async () => {
    // 20 text files of 1 MiB each (the default size cap): a batch of 250 files would hold them all.
    const megabyte = `${'word '.repeat(204)}\n`.repeat(1024).padEnd(1024 * 1024, '.')
    const files: Record<string, string> = {}
    for (let index = 0; index < 20; index++) files[`f${String(index).padStart(2, '0')}.txt`] = megabyte
    const root = tree(files)
    const { database } = await latestIndexDatabase()
    const written: number[] = []
    const result = await new Indexer(database, { workers: 0 }).index(root, {
      onProgress: (progress) => {
        if (progress.phase === 'Indexing' && progress.indexed > 0) written.push(progress.indexed)
      },
    })
    expect(result.totals).toMatchObject({ indexed: 20, bytes: 20 * 1024 * 1024 })
    // Progress comes after each batch written: the first after the 16th file.
    expect(written).toEqual([16, 20])
    expect(rows(database, 'SELECT count(*) AS n FROM file_contents')).toEqual([{ n: 20 }])
  })

  it('merges the full-text indexes into one segment each after a large run, and leaves a small run to automerge', async () => {
    const segments = (database: Database.Database) =>
      ['search_index', 'content_index'].map((table) => database.prepare(`SELECT count(DISTINCT segid) AS n FROM ${table}_idx`).pluck().get())
    const files: Record<string, string> = {}
    for (let index = 0; index < 1000; index++) files[`m${String(index).padStart(4, '0')}.txt`] = `file ${index} mentions word${index}\n`
    const root = tree(files)
    const { database } = await latestIndexDatabase()
    const indexer = new Indexer(database, { workers: 0, batchSize: 100 })
    const bulk = await indexer.index(root)
    expect(bulk.totals.indexed).toBe(1000)
    expect(bulk.timings.mergeMs).toBeGreaterThan(0)
    expect(segments(database)).toEqual([1, 1])
    // Five changed files, one transaction each: five new segments per index, under the 1,000-file default.
    for (let index = 0; index < 5; index++) writeFileSync(join(root, `m${String(index).padStart(4, '0')}.txt`), `changed ${index}\n`)
    const small = await indexer.index(root, { batchSize: 1 })
    expect(small.totals.indexed).toBe(5)
    expect(small.timings.mergeMs).toBe(0)
    expect(segments(database)).toEqual([6, 6])
    // Asked for, a small run merges too; the merged indexes answer as before.
    writeFileSync(join(root, 'm0999.txt'), 'changed 999\n')
    const asked = await indexer.index(root, { mergeIndexes: true })
    expect(asked.timings.mergeMs).toBeGreaterThan(0)
    expect(segments(database)).toEqual([1, 1])
    ftsIntegrityCheck(database, 'search_index')
    ftsIntegrityCheck(database, 'content_index')
    expect(substringIds(database, 'mentions word998')).toHaveLength(1)
    expect(substringIds(database, 'changed')).toHaveLength(6)
    expect(matchIds(database, 'search_index', 'm0998')).toHaveLength(1)
    // Told not to, a large run leaves its segments.
    const fresh = await latestIndexDatabase()
    const unmerged = await new Indexer(fresh.database, { workers: 0, batchSize: 250 }).index(root, { mergeIndexes: false })
    expect(unmerged.timings.mergeMs).toBe(0)
    expect(segments(fresh.database)[0]).toBeGreaterThan(1)
  })

  it('leaves a run of 1,000 files to automerge when they are under a quarter of the index', async () => {
    const files: Record<string, string> = {}
    for (let index = 0; index < 4001; index++) files[`q${String(index).padStart(4, '0')}.txt`] = `file ${index}\n`
    const root = tree(files)
    const { database } = await latestIndexDatabase()
    const indexer = new Indexer(database, { workers: 0, batchSize: 500 })
    expect((await indexer.index(root)).timings.mergeMs).toBeGreaterThan(0)
    for (let index = 0; index < 1000; index++) writeFileSync(join(root, `q${String(index).padStart(4, '0')}.txt`), `changed ${index}\n`)
    // 1,000 of 4,001 files: one short of a quarter.
    const changed = await indexer.index(root)
    expect(changed.totals.indexed).toBe(1000)
    expect(changed.timings.mergeMs).toBe(0)
  })

  it("a parse thread's analysis reads back as it was, every time, its bytes transferred: lone surrogates and a leading U+FEFF too", () => {
    const definition = { name: 'f\ud83d', kind: 'function', line: 1, column: 0, endLine: 1, endColumn: 9, exported: true, docstring: null, signature: 'f(\ude00…', decorators: [], parent: null } as const
    const analysis: FileAnalysis = {
      status: 'Indexed',
      path: 'f.ts',
      hash: 'h',
      size: 10,
      lineCount: 1,
      language: 'typescript',
      content: '\ufeffconst x = "\u{1f600}"\n',
      extraction: { definitions: [definition], imports: [{ module: './m', kind: 'import', names: ['a'], line: 1 }], symbols: [] },
      degraded: null,
    }
    const { posted, transfer } = postedAnalysis(analysis)
    expect(transfer).toHaveLength(2)
    const received = receivedAnalysis(structuredClone(posted, { transfer }))
    expect(transfer.map((buffer) => buffer.byteLength)).toEqual([0, 0])
    // Spread: the getters decode.
    expect({ ...received }).toEqual(analysis)
    // And decode again on every read (a transaction retried after SQLITE_BUSY writes the file again), keeping nothing
    // decoded: the rows die with the write that read them.
    if (received.status !== 'Indexed') throw new Error('not indexed')
    expect(received.extraction).toEqual(analysis.extraction)
    expect(received.extraction).not.toBe(received.extraction)
    expect(received.content).toBe(analysis.content)
    const skipped: FileAnalysis = { status: 'Skipped', path: 'b.bin', reason: 'Binary', hash: 'h', size: 3 }
    expect(postedAnalysis(skipped)).toEqual({ posted: skipped, transfer: [] })
    expect(receivedAnalysis(skipped)).toBe(skipped)
  })

  it('worker threads produce the same rows as parsing in this thread', async () => {
    const files = {
      'a.ts': SOURCE,
      'helper.ts': 'export const helper = (x: number) => x\n',
      'c.js': 'const fs = require("fs")\nclass K { m(p) { let q = p } }\n',
      'd.tsx': 'export function View() { return <div /> }\n',
      // A second byte order mark, which the content keeps (the first one is dropped as the file is decoded).
      'e.ts': '\ufeff\ufeffexport const bom = 1\n',
      // A signature cut inside a surrogate pair, and text beyond Latin-1.
      'f.ts': `export function f(a = "x${'\u{1f600}'.repeat(120)}") {}\nexport const grüße = '\u212a'\n`,
    }
    const root = tree(files)
    const single = await latestIndexDatabase()
    const threaded = await latestIndexDatabase()
    await new Indexer(single.database, { workers: 0 }).index(root)
    const result = await new Indexer(threaded.database, { workers: 2, keepThreadsMs: 0 }).index(root)
    expect(result.totals.indexed).toBe(6)
    expect(result.parseThreads).toBe(2)
    expect(threaded.database.prepare(`SELECT unicode(content) FROM file_contents JOIN files ON files.id = file_id WHERE path = 'e.ts'`).pluck().get()).toBe(0xfeff)
    const view = (database: Database.Database) =>
      ['definitions', 'imports', 'symbols', 'search_documents', 'file_contents']
        .map((table) => JSON.stringify(rows(database, `SELECT * FROM ${table} ORDER BY 1`)))
        .join('\n')
        .replace(/"indexed_at":"[^"]+"/g, '')
    expect(view(threaded.database)).toBe(view(single.database))
  })

  it('keeps parse threads up between runs, for a re-run of a few files, until they idle out or the indexer closes', async () => {
    const root = tree({ 'a.ts': 'export const a = 1\n', 'b.py': 'def b():\n    pass\n' })
    const { database } = await latestIndexDatabase()
    const indexer = new Indexer(database, { workers: 2, keepThreadsMs: 150 })
    const touch = (text: string) => writeTree(root, { 'a.ts': `export const a = ${JSON.stringify(text)}\n` })
    try {
      expect((await indexer.index(root)).parseThreads).toBe(2)
      // A few files, with no workers option: the kept threads take them.
      touch('x')
      const kept = await indexer.index(root, { workers: undefined })
      expect([kept.parseThreads, kept.totals.indexed]).toEqual([2, 1])
      await new Promise((resolve) => setTimeout(resolve, 400))
      touch('y')
      const idledOut = await indexer.index(root, { workers: undefined })
      expect([idledOut.parseThreads, idledOut.totals.indexed]).toEqual([0, 1])
      expect((await indexer.index(root, { workers: 2 })).parseThreads).toBe(0) // nothing to read: no threads started
      touch('z')
      expect((await indexer.index(root, { workers: 2 })).parseThreads).toBe(2)
      await indexer.close()
      touch('w')
      const closed = await indexer.index(root, { workers: undefined })
      expect([closed.parseThreads, closed.totals.indexed]).toEqual([0, 1])
      expect(rows(database, `SELECT name FROM definitions ORDER BY name`)).toEqual([{ name: 'a' }, { name: 'b' }])
    } finally {
      await indexer.close()
    }
  })

  it.runIf(process.platform === 'linux')('parse threads run below normal priority; the calling thread keeps its own', async () => {
    const before = new Set(niceThreads())
    const analyzer = createAnalyzer(2)
    try {
      const root = tree({ 'a.ts': 'export const a = 1\n' })
      const result = await analyzer.analyze({ path: 'a.ts', absolutePath: join(root, 'a.ts'), size: 19, previousHash: undefined, maxFileSize: 1024, keepContent: false })
      expect(result.status).toBe('Indexed')
      // Each thread lowers its priority as it starts; the one that parsed nothing may still be starting.
      const added = () => niceThreads().filter((tid) => !before.has(tid))
      await eventually(() => added().length >= 2)
      expect(added()).toHaveLength(2)
      expect(getPriority()).toBe(0)
    } finally {
      await analyzer.close()
    }
  })

  it('refuses options of the wrong type before it reads or writes anything: a string for include removed every file', async () => {
    const { database } = await latestIndexDatabase()
    const root = tree({ 'src/a.ts': 'export const a = 1\n', 'lib/b.ts': 'export const b = 2\n' })
    const indexer = new Indexer(database, { workers: 0 })
    await indexer.index(root)
    const paths = () => database.prepare('SELECT path FROM files ORDER BY path').pluck().all()
    const runs = () => database.prepare('SELECT count(*) FROM index_runs').pluck().get()
    const refusals = [
      [{ include: 'src/**' }, TypeError, 'index: options.include must be an array of globs (non-empty strings)'],
      [{ exclude: [''] }, TypeError, 'index: options.exclude must be an array of globs (non-empty strings)'],
      [{ include: ['**/*a*a*a*a*{b,c}'] }, RangeError, 'index: options.include glob **/*a*a*a*a*{b,c} has more than 4 * beside braces, classes or extglobs'],
      [{ gitignore: 'no' }, TypeError, 'index: options.gitignore must be a boolean'],
      [{ mergeIndexes: 1 }, TypeError, 'index: options.mergeIndexes must be a boolean'],
      [{ workers: -5 }, RangeError, `index: options.workers must be an integer from 0 to ${4 * availableParallelism()} (four per core)`],
      [{ workers: 1.5 }, RangeError, `index: options.workers must be an integer from 0 to ${4 * availableParallelism()} (four per core)`],
      [{ signal: {} }, TypeError, 'index: options.signal must be an AbortSignal'],
      [{ logger: 5 }, TypeError, 'index: options.logger must be an object with info, warn and error methods'],
    ] as const
    for (const [options, type, message] of refusals) {
      await expect(indexer.index(root, options as never)).rejects.toThrow(new type(message))
    }
    await expect(indexer.index('')).rejects.toThrow(new TypeError('index: root must be a folder path'))
    expect(paths()).toEqual(['lib/b.ts', 'src/a.ts'])
    expect(runs()).toBe(1)
  })

  it('refuses a root that is not a folder', async () => {
    const { database } = await latestIndexDatabase()
    const root = tree({ 'file.ts': '' })
    await expect(new Indexer(database).index(join(root, 'file.ts'))).rejects.toThrow(CodeIndexError)
    await expect(new Indexer(database).index(join(root, 'missing'))).rejects.toMatchObject({ code: 'INDEX_ROOT_INVALID' })
  })
})
