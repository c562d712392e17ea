// Substring search over file contents: `file_contents` holds each text file's content and `content_index`, an
// external-content FTS5 table with the trigram tokenizer, answers `LIKE '%needle%'` and substrings inside identifiers
// from the index instead of a scan. The index can be turned off per database (`index_settings.content_index = 'off'`);
// then a trigger refuses any content, so nothing is stored. Contents are not backfilled: this schema never held them,
// and the indexer stores a file's content on its next run.
//
// Frozen in time: never imports from src/.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('index_settings')
    .addColumn('key', 'text', (c) => c.primaryKey().notNull().check(sql`key IN ('content_index')`))
    .addColumn('value', 'text', (c) => c.notNull())
    .addCheckConstraint('index_settings_value_check', sql`key <> 'content_index' OR value IN ('on', 'off')`)
    .execute()
  await db.insertInto('index_settings').values({ key: 'content_index', value: 'on' }).execute()

  await db.schema
    .createTable('file_contents')
    .addColumn('file_id', 'integer', (c) => c.primaryKey().notNull().references('files.id').onDelete('cascade'))
    .addColumn('content', 'text', (c) => c.notNull())
    .execute()

  await sql`
    CREATE VIRTUAL TABLE content_index USING fts5(
      content, content = 'file_contents', content_rowid = 'file_id', tokenize = 'trigram'
    )
  `.execute(db)
  await sql`
    CREATE TRIGGER file_contents_after_insert AFTER INSERT ON file_contents BEGIN
      INSERT INTO content_index (rowid, content) VALUES (new.file_id, new.content);
    END
  `.execute(db)
  await sql`
    CREATE TRIGGER file_contents_after_delete AFTER DELETE ON file_contents BEGIN
      INSERT INTO content_index (content_index, rowid, content) VALUES ('delete', old.file_id, old.content);
    END
  `.execute(db)
  await sql`
    CREATE TRIGGER file_contents_after_update AFTER UPDATE ON file_contents BEGIN
      INSERT INTO content_index (content_index, rowid, content) VALUES ('delete', old.file_id, old.content);
      INSERT INTO content_index (rowid, content) VALUES (new.file_id, new.content);
    END
  `.execute(db)
  await sql`
    CREATE TRIGGER file_contents_only_when_enabled BEFORE INSERT ON file_contents
    WHEN (SELECT value FROM index_settings WHERE key = 'content_index') = 'off'
    BEGIN
      SELECT RAISE(ABORT, 'the content index is off for this database');
    END
  `.execute(db)
  // Turning the index off drops what it held: nothing stores content while it is off.
  await sql`
    CREATE TRIGGER index_settings_content_index_off AFTER UPDATE OF value ON index_settings
    WHEN new.key = 'content_index' AND new.value = 'off'
    BEGIN
      DELETE FROM file_contents;
    END
  `.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER index_settings_content_index_off`.execute(db)
  await sql`DROP TRIGGER file_contents_only_when_enabled`.execute(db)
  await sql`DROP TRIGGER file_contents_after_update`.execute(db)
  await sql`DROP TRIGGER file_contents_after_delete`.execute(db)
  await sql`DROP TRIGGER file_contents_after_insert`.execute(db)
  await sql`DROP TABLE content_index`.execute(db)
  await db.schema.dropTable('file_contents').execute()
  await db.schema.dropTable('index_settings').execute()
}
