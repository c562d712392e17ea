import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import Database from 'better-sqlite3'
import { afterEach, expect, it } from 'vitest'
import { defineConfig } from '../../src/config/define-config.js'

const root = resolve(import.meta.dirname, '..', '..')
const folders: string[] = []
afterEach(() => {
  while (folders.length > 0) rmSync(folders.pop()!, { recursive: true, force: true })
})

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'codeindex-process-'))
  folders.push(dir)
  mkdirSync(join(dir, 'migrations'))
  writeFileSync(
    join(dir, 'migrations', '0001_alpha.ts'),
    `import type { Kysely } from 'kysely'
export async function up(db: Kysely<any>) { await db.schema.createTable('alpha').addColumn('id', 'integer').execute() }
export async function down(db: Kysely<any>) { await db.schema.dropTable('alpha').execute() }
`,
  )
  writeFileSync(
    join(dir, 'kysely.config.ts'),
    `import { defineConfig } from ${JSON.stringify(join(root, 'src', 'config', 'define-config.ts'))}\n` +
      `export default defineConfig({ database: 'app.db', migrationFolder: 'migrations', backupFolder: 'backups' })\n`,
  )
  return dir
}

function codeindex(cwd: string, ...args: string[]) {
  const register = pathToFileURL(join(root, 'node_modules', 'jiti', 'lib', 'jiti-register.mjs')).href
  return spawnSync(process.execPath, ['--import', register, join(root, 'src', 'cli', 'main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
  })
}

it('the codeindex process exits 0 after migrating and 1 with one line (no stack trace) on failure', () => {
  const dir = project()
  const ok = codeindex(dir, 'migrate', 'latest')
  expect(ok.status).toBe(0)
  expect(ok.stdout).toMatch(/^applied 0001_alpha/)
  const failed = codeindex(dir, 'migrate', 'to', 'missing')
  expect(failed.status).toBe(1)
  expect(failed.stderr).toBe('codeindex: MIGRATION_NOT_FOUND: there is no migration named missing\n')
})

it('kysely-ctl runs the guarded migrator declared in kysely.config.ts, backups and checksums included', () => {
  const dir = project()
  const kysely = (...args: string[]) =>
    spawnSync(process.execPath, [join(root, 'node_modules', 'kysely-ctl', 'dist', 'bin.mjs'), ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', NO_UPDATE_NOTIFIER: '1' },
    })
  expect(kysely('migrate', 'latest').status).toBe(0)
  const database = new Database(join(dir, 'app.db'), { readonly: true })
  const recorded = database.prepare('SELECT name, checksum FROM kysely_migration_checksum').all()
  database.close()
  expect(recorded).toEqual([{ name: '0001_alpha', checksum: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }])
  expect(kysely('migrate', 'down').status).toBe(0)
  expect(readdirSync(join(dir, 'backups'))).toEqual([expect.stringMatching(/^index-.*-from-0001_alpha\.sqlite$/)])
})

it('defineConfig refuses an unknown key with a TypeError and a zero retention with a RangeError', () => {
  expect(() => defineConfig({ databse: 'x.db' } as never)).toThrow(new TypeError('defineConfig: input Unrecognized key: "databse"'))
  expect(() => defineConfig({ backupRetain: 0 })).toThrow(RangeError)
})
