import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { backupDatabase, decryptBackup } from '../../src/db/backup-file.js'
import { openIndex } from '../../src/open-index.js'
import { tree } from '../indexing/indexing-helpers.js'
import { cli } from './run-cli.js'

const cleanups: Array<() => void> = []
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!()
})

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'codeindex-backup-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A folder holding `index.db`, an index of two files, closed (no -wal or -shm left). */
async function indexed(): Promise<{ dir: string; db: string }> {
  const dir = folder()
  const db = join(dir, 'index.db')
  const index = await openIndex({ path: db })
  try {
    const result = await index.index(tree({ 'src/a.ts': 'export const a = 1\n', 'src/b.ts': 'export const b = 2\n' }), { workers: 0 })
    expect(result.status).toBe('Completed')
  } finally {
    index.close()
  }
  return { dir, db }
}

// Read-write connections that only read: a read-only one leaves -wal and -shm beside a WAL-mode file.
function paths(db: string): string[] {
  const database = new Database(db)
  try {
    return database.prepare('SELECT path FROM files ORDER BY path').pluck().all() as string[]
  } finally {
    database.close()
  }
}

function lastMigration(db: string): string {
  const database = new Database(db)
  try {
    return database.prepare('SELECT max(name) FROM kysely_migration').pluck().get() as string
  } finally {
    database.close()
  }
}

function removeFile(db: string, path: string): void {
  const database = new Database(db)
  try {
    database.prepare('DELETE FROM files WHERE path = ?').run(path)
  } finally {
    database.close()
  }
}

