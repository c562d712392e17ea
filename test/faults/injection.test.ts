import { describe, expect, it } from 'vitest'
import { Indexer } from '../../src/indexing/indexer.js'
import { setUserTag } from '../../src/indexing/user-tags.js'
import { fileOutline, findDefinitions } from '../../src/search/lookups.js'
import { search } from '../../src/search/search.js'
import { tree } from '../indexing/indexing-helpers.js'
import { latestIndexDatabase } from '../schema/schema-helpers.js'

const INJECTION = `x'); DROP TABLE files; --`

describe('SQL injection', () => {
  it('paths, names, contents, tags and queries made of SQL reach SQLite as bound values only', async () => {
    const root = tree({
      [`${INJECTION}.ts`]: `// ${INJECTION}\nexport function dropTables() { return "'; DELETE FROM definitions; --" }\n`,
      "weird'name\".py": `def robert_tables():\n    """'); DROP TABLE symbols; --"""\n    pass\n`,
    })
    const { database, db } = await latestIndexDatabase()
    const result = await new Indexer(database, { workers: 0 }).index(root)
    expect(result.totals.indexed).toBe(2)
    await setUserTag(db, `${INJECTION}.ts`, `'); DROP TABLE file_tags; --`, 1)

    expect((await search(db, INJECTION)).results.map((entry) => entry.path)).toEqual([`${INJECTION}.ts`])
    expect((await search(db, `"DELETE FROM definitions"`)).results.map((entry) => entry.path)).toEqual([`${INJECTION}.ts`])
    expect((await search(db, `'); DROP TABLE symbols; --`)).results.map((entry) => entry.path)).toEqual(["weird'name\".py"])
    expect(await findDefinitions(db, `x' OR '1'='1`)).toEqual([])
    expect((await fileOutline(db, "weird'name\".py")).map((entry) => entry.name)).toEqual(['robert_tables'])
    const tables = (database.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('files', 'definitions', 'symbols', 'file_tags') ORDER BY name`).all() as Array<{ name: string }>).map((row) => row.name)
    expect(tables).toEqual(['definitions', 'file_tags', 'files', 'symbols'])
    expect(database.prepare('SELECT count(*) AS n FROM definitions').get()).toEqual({ n: 2 })
  })
})
