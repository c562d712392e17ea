/**
 * Every error codeindex raises on purpose carries one of these codes. Codes are stable: match on `error.code`,
 * never on the message.
 */
export type ErrorCode =
  | 'MIGRATION_CHECKSUM_MISMATCH'
  | 'MIGRATION_MISSING'
  | 'MIGRATION_OUT_OF_ORDER'
  | 'MIGRATION_NOT_FOUND'
  | 'MIGRATION_LOAD_FAILED'
  | 'MIGRATION_FAILED'
  | 'MIGRATION_IRREVERSIBLE'
  | 'MIGRATION_NOT_REVERSIBLE'
  | 'MIGRATION_LOCK_TIMEOUT'
  | 'MIGRATION_FOREIGN_KEY_VIOLATION'
  | 'MIGRATION_REBUILD_UNSAFE'
  | 'MIGRATION_INTEGRITY_FILE_INVALID'
  | 'BACKUP_FAILED'
  | 'BACKUP_INVALID'
  | 'BACKUP_UNSUPPORTED'
  | 'CONFIG_INVALID'
  | 'DATABASE_OPEN_FAILED'
  | 'DATABASE_CLOSED'
  | 'INDEX_ROOT_INVALID'
  | 'INDEX_FAILED'
  | 'FILE_NOT_INDEXED'
  | 'SEARCH_QUERY_INVALID'
  | 'NOT_A_DATABASE'
  | 'DATABASE_CORRUPT'
  | 'SCHEMA_TOO_NEW'
  | 'READ_ONLY'
  | 'DISK_FULL'

/**
 * The one base class of codeindex's errors: a string `code` to branch on and the original `cause` kept.
 *
 * ```ts
 * try {
 *   await migrator.restore('missing.sqlite')
 * } catch (error) {
 *   if (error instanceof CodeIndexError && error.code === 'BACKUP_INVALID') console.error(error.message)
 * }
 * ```
 */
export class CodeIndexError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'CodeIndexError'
    this.code = code
  }
}

/**
 * The typed error for a failure SQLite reported while opening or writing a database, or `undefined` when the failure
 * is not one of those a user can act on (a corrupt or foreign file, a read-only file, a full disk).
 */
export function databaseError(error: unknown, path: string): CodeIndexError | undefined {
  const code = String((error as { code?: unknown } | null)?.code ?? '')
  if (code === 'SQLITE_NOTADB') {
    return new CodeIndexError('NOT_A_DATABASE', `${path} is not a SQLite database; move it away or pass another --db`, { cause: error })
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new CodeIndexError('DATABASE_CORRUPT', `${path} is corrupt; restore a backup, or rebuild the index (it is derived data)`, {
      cause: error,
    })
  }
  if (code === 'SQLITE_READONLY_DIRECTORY') {
    // SQLite creates the -shm file beside a WAL database to read it, unless another connection already has.
    return new CodeIndexError(
      'READ_ONLY',
      `${path} cannot be opened: its folder is not writable, and SQLite must create a -shm file beside a WAL database even to read it; make the folder writable`,
      { cause: error },
    )
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM') {
    return new CodeIndexError('READ_ONLY', `${path} cannot be opened; check its permissions and its folder's`, { cause: error })
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new CodeIndexError('READ_ONLY', `${path} cannot be written; check its permissions and its folder's`, { cause: error })
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return new CodeIndexError('DISK_FULL', `the disk holding ${path} is full; free space and run again (nothing was lost)`, {
      cause: error,
    })
  }
  return undefined
}

/** The message of anything thrown, for one-line reports. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
