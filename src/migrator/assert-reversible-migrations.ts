import type { Kysely } from 'kysely'
import type { GuardedMigrator } from './guarded-migrator.js'
import type { MigrationDialect, SchemaObject } from './migration-dialect.js'
import { MigrationError } from './migration-error.js'
import { SqliteMigrationDialect } from './sqlite-migration-dialect.js'

export interface AssertReversibleMigrationsOptions {
  /** The migrator, over a scratch database at no migration. */
  readonly migrator: GuardedMigrator
  /** The same database, to read its schema. */
  readonly db: Kysely<any>
  /** Reads the schema. Default: SQLite's `sqlite_schema`. */
  readonly dialect?: MigrationDialect | undefined
}

/**
 * Proves every pending migration reversible: for each in turn, up -> down must give back the schema from before it, and
 * up again the schema from after it (compared object by object, SQL text included). Throws
 * `MIGRATION_NOT_REVERSIBLE` naming the migration and the first object that differs; returns the names checked.
 * For tests, on a scratch database; it applies every migration.
 *
 * ```ts
 * it('migrations are reversible', async () => {
 *   expect(await assertReversibleMigrations({ migrator, db })).toEqual(['0001_initial', '0002_search'])
 * })
 * ```
 */
export async function assertReversibleMigrations(
  options: AssertReversibleMigrationsOptions,
): Promise<ReadonlyArray<string>> {
  const { migrator, db } = options
  const dialect = options.dialect ?? new SqliteMigrationDialect()
  const ignored = new Set(migrator.bookkeepingTables)
  const schema = async () =>
    (await dialect.readSchema(db)).filter((object) => !ignored.has(object.tableName) && !ignored.has(object.name))
  const checked: string[] = []
  const pending = (await migrator.status()).filter((status) => status.state === 'Pending')
  for (const { name } of pending) {
    const before = await schema()
    await expectSuccess(migrator.migrateUp(), name)
    const after = await schema()
    await expectSuccess(migrator.migrateDown(), name)
    compare(name, 'down', before, await schema())
    await expectSuccess(migrator.migrateUp(), name)
    compare(name, 'up again', after, await schema())
    checked.push(name)
  }
  return checked
}

async function expectSuccess(run: Promise<{ readonly error?: MigrationError | undefined }>, name: string) {
  const { error } = await run
  if (error) {
    throw new MigrationError('MIGRATION_NOT_REVERSIBLE', `migration ${name} failed while checking reversibility: ${error.message}`, {
      cause: error,
      migrationName: name,
    })
  }
}

function compare(name: string, step: string, expected: ReadonlyArray<SchemaObject>, actual: ReadonlyArray<SchemaObject>) {
  const key = (object: SchemaObject) => `${object.type} ${object.name}`
  const expectedByKey = new Map(expected.map((object) => [key(object), object]))
  const actualByKey = new Map(actual.map((object) => [key(object), object]))
  for (const [objectKey, object] of expectedByKey) {
    const other = actualByKey.get(objectKey)
    if (!other) fail(name, step, `${objectKey} is missing`)
    if (other.sql !== object.sql) fail(name, step, `${objectKey} differs: ${other.sql} instead of ${object.sql}`)
  }
  for (const objectKey of actualByKey.keys()) {
    if (!expectedByKey.has(objectKey)) fail(name, step, `${objectKey} is left over`)
  }
}

function fail(name: string, step: string, difference: string): never {
  throw new MigrationError('MIGRATION_NOT_REVERSIBLE', `migration ${name} is not reversible: after ${step}, ${difference}`, {
    migrationName: name,
  })
}
