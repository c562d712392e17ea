import { statSync } from 'node:fs'
import { CodeIndexError } from '../errors.js'

/**
 * Refuses a command that reads an index when there is none at `database`, rather than creating an empty one. A file
 * that cannot be reached (a folder on its path this user may not enter) is a permissions problem, not a missing index.
 */
export function assertIndexed(database: string): void {
  try {
    statSync(database)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EACCES' || code === 'EPERM') {
      throw new CodeIndexError('READ_ONLY', `${database} cannot be opened; check its permissions and its folder's`, { cause: error })
    }
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error
    throw new CodeIndexError('FILE_NOT_INDEXED', `there is no index at ${database}; run \`codeindex index\` first`)
  }
}
