import { CodeIndexError, type ErrorCode } from '../errors.js'

/**
 * A query or option the search cannot take. `position` is the offset in the query string at fault, when there is one.
 *
 * ```ts
 * try { await search(db, 'lang:') } catch (error) { if (error instanceof SearchError) console.log(error.position) }
 * ```
 */
export class SearchError extends CodeIndexError {
  readonly position: number | undefined

  constructor(code: ErrorCode, message: string, options?: { readonly position?: number | undefined; readonly cause?: unknown }) {
    super(code, message, options)
    this.name = 'SearchError'
    this.position = options?.position
  }
}
