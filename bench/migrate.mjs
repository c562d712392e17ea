// npm run bench:migrate — builds, then times the compiled library as an installed package runs it:
//   1. migrate-to-latest of codeindex's own schema on a fresh database (dist/migrations, checksums from migrations.sum);
//   2. a no-op run over 200 applied migrations, in .js (what a host ships) and, in a separate process, in .ts loaded
//      through jiti; each process prints its own peak RSS.
// Prints figures only: it asserts nothing about time.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = new URL('../dist/src/', import.meta.url)
// The modules a migrate-only process loads (not the whole package entry, which brings zod for config validation).
const { createIndexMigrator } = await import(new URL('db/create-index-migrator.js', dist).href)
const { openDatabase } = await import(new URL('db/open-database.js', dist).href)
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const peakRssMb = () => process.resourceUsage().maxRSS / 1024

async function freshRuns(work) {
  const times = []
  for (let index = 0; index <= 20; index++) {
    const database = openDatabase(join(work, `fresh-${index}.db`))
    const migrator = createIndexMigrator(database, { backupFolder: false })
    const started = performance.now()
    const { error } = await migrator.migrateToLatest()
    times.push(performance.now() - started)
    database.close()
    if (error) throw error
  }
  return { cold: times[0], warm: median(times.slice(1)) }
}

function writeMigrations(folder, extension) {
  mkdirSync(folder)
  for (let index = 1; index <= 200; index++) {
    const typed = extension === 'ts' ? ': Kysely<any>' : ''
    writeFileSync(
      join(folder, `${String(index).padStart(4, '0')}_table_${index}.${extension}`),
      (extension === 'ts' ? `import type { Kysely } from 'kysely'\n` : '') +
        `export async function up(db${typed}) { await db.schema.createTable('t${index}').addColumn('id', 'integer', (c) => c.primaryKey()).execute() }\n` +
        `export async function down(db${typed}) { await db.schema.dropTable('t${index}').execute() }\n`,
    )
  }
}

/** In a process of its own: apply the 200 migrations (`apply`), or time no-op runs over them (`noop`). */
async function manyRuns(work, extension, phase) {
  const folder = join(work, `many-${extension}`)
  const database = openDatabase(join(work, `many-${extension}.db`))
  const migrator = createIndexMigrator(database, { migrationFolder: folder, backupFolder: false })
  const times = []
  for (let run = 0; run < (phase === 'apply' ? 1 : 20); run++) {
    const started = performance.now()
    const { error, results } = await migrator.migrateToLatest()
    times.push(performance.now() - started)
    if (error) throw error
    if (results.length !== (phase === 'apply' ? 200 : 0)) throw new Error(`${phase} ran ${results.length} migrations`)
  }
  database.close()
  return { ms: median(times), rss: peakRssMb() }
}

const row = (label, value, target = '') => console.log(`${label.padEnd(50)} ${value.padStart(10)}   ${target}`)

if (process.argv[2] === '--child') {
  const [extension, phase, work] = process.argv.slice(3)
  console.log(JSON.stringify(await manyRuns(work, extension, phase)))
} else {
  const work = mkdtempSync(join(tmpdir(), 'codeindex-bench-'))
  try {
    const fresh = await freshRuns(work)
    const rssFresh = peakRssMb()
    const child = (extension, phase) => {
      const args = [fileURLToPath(import.meta.url), '--child', extension, phase, work]
      const out = spawnSync(process.execPath, args, { encoding: 'utf8' })
      if (out.status !== 0) throw new Error(out.stderr)
      return JSON.parse(out.stdout.trim().split('\n').pop())
    }
    const many = {}
    for (const extension of ['js', 'ts']) {
      writeMigrations(join(work, `many-${extension}`), extension)
      many[extension] = { apply: child(extension, 'apply'), noop: child(extension, 'noop') }
    }
    const { js, ts } = many
    console.log(`codeindex bench:migrate (node ${process.version}, ${new Date().toISOString().slice(0, 10)})`)
    row('fresh database to latest, first run (cold)', `${fresh.cold.toFixed(1)} ms`, 'includes loading the migrations')
    row('fresh database to latest, median of 20', `${fresh.warm.toFixed(1)} ms`, 'target < 50 ms')
    row('  peak RSS of that process', `${rssFresh.toFixed(1)} MB`, 'target < 80 MB')
    row('200 .js migrations applied in one run', `${js.apply.ms.toFixed(1)} ms`, `peak RSS ${js.apply.rss.toFixed(1)} MB`)
    row('no-op run over 200 applied .js, median of 20', `${js.noop.ms.toFixed(1)} ms`, 'target < 30 ms')
    row('  peak RSS of that process', `${js.noop.rss.toFixed(1)} MB`, 'target < 80 MB')
    row('200 .ts migrations (jiti) applied in one run', `${ts.apply.ms.toFixed(1)} ms`, `peak RSS ${ts.apply.rss.toFixed(1)} MB`)
    row('no-op run over 200 applied .ts, median of 20', `${ts.noop.ms.toFixed(1)} ms`, 'target < 30 ms')
    row('  peak RSS of that process', `${ts.noop.rss.toFixed(1)} MB`, 'jiti transpiles TypeScript in-process')
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
