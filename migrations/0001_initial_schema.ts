// The code index's tables: files, their definitions, imports and symbols, and the record of indexing runs.
// Frozen in time: a migration never imports from src/, and is never edited once applied (its checksum is recorded).
import { sql, type Kysely } from 'kysely'

const DEFINITION_KINDS = [
  'function', 'method', 'constructor', 'class', 'interface', 'type', 'enum', 'enum_member', 'variable', 'constant',
  'module', 'namespace', 'struct', 'union', 'trait', 'impl', 'field', 'property', 'macro', 'label',
]
const IMPORT_KINDS = ['import', 'export', 'require', 'dynamic', 'include', 'use']
const SYMBOL_KINDS = ['local', 'parameter', 'field', 'property', 'type_parameter']
const FILE_STATUSES = ['Indexed', 'Skipped', 'Failed']
const RUN_STATUSES = ['Running', 'Completed', 'Failed', 'Cancelled']

const oneOf = (column: string, values: ReadonlyArray<string>) =>
  sql`${sql.ref(column)} IN (${sql.join(values.map((value) => sql.lit(value)))})`
const boolean = (column: string) => sql`${sql.ref(column)} IN (0, 1)`
const jsonArray = (column: string) => sql`json_valid(${sql.ref(column)}) AND json_type(${sql.ref(column)}) = 'array'`

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('files')
    .addColumn('id', 'integer', (c) => c.primaryKey().notNull())
    .addColumn('path', 'text', (c) => c.notNull().unique().check(sql`length(path) > 0 AND path NOT LIKE '/%' AND instr(path, '\\') = 0`))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('extension', 'text', (c) => c.notNull())
    .addColumn('language', 'text')
    .addColumn('size', 'integer', (c) => c.notNull().check(sql`size >= 0`))
    .addColumn('mtime_ms', 'real', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.check(sql`hash IS NULL OR (length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*')`))
    .addColumn('line_count', 'integer', (c) => c.check(sql`line_count IS NULL OR line_count >= 0`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('Indexed').check(oneOf('status', FILE_STATUSES)))
    .addColumn('status_reason', 'text')
    .addColumn('indexed_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('files_language_index').on('files').column('language').execute()
  await db.schema.createIndex('files_filename_index').on('files').column('filename').execute()

  await db.schema
    .createTable('definitions')
    .addColumn('id', 'integer', (c) => c.primaryKey().notNull())
    .addColumn('file_id', 'integer', (c) => c.notNull().references('files.id').onDelete('cascade'))
    .addColumn('parent_id', 'integer', (c) => c.references('definitions.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) > 0`))
    .addColumn('kind', 'text', (c) => c.notNull().check(oneOf('kind', DEFINITION_KINDS)))
    .addColumn('line', 'integer', (c) => c.notNull().check(sql`line >= 1`))
    .addColumn('column', 'integer', (c) => c.notNull().check(sql`"column" >= 0`))
    .addColumn('end_line', 'integer', (c) => c.notNull().check(sql`end_line >= line`))
    .addColumn('end_column', 'integer', (c) => c.notNull().check(sql`end_column >= 0`))
    .addColumn('exported', 'integer', (c) => c.notNull().defaultTo(0).check(boolean('exported')))
    .addColumn('docstring', 'text')
    .addColumn('signature', 'text')
    .addColumn('decorators', 'text', (c) => c.notNull().defaultTo('[]').check(jsonArray('decorators')))
    .execute()
  await db.schema.createIndex('definitions_file_id_index').on('definitions').column('file_id').execute()
  await db.schema.createIndex('definitions_parent_id_index').on('definitions').column('parent_id').execute()
  await db.schema.createIndex('definitions_name_index').on('definitions').column('name').execute()
  await db.schema.createIndex('definitions_kind_index').on('definitions').columns(['kind', 'name']).execute()

  await db.schema
    .createTable('imports')
    .addColumn('id', 'integer', (c) => c.primaryKey().notNull())
    .addColumn('file_id', 'integer', (c) => c.notNull().references('files.id').onDelete('cascade'))
    .addColumn('module', 'text', (c) => c.notNull().check(sql`length(module) > 0`))
    .addColumn('kind', 'text', (c) => c.notNull().check(oneOf('kind', IMPORT_KINDS)))
    .addColumn('names', 'text', (c) => c.notNull().defaultTo('[]').check(jsonArray('names')))
    .addColumn('line', 'integer', (c) => c.notNull().check(sql`line >= 1`))
    // The indexed file a relative specifier resolves to; the import outlives that file's deletion, unresolved.
    .addColumn('resolved_file_id', 'integer', (c) => c.references('files.id').onDelete('set null'))
    .execute()
  await db.schema.createIndex('imports_file_id_index').on('imports').column('file_id').execute()
  await db.schema.createIndex('imports_module_index').on('imports').column('module').execute()
  await db.schema.createIndex('imports_resolved_file_id_index').on('imports').column('resolved_file_id').execute()

  await db.schema
    .createTable('symbols')
    .addColumn('id', 'integer', (c) => c.primaryKey().notNull())
    .addColumn('file_id', 'integer', (c) => c.notNull().references('files.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) > 0`))
    .addColumn('kind', 'text', (c) => c.notNull().check(oneOf('kind', SYMBOL_KINDS)))
    .addColumn('line', 'integer', (c) => c.notNull().check(sql`line >= 1`))
    .addColumn('column', 'integer', (c) => c.notNull().check(sql`"column" >= 0`))
    .addColumn('scope', 'text')
    .execute()
  await db.schema.createIndex('symbols_file_id_index').on('symbols').column('file_id').execute()
  await db.schema.createIndex('symbols_name_index').on('symbols').column('name').execute()

  await db.schema
    .createTable('index_runs')
    .addColumn('id', 'integer', (c) => c.primaryKey().notNull())
    .addColumn('root', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(oneOf('status', RUN_STATUSES)))
    .addColumn('files_seen', 'integer', (c) => c.notNull().defaultTo(0).check(sql`files_seen >= 0`))
    .addColumn('files_indexed', 'integer', (c) => c.notNull().defaultTo(0).check(sql`files_indexed >= 0`))
    .addColumn('files_unchanged', 'integer', (c) => c.notNull().defaultTo(0).check(sql`files_unchanged >= 0`))
    .addColumn('files_skipped', 'integer', (c) => c.notNull().defaultTo(0).check(sql`files_skipped >= 0`))
    .addColumn('files_failed', 'integer', (c) => c.notNull().defaultTo(0).check(sql`files_failed >= 0`))
    .addColumn('files_removed', 'integer', (c) => c.notNull().defaultTo(0).check(sql`files_removed >= 0`))
    .addColumn('duration_ms', 'real', (c) => c.check(sql`duration_ms IS NULL OR duration_ms >= 0`))
    .addColumn('error', 'text')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('index_runs').execute()
  await db.schema.dropTable('symbols').execute()
  await db.schema.dropTable('imports').execute()
  await db.schema.dropTable('definitions').execute()
  await db.schema.dropTable('files').execute()
}
