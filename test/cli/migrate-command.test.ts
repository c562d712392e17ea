import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { cli } from './run-cli.js'

const folders: string[] = []
afterEach(() => {
  while (folders.length > 0) rmSync(folders.pop()!, { recursive: true, force: true })
})

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'codeindex-cli-'))
  folders.push(dir)
  return dir
}

function migration(table: string): string {
  return `import type { Kysely } from 'kysely'
export async function up(db: Kysely<any>) { await db.schema.createTable('${table}').addColumn('id', 'integer', (c) => c.primaryKey()).execute() }
export async function down(db: Kysely<any>) { await db.schema.dropTable('${table}').execute() }
`
}

/** A host project: a migrations folder with two migrations, and no config file. */
function hostProject(): { dir: string; migrations: string; db: string } {
  const dir = workspace()
  const migrations = join(dir, 'migrations')
  mkdirSync(migrations)
  writeFileSync(join(migrations, '0001_alpha.ts'), migration('alpha'))
  writeFileSync(join(migrations, '0002_beta.ts'), migration('beta'))
  return { dir, migrations, db: join(dir, 'data', 'app.db') }
}


function tables(path: string): string[] {
  const database = new Database(path, { readonly: true })
  try {
    return (
      database.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'kysely%' ORDER BY name`).all() as Array<{
        name: string
      }>
    ).map((row) => row.name)
  } finally {
    database.close()
  }
}

describe('codeindex migrate', () => {
  it('latest applies a host folder of TypeScript migrations and reports each one', async () => {
    const { dir, migrations, db } = hostProject()
    const result = await cli(dir, '--db', db, '--migrations', migrations, 'migrate', 'latest')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^applied 0001_alpha \(\d+\.\d ms\)\napplied 0002_beta \(\d+\.\d ms\)\n$/)
    expect(result.stderr).toBe('')
    expect(tables(db)).toEqual(['alpha', 'beta'])
  })

  it('creates the database file with mode 0600', async () => {
    const { dir, migrations, db } = hostProject()
    await cli(dir, '--db', db, '--migrations', migrations, 'migrate', 'latest')
    expect(statSync(db).mode & 0o777).toBe(0o600)
  })

  it('status --json lists each migration with its name and state', async () => {
    const { dir, migrations, db } = hostProject()
    await cli(dir, '--db', db, '--migrations', migrations, 'migrate', 'up')
    const result = await cli(dir, '--db', db, '--migrations', migrations, '--json', 'migrate', 'status')
    expect(result.code).toBe(0)
    const document = JSON.parse(result.stdout) as { migrations: Array<{ name: string; state: string; checksum: string }> }
    expect(document.migrations.map(({ name, state }) => ({ name, state }))).toEqual([
      { name: '0001_alpha', state: 'Applied' },
      { name: '0002_beta', state: 'Pending' },
    ])
    expect(document.migrations[0]!.checksum).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('status in text names the database and counts the applied migrations', async () => {
    const { dir, migrations, db } = hostProject()
    await cli(dir, '--db', db, '--migrations', migrations, 'migrate', 'up')
    const result = await cli(dir, '--db', db, '--migrations', migrations, 'migrate', 'status')
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe(`database: ${db}`)
    expect(lines[1]).toMatch(/^Applied {2}0001_alpha {2}sha256:[0-9a-f]{12} {2}\d{4}-\d\d-\d\dT/)
    expect(lines[2]).toBe('Pending  0002_beta  sha256:' + lines[2]!.split('sha256:')[1])
    expect(lines[3]).toBe('1 of 2 applied')
  })

  it('latest --dry-run prints the SQL and leaves the database without the tables', async () => {
    const { dir, migrations, db } = hostProject()
    // A dry run reads an existing database only (a missing one is FILE_NOT_INDEXED): start from an empty one.
    mkdirSync(join(dir, 'data'))
    new Database(db).close()
    const result = await cli(dir, '--db', db, '--migrations', migrations, 'migrate', 'latest', '--dry-run')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('would apply 0001_alpha')
    expect(result.stdout).toContain('create table "alpha"')
    expect(result.stdout).toContain('dry run: everything was rolled back')
    expect(tables(db)).toEqual([])
  })

  it('down reverts the last migration after backing the database up beside it', async () => {
    const { dir, migrations, db } = hostProject()
    await cli(dir, '--db', db, '--migrations', migrations, 'migrate', 'latest')
    const result = await cli(dir, '--db', db, '--migrations', migrations, 'migrate', 'down')
    expect(result.code).toBe(0)
    const backups = readdirSync(join(dir, 'data', 'backups'))
    expect(backups).toHaveLength(1)
    expect(backups[0]).toMatch(/^index-.*-from-0002_beta\.sqlite$/)
    expect(result.stdout).toContain(`backup: ${join(dir, 'data', 'backups', backups[0]!)}`)
    expect(result.stdout).toMatch(/reverted 0002_beta/)
    expect(tables(db)).toEqual(['alpha'])
  })

  it('to <name> and reset move between versions; --backup-dir chooses the backup folder', async () => {
    const { dir, migrations, db } = hostProject()
    const backupDir = join(dir, 'elsewhere')
    const common = ['--db', db, '--migrations', migrations, '--backup-dir', backupDir]
    expect((await cli(dir, ...common, 'migrate', 'to', '0001_alpha')).code).toBe(0)
    expect(tables(db)).toEqual(['alpha'])
    expect((await cli(dir, ...common, 'migrate', 'latest')).code).toBe(0)
    expect((await cli(dir, ...common, 'migrate', 'reset')).code).toBe(0)
    expect(tables(db)).toEqual([])
    expect(readdirSync(backupDir)).toHaveLength(2)
    const listed = await cli(dir, ...common, '--json', 'migrate', 'backups')
    const { backups } = JSON.parse(listed.stdout) as { backups: Array<{ fromVersion: string }> }
    expect(backups.map((backup) => backup.fromVersion)).toEqual(['0002_beta', '0001_alpha'])
  })

  it('an edited applied migration fails latest with exit code 1 and one line naming the code', async () => {
    const { dir, migrations, db } = hostProject()
    await cli(dir, '--db', db, '--migrations', migrations, 'migrate', 'up')
    writeFileSync(join(migrations, '0001_alpha.ts'), `${migration('alpha')}// edited\n`)
    const result = await cli(dir, '--db', db, '--migrations', migrations, 'migrate', 'latest')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^codeindex: MIGRATION_CHECKSUM_MISMATCH: migration 0001_alpha was edited after it was applied.*\n$/)
    expect(tables(db)).toEqual(['alpha'])
  })

  it('validate reports the problem, repair records the edit, then validate passes', async () => {
    const { dir, migrations, db } = hostProject()
    const common = ['--db', db, '--migrations', migrations]
    await cli(dir, ...common, 'migrate', 'latest')
    writeFileSync(join(migrations, '0002_beta.ts'), `${migration('beta')}// intended\n`)
    const invalid = await cli(dir, ...common, 'migrate', 'validate')
    expect(invalid.code).toBe(1)
    expect(invalid.stderr).toMatch(/^codeindex: MIGRATION_CHECKSUM_MISMATCH: migration 0002_beta/)
    const repaired = await cli(dir, ...common, 'migrate', 'repair')
    expect(repaired).toEqual({ code: 0, stdout: 'recorded a new checksum for 0002_beta\n', stderr: '' })
    expect(await cli(dir, ...common, 'migrate', 'validate')).toEqual({
      code: 0,
      stdout: 'ok: every applied migration matches its source\n',
      stderr: '',
    })
    expect(await cli(dir, ...common, 'migrate', 'repair')).toEqual({ code: 0, stdout: 'nothing to repair\n', stderr: '' })
  })

  it('--json on a failed run prints a JSON document with the error code', async () => {
    const { dir, migrations, db } = hostProject()
    const result = await cli(dir, '--db', db, '--migrations', migrations, '--json', 'migrate', 'to', 'nope')
    expect(result.code).toBe(1)
    const document = JSON.parse(result.stdout) as { ok: boolean; error: { code: string; migration: string } }
    expect(document.ok).toBe(false)
    expect(document.error).toEqual({ code: 'MIGRATION_NOT_FOUND', message: 'there is no migration named nope', migration: 'nope' })
    expect(result.stderr).toBe('codeindex: MIGRATION_NOT_FOUND: there is no migration named nope\n')
  })

  it('a missing migrations folder is one readable line, not a stack trace', async () => {
    const { dir, db } = hostProject()
    const result = await cli(dir, '--db', db, '--migrations', join(dir, 'nowhere'), 'migrate', 'latest')
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`codeindex: MIGRATION_LOAD_FAILED: cannot read the migrations folder ${join(dir, 'nowhere')}\n`)
  })

  it('every subcommand but latest, up and to refuses a missing database with FILE_NOT_INDEXED, creating nothing', async () => {
    const { dir, migrations } = hostProject()
    const db = join(dir, 'miss', 'sub', 'x.db')
    const subcommands = [
      ['status'],
      ['validate'],
      ['repair'],
      ['backups'],
      ['down'],
      ['reset'],
      ['down', '--dry-run'],
      ['latest', '--dry-run'],
      ['up', '--dry-run'],
      ['to', '0001_alpha', '--dry-run'],
    ]
    for (const subcommand of subcommands) {
      expect(await cli(dir, '--db', db, '--migrations', migrations, 'migrate', ...subcommand)).toEqual({
        code: 1,
        stdout: '',
        stderr: `codeindex: FILE_NOT_INDEXED: there is no index at ${db}; run \`codeindex index\` first\n`,
      })
    }
    expect(readdirSync(dir)).toEqual(['migrations'])
  })

  it('to <name> without --dry-run creates the database and applies up to <name>', async () => {
    const { dir, migrations, db } = hostProject()
    const result = await cli(dir, '--db', db, '--migrations', migrations, 'migrate', 'to', '0001_alpha')
    expect(result.code).toBe(0)
    expect(tables(db)).toEqual(['alpha'])
  })

  it('a migrations folder that is missing or a file fails before any database is created', async () => {
    const { dir, db } = hostProject()
    const file = join(dir, 'migrations', '0001_alpha.ts')
    for (const folder of [join(dir, 'nowhere'), file]) {
      for (const subcommand of [['latest'], ['status']]) {
        expect(await cli(dir, '--db', db, '--migrations', folder, 'migrate', ...subcommand)).toEqual({
          code: 1,
          stdout: '',
          stderr: `codeindex: MIGRATION_LOAD_FAILED: cannot read the migrations folder ${folder}\n`,
        })
      }
    }
    expect(existsSync(join(dir, 'data'))).toBe(false)
  })

  it('an unknown command exits non-zero with one INVALID_ARGUMENT line', async () => {
    const result = await cli(workspace(), 'migrate', 'sideways')
    expect(result.code).toBe(1)
    expect(result.stderr).toBe("codeindex: INVALID_ARGUMENT: unknown command 'sideways'\n")
  })
})

