import { expect, it } from 'vitest'
import { Indexer } from '../../src/indexing/indexer.js'
import { search } from '../../src/search/search.js'
import { tree } from '../indexing/indexing-helpers.js'
import { latestIndexDatabase, random } from '../schema/schema-helpers.js'

it('a file with thousands of definitions ranks and reports the same way as a small one', async () => {
  const helpers = Array.from({ length: 1500 }, (_, index) => `export function helperNumber${index}() {}`).join('\n')
  const root = tree({
    'src/big.ts': `${helpers}\n/** The one that matters. */\nexport class CodebaseIndex {}\n`,
    'src/small.ts': `import { CodebaseIndex } from './big.js'\nexport const use = new CodebaseIndex()\n`,
    'src/parts.ts': 'export function codebaseIndexRow() {}\n',
  })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const { results } = await search(db, 'CodebaseIndex')
  expect(results.map((result) => result.path)).toEqual(['src/big.ts', 'src/parts.ts', 'src/small.ts'])
  expect(results[0]!.definitions).toEqual([{ name: 'CodebaseIndex', kind: 'class', line: 1502, endLine: 1502, exported: true }])
  // Its docstring ("The one that matters.") does not name it.
  expect(results[0]!.matchedFields).toEqual(['names', 'name_parts'])
  expect((await search(db, 'def:helperNumber1499')).results.map((result) => result.path)).toEqual(['src/big.ts'])
  // The last word is a prefix: 77 also finds 770 to 779; ten are listed, in line order.
  expect((await search(db, 'helper number 77')).results[0]!.definitions.map((definition) => definition.name)).toEqual([
    'helperNumber77',
    ...Array.from({ length: 9 }, (_, index) => `helperNumber77${index}`),
  ])
})

it('a large file in the page for a mention lists no definitions; one whose names answer lists its own', async () => {
  const helpers = Array.from({ length: 1500 }, (_, index) => `export function helperNumber${index}() {}`).join('\n')
  const root = tree({
    'src/big.ts': `${helpers}\n// draws through renderGadget(), defined elsewhere\nexport function parseWidgetConfig() {}\n`,
    'src/gadget.ts': 'export function renderGadget() {}\n',
  })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const listed = async (query: string) =>
    (await search(db, query)).results.map((result) => [result.path, result.definitions.map((definition) => definition.name)])
  expect(await listed('renderGadget')).toEqual([
    ['src/gadget.ts', ['renderGadget']],
    ['src/big.ts', []],
  ])
  expect(await listed('widget config')).toEqual([['src/big.ts', ['parseWidgetConfig']]])
  expect(await listed('parseWidgetCon')).toEqual([['src/big.ts', ['parseWidgetConfig']]])
  // A definition is listed when its name holds every word typed: here none does.
  expect(await listed('parseWidgetConfig renderGadget')).toEqual([['src/big.ts', []]])
  expect(await listed('helper number 149')).toEqual([
    ['src/big.ts', ['helperNumber149', ...Array.from({ length: 9 }, (_, index) => `helperNumber149${index}`)]],
  ])
})

it('a definition named with letters beyond ASCII is listed whatever the case it is searched in', async () => {
  const root = tree({ 'src/moods.js': 'export function Ärger() {}\nexport function Ärgernis() {}\nexport function calm() {}\n' })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const { results } = await search(db, 'ärger')
  expect(results.map((result) => [result.path, result.definitions.map((definition) => definition.name)])).toEqual([
    ['src/moods.js', ['Ärger', 'Ärgernis']],
  ])
})

it('snippets come from anywhere in a long file: its first three matching lines, however far in', async () => {
  // 3,000 filler lines of 24 to 27 characters: about 83K characters.
  const filler = Array.from({ length: 3000 }, (_, index) => `// filler line ${index} of text`).join('\n')
  const root = tree({
    'both.txt': `needleword first\n${filler}\nneedleword again\n`,
    'deep.txt': `${filler}\nneedleword here\n`,
  })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const { results } = await search(db, 'needleword')
  expect(results.map((result) => [result.path, result.snippets])).toEqual([
    [
      'both.txt',
      [
        { line: 1, text: 'needleword first', highlights: [[0, 10]] },
        { line: 3002, text: 'needleword again', highlights: [[0, 10]] },
      ],
    ],
    ['deep.txt', [{ line: 3001, text: 'needleword here', highlights: [[0, 10]] }]],
  ])
})

