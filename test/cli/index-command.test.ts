import { existsSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { tree } from '../indexing/indexing-helpers.js'
import { cli } from './run-cli.js'


describe('codeindex index', () => {
  it('indexes a folder into .codeindex/index.db under it and prints one summary line', async () => {
    const root = tree({ 'src/a.ts': 'export const a = 1\n', 'src/b.py': 'def b():\n    pass\n' })
    const result = await cli(root, 'index', '--workers', '0')
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(
      new RegExp(`^indexed 2 files in \\d+\\.\\d\\d s: 2 indexed \\(0\\.0 MB\\), 0 unchanged, 0 skipped, 0 failed, 0 removed -> ${join(root, '.codeindex', 'index.db').replace(/[.]/g, '\\.')}\\n$`),
    )
    const database = new Database(join(root, '.codeindex', 'index.db'), { readonly: true })
    expect(database.prepare('SELECT path FROM files ORDER BY path').all()).toEqual([{ path: 'src/a.ts' }, { path: 'src/b.py' }])
    database.close()
  })

  it('--json prints one document with the totals and the duration', async () => {
    const root = tree({ 'a.ts': 'export const a = 1\n', 'b.bin': new Uint8Array([0, 0, 1]) })
    const db = join(root, 'elsewhere.db')
    await cli(root, '--db', db, 'index', '--workers', '0')
    writeFileSync(join(root, 'c.ts'), 'export const c = 3\n')
    const result = await cli(root, '--db', db, '--json', 'index', '.', '--workers', '0')
    expect(result.code).toBe(0)
    const document = JSON.parse(result.stdout) as Record<string, unknown>
    expect(document).toEqual({
      status: 'Completed',
      root,
      database: db,
      seen: 3,
      indexed: 1,
      unchanged: 2,
      skipped: 0,
      failed: 0,
      removed: 0,
      bytes: 19,
      durationMs: expect.any(Number),
      failures: [],
      unreadableFolders: [],
    })
  })

  it('--include and --exclude narrow what is indexed', async () => {
    const root = tree({ 'src/a.ts': '', 'src/a.test.ts': '', 'docs/x.md': '' })
    const result = await cli(root, '--json', 'index', '--include', 'src/**', '--exclude', '**/*.test.ts', '--workers', '0')
    expect(JSON.parse(result.stdout)).toMatchObject({ seen: 1, indexed: 1 })
  })

  it('a root that does not exist fails with INDEX_ROOT_INVALID and creates nothing', async () => {
    const root = tree({})
    const result = await cli(root, 'index', 'missing')
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`codeindex: INDEX_ROOT_INVALID: cannot index ${join(root, 'missing')}: it does not exist\n`)
    expect(existsSync(join(root, 'missing'))).toBe(false)
  })

  it('an index migrated by a newer codeindex is SCHEMA_TOO_NEW, and is left as it was', async () => {
    const root = tree({ 'a.ts': 'export const a = 1\n' })
    expect((await cli(root, 'index', '--workers', '0')).code).toBe(0)
    const path = join(root, '.codeindex', 'index.db')
    const raw = new Database(path)
    raw.prepare(`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', '2030-01-01T00:00:00.000Z')`).run()
    raw.close()
    expect(await cli(root, 'index', '--workers', '0')).toEqual({
      code: 1,
      stdout: '',
      stderr: `codeindex: SCHEMA_TOO_NEW: ${path} was migrated by a newer codeindex (migration 9999_from_the_future is unknown here); upgrade codeindex\n`,
    })
    const after = new Database(path, { readonly: true })
    expect(after.prepare('SELECT count(*) FROM index_runs').pluck().get()).toBe(1)
    after.close()
  })

  it('a bad --workers or --max-file-size value is one readable line, and creates no database', async () => {
    const root = tree({ 'a.ts': 'export const a = 1\n' })
    const max = 4 * availableParallelism()
    const cases: Array<[string[], string]> = [
      [['--workers', 'many'], '--workers must be a whole number, not "many"'],
      [['--workers', String(max + 1)], `--workers must be at most ${max} (four per core), not ${max + 1}`],
      [['--max-file-size', '-1'], '--max-file-size must be a whole number, not "-1"'],
    ]
    for (const [flags, message] of cases) {
      expect(await cli(root, '--db', 'out/index.db', 'index', ...flags)).toEqual({ code: 1, stdout: '', stderr: `codeindex: INVALID_ARGUMENT: ${message}\n` })
    }
    expect(existsSync(join(root, 'out'))).toBe(false)
    expect(existsSync(join(root, '.codeindex'))).toBe(false)
  })
})

describe('codeindex --debug index', () => {
  it('logs the run and each degraded or failed file on stderr as structured lines', async () => {
    const root = tree({ 'a.ts': 'export const a = 1\n' })
    const result = await cli(root, '--debug', 'index', '--workers', '0')
    expect(result.code).toBe(0)
    const lines = result.stderr.split('\n').filter((line) => / index run /.test(line))
    expect(lines.map((line) => line.replace(/ \{.*$/, ''))).toEqual(['info index run started', 'info index run completed'])
    expect(JSON.parse(lines[1]!.slice(lines[1]!.indexOf('{')))).toMatchObject({ status: 'Completed', seen: 1, indexed: 1, failed: 0 })
  })
})