describe('codeindex backup', () => {
  it('refuses an --out that is the database itself and leaves the database as it was', async () => {
    const { dir, db } = await indexed()
    const before = readFileSync(db)
    expect(await cli(dir, '--db', db, 'backup', '--out', 'index.db')).toEqual({
      code: 1,
      stdout: '',
      stderr: `codeindex: BACKUP_FAILED: ${db} is the database ${db}; choose another path for the backup\n`,
    })
    expect(readFileSync(db).equals(before)).toBe(true)
    expect(paths(db)).toEqual(['src/a.ts', 'src/b.ts'])
    expect(readdirSync(dir)).toEqual(['index.db'])
  })

  it('refuses an --out that is a symbolic link to the database, writing nothing through it', async () => {
    const { dir, db } = await indexed()
    const link = join(dir, 'snap.backup')
    symlinkSync(db, link)
    const before = readFileSync(db)
    expect(await cli(dir, '--db', db, 'backup', '--out', 'snap.backup')).toEqual({
      code: 1,
      stdout: '',
      stderr: `codeindex: BACKUP_FAILED: ${link} is the database ${db}; choose another path for the backup\n`,
    })
    expect(readFileSync(db).equals(before)).toBe(true)
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(readdirSync(dir).sort()).toEqual(['index.db', 'snap.backup'])
  })

  it("refuses an --out that is the database's -wal file", async () => {
    const { dir, db } = await indexed()
    const before = readFileSync(db)
    expect(await cli(dir, '--db', db, 'backup', '--out', 'index.db-wal')).toEqual({
      code: 1,
      stdout: '',
      stderr: `codeindex: BACKUP_FAILED: ${db}-wal is the wal file of the database ${db}; choose another path for the backup\n`,
    })
    expect(readFileSync(db).equals(before)).toBe(true)
    expect(readdirSync(dir)).toEqual(['index.db'])
  })

  it('refuses an --out that already exists, leaving its content and mode alone', async () => {
    const { dir, db } = await indexed()
    const out = join(dir, 'existing.txt')
    writeFileSync(out, 'keep me\n')
    chmodSync(out, 0o644)
    expect(await cli(dir, '--db', db, 'backup', '--out', 'existing.txt')).toEqual({
      code: 1,
      stdout: '',
      stderr: `codeindex: BACKUP_FAILED: ${out} already exists; remove it or choose another path\n`,
    })
    expect(readFileSync(out, 'utf8')).toBe('keep me\n')
    expect(statSync(out).mode & 0o777).toBe(0o644)
  })

  it('writes a new backup with mode 0600 holding the indexed files', async () => {
    const { dir, db } = await indexed()
    const out = join(dir, 'snap.backup')
    expect(await cli(dir, '--db', db, 'backup', '--out', 'snap.backup')).toEqual({
      code: 0,
      stdout: `backed up ${db} to ${out}\n`,
      stderr: '',
    })
    expect(statSync(out).mode & 0o777).toBe(0o600)
    // In rollback-journal mode (header bytes 18-19 at 1, not WAL's 2): read-only, it stays one file.
    expect([...readFileSync(out).subarray(18, 20)]).toEqual([1, 1])
    const readOnly = new Database(out, { readonly: true })
    expect(readOnly.prepare('SELECT path FROM files ORDER BY path').pluck().all()).toEqual(['src/a.ts', 'src/b.ts'])
    readOnly.close()
    expect(readdirSync(dir).filter((name) => name.startsWith('snap'))).toEqual(['snap.backup'])
    expect(paths(out)).toEqual(['src/a.ts', 'src/b.ts'])
  })

  it('an --out in a missing folder is BACKUP_FAILED, creating nothing', async () => {
    const { dir, db } = await indexed()
    expect(await cli(dir, '--db', db, 'backup', '--out', 'nodir/x.bak')).toEqual({
      code: 1,
      stdout: '',
      stderr: `codeindex: BACKUP_FAILED: could not write the backup ${join(dir, 'nodir', 'x.bak')}: the folder ${join(dir, 'nodir')} does not exist\n`,
    })
    expect(readdirSync(dir)).toEqual(['index.db'])
  })

  it('an --out that is a folder is BACKUP_FAILED, leaving the folder empty', async () => {
    const { dir, db } = await indexed()
    mkdirSync(join(dir, 'snaps'))
    expect(await cli(dir, '--db', db, 'backup', '--out', 'snaps')).toEqual({
      code: 1,
      stdout: '',
      stderr: `codeindex: BACKUP_FAILED: ${join(dir, 'snaps')} is a folder; name a file for the backup\n`,
    })
    expect(readdirSync(join(dir, 'snaps'))).toEqual([])
  })

  it('backupDatabase refuses a damaged database, writing nothing: the copy would carry the damage', async () => {
    const dir = folder()
    const path = join(dir, 'damaged.db')
    const setup = new Database(path)
    setup.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, text TEXT)')
    const insert = setup.prepare('INSERT INTO t (text) VALUES (?)')
    setup.transaction(() => {
      for (let index = 0; index < 2000; index++) insert.run(`row ${index} `.repeat(20))
    })()
    setup.close()
    // Pages in the last quarter (the table's leaves) overwritten; the schema on page 1 still opens.
    const size = statSync(path).size
    const fd = openSync(path, 'r+')
    writeSync(fd, Buffer.alloc(size / 8, 0xa5), 0, size / 8, Math.floor((size * 3) / 4))
    closeSync(fd)
    const database = new Database(path)
    cleanups.push(() => database.close())
    await expect(backupDatabase(database, join(dir, 'copy.backup'))).rejects.toMatchObject({
      code: 'BACKUP_FAILED',
      message: expect.stringMatching(new RegExp(`^the database ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged \\(`)),
    })
    expect(existsSync(join(dir, 'copy.backup'))).toBe(false)
  })

  it('backupDatabase keeps the file system error as the cause', async () => {
    const { dir, db } = await indexed()
    mkdirSync(join(dir, 'snaps'))
    const database = new Database(db)
    cleanups.push(() => database.close())
    await expect(backupDatabase(database, join(dir, 'nodir', 'x.bak'))).rejects.toMatchObject({
      code: 'BACKUP_FAILED',
      cause: expect.objectContaining({ code: 'ENOENT' }),
    })
    await expect(backupDatabase(database, join(dir, 'snaps'))).rejects.toMatchObject({
      code: 'BACKUP_FAILED',
      cause: expect.objectContaining({ code: 'EEXIST' }),
    })
  })
})

