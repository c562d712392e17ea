import type { MigrationLogger } from '../migrator/migration-hooks.js'
import type { SearchResultSet } from './search.js'

/** Queries are logged up to this many characters: a 100 KB query makes one long line, not a 100 KB one. */
const QUERY_LOGGED = 200

/**
 * Runs one search and logs it: `debug` with its figures when it answers, `debug` when the query is refused (a
 * `SearchError`, the caller's input) and `error` when it fails for any other reason. Silent without a logger.
 */
export async function loggedSearch(
  logger: MigrationLogger | undefined,
  query: string,
  run: () => Promise<SearchResultSet>,
): Promise<SearchResultSet> {
  if (!logger) return run()
  const started = performance.now()
  const logged = query.length > QUERY_LOGGED ? `${query.slice(0, QUERY_LOGGED)}…` : query
  try {
    const result = await run()
    const durationMs = Math.round((performance.now() - started) * 100) / 100
    logger.debug?.('search', { query: logged, results: result.results.length, total: result.total, durationMs })
    return result
  } catch (error) {
    const { name, message, code, position } = error as Error & { code?: string; position?: number }
    if (name === 'SearchError') logger.debug?.(`search refused: ${message}`, { query: logged, code, position })
    else logger.error?.(`search failed: ${message}`, { query: logged, ...(code === undefined ? {} : { code }) })
    throw error
  }
}
