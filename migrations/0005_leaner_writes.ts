// Cheaper writes, measured on the 10,000-file benchmark corpus:
// - The trigram content index keeps document ids only (detail=none): a third of the write time and a sixth of the
//   size of the full index. Substring queries use LIKE, which FTS5 answers from the trigrams and then confirms
//   against file_contents; FTS5 phrase queries no longer work on this table.
// - A file's search document is written once, by the indexer, with its names: the trigger that inserted an empty
//   document for every new file made each new file cost one insert, one delete and one more insert in search_index.
// - No index on definitions.kind: with a handful of kinds it narrows nothing, yet without statistics SQLite chose it
//   over file_id for `file_id IN (...) AND kind IN (...)` and read every function of the index (50 ms a search).
// - An index of file_contents' ids alone: which files have content is then read from a few pages, not from every
//   row of the contents (a re-run over 10,000 unchanged files asks).
// Frozen in time: never imports from src/.
import { sql, type Kysely } from 'kysely'

async function contentIndex(db: Kysely<any>, detail: 'none' | 'full'): Promise<void> {
  await sql`DROP TABLE content_index`.execute(db)
  if (detail === 'none') {
    await sql`
    CREATE VIRTUAL TABLE content_index USING fts5(
      content, content = 'file_contents', content_rowid = 'file_id', tokenize = 'trigram', detail = none
    )
  `.execute(db)
  } else {
    // As migration 3 wrote it.
    await sql`
    CREATE VIRTUAL TABLE content_index USING fts5(
      content, content = 'file_contents', content_rowid = 'file_id', tokenize = 'trigram'
    )
  `.execute(db)
  }
  await sql`INSERT INTO content_index (content_index) VALUES ('rebuild')`.execute(db)
}

export async function up(db: Kysely<any>): Promise<void> {
  await contentIndex(db, 'none')
  await sql`DROP TRIGGER files_after_insert_search_document`.execute(db)
  await db.schema.createIndex('file_contents_file_id_index').on('file_contents').column('file_id').execute()
  await db.schema.dropIndex('definitions_kind_index').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('definitions_kind_index').on('definitions').column('kind').execute()
  await db.schema.dropIndex('file_contents_file_id_index').execute()
  await sql`
    CREATE TRIGGER files_after_insert_search_document AFTER INSERT ON files BEGIN
      INSERT INTO search_documents (file_id, filename, path) VALUES (new.id, new.filename, new.path);
    END
  `.execute(db)
  // Version 4 expects a document for every file.
  await sql`
    INSERT INTO search_documents (file_id, filename, path)
    SELECT id, filename, path FROM files WHERE id NOT IN (SELECT file_id FROM search_documents)
  `.execute(db)
  await contentIndex(db, 'full')
}