describe('codeindex restore', () => {
  it('puts a backup back in place of the database', async () => {
    const { dir, migrations, db } = hostProject()
    const common = ['--db', db, '--migrations', migrations]
    await cli(dir, ...common, 'migrate', 'latest')
    await cli(dir, ...common, 'migrate', 'reset')
    const [backup] = readdirSync(join(dir, 'data', 'backups'))
    const file = join(dir, 'data', 'backups', backup!)
    const result = await cli(dir, ...common, 'restore', file)
    expect(result).toEqual({ code: 0, stdout: `restored ${file} into ${db}\n`, stderr: '' })
    expect(tables(db)).toEqual(['alpha', 'beta'])
  })

  it('refuses a file that is not a database with BACKUP_INVALID and leaves the database as it was', async () => {
    const { dir, migrations, db } = hostProject()
    await cli(dir, '--db', db, '--migrations', migrations, 'migrate', 'latest')
    const text = join(dir, 'notes.sqlite')
    writeFileSync(text, 'not a database at all, only words')
    const result = await cli(dir, '--db', db, '--migrations', migrations, 'restore', text)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^codeindex: BACKUP_INVALID: .*notes\.sqlite is not a sound SQLite database: file is not a database\n$/)
    expect(tables(db)).toEqual(['alpha', 'beta'])
  })
})

