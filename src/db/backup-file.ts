import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto'
import { closeSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs'
import type Database from 'better-sqlite3'
import { CodeIndexError } from '../errors.js'

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
 * on restore.
 *
 * ```ts
 * await backupDatabase(database, 'index.backup', { key: process.env.CODEINDEX_BACKUP_KEY })
 * ```
 */
export async function backupDatabase(database: Database.Database, out: string, options: { readonly key?: string | undefined } = {}): Promise<void> {
  closeSync(openSync(out, 'w', 0o600))
  try {
    await database.backup(out)
    if (options.key !== undefined) {
      const plain = readFileSync(out)
      const salt = randomBytes(SALT)
      const iv = randomBytes(IV)
      const cipher = createCipheriv('aes-256-gcm', keyOf(options.key, salt), iv)
      const body = Buffer.concat([cipher.update(plain), cipher.final()])
      writeFileSync(out, Buffer.concat([MAGIC, salt, iv, cipher.getAuthTag(), body]), { mode: 0o600 })
    }
  } catch (error) {
    rmSync(out, { force: true })
    if (error instanceof RangeError) throw error
    throw new CodeIndexError('BACKUP_FAILED', `could not write the backup ${out}: ${(error as Error).message}`, { cause: error })
  }
}

/**
 * Decrypts an encrypted backup into `out` (mode 0600). Throws `BACKUP_INVALID` for a wrong key or a file that was
 * changed after it was written.
 */
export function decryptBackup(path: string, out: string, key: string): void {
  const data = readFileSync(path)
  const salt = data.subarray(MAGIC.length, MAGIC.length + SALT)
  const iv = data.subarray(MAGIC.length + SALT, MAGIC.length + SALT + IV)
  const tag = data.subarray(MAGIC.length + SALT + IV, MAGIC.length + SALT + IV + TAG)
  const body = data.subarray(MAGIC.length + SALT + IV + TAG)
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(key, salt), iv)
    decipher.setAuthTag(tag)
    writeFileSync(out, Buffer.concat([decipher.update(body), decipher.final()]), { mode: 0o600 })
  } catch (error) {
    if (error instanceof RangeError) throw error
    throw new CodeIndexError('BACKUP_INVALID', `${path} does not decrypt: a wrong key, or the file was changed after it was written`, {
      cause: error,
    })
  }
}
