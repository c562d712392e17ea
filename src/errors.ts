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
  | 'INDEX_ROOT_INVALID'
  | 'INDEX_FAILED'
  | 'FILE_NOT_INDEXED'
  | 'SEARCH_QUERY_INVALID'
  | 'SEARCH_OPTIONS_INVALID'

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

/** The message of anything thrown, for one-line reports. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
