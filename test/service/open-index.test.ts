import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { backupDatabase, decryptBackup, isEncryptedBackup } from '../../src/db/backup-file.js'
import { createIndexMigrator } from '../../src/db/create-index-migrator.js'
import { createKysely } from '../../src/db/create-kysely.js'
import { openDatabase } from '../../src/db/open-database.js'
import { databaseError } from '../../src/errors.js'
import { setUserTag } from '../../src/indexing/user-tags.js'
import { openIndex, type CodeIndex } from '../../src/open-index.js'
import { search } from '../../src/search/search.js'
import { eventually, niceThreads, tree } from '../indexing/indexing-helpers.js'
import { cli } from '../cli/run-cli.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!()
})

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'codeindex-service-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function opened(path: string, options: Partial<Parameters<typeof openIndex>[0]> = {}): Promise<CodeIndex> {
  const index = await openIndex({ path, ...options })
  cleanups.push(() => index.close())
  return index
}


describe('openIndex', () => {
  it.runIf(process.platform === 'linux')('close() stops the parse threads an index run left up', async () => {
    const files = Object.fromEntries(Array.from({ length: 4 }, (_, index) => [`m${index}.ts`, `export const v${index} = ${index}\n`]))
    const before = new Set(niceThreads())
    const index = await opened(join(folder(), 'index.db'))
    const result = await index.index(tree(files), { workers: 2 })
    expect(result.parseThreads).toBe(2)
    const ours = () => niceThreads().filter((tid) => !before.has(tid))
    expect(await eventually(() => ours().length === 2)).toBe(true)
    index.close()
    expect(await eventually(() => ours().length === 0)).toBe(true)
  })

  it('creates the folder and the file (mode 0600), migrates, and indexes and searches through one handle', async () => {
    const dir = folder()
    const path = join(dir, 'nested', 'index.db')
    const index = await opened(path)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(index.database.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(index.database.pragma('foreign_keys', { simple: true })).toBe(1)
    const root = tree({ 'src/widget.ts': 'export class Widget {}\n' })
    expect((await index.index(root, { workers: 0 })).totals.indexed).toBe(1)
    expect((await index.search('Widget')).results.map((result) => result.path)).toEqual(['src/widget.ts'])
    // The writing connection reads through system calls; a read-only one maps the file (SQLite's 2 GiB ceiling).
    expect(index.database.pragma('mmap_size', { simple: true })).toBe(0)
    const reader = openDatabase(path, { readonly: true })
    expect(reader.pragma('mmap_size', { simple: true })).toBe(0x7fff0000)
    expect((await search(createKysely(reader), 'Widget')).results.map((result) => result.path)).toEqual(['src/widget.ts'])
    reader.close()
    index.close()
    index.close()
  })

  it('with readers, concurrent searches run in worker threads and answer exactly as in this thread', async () => {
    const path = join(folder(), 'index.db')
    const writer = await opened(path)
    await writer.index(tree({ 'a.ts': 'export class Alpha {}\n', 'b.ts': 'export class Beta {}\n', 'c.py': 'def alpha_beta():\n    pass\n' }), {
      workers: 0,
    })
    const pooled = await opened(path, { readers: 2 })
    const queries = ['Alpha', 'Beta', 'alpha beta', 'lang:py', 'def:Beta']
    const threaded = await Promise.all(queries.map((query) => pooled.search(query)))
    const local = await Promise.all(queries.map((query) => writer.search(query)))
    expect(threaded.map((set) => set.results)).toEqual(local.map((set) => set.results))
    await expect(pooled.search('kind:')).rejects.toMatchObject({ name: 'SearchError', code: 'SEARCH_QUERY_INVALID', position: 0 })
    await expect(pooled.search('x', { limit: 0 })).rejects.toThrow(RangeError)
  })

  it('vacuum() shrinks the file under readers that map it, and their searches go on answering', async () => {
    const body = (i: number) => `export function shrinkable${i}() { return '${'x'.repeat(2000)}' }\n`
    const files = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [i % 2 === 0 ? `drop/f${i}.ts` : `keep/f${i}.ts`, body(i)]))
    const index = await opened(join(folder(), 'index.db'), { readers: 2 })
    await index.index(tree(files), { workers: 0 })
    index.database.exec(`DELETE FROM files WHERE path LIKE 'drop/%'`)
    index.database.pragma('wal_checkpoint(TRUNCATE)')
    const pages = index.database.pragma('page_count', { simple: true }) as number
    let searching = true
    const answers: Array<[number, string[]]> = []
    const searches = (async () => {
      for (let i = 1; searching; i = (i + 2) % 300) answers.push([i, (await index.search(`def:shrinkable${i}`)).results.map((result) => result.path)])
    })()
    await eventually(() => answers.length > 5)
    index.vacuum()
    index.database.pragma('wal_checkpoint(TRUNCATE)')
    expect(index.database.pragma('page_count', { simple: true })).toBeLessThan(pages / 1.5)
    const before = answers.length
    await eventually(() => answers.length > before + 5)
    searching = false
    await searches
    // Each search found its kept file, before the vacuum and after it.
    expect(answers.filter(([i, paths]) => paths.join() !== `keep/f${i}.ts`)).toEqual([])
  })

  it('logs each search through the logger: its figures at debug, a refused query at debug, a failure at error', async () => {
    const lines: Array<[string, string, unknown]> = []
    const logger = Object.fromEntries(
      ['debug', 'info', 'warn', 'error'].map((level) => [level, (message: string, fields?: unknown) => lines.push([level, message, fields])]),
    )
    const path = join(folder(), 'index.db')
    const index = await opened(path, { logger })
    await index.index(tree({ 'a.ts': 'export class Alpha {}\n', 'b.ts': 'export const b = new Alpha()\n' }), { workers: 0 })
    lines.length = 0
    await index.search('Alpha', { limit: 1 })
    await expect(index.search('kind:')).rejects.toMatchObject({ code: 'SEARCH_QUERY_INVALID' })
    const long = 'x'.repeat(300)
    await index.search(long)
    index.database.close()
    await expect(index.search('Alpha')).rejects.toThrow()
    expect(lines.map(([level, message, fields]) => [level, message, { ...(fields as object), durationMs: 0 }])).toEqual([
      ['debug', 'search', { query: 'Alpha', results: 1, total: 1, durationMs: 0 }],
      ['debug', 'search refused: kind: needs a value, e.g. kind:function', { query: 'kind:', code: 'SEARCH_QUERY_INVALID', position: 0, durationMs: 0 }],
      ['debug', 'search', { query: `${'x'.repeat(200)}…`, results: 0, total: 0, durationMs: 0 }],
      ['error', 'search failed: The database connection is not open', { query: 'Alpha', durationMs: 0 }],
    ])
  })

  it('a reader pool fails each search with the cause, and never hangs, on a file it cannot read or open', async () => {
    const dir = folder()
    const { ReaderPool } = await import('../../src/search/reader-pool.js')
    const errors: string[] = []
    const logger = { error: (message: string) => errors.push(message) }
    writeFileSync(join(dir, 'text.db'), 'not a database, just text\n'.repeat(100))
    const foreign = new ReaderPool({ path: join(dir, 'text.db'), size: 2, logger })
    cleanups.push(() => void foreign.close())
    // Named by its path: a read-only connection reads the file's header as it opens.
    const notADatabase = `${join(dir, 'text.db')} is not a SQLite database; move it away or pass another --db`
    await expect(foreign.search('Alpha')).rejects.toMatchObject({ name: 'CodeIndexError', code: 'NOT_A_DATABASE', message: notADatabase })
    // No file at all: each reader fails as it starts, and stays down rather than restarting in a loop.
    const missing = new ReaderPool({ path: join(dir, 'missing.db'), size: 2, logger })
    cleanups.push(() => void missing.close())
    const noDatabase = `there is no database at ${join(dir, 'missing.db')}`
    await expect(missing.search('Alpha')).rejects.toThrow(noDatabase)
    await expect(missing.search('Alpha')).rejects.toThrow(noDatabase)
    await expect(missing.search('Beta')).rejects.toThrow(noDatabase)
    expect(errors.sort()).toEqual([
      `search reader 0 failed to start: ${notADatabase}`,
      `search reader 0 failed to start: ${noDatabase}`,
      `search reader 1 failed to start: ${notADatabase}`,
      `search reader 1 failed to start: ${noDatabase}`,
    ])
  })

  it('check() passes on a sound index and names each check', async () => {
    const index = await opened(join(folder(), 'index.db'))
    const report = await index.check()
    expect(report.ok).toBe(true)
    expect(report.checks.map((check) => [check.name, check.ok])).toEqual([
      ['integrity_check', true],
      ['foreign_key_check', true],
      ['search_index integrity-check', true],
      ['content_index integrity-check', true],
      ['migrations', true],
    ])
  })

  it('a text file named index.db gives NOT_A_DATABASE and is left as it was', async () => {
    const path = join(folder(), 'index.db')
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(200))
    await expect(openIndex({ path })).rejects.toMatchObject({ code: 'NOT_A_DATABASE' })
    expect(readFileSync(path, 'utf8')).toBe('these are my notes, not a database\n'.repeat(200))
  })

  it('with onCorrupt: rebuild, moves the unreadable file aside and opens an empty index', async () => {
    const dir = folder()
    const path = join(dir, 'index.db')
    writeFileSync(path, 'garbage'.repeat(1000))
    const index = await opened(path, { onCorrupt: 'rebuild' })
    expect((await index.check()).ok).toBe(true)
    const aside = readdirSync(dir).filter((name) => name.startsWith('index.db.corrupt-'))
    expect(aside).toHaveLength(1)
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe('garbage'.repeat(1000))
  })

  it('a rebuild keeps the user tags it can still read, and puts them back once their files are indexed', async () => {
    const dir = folder()
    const path = join(dir, 'index.db')
    const root = tree({ 'src/a.ts': 'export const a = 1\n', 'src/b.ts': 'export const b = 2\n' })
    const first = await openIndex({ path })
    await first.index(root, { workers: 0 })
    await setUserTag(first.db, 'src/b.ts', 'keep-me', 3)
    const { rootpage } = first.database.prepare(`SELECT rootpage FROM sqlite_schema WHERE name = 'kysely_migration'`).get() as { rootpage: number }
    const pageSize = first.database.pragma('page_size', { simple: true }) as number
    first.database.pragma('wal_checkpoint(TRUNCATE)')
    first.close()
    // Damage only the migrations' bookkeeping: the index cannot be trusted, the tags can still be read.
    const fd = openSync(path, 'r+')
    writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (rootpage - 1) * pageSize)
    closeSync(fd)
    await expect(openIndex({ path })).rejects.toMatchObject({ code: 'DATABASE_CORRUPT' })
    const rebuilt = await opened(path, { onCorrupt: 'rebuild' })
    expect(rebuilt.pendingUserTags()).toEqual([{ path: 'src/b.ts', tag: 'keep-me', weight: 3 }])
    await rebuilt.index(root, { workers: 0 })
    expect(rebuilt.pendingUserTags()).toEqual([])
    expect(await rebuilt.userTags()).toEqual([{ path: 'src/b.ts', tag: 'keep-me', weight: 3 }])
  })

  it.each([
    ['bytes overwritten in its middle', (path: string, size: number) => {
      const fd = openSync(path, 'r+')
      writeSync(fd, Buffer.alloc(size / 2, 0xa5), 0, size / 2, size / 4)
      closeSync(fd)
    }],
    ['a file cut in half', (path: string, size: number) => truncateSync(path, size / 2)],
  ])('%s gives DATABASE_CORRUPT and the file is left as it was', async (_, damage) => {
    const dir = folder()
    const path = join(dir, 'index.db')
    const index = await opened(path)
    await index.index(tree(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}.ts`, `export const v${i} = ${i}\n`.repeat(30)]))), { workers: 0 })
    index.database.pragma('wal_checkpoint(TRUNCATE)')
    index.close()
    damage(path, statSync(path).size)
    const damaged = readFileSync(path)
    await expect(openIndex({ path })).rejects.toMatchObject({ code: 'DATABASE_CORRUPT' })
    expect(readFileSync(path).equals(damaged)).toBe(true)
    expect(readdirSync(dir).filter((name) => name.startsWith('index.db')).sort()).toEqual(['index.db'])
  })

  it('a database migrated by a newer codeindex gives SCHEMA_TOO_NEW and is not touched', async () => {
    const path = join(folder(), 'index.db')
    ;(await opened(path)).close()
    const raw = new Database(path)
    raw.prepare(`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', '2030-01-01T00:00:00.000Z')`).run()
    raw.close()
    await expect(openIndex({ path })).rejects.toMatchObject({ code: 'SCHEMA_TOO_NEW' })
    const after = new Database(path, { readonly: true })
    expect(after.prepare(`SELECT count(*) AS n FROM kysely_migration WHERE name = '9999_from_the_future'`).get()).toEqual({ n: 1 })
    after.close()
  })

  it('after close(), which may be called again, each method says DATABASE_CLOSED', async () => {
    const path = join(folder(), 'index.db')
    const index = await openIndex({ path })
    index.close()
    index.close()
    const closed = { name: 'CodeIndexError', code: 'DATABASE_CLOSED', message: `the index ${path} was closed; open it again with openIndex` }
    await expect(index.search('x')).rejects.toMatchObject(closed)
    await expect(index.index(folder())).rejects.toMatchObject(closed)
    await expect(index.check()).rejects.toMatchObject(closed)
    await expect(index.userTags()).rejects.toMatchObject(closed)
    expect(() => index.optimize()).toThrow(expect.objectContaining(closed))
    expect(() => index.vacuum()).toThrow(expect.objectContaining(closed))
  })

  it('refuses options out of range or of the wrong type, opening nothing', async () => {
    const path = join(folder(), 'index.db')
    const most = 4 * availableParallelism()
    await expect(openIndex({ path, readers: 100_000 })).rejects.toThrow(new RangeError(`openIndex: options.readers must be an integer from 0 to ${most} (four per core)`))
    await expect(openIndex({ path, readers: -1 })).rejects.toThrow(RangeError)
    await expect(openIndex({ path, onCorrupt: 'x' as never })).rejects.toThrow(new TypeError(`openIndex: options.onCorrupt must be 'error' or 'rebuild'`))
    await expect(openIndex({ path, migrate: 'no' as never })).rejects.toThrow(new TypeError('openIndex: options.migrate must be a boolean'))
    expect(existsSync(path)).toBe(false)
  })

  it('a read-only file gives READ_ONLY', async (context) => {
    const dir = folder()
    const path = join(dir, 'index.db')
    ;(await opened(path)).close()
    if (process.getuid?.() === 0) {
      // Root writes through any mode bits, but not into an immutable file (ext4 and most Linux file systems).
      try {
        execFileSync('chattr', ['+i', path, dir], { stdio: 'ignore' })
      } catch {
        context.skip('running as root on a file system without chattr +i')
      }
      cleanups.push(() => execFileSync('chattr', ['-i', path, dir]))
    } else {
      chmodSync(path, 0o400)
      chmodSync(dir, 0o500)
      cleanups.push(() => chmodSync(dir, 0o700))
    }
    await expect(openIndex({ path })).rejects.toMatchObject({ code: 'READ_ONLY' })
  })
})

