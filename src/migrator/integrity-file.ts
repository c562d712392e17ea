import { readFileSync } from 'node:fs'
import { MigrationError } from './migration-error.js'

/** The integrity file's name, kept beside the migrations it describes (in the spirit of Atlas's `atlas.sum`). */
export const INTEGRITY_FILE_NAME = 'migrations.sum'

const HEADER = '# codeindex migration checksums: sha256 of each TypeScript source. Generated; do not edit.'

/** Renders an integrity file: a header line, then `name checksum` per migration, sorted by name. */
export function formatIntegrityFile(checksums: ReadonlyMap<string, string>): string {
  const names = [...checksums.keys()].sort()
  return [HEADER, ...names.map((name) => `${name} ${checksums.get(name)}`)].join('\n') + '\n'
}

/** Parses an integrity file into name -> checksum. Throws `MIGRATION_INTEGRITY_FILE_INVALID` on a malformed line. */
export function parseIntegrityFile(text: string, path: string): Map<string, string> {
  const checksums = new Map<string, string>()
  const lines = text.split(/\r?\n/)
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue
    const match = /^(\S+) (sha256:[0-9a-f]{64})$/.exec(line)
    if (!match) {
      throw new MigrationError(
        'MIGRATION_INTEGRITY_FILE_INVALID',
        `${path}:${index + 1} is not "<name> sha256:<hex>"; regenerate the file with \`npm run migrations:sum\``,
      )
    }
    checksums.set(match[1]!, match[2]!)
  }
  return checksums
}

/** Reads an integrity file, or returns `undefined` when there is none. */
export function readIntegrityFile(path: string): Map<string, string> | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  return parseIntegrityFile(text, path)
}