it('a long file found by its path alone has no snippets, and one holding the word past 64K still has its own', async () => {
  const filler = Array.from({ length: 3000 }, (_, index) => `// filler line ${index} of text`).join('\n')
  const root = tree({
    'needleword/notes.txt': filler,
    'deep.txt': `${filler}\nNEEDLEWORD here\n`,
  })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const { results } = await search(db, 'needleword')
  expect(Object.fromEntries(results.map((result) => [result.path, result.snippets]))).toEqual({
    'needleword/notes.txt': [],
    'deep.txt': [{ line: 3001, text: 'NEEDLEWORD here', highlights: [[0, 10]] }],
  })
})

it('a line across the end of a 64 KB piece is read whole, never shown cut short or with half a character', async () => {
  // 3,640 lines of 18 bytes (é takes two), then a match whose line runs past byte 65,536 in the middle of an é.
  const filler = '// filler é line\n'.repeat(3640)
  const content = `${filler}needleword ééééééééé\nlast line\n`
  expect(Buffer.byteLength(filler)).toBe(65_520)
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(tree({ 'cut.txt': content }))
  const { results } = await search(db, 'needleword')
  expect(results.map((result) => [result.path, result.snippets])).toEqual([
    ['cut.txt', [{ line: 3641, text: 'needleword ééééééééé', highlights: [[0, 10]] }]],
  ])
})

it('snippets of UTF-8 text give each line whole, its number, and highlights counted in its characters', async () => {
  const root = tree({
    'accents.txt': 'première ligne\nčasť — NeedleWord et needleword 😀 fin\n',
    // The Kelvin sign (K) and the long s (ſ) are the two characters that a case-insensitive match takes for k and s.
    'kelvin.txt': 'at 300 \u212Aelvin\nplain kelvin\n',
  })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  expect((await search(db, 'needleword')).results.map((result) => result.snippets)).toEqual([
    [{ line: 2, text: 'časť — NeedleWord et needleword 😀 fin', highlights: [[7, 17], [21, 31]] }],
  ])
  expect((await search(db, 'kelvin')).results.map((result) => result.snippets)).toEqual([
    [
      { line: 1, text: 'at 300 \u212Aelvin', highlights: [[7, 13]] },
      { line: 2, text: 'plain kelvin', highlights: [[6, 12]] },
    ],
  ])
})

it('a line longer than a piece is decoded whole, and the lines after it keep their numbers', async () => {
  const long = `${'x'.repeat(100_000)} needleword ${'y'.repeat(100)}`
  const root = tree({ 'min.js': `${long}\n${'// filler\n'.repeat(7000)}needleword at the end\n` })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const { results } = await search(db, 'needleword')
  expect(results.map((result) => [result.path, result.snippets])).toEqual([
    [
      'min.js',
      [
        // The match lies past a snippet's 200 characters: the line is shown from 40 characters before it, marked.
        { line: 1, text: `…${'x'.repeat(39)} needleword ${'y'.repeat(100)}`, highlights: [[41, 51]] },
        { line: 7002, text: 'needleword at the end', highlights: [[0, 10]] },
      ],
    ],
  ])
})

it('a file in the page for its path alone, whose content the trigram index finds no needle in, has no snippets', async () => {
  const root = tree({
    // In the page for its path; its content never says the word.
    'setup/readme.txt': 'nothing to see\n'.repeat(5000),
    // The trigram index folds ſ to s as the snippets' search does: this file's mention is found and shown.
    'long-s.txt': 'first\nthe \u017fetup step\n',
    'plain.txt': 'a setup line\n',
  })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const { results } = await search(db, 'setup')
  expect(results.map((result) => [result.path, result.matchedFields, result.snippets])).toEqual([
    ['setup/readme.txt', ['path', 'tags'], []],
    ['long-s.txt', ['content'], [{ line: 2, text: 'the \u017fetup step', highlights: [[4, 9]] }]],
    ['plain.txt', ['content'], [{ line: 1, text: 'a setup line', highlights: [[2, 7]] }]],
  ])
})

