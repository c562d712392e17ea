// Type tests: `npm run typecheck` compiles this file, so a wrong column or value below fails the build, and an
// expected error that stops erroring (a column typed too loosely) fails it too.
import { expectTypeOf, it } from 'vitest'
import type { DB, DefinitionKind, FileRow, NewDefinitionRow } from '../../src/index.js'
import { createKysely } from '../../src/index.js'
import { latestIndexDatabase } from '../schema/schema-helpers.js'

it('host code runs typed queries on the same database, and a wrong column does not compile', async () => {
  const { database } = await latestIndexDatabase()
  const db = createKysely(database)
  const rows = await db.selectFrom('definitions').select(['name', 'kind', 'line']).where('exported', '=', 1).execute()
  expectTypeOf(rows).toEqualTypeOf<Array<{ name: string; kind: DefinitionKind; line: number }>>()

  // @ts-expect-error: definitions has no column "title"
  db.selectFrom('definitions').select(['title'])
  // @ts-expect-error: "gadget" is not a definition kind
  db.selectFrom('definitions').selectAll().where('kind', '=', 'gadget')
  // @ts-expect-error: exported is 0 or 1
  db.updateTable('definitions').set({ exported: 2 })

  expectTypeOf<FileRow['id']>().toEqualTypeOf<number>()
  expectTypeOf<NewDefinitionRow['id']>().toEqualTypeOf<number | undefined>()
  expectTypeOf<keyof DB>().toEqualTypeOf<
    | 'content_index'
    | 'definitions'
    | 'file_contents'
    | 'file_tags'
    | 'files'
    | 'imports'
    | 'index_runs'
    | 'index_settings'
    | 'search_documents'
    | 'search_index'
    | 'symbols'
  >()
})
