import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto'
import { closeSync, lstatSync, openSync, readFileSync, readSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import BetterSqlite3, { type Database } from 'better-sqlite3'
import { CodeIndexError, messageOf } from '../errors.js'

const MAGIC = Buffer.from('CODEINDEX-AES256GCM-1\n')
const SALT = 16
const IV = 12
const TAG = 16

function keyOf(secret: string, salt: Buffer): Buffer {
  if (typeof secret !== 'string' || secret.length < 8) throw new RangeError('backup key must be a string of at least 8 characters')
  return scryptSync(secret, salt, 32)
}

/** Whether a backup file is encrypted (by its header; a plain backup is a SQLite file). */
export function isEncryptedBackup(path: string): boolean {
  const head = Buffer.alloc(MAGIC.length)
  const fd = openSync(path, 'r')
  try {
    return readSync(fd, head, 0, head.length, 0) === MAGIC.length && head.equals(MAGIC)
  } finally {
    closeSync(fd)
  }
}

/**
 * Writes a consistent copy of `database` to `out` (mode 0600) with SQLite's online backup API. With `key`, the copy is
 * encrypted with AES-256-GCM (key derived with scrypt from the secret and a random salt); a changed byte is detected
 * on restore. Never overwrites: an `out` that exists, or that resolves to the database or its -wal, -shm or -journal file, is
 * refused with `BACKUP_FAILED` before anything is written.
 *
 * ```ts
 * await backupDatabase(database, 'index.backup', { key: process.env.CODEINDEX_BACKUP_KEY })
 * ```
 */
export async function backupDatabase(database: Database, out: string, options: { readonly key?: string | undefined } = {}): Promise<void> {
  const path = resolve(out)
  if (!database.memory) assertNotDatabaseFile(database.name, path)
  assertSound(database)
  createBackupFile(path)
  try {
    await database.backup(path)
    toRollbackJournal(path)
    if (options.key !== undefined) {
      const plain = readFileSync(path)
      const salt = randomBytes(SALT)
      const iv = randomBytes(IV)
      const cipher = createCipheriv('aes-256-gcm', keyOf(options.key, salt), iv)
      const body = Buffer.concat([cipher.update(plain), cipher.final()])
      writeFileSync(path, Buffer.concat([MAGIC, salt, iv, cipher.getAuthTag(), body]), { mode: 0o600 })
    }
  } catch (error) {
    // Only ever the file created above: an existing file was refused before this point.
    rmSync(path, { force: true })
    if (error instanceof RangeError) throw error
    throw new CodeIndexError('BACKUP_FAILED', `could not write the backup ${path}: ${(error as Error).message}`, { cause: error })
  }
}

/**
 * The copy inherits WAL mode from the database; in rollback-journal mode it stays one self-contained file when it is
 * opened read-only (as restore's checks open it), rather than gaining a -wal and a -shm beside it.
 */
function toRollbackJournal(path: string): void {
  const copy = new BetterSqlite3(path, { fileMustExist: true })
  try {
    copy.pragma('journal_mode = DELETE')
  } finally {
    copy.close()
  }
}

/**
 * Refuses to copy a damaged database: SQLite's backup API copies pages as they are, so the backup would carry the
 * damage and look sound until it is restored. `quick_check` reads every page (about a second for 200 MB).
 */
function assertSound(database: Database): void {
  let problem: string | undefined
  let cause: unknown
  try {
    const rows = database.pragma('quick_check') as Array<Record<string, string>>
    const first = rows.map((row) => Object.values(row)[0]).find((value) => value !== 'ok')
    problem = first
  } catch (error) {
    problem = (error as Error).message
    cause = error
  }
  if (problem !== undefined) {
    throw new CodeIndexError(
      'BACKUP_FAILED',
      `the database ${database.name} is damaged (${problem}); a backup would carry the damage, so none was written: run \`codeindex doctor\``,
      { cause },
    )
  }
}

/** Where `path` leads: the real path of its folder plus its name, following a symbolic link at `path` itself. */
function realTarget(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    // Missing, or a link to nowhere: the folder is what can still be resolved.
  }
  try {
    return join(realpathSync(dirname(path)), basename(path))
  } catch {
    return path
  }
}

/** Refuses an `out` that would write over the database file or its -wal/-shm/-journal (which would destroy the index). */
function assertNotDatabaseFile(databasePath: string, out: string): void {
  const target = realTarget(out)
  const base = resolve(databasePath)
  // -journal too: SQLite takes a file by that name for a rollback journal left by a crash, and plays it back or deletes it.
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    if (target === realTarget(base + suffix) || target === realTarget(base) + suffix) {
      throw new CodeIndexError(
        'BACKUP_FAILED',
        `${out} is ${suffix === '' ? '' : `the ${suffix.slice(1)} file of `}the database ${base}; choose another path for the backup`,
      )
    }
  }
}

/** Creates `path` empty with mode 0600, refusing one that exists (a link too), before SQLite writes into it. */
function createBackupFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const message =
      code === 'EEXIST'
        ? isFolder(path)
          ? `${path} is a folder; name a file for the backup`
          : `${path} already exists; remove it or choose another path`
        : code === 'ENOENT'
          ? `could not write the backup ${path}: the folder ${dirname(path)} does not exist`
          : `could not write the backup ${path}: ${(error as Error).message}`
    throw new CodeIndexError('BACKUP_FAILED', message, { cause: error })
  }
}

function isFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory() || statSync(path).isDirectory()
  } catch {
    return false
  }
}

/**
 * Decrypts an encrypted backup into `out`, a new file (mode 0600). Throws `BACKUP_INVALID` for a file that cannot be
 * read, is not an encrypted backup, or does not decrypt (a wrong key, or a byte changed after it was written), and
 * `BACKUP_FAILED` for an `out` that exists (nothing is written over) or cannot be written. The file is decrypted and
 * checked whole before `out` is created.
 */
export function decryptBackup(path: string, out: string, key: string): void {
  let data: Buffer
  try {
    data = readFileSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code ?? messageOf(error)})`
    throw new CodeIndexError('BACKUP_INVALID', `${path} ${reason}`, { cause: error })
  }
  if (data.length < MAGIC.length + SALT + IV + TAG || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new CodeIndexError('BACKUP_INVALID', `${path} is not an encrypted codeindex backup`)
  }
  const salt = data.subarray(MAGIC.length, MAGIC.length + SALT)
  const iv = data.subarray(MAGIC.length + SALT, MAGIC.length + SALT + IV)
  const tag = data.subarray(MAGIC.length + SALT + IV, MAGIC.length + SALT + IV + TAG)
  const body = data.subarray(MAGIC.length + SALT + IV + TAG)
  let plain: Buffer
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(key, salt), iv)
    decipher.setAuthTag(tag)
    plain = Buffer.concat([decipher.update(body), decipher.final()])
  } catch (error) {
    if (error instanceof RangeError) throw error
    throw new CodeIndexError('BACKUP_INVALID', `${path} does not decrypt: a wrong key, or the file was changed after it was written`, {
      cause: error,
    })
  }
  const target = resolve(out)
  createBackupFile(target)
  try {
    writeFileSync(target, plain)
  } catch (error) {
    // Only ever the file created above.
    rmSync(target, { force: true })
    throw new CodeIndexError('BACKUP_FAILED', `could not write ${target}: ${messageOf(error)}`, { cause: error })
  }
}
