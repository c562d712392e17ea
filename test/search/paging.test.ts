import { expect, it } from 'vitest'
import { Indexer } from '../../src/indexing/indexer.js'
import { search } from '../../src/search/search.js'
import { tree, writeTree } from '../indexing/indexing-helpers.js'
import { latestIndexDatabase, random } from '../schema/schema-helpers.js'

/** Every page of `query`, `limit` at a time, joined, as paths. */
async function paged(db: Parameters<typeof search>[0], query: string, limit: number, pages: number): Promise<string[]> {
  const listed: string[] = []
  for (let page = 0; page < pages; page++) listed.push(...(await search(db, query, { limit, offset: page * limit })).results.map((result) => result.path))
  return listed
}

it('pages of files found only by a mention in their content join into the one long listing, ranked by their tags, then by id', async () => {
  const next = random(5)
  // Mentions inside string literals: in no definition's name, so only the trigram index finds them. Files of the
  // first run are mostly tests or generated (lowered, and with the lowest ids); the files added after it are mostly
  // not, on paths that sort before and after the first ones, so that file ids and paths disagree.
  const mention = (index: number) => `export const note${index} = 'see zorblaxWidget here'\n`
  const place = (index: number, lowered: number) => {
    const test = next() < lowered ? 'test' : 'src'
    return `${test}/m${String(index).padStart(3, '0')}${next() < lowered ? '.generated' : ''}.ts`
  }
  const files: Record<string, string> = {}
  for (let index = 0; index < 120; index++) files[place(index, 0.8)] = mention(index)
  for (let index = 0; index < 20; index++) files[`src/other${index}.ts`] = `export const other${index} = 1\n`
  const root = tree(files)
  const { database, db } = await latestIndexDatabase()
  const indexer = new Indexer(database, { workers: 0 })
  await indexer.index(root)
  const added: Record<string, string> = {}
  for (let index = 0; index < 30; index++) added[place(200 + index, 0.3).replace(/m(?=\d)/, next() < 0.5 ? 'a' : 'z')] = mention(200 + index)
  writeTree(root, added)
  await indexer.index(root)
  const ids = new Map((database.prepare('SELECT path, id FROM files').all() as Array<{ path: string; id: number }>).map((row) => [row.path, row.id]))
  const rank = (path: string) => (path.startsWith('test/') ? 1 : 0) + (path.includes('.generated.') ? 2 : 0)
  const expected = [...Object.keys(files), ...Object.keys(added)]
    .filter((path) => !path.includes('other'))
    .sort((a, b) => rank(a) - rank(b) || ids.get(a)! - ids.get(b)!)

  for (const query of ['zorblaxWidget', 'orblaxWid']) {
    const whole = (await search(db, query, { limit: 1000 })).results.map((result) => result.path)
    expect(whole).toEqual(expected)
    for (const limit of [1, 7, 10, 25]) expect(await paged(db, query, limit, Math.ceil(150 / limit))).toEqual(whole)
  }
  await indexer.close()
})
