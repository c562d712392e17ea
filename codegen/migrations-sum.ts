// Writes migrations/migrations.sum, the checksums of the TypeScript migration sources that travel with the compiled
// migrations in dist/. With --check it writes nothing and fails when the committed file is stale.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { INTEGRITY_FILE_NAME, integrityFileFor } from '../src/migrator/index.js'

const folder = fileURLToPath(new URL('../migrations/', import.meta.url))
const file = join(folder, INTEGRITY_FILE_NAME)
const expected = await integrityFileFor(folder)

if (process.argv.includes('--check')) {
  const actual = await readFile(file, 'utf8').catch(() => '')
  if (actual !== expected) {
    process.stderr.write(`codeindex: MIGRATION_INTEGRITY_FILE_INVALID: ${file} is stale; run \`npm run migrations:sum\`\n`)
    process.exitCode = 1
  } else {
    process.stdout.write(`${INTEGRITY_FILE_NAME} is current\n`)
  }
} else {
  await writeFile(file, expected)
  process.stdout.write(`wrote ${file}\n`)
}
