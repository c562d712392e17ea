import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createKysely } from '../../src/db/create-kysely.js'
import { openDatabase } from '../../src/db/open-database.js'
import { search } from '../../src/search/search.js'
import { SearchError } from '../../src/search/search-error.js'
import { startChild } from './fault-helpers.js'

let work: string
const FILES = 150

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'codeindex-concurrency-'))
  for (let index = 0; index < FILES; index++) {
    mkdirSync(join(work, 'tree', `d${index % 5}`), { recursive: true })
    writeFileSync(
      join(work, 'tree', `d${index % 5}`, `unit${index}.ts`),
      `export function widgetNumber${index}(a: number): number {\n  return a * ${index}\n}\nexport const marker${index} = 'widget ${index}'\n`,
    )
  }
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

it('8 processes migrating and 2 indexing one new file, with 10 searchers at once: nothing locked escapes, no search sees half a file', async () => {
  const path = join(work, 'index.db')
  const children = await Promise.all([
    ...Array.from({ length: 8 }, () => startChild('migrate', path)),
    ...Array.from({ length: 2 }, () => startChild('index', path, join(work, 'tree'))),
  ])
  for (const child of children) child.go()
  await Promise.race(children.map((child) => child.printed('migrated')))

  const database = openDatabase(path, { readonly: true })
  const db = createKysely(database)
  let searching = true
  const failures: string[] = []
  let searches = 0
  const searcher = async (seed: number) => {
    for (let round = 0; searching; round++) {
      const index = (seed * 37 + round * 11) % FILES
      try {
        const { results } = await search(db, `def:widgetNumber${index}`)
        for (const result of results) {
          // A file is visible only with its definitions: the indexer writes both in one transaction.
          if (result.path !== `d${index % 5}/unit${index}.ts` || result.definitions.length !== 1) {
            failures.push(`def:widgetNumber${index} -> ${result.path} with ${result.definitions.length} definitions`)
          }
        }
        searches++
      } catch (error) {
        failures.push(error instanceof SearchError ? `${error.code}: ${error.message}` : String(error))
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  const searchers = Array.from({ length: 10 }, (_, seed) => searcher(seed))
  const codes = await Promise.all(children.map((child) => child.exited))
  searching = false
  await Promise.all(searchers)

  expect({ codes, outputs: children.map((child) => child.output()).filter((output) => /error|locked/i.test(output)) }).toEqual({
    codes: Array.from({ length: 10 }, () => 0),
    outputs: [],
  })
  expect(failures).toEqual([])
  expect(searches).toBeGreaterThan(0)
  expect(children.slice(8).map((child) => /indexed (\d+)/.exec(child.output())?.[1])).toEqual(
    expect.arrayContaining([expect.stringMatching(/^\d+$/)]),
  )
  const final = (await search(db, 'def:widgetNumber7')).results
  expect(final.map((result) => result.path)).toEqual(['d2/unit7.ts'])
  expect(database.prepare('SELECT count(*) AS n FROM files').get()).toEqual({ n: FILES })
  // Every migration of the index, applied once.
  const migrations = readdirSync(new URL('../../migrations/', import.meta.url)).filter((name) => /^\d{4}_.*\.ts$/.test(name))
  expect(database.prepare('SELECT count(*) AS n FROM kysely_migration').get()).toEqual({ n: migrations.length })
  database.close()
})
