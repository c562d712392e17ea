// Definitions by the key a search compares names by: the name lower-cased without `_` and `$` (`Codebase_Index` and
// `$codebaseIndex` -> `codebaseindex`), or `*` for a name holding any other character than ASCII letters, digits, `_`
// and `$`, whose key SQL cannot compute as the search does. With it a search finds, for a word that half the files
// hold, the files that define that name exactly, exported or not, without reading every match: ranking a common word
// then no longer depends on which files BM25 (all but blind to such a word) happened to put in its pool. The price,
// on the 10,000-file corpus (228,091 definitions): 5.3 MB of index (3.29 times the source without contents, against
// 3.13), about 0.9 s more of a cold run's writing (10.3 against 9.4 s, two runs each; wall time unchanged at 13.6-
// 14.1 s, as the writes overlap the parsing), and 0.36 s to build it on an existing database.
// Frozen in time: never imports from src/. The search writes the same expression (src/search/fts-sql.ts).
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('definitions_name_key_index')
    .on('definitions')
    .expression(sql`(CASE WHEN name GLOB '*[^A-Za-z0-9_$]*' THEN '*' ELSE lower(replace(replace(name, '_', ''), '$', '')) END), exported, file_id`)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('definitions_name_key_index').execute()
}