describe('backupDatabase and decryptBackup', () => {
  it("refuses the database's -journal as a backup: SQLite would take it for a crash's journal and delete it", async () => {
    const { dir, db } = await indexed()
    const database = new Database(db)
    cleanups.push(() => database.close())
    await expect(backupDatabase(database, `${db}-journal`)).rejects.toMatchObject({
      code: 'BACKUP_FAILED',
      message: `${db}-journal is the journal file of the database ${db}; choose another path for the backup`,
    })
    expect(readdirSync(dir).sort()).toEqual(['index.db'])
  })

  it('decrypts into a new file only: an existing one is left as it was, and bad input is typed', async () => {
    const { dir, db } = await indexed()
    const database = new Database(db)
    cleanups.push(() => database.close())
    const encrypted = join(dir, 'snap.enc')
    await backupDatabase(database, encrypted, { key: 'a long secret' })
    writeFileSync(join(dir, 'notes.txt'), 'precious')
    expect(() => decryptBackup(encrypted, join(dir, 'notes.txt'), 'a long secret')).toThrow(
      expect.objectContaining({ code: 'BACKUP_FAILED', message: `${join(dir, 'notes.txt')} already exists; remove it or choose another path` }),
    )
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('precious')
    expect(() => decryptBackup(encrypted, db, 'a long secret')).toThrow(expect.objectContaining({ code: 'BACKUP_FAILED' }))
    expect(paths(db)).toEqual(['src/a.ts', 'src/b.ts'])
    const typed = (path: string, out: string, key = 'a long secret') => {
      try {
        decryptBackup(path, out, key)
        return 'decrypted'
      } catch (error) {
        return `${(error as { code: string }).code}: ${(error as Error).message}`
      }
    }
    expect([
      typed(join(dir, 'missing.enc'), join(dir, 'a.db')),
      typed(db, join(dir, 'b.db')),
      typed(encrypted, join(dir, 'c.db'), 'another secret'),
      typed(encrypted, join(dir, 'no', 'd.db')),
      typed(encrypted, join(dir, 'e.db')),
    ]).toEqual([
      `BACKUP_INVALID: ${join(dir, 'missing.enc')} does not exist`,
      `BACKUP_INVALID: ${db} is not an encrypted codeindex backup`,
      `BACKUP_INVALID: ${encrypted} does not decrypt: a wrong key, or the file was changed after it was written`,
      `BACKUP_FAILED: could not write the backup ${join(dir, 'no', 'd.db')}: the folder ${join(dir, 'no')} does not exist`,
      'decrypted',
    ])
    expect(paths(join(dir, 'e.db'))).toEqual(['src/a.ts', 'src/b.ts'])
    expect(existsSync(join(dir, 'a.db')) || existsSync(join(dir, 'b.db')) || existsSync(join(dir, 'c.db'))).toBe(false)
  })
})

describe('doctor, optimize and backup on a file that holds no index', () => {
  const expected = (db: string) => ({
    code: 1,
    stdout: '',
    stderr: `codeindex: FILE_NOT_INDEXED: ${db} holds no index (no codeindex migration was applied to it); check --db, or run \`codeindex index\` to build one\n`,
  })

  it('refuses an empty file, which stays empty', async () => {
    const dir = folder()
    const db = join(dir, 'empty.db')
    writeFileSync(db, '')
    for (const command of [['doctor'], ['optimize'], ['backup', '--out', 'snap.backup']]) {
      expect(await cli(dir, '--db', db, ...command)).toEqual(expected(db))
    }
    expect(statSync(db).size).toBe(0)
    expect(readdirSync(dir)).toEqual(['empty.db'])
  })

  it('refuses another program\'s database, which keeps its bytes', async () => {
    const dir = folder()
    const db = join(dir, 'other.sqlite')
    const other = new Database(db)
    other.exec(`CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hello')`)
    other.close()
    const before = readFileSync(db)
    for (const command of [['doctor'], ['optimize'], ['backup', '--out', 'snap.backup']]) {
      expect(await cli(dir, '--db', db, ...command)).toEqual(expected(db))
    }
    expect(readFileSync(db).equals(before)).toBe(true)
    expect(readdirSync(dir)).toEqual(['other.sqlite'])
  })
})

describe('codeindex optimize', () => {
  it('--json prints one JSON document', async () => {
    const { dir, db } = await indexed()
    const result = await cli(dir, '--db', db, '--json', 'optimize')
    expect(result).toEqual({ code: 0, stdout: '{\n  "ok": true\n}\n', stderr: '' })
  })
})

