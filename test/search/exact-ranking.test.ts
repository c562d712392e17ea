import { describe, expect, it } from 'vitest'
import { Indexer } from '../../src/indexing/indexer.js'
import { splitWords } from '../../src/indexing/split-words.js'
import { search } from '../../src/search/search.js'
import { tree, writeTree } from '../indexing/indexing-helpers.js'
import { latestIndexDatabase, random } from '../schema/schema-helpers.js'

type Db = Parameters<typeof search>[0]

async function indexed(files: Record<string, string>) {
  const { database, db } = await latestIndexDatabase()
  const indexer = new Indexer(database, { workers: 0 })
  const result = await indexer.index(tree(files))
  expect(result.status).toBe('Completed')
  await indexer.close()
  return { database, db }
}

/** Path and score of each result. */
const ranked = async (db: Db, query: string, options: { limit: number; offset?: number }) =>
  (await search(db, query, options)).results.map((result) => `${result.path} ${result.score}`)

describe('ranking a word that many files hold', () => {
  it('puts the files that export its definition first, however low BM25 ranks them among the matches', async () => {
    // A hundred small files define `config` without exporting it; three large ones export it, among many other names.
    // `config` is in nearly every file, so BM25 all but ignores it, and ranks the short documents first: the three
    // are far outside the best few dozen by BM25 that the page used to be ranked among.
    const files: Record<string, string> = {}
    for (let index = 0; index < 100; index++) files[`src/noise/n${index}.ts`] = `const config = ${index}\n`
    const defining = ['src/settings/alpha.ts', 'src/settings/beta.ts', 'src/settings/gamma.ts']
    for (const path of defining) {
      const others = Array.from({ length: 60 }, (_, index) => `export function helper${index}Value() { return ${index} }\n`).join('')
      files[path] = `export const config = { level: 1 }\n${others}`
    }
    const { db } = await indexed(files)
    const whole = await ranked(db, 'config', { limit: 1000 })
    expect(whole).toHaveLength(103)
    for (const limit of [1, 3, 10]) {
      const page = (await search(db, 'config', { limit })).results
      expect(page.map((result) => result.path).slice(0, 3).sort()).toEqual(defining.slice(0, Math.min(limit, 3)).sort())
      expect(page.map((result) => `${result.path} ${result.score}`)).toEqual(whole.slice(0, limit))
    }
    // Exported exact name (x1.5) over an exact name that is not exported (x1.25), in the names tier.
    const [first, fourth] = [(await search(db, 'config', { limit: 4 })).results[0]!, (await search(db, 'config', { limit: 4 })).results[3]!]
    expect(first.score).toBeGreaterThanOrEqual(150)
    expect(fourth.score).toBeGreaterThanOrEqual(125)
    expect(fourth.score).toBeLessThan(127)
  })

  it('finds the files that define the word through definitions_name_key_index (migration 0008), not a scan', async () => {
    const files: Record<string, string> = {}
    for (let index = 0; index < 70; index++) files[`src/f${index}.ts`] = `export const config = ${index}\n`
    const { database, db } = await indexed(files)
    const prepared: string[] = []
    const prepare = database.prepare.bind(database)
    database.prepare = ((source: string) => {
      prepared.push(source)
      return prepare(source)
    }) as typeof database.prepare
    await search(db, 'config', { limit: 1 })
    database.prepare = prepare
    const bounded = prepared.find((source) => source.includes('WITH matched'))!
    const plan = database.prepare(`EXPLAIN QUERY PLAN ${bounded}`).all(...Array.from(bounded.matchAll(/\?/g), () => null)) as Array<{ detail: string }>
    const definitions = plan.map((row) => row.detail).filter((detail) => detail.includes('definitions'))
    expect(definitions.length).toBeGreaterThan(0)
    for (const detail of definitions) expect(detail).toMatch(/^SEARCH definitions USING (COVERING )?INDEX definitions_name_key_index \(<expr>=\?/)
  })

  it('ranks a match among the names over matches among name parts, however long its file', async () => {
    // Small files whose names hold `gizmo` as a word (name parts, and high BM25 for a short document); large ones with a
    // name that starts with it (the names tier, but far down by BM25), not exactly it, so no exact-name boost lifts them.
    const files: Record<string, string> = {}
    for (let index = 0; index < 80; index++) files[`src/small/s${index}.ts`] = `export function bigGizmo${index}() {}\n`
    const large = ['lib/large/a.ts', 'lib/large/b.ts']
    for (const path of large) {
      const others = Array.from({ length: 80 }, (_, name) => `export function unrelated${name}Thing() {}\n`).join('')
      files[path] = `export function gizmos() {}\n${others}`
    }
    const { db } = await indexed(files)
    const whole = await ranked(db, 'gizmo', { limit: 1000 })
    expect(whole.slice(0, 2).map((entry) => entry.split(' ')[0])).toEqual(large)
    expect(await ranked(db, 'gizmo', { limit: 5 })).toEqual(whole.slice(0, 5))
  })

  it('finds a def: term among files that only mention the other words, past the first few dozen mentions', async () => {
    const files: Record<string, string> = {}
    for (let index = 0; index < 40; index++) files[`src/m${String(index).padStart(2, '0')}.ts`] = `export const note${index} = 'see widget here'\n`
    files['src/zz.ts'] = `export function Zeta() {\n  return 'a widget'\n}\n`
    const { db } = await indexed(files)
    const page = (await search(db, 'def:Zeta widget', { limit: 1 })).results
    expect(page.map((result) => [result.path, result.matchedFields, result.snippets.map((snippet) => snippet.line)])).toEqual([['src/zz.ts', ['content'], [2]]])
  })

  it('finds exported definitions of a word outside ASCII too, in any case', async () => {
    // SQLite folds the case of ASCII letters only: `Ärger` is the exact name for `ärger` all the same.
    const files: Record<string, string> = {}
    for (let index = 0; index < 70; index++) files[`src/s${index}.ts`] = `const ärger = ${index}\n`
    const exported = ['lib/a.ts', 'lib/b.ts', 'lib/c.ts']
    for (const path of exported) files[path] = `export const Ärger = 1\n${Array.from({ length: 80 }, (_, index) => `export function other${index}() {}\n`).join('')}`
    const { db } = await indexed(files)
    const whole = await ranked(db, 'ärger', { limit: 1000 })
    expect(whole.slice(0, 3).map((entry) => entry.split(' ')[0])).toEqual(exported)
    expect(await ranked(db, 'ärger', { limit: 3 })).toEqual(whole.slice(0, 3))
  })

  it('ranks by the tier of the best field matched, file name over path over docstrings, however BM25 orders them', async () => {
    const large = (name: string) =>
      Array.from({ length: 80 }, (_, index) => `export function ${name}${index}Thing() {}\n`).join('')
    // Each case: three files of a higher tier that BM25 puts last (large documents), among seventy of a lower tier.
    const cases: Array<{ files: Record<string, string>; first: string[] }> = [
      {
        files: {
          ...Object.fromEntries(Array.from({ length: 70 }, (_, index) => [`src/quasar/p${index}.ts`, `export const p${index} = 1\n`])),
          ...Object.fromEntries(['lib/a/quasar.ts', 'lib/b/quasar.ts', 'lib/c/quasar.ts'].map((path) => [path, large('alpha')])),
        },
        first: ['lib/a/quasar.ts', 'lib/b/quasar.ts', 'lib/c/quasar.ts'],
      },
      {
        files: {
          ...Object.fromEntries(Array.from({ length: 70 }, (_, index) => [`src/d${index}.ts`, `/** The quasar. */\nexport const d${index} = 1\n`])),
          ...Object.fromEntries(['lib/quasar/a.ts', 'lib/quasar/b.ts', 'lib/quasar/c.ts'].map((path) => [path, large('beta')])),
        },
        first: ['lib/quasar/a.ts', 'lib/quasar/b.ts', 'lib/quasar/c.ts'],
      },
      {
        // Tests that are generated too score 0.42 of their tier: a path (20) below a docstring (10) then.
        files: {
          ...Object.fromEntries(Array.from({ length: 70 }, (_, index) => [`test/quasar/p${index}.generated.ts`, `export const p${index} = 1\n`])),
          ...Object.fromEntries(['src/a.ts', 'src/b.ts', 'src/c.ts'].map((path) => [path, `/** The quasar. */\n${large('gamma')}`])),
        },
        first: ['src/a.ts', 'src/b.ts', 'src/c.ts'],
      },
    ]
    for (const { files, first } of cases) {
      const { db } = await indexed(files)
      const whole = await ranked(db, 'quasar', { limit: 1000 })
      expect(whole.slice(0, 3).map((entry) => entry.split(' ')[0]).sort()).toEqual(first)
      expect(await ranked(db, 'quasar', { limit: 3 })).toEqual(whole.slice(0, 3))
    }
  })

  it('breaks ties at the edge of a page by path, over every file tied there', async () => {
    // 150 files alike but for their names, m100.ts to m249.ts, all of one length: each scores the same. The later half
    // by path is indexed first, so that file ids and paths disagree: the first files by id are not the first by path.
    const alike = (from: number, to: number) =>
      Object.fromEntries(Array.from({ length: to - from }, (_, index) => [`src/m${from + index}.ts`, 'export function gadget() {}\n']))
    const { database, db } = await latestIndexDatabase()
    const indexer = new Indexer(database, { workers: 0 })
    const root = tree(alike(175, 250))
    await indexer.index(root)
    writeTree(root, alike(100, 175))
    await indexer.index(root)
    await indexer.close()
    const page = (await search(db, 'gadget', { limit: 10 })).results
    expect(new Set(page.map((result) => result.score)).size).toBe(1)
    expect(page.map((result) => result.path)).toEqual(Array.from({ length: 10 }, (_, index) => `src/m${100 + index}.ts`))
    expect(await ranked(db, 'gadget', { limit: 10, offset: 70 })).toEqual((await ranked(db, 'gadget', { limit: 1000 })).slice(70, 80))
  })

  it('pages through matches in the search documents exactly: pages of any size join into the one listing', async () => {
    const files: Record<string, string> = {}
    for (let index = 0; index < 90; index++) {
      const dir = index % 3 === 0 ? 'test' : 'src'
      files[`${dir}/w${index}.ts`] = `${index % 4 === 0 ? 'export ' : ''}function widget${index % 5 === 0 ? '' : `Part${index}`}() {}\n`
    }
    // Large files that export `widget` itself: by BM25 the last of the matches, by the ranking among the first.
    for (let index = 0; index < 6; index++) {
      const others = Array.from({ length: 50 }, (_, name) => `export function other${name}() {}\n`).join('')
      files[`${index % 2 === 0 ? 'test' : 'lib'}/big${index}.ts`] = `export function widget() {}\nexport function widgetPart() {}\n${others}`
    }
    const { db } = await indexed(files)
    for (const query of ['widget', 'widget part']) {
      const whole = await ranked(db, query, { limit: 1000 })
      expect(whole.length).toBeGreaterThan(60)
      for (const limit of [1, 7, 10, 25]) {
        const joined: string[] = []
        for (let offset = 0; offset < whole.length; offset += limit) joined.push(...(await ranked(db, query, { limit, offset })))
        expect(joined).toEqual(whole)
      }
    }
  })
})

describe('a file the same, whatever its size', () => {
  it('an exact name with a leading underscore gets the exact-name boost and answers def:, in a large file as in a small one', async () => {
    // The large file's names (over 8 KB) are matched by FTS5 column queries, whose tokens keep the underscore.
    const others = Array.from({ length: 500 }, (_, index) => `export function unrelatedThing${index}Value() {}\n`).join('')
    const { db } = await indexed({ 'src/small.ts': 'export function _gizmoValue() {}\n', 'src/large.ts': `export function _gizmoValue() {}\n${others}` })
    // The words of the name, among the name parts (tier 60), exported and exact (x1.5).
    const results = (await search(db, 'gizmoValue', { limit: 10 })).results
    expect(results.map((result) => result.path).sort()).toEqual(['src/large.ts', 'src/small.ts'])
    for (const result of results) {
      expect(result.score).toBeGreaterThanOrEqual(90)
      expect(result.score).toBeLessThan(91.5)
      expect(result.definitions.map((definition) => definition.name)).toEqual(['_gizmoValue'])
    }
    expect((await search(db, 'def:gizmoValue', { limit: 10 })).results.map((result) => result.path).sort()).toEqual(['src/large.ts', 'src/small.ts'])
  })

  it('matches a query in the same fields of a large file (FTS5 column queries) as of a small one (read here)', async () => {
    // Each case: a query, the definitions a file holds, and the fields the query should match in it. The large file
    // holds the same definitions and 500 more (its names, name parts and docstrings are over 8 KB).
    const cases: Array<[string, string, string[]]> = [
      // The whole token among the name parts too (`weakref`'s one word), not only the query's words (`weak`, `ref`).
      ['WeakRef', 'export function weakref() {}\n', ['names', 'name_parts']],
      // Every word typed, the one-character one too: `yarnPnp` has no word starting with `1`.
      ['yarnPnp$1', 'export function yarnPnp() {}\n', []],
      ['yarnPnp$1', 'export function yarnPnp() {}\nexport function pnp1Yarn() {}\n', ['name_parts']],
      // A term's tokens anywhere in the column, not only side by side: `bar` and `foo` are two names here.
      ['foo.bar', 'export function bar() {}\nexport function middle() {}\nexport function foo() {}\n', ['names', 'name_parts']],
      // The same in a docstring (the file matches by its name parts, `alpha omega`).
      ['alpha.omega', '/** omega comes after alpha */\nexport function greek() {}\nexport function alphaOmega() {}\n', ['name_parts', 'docstrings']],
    ]
    // Padding names of letters only (`paddingEntryBaQq`), so that no word of theirs is a digit a query could want; their
    // docstrings make the large file's docstrings over 8 KB too.
    const letters = (index: number) => [...index.toString(26)].map((digit) => String.fromCharCode(97 + parseInt(digit, 26))).join('')
    const padding = Array.from({ length: 500 }, (_, index) => `/** Padding entry ${letters(index)}. */\nexport function paddingEntry${letters(index)}Qq() {}\n`).join('')
    const files: Record<string, string> = {}
    cases.forEach(([, source], index) => {
      files[`small/case${index}.ts`] = source
      files[`large/case${index}.ts`] = `${source}${padding}`
    })
    const { db } = await indexed(files)
    for (const [index, [query, , fields]] of cases.entries()) {
      const results = (await search(db, query, { limit: 100 })).results
      const matched = (path: string) => results.find((result) => result.path === path)?.matchedFields.filter((field) => field !== 'content')
      expect([query, index, matched(`small/case${index}.ts`) ?? []]).toEqual([query, index, fields])
      expect([query, index, matched(`large/case${index}.ts`) ?? []]).toEqual([query, index, fields])
    }
  })
})

describe('property: any page of any query is the same slice of the whole ranking', () => {
  const WORDS = ['config', 'parse', 'load', 'value', 'index', 'store']
  for (const seed of [1, 2, 3]) {
    it(`holds on a random corpus of common words (seed ${seed})`, async () => {
      const next = random(seed)
      const pick = <T>(values: ReadonlyArray<T>) => values[Math.floor(next() * values.length)]!
      const name = () => {
        const words = Array.from({ length: 1 + Math.floor(next() * 2) }, () => pick(WORDS))
        const style = next()
        if (style < 0.4) return words.join('_')
        return words.map((word, index) => (index === 0 && style < 0.8 ? word : word[0]!.toUpperCase() + word.slice(1))).join('')
      }
      const files: Record<string, string> = {}
      for (let index = 0; index < 160; index++) {
        const dir = next() < 0.2 ? 'test' : pick(['src', 'lib', 'src/deep'])
        const generated = next() < 0.1 ? '.generated' : ''
        const definitions = Array.from(
          { length: 1 + Math.floor(next() * (next() < 0.1 ? 40 : 4)) },
          (_, line) => `${next() < 0.5 ? 'export ' : ''}function ${name()}${line}x() {}\n${next() < 0.3 ? `export const ${name()} = 1\n` : ''}`,
        )
        const file = `${dir}/${next() < 0.3 ? pick(WORDS) : 'f'}${index}${generated}.ts`
        files[file] = `// ${pick(WORDS)} ${pick(WORDS)}\n${definitions.join('')}`
      }
      const { db } = await indexed(files)
      const queries = [...WORDS, ...WORDS.map((word) => word.slice(0, 3)), 'config value', 'parse store', 'load index lang:ts', 'def:config', 'value -parse', 'config path:src/**', 'parse kind:function', 'store tag:test']
      for (const query of queries) {
        const whole = await ranked(db, query, { limit: 1000 })
        for (const [limit, offset] of [[1, 0], [5, 0], [10, 0], [10, 10], [7, 30]] as const) {
          expect(await ranked(db, query, { limit, offset }), `${query} limit ${limit} offset ${offset}`).toEqual(whole.slice(offset, offset + limit))
        }
      }
    })
  }
})

describe('property: a file ranks the same whatever its size', () => {
  // Words of names in several styles, digits and one-letter words among them; no word of the padding (`padding`,
  // `entry`, `qq…`) starts with one of them, nor do the folders' (`small`, `large`).
  const WORDS = ['config', 'parse', 'load', 'value', 'index', 'store', 'v', 'x', '2', 'http', 'url']
  /** The tier and exact-name boost of a score (no file here is tagged test or generated). */
  const band = (score: number) => {
    for (const tier of [100, 60, 40, 20, 10, 1]) {
      for (const boost of [1, 1.25, 1.5]) if (score / boost >= tier && score / boost < tier + 1) return `${tier}x${boost}`
    }
    return `? ${score}`
  }
  const letters = (index: number) => [...index.toString(26)].map((digit) => String.fromCharCode(97 + parseInt(digit, 26))).join('')
  const padding = Array.from({ length: 500 }, (_, index) => `/** Padding entry qq${letters(index)}. */\nexport function paddingEntryQq${letters(index)}() {}\n`).join('')

  it('matches the same fields, tier, boost and definitions in a large file (FTS5 column queries) as in a small one', async () => {
    const next = random(11)
    const pick = <T>(values: ReadonlyArray<T>) => values[Math.floor(next() * values.length)]!
    const name = () => {
      const words = Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(WORDS))
      const style = next()
      const joined =
        style < 0.3
          ? words.join('_')
          : style < 0.5
            ? words.join('_').toUpperCase()
            : words.map((word, index) => (index === 0 && style < 0.8 ? word : word[0]!.toUpperCase() + word.slice(1))).join('')
      return `${next() < 0.15 ? '_' : ''}${joined}`.replace(/^(\d)/, 'n$1')
    }
    const files: Record<string, string> = {}
    const names: string[] = []
    const count = 24
    for (let index = 0; index < count; index++) {
      const own = Array.from({ length: 1 + Math.floor(next() * 3) }, name)
      names.push(...own)
      const source = own.map((each) => `${next() < 0.3 ? `/** ${pick(WORDS)} ${pick(WORDS)} */\n` : ''}${next() < 0.5 ? 'export ' : ''}function ${each}() {}\n`).join('')
      files[`small/f${index}.ts`] = source
      files[`large/f${index}.ts`] = `${source}${padding}`
    }
    const { db } = await indexed(files)
    const queries = new Set<string>()
    while (queries.size < 40) {
      const chosen = pick(names)
      const words = splitWords(chosen)
      queries.add(
        pick([chosen, chosen.toLowerCase(), words.join(' '), words.join('.'), pick(words), chosen.slice(0, Math.max(2, chosen.length - 2)), `def:${chosen}`]),
      )
    }
    let compared = 0
    for (const query of queries) {
      const results = new Map((await search(db, query, { limit: 1000 })).results.map((result) => [result.path, result]))
      for (let index = 0; index < count; index++) {
        const [small, large] = [results.get(`small/f${index}.ts`), results.get(`large/f${index}.ts`)]
        // Content differs (the padding's), so a mention in it does too: a file found by its content alone counts as
        // not found.
        const seen = (result: typeof small) =>
          result === undefined || result.matchedFields.every((field) => field === 'content')
            ? 'not in the search document'
            : { band: band(result.score), fields: result.matchedFields, definitions: result.definitions }
        expect([query, index, seen(large)]).toEqual([query, index, seen(small)])
        if (seen(small) !== 'not in the search document') compared++
      }
    }
    // The property held where it was put to the test, many times over.
    expect(compared).toBeGreaterThan(100)
  })
})
