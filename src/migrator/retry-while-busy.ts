import { setTimeout as sleep } from 'node:timers/promises'
import { MigrationError } from './migration-error.js'

export interface RetryWhileBusyOptions {
  readonly isBusy: (error: unknown) => boolean
  /** Give up after this long, with `MIGRATION_LOCK_TIMEOUT`. */
  readonly timeoutMs: number
  readonly onRetry?: ((attempt: number, delayMs: number) => void) | undefined
  /** The error for a timeout. Default: `MIGRATION_LOCK_TIMEOUT`. */
  readonly timeoutError?: ((cause: unknown) => Error) | undefined
}

const BASE_DELAY_MS = 2
const MAX_DELAY_MS = 100

/**
 * Runs `operation` until it stops failing with a busy error, waiting with exponential backoff and jitter in between.
 * It waits with timers, not in SQLite's busy handler, so the event loop keeps turning while another process holds
 * the lock.
 */
export async function retryWhileBusy<T>(operation: () => Promise<T>, options: RetryWhileBusyOptions): Promise<T> {
  const deadline = performance.now() + options.timeoutMs
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation()
    } catch (error) {
      if (!options.isBusy(error)) throw error
      const remaining = deadline - performance.now()
      if (remaining <= 0) {
        if (options.timeoutError) throw options.timeoutError(error)
        throw new MigrationError(
          'MIGRATION_LOCK_TIMEOUT',
          `the database stayed locked by another connection for ${options.timeoutMs} ms; retry later or raise lockTimeoutMs`,
          { cause: error },
        )
      }
      const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempt, 16))
      const delay = Math.min(remaining, ceiling * (0.5 + Math.random()))
      options.onRetry?.(attempt + 1, delay)
      await sleep(delay)
    }
  }
}