describe('codeindex restore', () => {
  it('backs the database up into the backup folder first and names that backup', async () => {
    const { dir, db } = await indexed()
    expect((await cli(dir, '--db', db, 'backup', '--out', 'snap.backup')).code).toBe(0)
    removeFile(db, 'src/b.ts')
    const version = lastMigration(db)
    const result = await cli(dir, '--db', db, 'restore', 'snap.backup')
    const backups = readdirSync(join(dir, 'backups'))
    expect(backups).toHaveLength(1)
    expect(backups[0]).toMatch(new RegExp(`^index-\\d{4}-\\d{2}-\\d{2}T[\\d-]+Z-from-${version}\\.sqlite$`))
    const backup = join(dir, 'backups', backups[0]!)
    expect(result).toEqual({ code: 0, stdout: `backup: ${backup}\nrestored snap.backup into ${db}\n`, stderr: '' })
    expect(statSync(backup).mode & 0o777).toBe(0o600)
    // The backup holds the database as it was just before the restore; the database, the restored rows.
    expect(paths(backup)).toEqual(['src/a.ts'])
    expect(paths(db)).toEqual(['src/a.ts', 'src/b.ts'])
    const listed = await cli(dir, '--db', db, '--json', 'migrate', 'backups')
    expect((JSON.parse(listed.stdout) as { backups: Array<{ path: string }> }).backups.map((entry) => entry.path)).toEqual([backup])
  })

  it('--json names the backup taken first', async () => {
    const { dir, db } = await indexed()
    expect((await cli(dir, '--db', db, 'backup', '--out', 'snap.backup')).code).toBe(0)
    const result = await cli(dir, '--db', db, '--json', 'restore', 'snap.backup')
    const [name] = readdirSync(join(dir, 'backups'))
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ ok: true, restored: 'snap.backup', database: db, backup: join(dir, 'backups', name!) })
  })

  it('refuses a sound SQLite file without migrations, leaving the database unchanged', async () => {
    const { dir, db } = await indexed()
    const other = join(dir, 'other.sqlite')
    const foreign = new Database(other)
    foreign.exec(`CREATE TABLE notes (body TEXT)`)
    foreign.close()
    const before = readFileSync(db)
    expect(await cli(dir, '--db', db, 'restore', 'other.sqlite')).toEqual({
      code: 1,
      stdout: '',
      stderr: `codeindex: BACKUP_INVALID: ${other} is not a backup of this database: it records no applied migration (no kysely_migration rows)\n`,
    })
    expect(readFileSync(db).equals(before)).toBe(true)
    expect(readdirSync(dir).sort()).toEqual(['index.db', 'other.sqlite'])
  })

  it('refuses a file with a migration the migrator does not know, leaving the database unchanged', async () => {
    const { dir, db } = await indexed()
    expect((await cli(dir, '--db', db, 'backup', '--out', 'snap.backup')).code).toBe(0)
    const snap = new Database(join(dir, 'snap.backup'))
    snap.prepare(`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_elsewhere', '2024-01-01T00:00:00.000Z')`).run()
    snap.close()
    removeFile(db, 'src/b.ts')
    const before = readFileSync(db)
    expect(await cli(dir, '--db', db, 'restore', 'snap.backup')).toEqual({
      code: 1,
      stdout: '',
      stderr: `codeindex: BACKUP_INVALID: ${join(dir, 'snap.backup')} is not a backup of this database: migration 9999_from_elsewhere applied to it is unknown to the migrations in use\n`,
    })
    expect(readFileSync(db).equals(before)).toBe(true)
    expect(paths(db)).toEqual(['src/a.ts'])
    expect(existsSync(join(dir, 'backups'))).toBe(false)
  })

  it('a missing file is BACKUP_INVALID naming it, and no database is created', async () => {
    const dir = folder()
    const db = join(dir, 'data', 'index.db')
    expect(await cli(dir, '--db', db, 'restore', 'missing.bak')).toEqual({
      code: 1,
      stdout: '',
      stderr: `codeindex: BACKUP_INVALID: ${join(dir, 'missing.bak')} does not exist\n`,
    })
    expect(readdirSync(dir)).toEqual([])
  })

  it('a folder is BACKUP_INVALID, leaving the database unchanged', async () => {
    const { dir, db } = await indexed()
    mkdirSync(join(dir, 'snaps'))
    const before = readFileSync(db)
    expect(await cli(dir, '--db', db, 'restore', 'snaps')).toEqual({
      code: 1,
      stdout: '',
      stderr: `codeindex: BACKUP_INVALID: ${join(dir, 'snaps')} is not a file; name a backup file\n`,
    })
    expect(readFileSync(db).equals(before)).toBe(true)
    expect(readdirSync(dir).sort()).toEqual(['index.db', 'snaps'])
  })
})