it("a large file's definitions are found by name, one holding spaces too, and a document written with spaces between names still lists them", async () => {
  const helpers = Array.from({ length: 1500 }, (_, index) => `export function helperNumber${index}() {}`).join('\n')
  const root = tree({
    'src/big.ts': `${helpers}\nexport class Conversions {\n  ['unsigned long long'](value: number) {}\n  unsignedLongValue() {}\n}\n`,
  })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const names = database.prepare(`SELECT names FROM search_documents`).pluck().get() as string
  expect(names.split('\n').slice(-3)).toEqual(['Conversions', "['unsigned long long']", 'unsignedLongValue'])
  const listed = async (query: string) =>
    (await search(db, query)).results.map((result) => [result.path, result.definitions.map((definition) => [definition.name, definition.line])])
  const expected = {
    'unsigned long': [['src/big.ts', [["['unsigned long long']", 1502], ['unsignedLongValue', 1503]]]],
    unsignedLongValue: [['src/big.ts', [['unsignedLongValue', 1503]]]],
    // 1,500 names hold both words, more than are looked up by name: the file's definitions are scanned, ten listed.
    'helper number': [['src/big.ts', Array.from({ length: 10 }, (_, index) => [`helperNumber${index}`, index + 1])]],
    'no such name': [],
  }
  for (const [query, results] of Object.entries(expected)) expect(await listed(query)).toEqual(results)
  // As an index written before names were one a line has it: the same definitions, found by a scan.
  database.prepare(`UPDATE search_documents SET names = replace(names, char(10), ' ')`).run()
  for (const [query, results] of Object.entries(expected)) expect(await listed(query)).toEqual(results)
})

it("a name written over lines (a computed key) keeps its large file's definitions listed: that document's names go between spaces and are scanned", async () => {
  const helpers = Array.from({ length: 1500 }, (_, index) => `export function helperNumber${index}() {}`).join('\n')
  const root = tree({ 'src/big.ts': `${helpers}\nexport class Conversions {\n  ['unsigned' +\n    ' long']() {}\n  unsignedLongValue() {}\n}\n` })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const definitions = database.prepare(`SELECT name FROM definitions WHERE name LIKE '%long%' ORDER BY line`).pluck().all()
  expect(definitions).toEqual(["['unsigned' +\n    ' long']", 'unsignedLongValue'])
  const names = database.prepare(`SELECT names FROM search_documents`).pluck().get() as string
  expect(names.includes('\n')).toBe(false)
  expect(names.endsWith(`Conversions ['unsigned' +     ' long'] unsignedLongValue`)).toBe(true)
  const { results } = await search(db, 'unsigned long')
  expect(results.map((result) => [result.path, result.definitions.map((definition) => [definition.name, definition.line])])).toEqual([
    ['src/big.ts', [["['unsigned' +\n    ' long']", 1502], ['unsignedLongValue', 1504]]],
  ])
})

