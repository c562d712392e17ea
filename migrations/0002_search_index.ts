// Full-text search: user and automatic tags per file, and an FTS5 index over one search document per file.
//
// `search_documents` holds each file's document (filename, path, definition names, those names split into words,
// imports, docstrings, tags). Triggers keep its filename and path in step with `files` and create or delete the row
// with the file; the indexing service writes the derived columns in the same transaction as the rows they come from.
// `search_index` is an external-content FTS5 table over `search_documents`, kept exact by the three triggers below:
// an FTS5 'delete' must carry the old values, which only an AFTER DELETE/UPDATE trigger still has.
//
// Frozen in time: never imports from src/, so the word splitting below is this migration's own copy.
import { sql, type Kysely } from 'kysely'

const DOCUMENT_COLUMNS = ['filename', 'path', 'names', 'name_parts', 'imports', 'docstrings', 'tags'] as const
const BATCH = 500

/** `CodebaseIndex`, `codebase_index`, `codebase-index` -> `codebase index`; `XMLHttpRequest` -> `xml http request`. */
function splitWords(name: string): string[] {
  return (name.match(/[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+|[^\x00-\x7F]+/g) ?? []).map((word) => word.toLowerCase())
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)]
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('file_tags')
    .addColumn('id', 'integer', (c) => c.primaryKey().notNull())
    .addColumn('file_id', 'integer', (c) => c.notNull().references('files.id').onDelete('cascade'))
    .addColumn('tag', 'text', (c) => c.notNull().check(sql`length(tag) > 0 AND tag = trim(tag)`))
    .addColumn('weight', 'real', (c) => c.notNull().defaultTo(1).check(sql`weight >= 0`))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source IN ('auto', 'user')`))
    .addUniqueConstraint('file_tags_file_id_tag_unique', ['file_id', 'tag'])
    .execute()
  await db.schema.createIndex('file_tags_tag_index').on('file_tags').column('tag').execute()

  await db.schema
    .createTable('search_documents')
    .addColumn('file_id', 'integer', (c) => c.primaryKey().notNull().references('files.id').onDelete('cascade'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('names', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('name_parts', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('imports', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('docstrings', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo(''))
    .execute()

  // `_` is a token character so that snake_case names stay whole in `names`; `name_parts` has their words.
  await sql`
    CREATE VIRTUAL TABLE search_index USING fts5(
      filename, path, names, name_parts, imports, docstrings, tags,
      content = 'search_documents', content_rowid = 'file_id',
      tokenize = "unicode61 remove_diacritics 2 tokenchars '_'",
      prefix = '2 3 4'
    )
  `.execute(db)

  const columns = sql.join(DOCUMENT_COLUMNS.map((column) => sql.ref(column)))
  const values = (row: 'new' | 'old') => sql.join(DOCUMENT_COLUMNS.map((column) => sql.ref(`${row}.${column}`)))
  await sql`
    CREATE TRIGGER search_documents_after_insert AFTER INSERT ON search_documents BEGIN
      INSERT INTO search_index (rowid, ${columns}) VALUES (new.file_id, ${values('new')});
    END
  `.execute(db)
  await sql`
    CREATE TRIGGER search_documents_after_delete AFTER DELETE ON search_documents BEGIN
      INSERT INTO search_index (search_index, rowid, ${columns}) VALUES ('delete', old.file_id, ${values('old')});
    END
  `.execute(db)
  await sql`
    CREATE TRIGGER search_documents_after_update AFTER UPDATE ON search_documents BEGIN
      INSERT INTO search_index (search_index, rowid, ${columns}) VALUES ('delete', old.file_id, ${values('old')});
      INSERT INTO search_index (rowid, ${columns}) VALUES (new.file_id, ${values('new')});
    END
  `.execute(db)
  await sql`
    CREATE TRIGGER files_after_insert_search_document AFTER INSERT ON files BEGIN
      INSERT INTO search_documents (file_id, filename, path) VALUES (new.id, new.filename, new.path);
    END
  `.execute(db)
  await sql`
    CREATE TRIGGER files_after_rename_search_document AFTER UPDATE OF path, filename ON files BEGIN
      UPDATE search_documents SET filename = new.filename, path = new.path WHERE file_id = new.id;
    END
  `.execute(db)

  await backfill(db)
}

/** Builds the document of every file already indexed, so that a database upgraded with data is searchable at once. */
async function backfill(db: Kysely<any>): Promise<void> {
  let after = 0
  for (;;) {
    const files = (await db
      .selectFrom('files')
      .select(['id', 'filename', 'path'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute()) as Array<{ id: number; filename: string; path: string }>
    if (files.length === 0) return
    after = files[files.length - 1]!.id
    const ids = files.map((file) => file.id)
    const definitions = (await db
      .selectFrom('definitions')
      .select(['file_id', 'name', 'docstring'])
      .where('file_id', 'in', ids)
      .orderBy('id')
      .execute()) as Array<{ file_id: number; name: string; docstring: string | null }>
    const imports = (await db
      .selectFrom('imports')
      .select(['file_id', 'module', 'names'])
      .where('file_id', 'in', ids)
      .orderBy('id')
      .execute()) as Array<{ file_id: number; module: string; names: string }>
    const rows = files.map((file) => {
      const own = definitions.filter((definition) => definition.file_id === file.id)
      const imported = imports.filter((entry) => entry.file_id === file.id)
      return {
        file_id: file.id,
        filename: file.filename,
        path: file.path,
        names: unique(own.map((definition) => definition.name)).join(' '),
        name_parts: unique(own.flatMap((definition) => splitWords(definition.name))).join(' '),
        imports: unique(imported.flatMap((entry) => [entry.module, ...(JSON.parse(entry.names) as string[])])).join(' '),
        docstrings: own.flatMap((definition) => (definition.docstring ? [definition.docstring] : [])).join('\n'),
        tags: '',
      }
    })
    await db.insertInto('search_documents').values(rows).execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER files_after_rename_search_document`.execute(db)
  await sql`DROP TRIGGER files_after_insert_search_document`.execute(db)
  await sql`DROP TRIGGER search_documents_after_update`.execute(db)
  await sql`DROP TRIGGER search_documents_after_delete`.execute(db)
  await sql`DROP TRIGGER search_documents_after_insert`.execute(db)
  await sql`DROP TABLE search_index`.execute(db)
  await db.schema.dropTable('search_documents').execute()
  await db.schema.dropTable('file_tags').execute()
}
