import type { Kysely, Transaction } from 'kysely'
import type { DB } from '../db/schema.generated.js'
import { CodeIndexError } from '../errors.js'

export interface UserTag {
  readonly path: string
  readonly tag: string
  readonly weight: number
}

function checkTag(tag: string, weight: number): void {
  if (typeof tag !== 'string' || tag.trim() === '' || tag !== tag.trim()) {
    throw new TypeError('tag must be a non-empty string without surrounding spaces')
  }
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) throw new RangeError('weight must be a number >= 0')
}

async function fileId(db: Transaction<DB>, path: string): Promise<number> {
  const row = await db.selectFrom('files').select('id').where('path', '=', path).executeTakeFirst()
  if (!row) throw new CodeIndexError('FILE_NOT_INDEXED', `${path} is not in the index; index its folder first`)
  return row.id
}

/** Rewrites the `tags` column of the file's search document, heaviest tag first. */
async function refreshDocument(db: Transaction<DB>, id: number): Promise<void> {
  const tags = await db.selectFrom('file_tags').select('tag').where('file_id', '=', id).orderBy('weight', 'desc').orderBy('tag').execute()
  await db.updateTable('search_documents').set({ tags: tags.map((row) => row.tag).join(' ') }).where('file_id', '=', id).execute()
}

/**
 * Tags a file on behalf of a user, with a weight that search ranking uses (`tag:` filters match it too). A user tag
 * replaces an automatic one of the same name and survives every re-index. Throws `FILE_NOT_INDEXED` for an unknown path.
 *
 * ```ts
 * await setUserTag(db, 'src/search/rank.ts', 'ranking', 2)
 * ```
 */
export async function setUserTag(db: Kysely<DB>, path: string, tag: string, weight = 1): Promise<void> {
  checkTag(tag, weight)
  await db.transaction().execute(async (trx) => {
    const id = await fileId(trx, path)
    await trx
      .insertInto('file_tags')
      .values({ file_id: id, tag, weight, source: 'user' })
      .onConflict((conflict) => conflict.columns(['file_id', 'tag']).doUpdateSet({ weight, source: 'user' }))
      .execute()
    await refreshDocument(trx, id)
  })
}

/** Removes a user tag; resolves `false` when the file had no such user tag. */
export async function removeUserTag(db: Kysely<DB>, path: string, tag: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const id = await fileId(trx, path)
    const { numDeletedRows } = await trx
      .deleteFrom('file_tags')
      .where('file_id', '=', id)
      .where('tag', '=', tag)
      .where('source', '=', 'user')
      .executeTakeFirst()
    await refreshDocument(trx, id)
    return numDeletedRows > 0n
  })
}

/** Every user tag, by path then tag. */
export async function listUserTags(db: Kysely<DB>): Promise<ReadonlyArray<UserTag>> {
  return db
    .selectFrom('file_tags')
    .innerJoin('files', 'files.id', 'file_tags.file_id')
    .select(['files.path', 'file_tags.tag', 'file_tags.weight'])
    .where('file_tags.source', '=', 'user')
    .orderBy('files.path')
    .orderBy('file_tags.tag')
    .execute()
}