it("a file's definitions looked up by name are the ones a scan lists, over random names and queries, large file or small", async () => {
  const next = random(7)
  const pick = <T>(values: ReadonlyArray<T>): T => values[Math.floor(next() * values.length)]!
  const words = ['get', 'set', 'node', 'flags', 'value', 'long', 'table', 'name', 'io', 'x', 'parse', 'url', 'id', '2']
  const style = (parts: string[]) =>
    pick([
      () => parts.map((part, index) => (index === 0 ? part : part[0]!.toUpperCase() + part.slice(1))).join(''),
      () => parts.join('_'),
      () => parts.join('_').toUpperCase(),
      () => parts.map((part) => part[0]!.toUpperCase() + part.slice(1)).join(''),
      () => `$${parts.join('')}`,
    ])()
  const names = new Set<string>()
  while (names.size < 1200) names.add(style(Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(words))))
  const source = [...names].map((name, index) => `export function ${name}() { return ${index} }`).join('\n')
  const { database, db } = await latestIndexDatabase()
  const all = [...names]
  const small = Object.fromEntries(
    Array.from({ length: 30 }, (_, file) => [
      `src/small${file}.ts`,
      Array.from({ length: 1 + Math.floor(next() * 12) }, (_, index) => `export function ${pick(all)}() { return ${index} }`).join('\n') + '\n',
    ]),
  )
  await new Indexer(database, { workers: 0 }).index(tree({ 'src/big.ts': `${source}\n`, 'src/small.ts': 'export const getNodeFlags = 1\n', ...small }))
  const queries = Array.from({ length: 60 }, () => {
    const parts = Array.from({ length: 1 + Math.floor(next() * 2) }, () => pick(words))
    return pick([() => parts.join(' '), () => style(parts), () => style(parts).slice(0, -1)])()
  })
  const listings = async () => {
    const out: unknown[] = []
    for (const query of queries) out.push((await search(db, query)).results.map((result) => [result.path, result.definitions]))
    return out
  }
  const byName = await listings()
  expect(byName.some((results) => JSON.stringify(results).includes('"src/big.ts",[{'))).toBe(true)
  expect(byName.some((results) => /"src\/small\d+\.ts",\[\{/.test(JSON.stringify(results)))).toBe(true)
  // The same documents with their names between spaces, as written before: every file is scanned.
  database.prepare(`UPDATE search_documents SET names = replace(names, char(10), ' ')`).run()
  expect(await listings()).toEqual(byName)
})

it('def: and the exact-name boost read a large file as a small one: whole names, not the words FTS5 splits them into', async () => {
  const definitions = "export function zeta$fn() {}\nexport class W { ['a b']() {} }\n"
  const helpers = Array.from({ length: 1600 }, (_, index) => `export function helper${index}() {}`).join('\n')
  const root = tree({ 'small.ts': definitions, 'one.ts': "export class V { ['e f']() {} }\n", 'big.ts': `${definitions}${helpers}\n` })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const listed = async (query: string) =>
    (await search(db, query)).results.map((result) => [result.path, result.definitions.map((definition) => definition.name)])
  for (const query of ['def:zeta', 'def:fn', 'def:a', 'def:e']) expect([query, await listed(query)]).toEqual([query, []])
  // Both, ranked by bm25 (the short document first).
  expect(await listed('def:zeta$fn')).toEqual([
    ['small.ts', ['zeta$fn']],
    ['big.ts', ['zeta$fn']],
  ])
  // The same tier for the same match, bm25 apart (a fraction): no exact-name boost (x1.25) for big.ts from `fn`.
  const tiers = (await search(db, 'fn')).results.map((result) => [result.path, Math.floor(result.score)])
  expect(tiers.filter(([path]) => path === 'big.ts' || path === 'small.ts').sort()).toEqual([
    ['big.ts', 100],
    ['small.ts', 100],
  ])
})

it('the exported-exact boost goes to an exported definition of the exact name, whatever it holds, and only to one', async () => {
  const root = tree({
    'hash.js': 'export class Migrator { #lockRow() {} }\n',
    'local.js': 'class Migrator { #lockRow() {} }\n',
    // A name without words is no query's exact name: `_` once took any def: query for its own.
    'under.js': 'function foo() {}\nexport const _ = 1\n',
    'plain.js': 'function foo() {}\n',
  })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const tiers = async (query: string) => (await search(db, query)).results.map((result) => [result.path, Math.floor(result.score)])
  expect(await tiers('#lockRow')).toEqual([
    ['hash.js', 150],
    ['local.js', 125],
  ])
  // Its words: the name parts' tier (60), boosted alike.
  expect(await tiers('lock row')).toEqual([
    ['hash.js', 90],
    ['local.js', 75],
  ])
  const defs = await tiers('def:foo')
  expect(defs.map(([path]) => path).sort()).toEqual(['plain.js', 'under.js'])
  // The docstrings' tier (10) where no text was typed, x1.25 for the exact name foo, not exported.
  expect(defs.map(([, score]) => score)).toEqual([12, 12])
})

it('a CRLF file gives its snippets without the \\r, at the right lines', async () => {
  const root = tree({ 'crlf.txt': 'first\r\nthe needleword here\r\nlast needleword\r\n' })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const { results } = await search(db, 'needleword')
  expect(results.map((result) => result.snippets)).toEqual([
    [
      { line: 2, text: 'the needleword here', highlights: [[4, 14]] },
      { line: 3, text: 'last needleword', highlights: [[5, 15]] },
    ],
  ])
})

it('a match far along a long line of UTF-8 text is shown from a little before it, whole characters only', async () => {
  // Two-byte characters before the match: the window starts on a character boundary, counted in bytes read as Latin-1.
  const line = `${'é'.repeat(300)}needleword${'ü'.repeat(300)}`
  const root = tree({ 'wide.txt': `first\n${line}\n` })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const [snippet] = (await search(db, 'needleword')).results[0]!.snippets
  expect(snippet!.line).toBe(2)
  expect(snippet!.text.startsWith('…éé')).toBe(true)
  expect(snippet!.text).not.toContain('\uFFFD')
  const [start, end] = snippet!.highlights[0]!
  expect(snippet!.text.slice(start, end)).toBe('needleword')
  expect(snippet!.text.length).toBeLessThanOrEqual(200)
})

it('an exported definition named with $ gets the exported-exact boost, as one named with _ does', async () => {
  const root = tree({ 'dollar.ts': 'export function zeta$fn() {}\n', 'under.ts': 'export function zeta_fn() {}\n', 'local.ts': 'function zeta$fn() {}\n' })
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const tiers = async (query: string) => (await search(db, query)).results.map((result) => [result.path, Math.floor(result.score)])
  // Tier 100 (the name itself) or 60 (its words), x1.5 when an exported definition has the name, x1.25 when one does.
  expect(await tiers('zeta$fn')).toEqual([
    ['dollar.ts', 150],
    ['local.ts', 125],
    ['under.ts', 90],
  ])
  expect(await tiers('zeta_fn')).toEqual([
    ['under.ts', 150],
    ['dollar.ts', 90],
    ['local.ts', 75],
  ])
})
