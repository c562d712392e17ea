import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'

const isRoot = process.getuid?.() === 0
const folders: string[] = []

afterEach(() => {
  for (const folder of folders.splice(0)) {
    chmodSync(join(folder, '.codeindex'), 0o700)
    rmSync(folder, { recursive: true, force: true })
  }
})

/**
 * The built CLI in a process of its own, as `nobody` when these tests run as root (root reads and writes through mode
 * bits), else as the same user.
 */
function codeindexAsUser(cwd: string, ...args: string[]) {
  return codeindexWith({}, cwd, ...args)
}

function codeindexWith(env: Record<string, string>, cwd: string, ...args: string[]) {
  const main = join(import.meta.dirname, '..', '..', 'dist', 'src', 'bin', 'main.cjs')
  return spawnSync(process.execPath, [main, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CODEINDEX_COMPILE_CACHE: '0', ...env },
    timeout: 60_000,
    ...(isRoot ? { uid: 65534, gid: 65534 } : {}),
  })
}

/** A project indexed by this process's user, its database then made read-only (mode 0444). */
function indexedProject(): { root: string; database: string; folder: string } {
  const root = mkdtempSync(join(tmpdir(), 'codeindex-read-only-'))
  folders.push(root)
  chmodSync(root, 0o755)
  mkdirSync(join(root, 'src'))
  writeFileSync(join(root, 'src', 'hello.ts'), 'export function hello() {}\n')
  const main = join(import.meta.dirname, '..', '..', 'dist', 'src', 'bin', 'main.cjs')
  const built = spawnSync(process.execPath, [main, 'index', '.', '--workers', '0'], { cwd: root, encoding: 'utf8' })
  expect(built.status).toBe(0)
  const folder = join(root, '.codeindex')
  const database = join(folder, 'index.db')
  expect(existsSync(`${database}-wal`)).toBe(false)
  chmodSync(database, 0o444)
  return { root, database, folder }
}

it('a database one may only read: search, doctor, backup and the reading migrate subcommands work, index says READ_ONLY', () => {
  const { root, database, folder } = indexedProject()
  // The folder is writable, so SQLite can create the -shm file it reads a WAL database through.
  chmodSync(folder, 0o777)
  const search = codeindexAsUser(root, 'search', 'hello', '--json')
  expect(search.stderr).toBe('')
  expect(JSON.parse(search.stdout).results.map((result: { path: string }) => result.path)).toEqual(['src/hello.ts'])
  for (const args of [['migrate', 'status'], ['migrate', 'validate'], ['migrate', 'backups']]) {
    const read = codeindexAsUser(root, ...args)
    expect([args, read.stderr, read.status]).toEqual([args, '', 0])
  }
  expect(codeindexAsUser(root, 'migrate', 'status').stdout).toMatch(/^8 of 8 applied$/m)
  // doctor checks a private copy: FTS5's integrity-check writes.
  const doctor = codeindexAsUser(root, 'doctor')
  expect([doctor.status, doctor.stderr]).toEqual([0, `codeindex: ${database} may not be written: checking a copy of it\n`])
  expect(doctor.stdout.split('\n').filter(Boolean)).toEqual([
    'ok    integrity_check',
    'ok    foreign_key_check',
    'ok    search_index integrity-check',
    'ok    content_index integrity-check',
    'ok    migrations',
  ])
  // With nowhere to put the copy, it says so.
  const noTemp = join(root, 'no-temp')
  mkdirSync(noTemp, { mode: 0o555 })
  const noCopy = codeindexWith({ TMPDIR: noTemp }, root, 'doctor')
  chmodSync(noTemp, 0o755)
  expect([noCopy.status, noCopy.stdout]).toEqual([1, ''])
  expect(noCopy.stderr).toMatch(new RegExp(`^codeindex: BACKUP_FAILED: could not make a folder in ${noTemp} for a copy of ${database} to check: EACCES`))
  chmodSync(root, 0o777)
  const backup = codeindexAsUser(root, 'backup', '--out', 'copy.sqlite')
  expect([backup.stderr, backup.stdout]).toEqual(['', `backed up ${database} to ${join(root, 'copy.sqlite')}\n`])
  const index = codeindexAsUser(root, 'index', '.')
  expect(index.status).toBe(1)
  expect(index.stderr).toBe(`codeindex: READ_ONLY: ${database} cannot be written; check its permissions and its folder's\n`)
})

it('a folder one may not write is named as the reason a WAL database cannot be read; one that cannot be entered, too', () => {
  const { root, database, folder } = indexedProject()
  chmodSync(folder, 0o555)
  const search = codeindexAsUser(root, 'search', 'hello')
  expect(search.status).toBe(1)
  expect(search.stderr).toBe(
    `codeindex: READ_ONLY: ${database} cannot be opened: its folder is not writable, and SQLite must create a -shm file beside a WAL database even to read it; make the folder writable\n`,
  )
  chmodSync(folder, 0o000)
  for (const args of [['search', 'hello'], ['migrate', 'status'], ['doctor']]) {
    const refused = codeindexAsUser(root, ...args)
    expect([args, refused.status, refused.stderr]).toEqual([
      args,
      1,
      `codeindex: READ_ONLY: ${database} cannot be opened; check its permissions and its folder's\n`,
    ])
  }
})
