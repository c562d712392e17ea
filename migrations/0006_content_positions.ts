// The trigram content index keeps positions again (detail=full), undoing that part of migration 5. Without them,
// FTS5 answers a substring query with every file holding the needle's trigrams anywhere, and LIKE must then read each
// candidate's whole content to confirm it: on the JavaScript and TypeScript files of node_modules (3,800 files,
// 49 MB, large bundles among them) that cost 8-10 ms at the median and 40-60 ms at p99 for one needle. A phrase
// query of the needle's trigrams is exact with positions and took 0.2-0.9 ms; the index is ten times larger.
// Frozen in time: never imports from src/.
import { sql, type Kysely } from 'kysely'

async function contentIndex(db: Kysely<any>, detail: 'none' | 'full'): Promise<void> {
  await sql`DROP TABLE content_index`.execute(db)
  if (detail === 'none') {
    // As migration 5 wrote it.
    await sql`
    CREATE VIRTUAL TABLE content_index USING fts5(
      content, content = 'file_contents', content_rowid = 'file_id', tokenize = 'trigram', detail = none
    )
  `.execute(db)
  } else {
    await sql`
    CREATE VIRTUAL TABLE content_index USING fts5(
      content, content = 'file_contents', content_rowid = 'file_id', tokenize = 'trigram', detail = full
    )
  `.execute(db)
  }
  await sql`INSERT INTO content_index (content_index) VALUES ('rebuild')`.execute(db)
}

export async function up(db: Kysely<any>): Promise<void> {
  await contentIndex(db, 'full')
}

export async function down(db: Kysely<any>): Promise<void> {
  await contentIndex(db, 'none')
}