describe('kysely.config.ts', () => {
  it('names the database, migrations and backup folder for the CLI', async () => {
    const { dir } = hostProject()
    const defineConfig = join(process.cwd(), 'src', 'config', 'define-config.ts')
    writeFileSync(
      join(dir, 'kysely.config.ts'),
      `import { defineConfig } from ${JSON.stringify(defineConfig)}\n` +
        `export default defineConfig({ database: 'db/from-config.db', migrationFolder: 'migrations', backupFolder: 'snapshots' })\n`,
    )
    expect((await cli(dir, 'migrate', 'latest')).code).toBe(0)
    expect(tables(join(dir, 'db', 'from-config.db'))).toEqual(['alpha', 'beta'])
    expect((await cli(dir, 'migrate', 'down')).code).toBe(0)
    expect(readdirSync(join(dir, 'snapshots'))).toHaveLength(1)
  })

  it('a config file that is not a codeindex config fails with CONFIG_INVALID', async () => {
    const dir = workspace()
    writeFileSync(join(dir, 'kysely.config.ts'), 'export default { dialect: "pg" }\n')
    const result = await cli(dir, 'migrate', 'status')
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      `codeindex: CONFIG_INVALID: ${join(dir, 'kysely.config.ts')} does not export a codeindex config; use \`export default defineConfig({...})\` from codeindex\n`,
    )
  })

  it('--config naming a missing file fails with CONFIG_INVALID', async () => {
    const dir = workspace()
    const result = await cli(dir, '--config', 'nope.ts', 'migrate', 'status')
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(`codeindex: CONFIG_INVALID: the config file ${join(dir, 'nope.ts')} does not exist\n`)
    expect(existsSync(join(dir, '.codeindex'))).toBe(false)
  })
})
