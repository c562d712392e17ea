// Smaller indexes, measured on the 10,000-file benchmark corpus: no service looks symbols up by name across files
// (0.4x the source size for that index alone), and the kind lookups need the kind only, not the kind with every name.
// Frozen in time: never imports from src/.
import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('symbols_name_index').execute()
  await db.schema.dropIndex('definitions_kind_index').execute()
  await db.schema.createIndex('definitions_kind_index').on('definitions').column('kind').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('definitions_kind_index').execute()
  await db.schema.createIndex('definitions_kind_index').on('definitions').columns(['kind', 'name']).execute()
  await db.schema.createIndex('symbols_name_index').on('symbols').column('name').execute()
}
