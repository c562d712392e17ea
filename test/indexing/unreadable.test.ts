import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { Indexer } from '../../src/indexing/indexer.js'
import { walkTree } from '../../src/indexing/walk-tree.js'
import { latestIndexDatabase } from '../schema/schema-helpers.js'
import { writeTree } from './indexing-helpers.js'

/**
 * Root reads through any mode bits, so `chmod 000` makes nothing unreadable for it. A path of PATH_MAX (4096) bytes or
 * more cannot be listed by anyone: the tests below that must hold for root too make a folder unreadable that way, by
 * renaming an ancestor of the indexed root to a longer name between two runs.
 */
const PATH_MAX = 4096
const isRoot = process.getuid?.() === 0
/** Renaming `p` to this adds 254 characters to every path under it. */
const LONG_NAME = 'p'.repeat(255)
const GROWTH = LONG_NAME.length - 1
const SEGMENT = 'd'.repeat(100)

const cleanups: Array<() => void> = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!()
})

const paths = (database: Database.Database) =>
  (database.prepare('SELECT path FROM files ORDER BY path').all() as Array<{ path: string }>).map((row) => row.path)
const runCount = (database: Database.Database) => (database.prepare('SELECT count(*) AS n FROM index_runs').get() as { n: number }).n

/**
 * A folder `base/p/r2` holding `files`, and `grow()`, which renames `p` to {@link LONG_NAME} and returns the root's new
 * path. Before `grow()`, the cleanup renames it back: removing a tree deeper than PATH_MAX fails.
 */
function growableTree(files: Readonly<Record<string, string>>) {
  const base = mkdtempSync(join(tmpdir(), 'codeindex-unreadable-'))
  let grown = false
  cleanups.push(() => {
    if (grown) renameSync(join(base, LONG_NAME), join(base, 'p'))
    rmSync(base, { recursive: true, force: true })
  })
  const root = join(base, 'p', 'r2')
  writeTree(root, files)
  const grow = () => {
    renameSync(join(base, 'p'), join(base, LONG_NAME))
    grown = true
    return join(base, LONG_NAME, 'r2')
  }
  return { root, grow }
}

/** `prefix` and folders under it, such that `root/<folder>` is `length` characters long once the root has grown. */
function folderOfLength(root: string, prefix: string, length: number): string {
  let folder = prefix
  let needed = length - GROWTH - join(root, prefix).length
  while (needed > 200) {
    folder += `/${SEGMENT}`
    needed -= SEGMENT.length + 1
  }
  // Two more folders of at least 49 characters each make up the rest exactly.
  const half = Math.floor(needed / 2)
  return `${folder}/${'e'.repeat(half - 1)}/${'f'.repeat(needed - half - 1)}`
}

/** A temporary folder holding `files`, made unreadable by `chmod 000` (undone before it is removed). */
function chmodTree(files: Readonly<Record<string, string>>) {
  const root = mkdtempSync(join(tmpdir(), 'codeindex-unreadable-'))
  const locked: string[] = []
  cleanups.push(() => {
    for (const folder of locked) chmodSync(folder, 0o700)
    rmSync(root, { recursive: true, force: true })
  })
  writeTree(root, files)
  const lock = (folder: string) => {
    chmodSync(folder, 0o000)
    locked.push(folder)
  }
  return { root, lock }
}

describe('a subfolder that cannot be listed', () => {
  it('keeps the files indexed under it, reports it, and still removes files that are gone elsewhere', async () => {
    const files = { 'a.ts': 'export const a = 1\n', 'gone.ts': 'export const g = 1\n', 'sub/c.py': 'c = 1\n' }
    const { root, grow } = growableTree(files)
    const deep = folderOfLength(root, 'sub', PATH_MAX + 4)
    writeTree(root, { [`${deep}/b.py`]: 'b = 1\n' })
    const { database } = await latestIndexDatabase()
    const warnings: Array<[string, unknown]> = []
    const logger = { warn: (message: string, fields?: unknown) => void warnings.push([message, fields]) }
    const indexer = new Indexer(database, { workers: 0, logger })
    expect((await indexer.index(root)).totals.indexed).toBe(4)

    const grown = grow()
    unlinkSync(join(grown, 'gone.ts'))
    unlinkSync(join(grown, 'sub', 'c.py'))
    const second = await indexer.index(grown)

    expect(second.status).toBe('Completed')
    expect(second.unreadableFolders).toEqual([deep])
    expect(second.removed).toEqual(['gone.ts', 'sub/c.py'])
    expect(second.totals).toMatchObject({ seen: 1, unchanged: 1, indexed: 0, removed: 2 })
    expect(paths(database)).toEqual(['a.ts', `${deep}/b.py`])
    expect(warnings).toEqual([
      [
        'folder cannot be read (ENAMETOOLONG); the files indexed under it stay as they are',
        { runId: second.runId, path: deep, code: 'ENAMETOOLONG' },
      ],
    ])
  })

  it('keeps the files of a folder whose entries cannot be looked at, and indexes the ones that can', async () => {
    const { root, grow } = growableTree({ 'a.ts': 'export const a = 1\n' })
    // The folder stays listable after the root grows, and c.py in it too; a 46-character name goes past PATH_MAX.
    const folder = folderOfLength(root, 'sub', PATH_MAX - 46)
    const long = `${'b'.repeat(43)}.py`
    writeTree(root, { [`${folder}/${long}`]: 'b = 1\n', [`${folder}/c.py`]: 'c = 1\n' })
    const { database } = await latestIndexDatabase()
    const indexer = new Indexer(database, { workers: 0 })
    expect((await indexer.index(root)).totals.indexed).toBe(3)

    const second = await indexer.index(grow())

    expect(second.unreadableFolders).toEqual([folder])
    expect(second.removed).toEqual([])
    expect(second.totals).toMatchObject({ seen: 2, unchanged: 2, removed: 0 })
    expect(paths(database)).toEqual(['a.ts', `${folder}/${long}`, `${folder}/c.py`])
  })

  it('is listed by the walk with its error code, apart from the files it could list', () => {
    const { root, grow } = growableTree({ 'a.ts': '' })
    const deep = folderOfLength(root, 'sub', PATH_MAX + 4)
    writeTree(root, { [`${deep}/b.py`]: '' })
    const result = walkTree(grow())
    expect(result.files.map((file) => file.path)).toEqual(['a.ts'])
    expect(result.unreadableFolders).toEqual([{ path: deep, code: 'ENAMETOOLONG' }])
  })
})

