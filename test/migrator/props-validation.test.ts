import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import {
  GuardedMigrator,
  MigrationFolderProvider,
  SqliteMigrationDialect,
  type GuardedMigratorProps,
} from '../../src/migrator/index.js'
import { tempDir } from '../helpers.js'

const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) })
const provider = new MigrationFolderProvider({ folder: 'migrations' })
afterAll(() => db.destroy())

/** What constructing a migrator with `props` throws. */
function thrownBy(props: unknown): Error {
  try {
    new GuardedMigrator(props as GuardedMigratorProps)
  } catch (error) {
    return error as Error
  }
  throw new Error('the constructor did not throw')
}

describe('new GuardedMigrator()', () => {
  it('throws TypeError naming props.db when there is no Kysely instance', () => {
    const error = thrownBy({})

    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toBe('GuardedMigrator: props.db must be a Kysely instance')
  })

  it('throws TypeError naming props.provider when there is no provider', () => {
    const error = thrownBy({ db })

    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(/^GuardedMigrator: props\.provider /)
  })

  it('throws RangeError naming props.lockTimeoutMs for a negative timeout', () => {
    const error = thrownBy({ db, provider, lockTimeoutMs: -1 })

    expect(error).toBeInstanceOf(RangeError)
    expect(error.message).toMatch(/^GuardedMigrator: props\.lockTimeoutMs /)
  })

  it('throws RangeError naming props.backup.retain for a retention below 1', () => {
    const error = thrownBy({ db, provider, dialect: new SqliteMigrationDialect({ path: 'x.db' }), backup: { folder: 'b', retain: 0 } })

    expect(error).toBeInstanceOf(RangeError)
    expect(error.message).toMatch(/^GuardedMigrator: props\.backup\.retain /)
  })

  it('throws TypeError naming props.backup.folder for an empty folder', () => {
    const error = thrownBy({ db, provider, dialect: new SqliteMigrationDialect({ path: 'x.db' }), backup: { folder: '' } })

    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toBe('GuardedMigrator: props.backup.folder must be a non-empty path')
  })

  it('throws TypeError naming props.backup.prefix for a prefix that is no plain file name part', () => {
    const error = thrownBy({ db, provider, dialect: new SqliteMigrationDialect({ path: 'x.db' }), backup: { folder: 'b', prefix: '../up' } })

    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(/^GuardedMigrator: props\.backup\.prefix /)
  })

  it('throws TypeError naming props.hooks.beforeMigration for a hook that is not a function', () => {
    const error = thrownBy({ db, provider, hooks: { beforeMigration: 'log it' } })

    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(/^GuardedMigrator: props\.hooks\.beforeMigration /)
  })

  it('throws TypeError naming props.dialect for an object that is no dialect', () => {
    const error = thrownBy({ db, provider, dialect: {} })

    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toBe('GuardedMigrator: props.dialect must be a MigrationDialect')
  })

  it('throws TypeError naming props.backup when the default dialect cannot back up', () => {
    const error = thrownBy({ db, provider, backup: { folder: 'backups' } })

    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(/^GuardedMigrator: props\.backup needs a dialect that can back up/)
  })

  it('throws TypeError naming props.backup for an in-memory dialect', () => {
    const error = thrownBy({ db, provider, dialect: new SqliteMigrationDialect({ path: ':memory:' }), backup: { folder: 'backups' } })

    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(/^GuardedMigrator: props\.backup /)
  })

  it('accepts console as the logger and backup: false without a path-capable dialect', () => {
    expect(new GuardedMigrator({ db, provider, logger: console, backup: false })).toBeInstanceOf(GuardedMigrator)
  })
})

describe('new MigrationFolderProvider()', () => {
  it('throws TypeError naming props.folder for an empty folder', () => {
    expect(() => new MigrationFolderProvider({ folder: '' })).toThrow(
      new TypeError('MigrationFolderProvider: props.folder must be a non-empty path'),
    )
  })
})

describe('new SqliteMigrationDialect()', () => {
  it('throws TypeError naming props.path for an empty path', () => {
    expect(() => new SqliteMigrationDialect({ path: '' })).toThrow(
      new TypeError('SqliteMigrationDialect: props.path must be a non-empty string'),
    )
  })

  it('can back up and restore a file, and neither for :memory: or no path', () => {
    const path = join(tempDir(), 'index.db')

    expect([new SqliteMigrationDialect({ path }), new SqliteMigrationDialect({ path: ':memory:' }), new SqliteMigrationDialect()].map(
      (dialect) => [typeof dialect.backup, typeof dialect.restore],
    )).toEqual([
      ['function', 'function'],
      ['undefined', 'undefined'],
      ['undefined', 'undefined'],
    ])
  })
})
