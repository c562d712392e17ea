import type { MigrationError } from './migration-error.js'

export type MigrationDirection = 'Up' | 'Down'
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Readonly<Record<string, unknown>>

/**
 * A pluggable logger: any object with some of these methods (`console` fits). The migrator logs nothing unless given one.
 *
 * ```ts
 * new GuardedMigrator({ db, provider, logger: { info: (message, fields) => console.error(message, fields) } })
 * ```
 */
export type MigrationLogger = {
  readonly [Level in LogLevel]?: ((message: string, fields?: LogFields) => void) | undefined
}

export interface MigrationEvent {
  readonly migrationName: string
  readonly direction: MigrationDirection
}

export interface MigrationDoneEvent extends MigrationEvent {
  readonly durationMs: number
}

export interface MigrationErrorEvent {
  readonly error: MigrationError
  readonly migrationName: string | undefined
}

/**
 * Typed hooks around each migration. `beforeMigration` and `afterMigration` run inside the migration's transaction:
 * throwing from them fails the migration and rolls it back. `onError` runs after the rollback.
 */
export interface MigrationHooks {
  readonly beforeMigration?: ((event: MigrationEvent) => void | Promise<void>) | undefined
  readonly afterMigration?: ((event: MigrationDoneEvent) => void | Promise<void>) | undefined
  readonly onError?: ((event: MigrationErrorEvent) => void | Promise<void>) | undefined
}