describe('databaseError', () => {
  it("maps SQLite's and the file system's codes to the typed errors a user can act on", () => {
    const typed = (code: string) => databaseError(Object.assign(new Error(code), { code }), '/x/index.db')?.code
    expect(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CORRUPT_VTAB', 'SQLITE_READONLY', 'SQLITE_READONLY_DIRECTORY', 'SQLITE_CANTOPEN', 'EACCES', 'EPERM', 'SQLITE_FULL', 'ENOSPC', 'SQLITE_BUSY'].map(typed)).toEqual([
      'NOT_A_DATABASE',
      'DATABASE_CORRUPT',
      'DATABASE_CORRUPT',
      'READ_ONLY',
      'READ_ONLY',
      'READ_ONLY',
      'READ_ONLY',
      'READ_ONLY',
      'DISK_FULL',
      'DISK_FULL',
      undefined,
    ])
  })

  it('a write that fills the disk (max_page_count) fails with DISK_FULL and the previous index stays intact', async () => {
    const dir = folder()
    const index = await opened(join(dir, 'index.db'))
    const root = tree({ 'a.ts': 'export const a = 1\n' })
    await index.index(root, { workers: 0 })
    const pages = index.database.pragma('page_count', { simple: true }) as number
    index.database.pragma(`max_page_count = ${pages + 2}`)
    const big: Record<string, string> = {}
    for (let i = 0; i < 50; i++) big[`big${i}.ts`] = `export const v${i} = '${'x'.repeat(20_000)}'\n`
    const grown = tree({ ...big, 'a.ts': 'export const a = 1\n' })
    const result = await index.index(grown, { workers: 0 })
    expect(result.status).toBe('Failed')
    expect(result.error?.code).toBe('DISK_FULL')
    index.database.pragma('max_page_count = 1073741823')
    expect(index.database.prepare('SELECT path FROM files').all()).toEqual([{ path: 'a.ts' }])
    expect((await index.check()).ok).toBe(true)
  })

  it('a merge of the full-text indexes that fills the disk is logged; the run completes with its rows intact', async () => {
    const dir = folder()
    const warnings: string[] = []
    const index = await opened(join(dir, 'index.db'))
    const files: Record<string, string> = {}
    for (let i = 0; i < 20; i++) files[`f${i}.ts`] = `export const value${i} = ${i}\n${Array.from({ length: 400 }, (_, j) => `// note ${i * 1000 + j}\n`).join('')}`
    const result = await index.index(tree(files), {
      workers: 0,
      batchSize: 1,
      mergeIndexes: true,
      logger: { warn: (message) => warnings.push(message) },
      // Once every file is written, the file may not grow: merging writes the merged segments before freeing the old.
      onProgress: (progress) => {
        if (progress.phase === 'Finishing') index.database.pragma(`max_page_count = ${index.database.pragma('page_count', { simple: true }) as number}`)
      },
    })
    index.database.pragma('max_page_count = 1073741823')
    expect(result.status).toBe('Completed')
    expect(result.totals.indexed).toBe(20)
    expect(warnings).toEqual(['merging the full-text indexes failed; they stay as they are'])
    // Still the segments the run's twenty transactions left (after FTS5's automerge), not one.
    expect(index.database.prepare('SELECT count(DISTINCT segid) AS n FROM search_index_idx').pluck().get()).toBeGreaterThan(1)
    expect((await index.check()).ok).toBe(true)
    expect((await index.search('value7')).results.map((entry) => entry.path)).toEqual(['f7.ts'])
  })
})