describe('a root that cannot be read', () => {
  it('throws INDEX_ROOT_INVALID and writes nothing, keeping what the index holds', async () => {
    const { root, grow } = growableTree({ 'a.ts': 'export const a = 1\n' })
    // Deep enough that the grown root itself is past PATH_MAX.
    const inner = folderOfLength(root, 'inner', PATH_MAX + 4)
    writeTree(root, { [`${inner}/b.ts`]: 'export const b = 1\n' })
    const { database } = await latestIndexDatabase()
    const indexer = new Indexer(database, { workers: 0 })
    await indexer.index(join(root, inner))
    expect(paths(database)).toEqual(['b.ts'])

    const grown = join(grow(), inner)
    const failure = indexer.index(grown)

    await expect(failure).rejects.toMatchObject({
      name: 'CodeIndexError',
      code: 'INDEX_ROOT_INVALID',
      message: `cannot index ${grown}: it cannot be read (ENAMETOOLONG)`,
    })
    expect(paths(database)).toEqual(['b.ts'])
    expect(runCount(database)).toBe(1)
  })
})

/**
 * The built CLI in a process of its own, as `nobody` when these tests run as root (root reads through mode bits, so a
 * folder at mode 000 is unreadable only to someone else), else as the same user.
 */
function codeindexAsUser(cwd: string, ...args: string[]) {
  const main = join(import.meta.dirname, '..', '..', 'dist', 'src', 'bin', 'main.cjs')
  return spawnSync(process.execPath, [main, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CODEINDEX_COMPILE_CACHE: '0' },
    timeout: 60_000,
    ...(isRoot ? { uid: 65534, gid: 65534 } : {}),
  })
}

describe('folders at mode 000, through the CLI run by another user', () => {
  it('a subfolder keeps its indexed files and is named; an unreadable root is INDEX_ROOT_INVALID, writing nothing', () => {
    const { root, lock } = chmodTree({ 'tree/a.ts': 'export const a = 1\n', 'tree/sub/b.py': 'b = 1\n' })
    // The other user works in the temporary folder: it must be able to enter it and write the database there.
    chmodSync(root, 0o777)
    chmodSync(join(root, 'tree'), 0o755)
    chmodSync(join(root, 'tree', 'sub'), 0o755)
    const tree = join(root, 'tree')
    const db = join(root, 'index.db')
    const first = codeindexAsUser(root, '--db', db, 'index', 'tree', '--workers', '0')
    expect(first.stderr).toBe('')
    expect(first.status).toBe(0)

    lock(join(tree, 'sub'))
    const second = codeindexAsUser(root, '--db', db, 'index', 'tree', '--workers', '0')
    expect(second.status).toBe(0)
    expect(second.stderr).toBe('unreadable: sub/ (the files indexed under it were kept)\n')
    expect(second.stdout).toMatch(/ 0 removed -> /)
    const kept = new Database(db, { readonly: true })
    expect(kept.prepare('SELECT path FROM files ORDER BY path').pluck().all()).toEqual(['a.ts', 'sub/b.py'])
    expect(kept.prepare('SELECT count(*) FROM index_runs').pluck().get()).toBe(2)
    kept.close()

    lock(tree)
    const size = statSync(db).size
    const third = codeindexAsUser(root, '--db', db, 'index', 'tree', '--workers', '0')
    expect(third.status).toBe(1)
    expect(third.stderr).toBe(`codeindex: INDEX_ROOT_INVALID: cannot index ${tree}: it cannot be read (EACCES)\n`)
    expect(statSync(db).size).toBe(size)

    const fresh = join(root, 'fresh.db')
    const refused = codeindexAsUser(root, '--db', fresh, 'index', 'tree')
    expect(refused.status).toBe(1)
    expect(existsSync(fresh)).toBe(false)
  })
})
