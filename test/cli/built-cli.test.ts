import { spawnSync } from 'node:child_process'
import { readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { writeTree } from '../indexing/indexing-helpers.js'
import { projectRoot, tempDir, writeFiles } from '../helpers.js'

const main = join(projectRoot, 'dist', 'src', 'bin', 'main.cjs')

/** The newest modification time under `folder`. */
function newest(folder: string): number {
  return Math.max(
    ...readdirSync(folder, { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? newest(join(folder, entry.name)) : statSync(join(folder, entry.name)).mtimeMs,
    ),
  )
}

/** Runs the built CLI (`npm run build`, which `npm install` runs) as a user does: a process of its own. */
function codeindex(cwd: string, cache: string, ...args: string[]) {
  return spawnSync(process.execPath, [main, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CODEINDEX_COMPILE_CACHE: cache },
    timeout: 30_000,
  })
}

it('the built CLI indexes, searches and migrates, the same from its compile cache as without it', () => {
  expect(newest(join(projectRoot, 'src')), 'dist/ is older than src/: run `npm run build`').toBeLessThan(
    statSync(join(projectRoot, 'dist', 'src', 'bin', 'cli.cjs')).mtimeMs,
  )
  const dir = tempDir()
  const cache = join(dir, 'cache')
  writeTree(join(dir, 'tree'), {
    'src/widget.ts': 'export class Widget {\n  render(): string {\n    return "widget"\n  }\n}\n',
    'src/uses.ts': "import { Widget } from './widget.js'\nexport const made = new Widget()\n",
  })
  const indexed = codeindex(dir, cache, '--db', 'index.db', '--json', 'index', 'tree')
  expect(indexed.stderr).toBe('')
  expect(JSON.parse(indexed.stdout)).toMatchObject({ indexed: 2, unchanged: 0, skipped: 0, failed: 0, removed: 0 })

  const searches = [1, 2].map(() => codeindex(dir, cache, '--db', 'index.db', '--json', 'search', 'Widget'))
  for (const search of searches) {
    expect(search.status).toBe(0)
    expect((JSON.parse(search.stdout) as { results: Array<{ path: string }> }).results.map((result) => result.path)).toEqual([
      'src/widget.ts',
      'src/uses.ts',
    ])
  }
  expect(searches[1]!.stdout).toBe(searches[0]!.stdout)

  // TypeScript migrations load through jiti, which the bundle imports through the launcher's import().
  writeFiles(join(dir, 'migrations'), {
    '0001_alpha.ts': "import type { Kysely } from 'kysely'\nexport async function up(db: Kysely<any>) { await db.schema.createTable('alpha').addColumn('id', 'integer').execute() }\nexport async function down(db: Kysely<any>) { await db.schema.dropTable('alpha').execute() }\n",
  })
  for (const database of ['app-1.db', 'app-2.db']) {
    const migrated = codeindex(dir, cache, '--db', database, '--migrations', 'migrations', 'migrate', 'latest')
    expect(migrated.stderr).toBe('')
    expect(migrated.stdout).toMatch(/^applied 0001_alpha \(/)
  }
  expect(readdirSync(cache).filter((name) => name.endsWith('.bin')).map((name) => name.split('.').at(-2)).sort()).toEqual(['index', 'migrate', 'search'])

  // A TypeScript config is loaded on every run: its transpiled text is kept (in jiti/ of the same folder); a
  // migration's, loaded once, is not.
  writeFileSync(
    join(dir, 'kysely.config.ts'),
    "const config: { codeindex: { database: string; migrationFolder: string } } = { codeindex: { database: 'app-3.db', migrationFolder: 'migrations' } }\nexport default config\n",
  )
  const configured = codeindex(dir, cache, 'migrate', 'latest')
  expect(configured.stderr).toBe('')
  expect(configured.stdout).toMatch(/^applied 0001_alpha \(/)
  expect(readdirSync(join(cache, 'jiti')).map((name) => name.replace(/\.[0-9a-f]+\.mjs$/, ''))).toEqual([expect.stringMatching(/kysely\.config$/)])

  const failed = codeindex(dir, cache, '--db', 'missing.db', 'search', 'Widget')
  expect(failed.status).toBe(1)
  expect(failed.stderr).toBe(`codeindex: FILE_NOT_INDEXED: there is no index at ${join(dir, 'missing.db')}; run \`codeindex index\` first\n`)
})

it('the built CLI ends when its command has, and fails, never exits 0, when a module it loads never settles', () => {
  const dir = tempDir()
  writeFiles(join(dir, 'timer'), {
    'kysely.config.mjs': "setTimeout(() => {}, 600_000)\nexport default { codeindex: { database: 'index.db' } }\n",
  })
  const finished = codeindex(join(dir, 'timer'), join(dir, 'cache'), 'migrate', 'latest')
  expect(finished.signal).toBeNull()
  expect(finished.status).toBe(0)
  expect(finished.stderr).toBe('')

  writeFiles(join(dir, 'hang'), { 'kysely.config.mjs': 'await new Promise(() => {})\nexport default {}\n' })
  const hung = codeindex(join(dir, 'hang'), join(dir, 'cache'), '--json', 'migrate', 'status')
  const message = 'the command never finished: a module it loaded (the config or a migration) waits on something that never happens'
  expect(hung.status).toBe(1)
  expect(JSON.parse(hung.stdout)).toEqual({ ok: false, error: { code: 'UNEXPECTED', message } })
  expect(hung.stderr).toBe(`codeindex: UNEXPECTED: ${message}\n`)
})