describe('backups', () => {
  it('an encrypted backup restores the same rows, and a changed byte is detected', async () => {
    const dir = folder()
    const index = await opened(join(dir, 'index.db'))
    await index.index(tree({ 'a.ts': 'export const a = 1\n' }), { workers: 0 })
    const out = join(dir, 'index.backup')
    await backupDatabase(index.database, out, { key: 'correct horse battery staple' })
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(isEncryptedBackup(out)).toBe(true)
    expect(readFileSync(out).includes(Buffer.from('export const a'))).toBe(false)
    const plain = join(dir, 'plain.db')
    decryptBackup(out, plain, 'correct horse battery staple')
    const copy = new Database(plain, { readonly: true })
    expect(copy.prepare('SELECT path FROM files').all()).toEqual([{ path: 'a.ts' }])
    copy.close()
    expect(() => decryptBackup(out, join(dir, 'wrong.db'), 'the wrong key, sadly')).toThrow(expect.objectContaining({ code: 'BACKUP_INVALID' }))
    const bytes = readFileSync(out)
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff
    writeFileSync(out, bytes)
    expect(() => decryptBackup(out, join(dir, 'tampered.db'), 'correct horse battery staple')).toThrow(
      expect.objectContaining({ code: 'BACKUP_INVALID' }),
    )
    expect(existsSync(join(dir, 'tampered.db'))).toBe(false)
  })

  it('codeindex backup --key-env and restore --key-env round-trip through the CLI; doctor passes', async () => {
    const dir = folder()
    const root = tree({ 'src/a.ts': 'export const a = 1\n', 'src/b.ts': 'export const b = 2\n' })
    const db = join(dir, 'index.db')
    expect((await cli(root, '--db', db, 'index', '--workers', '0')).code).toBe(0)
    process.env.CODEINDEX_TEST_KEY = 'a long enough secret'
    cleanups.push(() => delete process.env.CODEINDEX_TEST_KEY)
    const backup = await cli(dir, '--db', db, 'backup', '--out', 'snap.backup', '--key-env', 'CODEINDEX_TEST_KEY')
    expect(backup).toEqual({ code: 0, stdout: `backed up ${db} to ${join(dir, 'snap.backup')} (encrypted)\n`, stderr: '' })
    const live = new Database(db)
    live.prepare(`DELETE FROM files WHERE path = 'src/b.ts'`).run()
    live.close()
    const refused = await cli(dir, '--db', db, 'restore', 'snap.backup')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toBe(`codeindex: BACKUP_INVALID: ${join(dir, 'snap.backup')} is encrypted; pass --key-env with its key\n`)
    expect((await cli(dir, '--db', db, 'restore', 'snap.backup', '--key-env', 'CODEINDEX_TEST_KEY')).code).toBe(0)
    const restored = new Database(db, { readonly: true })
    expect(restored.prepare('SELECT path FROM files ORDER BY path').all()).toEqual([{ path: 'src/a.ts' }, { path: 'src/b.ts' }])
    restored.close()
    const doctor = await cli(dir, '--db', db, 'doctor')
    expect(doctor.code).toBe(0)
    expect(doctor.stdout.split('\n').filter(Boolean)).toEqual([
      'ok    integrity_check',
      'ok    foreign_key_check',
      'ok    search_index integrity-check',
      'ok    content_index integrity-check',
      'ok    migrations',
    ])
    expect(await cli(dir, '--db', db, 'optimize')).toEqual({ code: 0, stdout: 'optimized\n', stderr: '' })
  })

  it('doctor, optimize and backup refuse a missing index with FILE_NOT_INDEXED, creating nothing', async () => {
    const dir = folder()
    const db = join(dir, 'nothing', 'index.db')
    for (const command of [['doctor'], ['optimize'], ['backup', '--out', 'snap.backup']]) {
      expect(await cli(dir, '--db', db, ...command)).toEqual({
        code: 1,
        stdout: '',
        stderr: `codeindex: FILE_NOT_INDEXED: there is no index at ${db}; run \`codeindex index\` first\n`,
      })
    }
    expect(readdirSync(dir)).toEqual([])
  })

  it('doctor reports pending migrations and leaves them pending; backup copies the file as it is', async () => {
    const dir = folder()
    const db = join(dir, 'index.db')
    const database = openDatabase(db)
    const migrator = createIndexMigrator(database, { db: createKysely(database), backupFolder: false })
    const { error } = await migrator.migrateTo('0005_leaner_writes')
    expect(error).toBeUndefined()
    const pending = (await migrator.status()).filter((status) => status.state === 'Pending').length
    expect(pending).toBeGreaterThan(0)
    database.close()

    const doctor = await cli(dir, '--db', db, 'doctor')
    expect(doctor.code).toBe(1)
    expect(doctor.stdout.split('\n').filter(Boolean).at(-1)).toBe(`FAIL  migrations: ${pending} pending`)
    expect(await cli(dir, '--db', db, 'backup', '--out', 'snap.backup')).toMatchObject({ code: 0 })
    for (const file of [db, join(dir, 'snap.backup')]) {
      const copy = new Database(file, { readonly: true })
      expect(copy.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all().at(-1)).toBe('0005_leaner_writes')
      copy.close()
    }
    // No migration ran, so none backed the file up first.
    expect(existsSync(join(dir, 'backups'))).toBe(false)
  })
})
