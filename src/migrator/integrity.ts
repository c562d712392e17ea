import { readdir, readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { migrationChecksum } from './checksum.js'
import { TYPESCRIPT_EXTENSIONS } from './import-module.js'
import { formatIntegrityFile } from './integrity-file.js'


/**
 * The integrity file a folder of TypeScript migrations should carry beside its compiled output: one line per
 * migration with the checksum of its source. Write it at build time; compare it in a test to catch a stale one.
 *
 * ```ts
 * await writeFile('migrations/migrations.sum', await integrityFileFor('migrations'))
 * ```
 */
export async function integrityFileFor(folder: string): Promise<string> {
  const checksums = new Map<string, string>()
  for (const entry of (await readdir(folder)).sort()) {
    const extension = extname(entry)
    if (!TYPESCRIPT_EXTENSIONS.has(extension) || /\.d\.[mc]?ts$/.test(entry)) continue
    checksums.set(entry.slice(0, -extension.length), migrationChecksum(await readFile(join(folder, entry))))
  }
  return formatIntegrityFile(checksums)
}
