import { existsSync } from 'node:fs'
import { CodeIndexError } from '../errors.js'

/** Refuses a command that reads an index when there is none at `database`, rather than creating an empty one. */
export function assertIndexed(database: string): void {
  if (!existsSync(database)) {
    throw new CodeIndexError('FILE_NOT_INDEXED', `there is no index at ${database}; run \`codeindex index\` first`)
  }
}
