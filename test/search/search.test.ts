import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type Database from 'better-sqlite3'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createIndexMigrator } from '../../src/db/create-index-migrator.js'
import { createKysely } from '../../src/db/create-kysely.js'
import { openDatabase } from '../../src/db/open-database.js'
import type { DB } from '../../src/db/schema.generated.js'
import { Indexer } from '../../src/indexing/indexer.js'
import { setUserTag } from '../../src/indexing/user-tags.js'
import { fileOutline, findDefinitions, findImporters, importsOf } from '../../src/search/lookups.js'
import { parseQuery } from '../../src/search/parse-query.js'
import { search } from '../../src/search/search.js'
import { SearchError } from '../../src/search/search-error.js'

// A small project: one file defines CodebaseIndex, others only mention it.
const FIXTURE = {
  'src/codebase-index.ts': `/** Indexes a whole codebase into SQLite. */
export class CodebaseIndex {
  /** Opens the index. */
  open(path: string): void {}
}

export function createMigrator(): number {
  return 1
}
`,
  'src/uses-index.ts': `import { CodebaseIndex } from './codebase-index.js'

// Builds a CodebaseIndex for the CLI.
export const index = new CodebaseIndex()
`,
  'src/parse_config.py': `def parse_config_file(path):
    """Reads the config."""
    return path
`,
  'test/codebase-index.test.ts': `import { CodebaseIndex } from '../src/codebase-index.js'
it('opens', () => new CodebaseIndex())
`,
  'docs/notes.md': `Remember: x1 is short for the first axis.\n`,
  'src/generated/schema.generated.ts': `// Generated: do not edit.\nexport interface CodebaseIndexRow { id: number }\n`,
}

let db: Kysely<DB>
let database: Database.Database
let folder: string

// One index for the whole file, built once: searching never changes it.
beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'codeindex-search-'))
  for (const [path, content] of Object.entries(FIXTURE)) {
    mkdirSync(dirname(join(folder, 'tree', path)), { recursive: true })
    writeFileSync(join(folder, 'tree', path), content)
  }
  database = openDatabase(join(folder, 'index.db'))
  db = createKysely(database)
  expect((await createIndexMigrator(database, { db, backupFolder: false }).migrateToLatest()).error).toBeUndefined()
  const result = await new Indexer(database, { workers: 0 }).index(join(folder, 'tree'))
  expect(result.totals.indexed).toBe(6)
  await setUserTag(db, 'docs/notes.md', 'handbook', 2)
})

afterAll(() => {
  database.close()
  rmSync(folder, { recursive: true, force: true })
})

const paths = async (query: string, options?: Parameters<typeof search>[2]) => (await search(db, query, options)).results.map((result) => result.path)

describe('query forms', () => {
  it('an identifier finds its defining file first; then name parts, file names and mentions, in that order', async () => {
    // codebase-index.ts defines and exports CodebaseIndex (names); the generated file defines CodebaseIndexRow (name
    // parts, generated: x0.6); the test's file name holds the words (filename, test: x0.7); uses-index.ts only
    // imports and mentions it (imports, docstrings).
    expect(await paths('CodebaseIndex')).toEqual([
      'src/codebase-index.ts',
      'src/generated/schema.generated.ts',
      'test/codebase-index.test.ts',
      'src/uses-index.ts',
    ])
  })

  it('a definition outranks a mention of the same name', async () => {
    const { results } = await search(db, 'createMigrator')
    expect(results.map((result) => result.path)).toEqual(['src/codebase-index.ts'])
    expect(results[0]!.definitions).toEqual([{ name: 'createMigrator', kind: 'function', line: 7, endLine: 9, exported: true }])
  })

  it('codebase index, codebaseIndex, codebase_index and CodebaseIndex all find CodebaseIndex first', async () => {
    for (const query of ['codebase index', 'codebaseIndex', 'codebase_index', 'CodebaseIndex']) {
      expect({ query, first: (await paths(query))[0] }).toEqual({ query, first: 'src/codebase-index.ts' })
    }
  })

  it('reports the matching definitions with their lines and which fields matched', async () => {
    const [first] = (await search(db, 'CodebaseIndex')).results
    expect(first!.definitions).toEqual([{ name: 'CodebaseIndex', kind: 'class', line: 2, endLine: 5, exported: true }])
    // The docstrings hold "codebase" and "index" only as parts of other words: not a match.
    expect(first!.matchedFields).toEqual(['filename', 'path', 'names', 'name_parts'])
  })

  it('snippets give each matching line once, with its number and every match on it highlighted', async () => {
    const uses = (await search(db, 'CodebaseIndex')).results.find((result) => result.path === 'src/uses-index.ts')
    expect(uses!.snippets).toEqual([
      { line: 1, text: "import { CodebaseIndex } from './codebase-index.js'", highlights: [[9, 22]] },
      { line: 3, text: '// Builds a CodebaseIndex for the CLI.', highlights: [[12, 25]] },
      { line: 4, text: 'export const index = new CodebaseIndex()', highlights: [[25, 38]] },
    ])
  })

  it('the last word is a prefix, so a half-typed name is found', async () => {
    expect((await paths('parse_conf'))[0]).toBe('src/parse_config.py')
  })

  it('an exact phrase must appear as written', async () => {
    expect(await paths('"whole codebase"')).toEqual(['src/codebase-index.ts'])
    expect(await paths('"codebase whole"')).toEqual([])
  })

  it('-word leaves out files that match it', async () => {
    expect(await paths('CodebaseIndex -generated -test')).toEqual(['src/codebase-index.ts', 'src/uses-index.ts'])
    expect(await paths('CodebaseIndex -opens -generated -test')).toEqual(['src/uses-index.ts'])
  })

  it('def:Name matches definitions only', async () => {
    expect(await paths('def:createMigrator')).toEqual(['src/codebase-index.ts'])
    expect(await paths('def:index')).toEqual(['src/uses-index.ts'])
  })

  it('a substring inside an identifier is answered from the trigram index, with snippets at the right lines', async () => {
    const { results } = await search(db, 'ateMigr')
    expect(results.map((result) => result.path)).toEqual(['src/codebase-index.ts'])
    expect(results[0]!.matchedFields).toEqual(['content'])
    expect(results[0]!.snippets).toEqual([{ line: 7, text: 'export function createMigrator(): number {', highlights: [[19, 26]] }])
  })

  it('% and _ in a substring are characters, not LIKE wildcards', async () => {
    expect(await paths('onfig_fil')).toEqual(['src/parse_config.py'])
    // LIKE sees '%onfig_fil%' for this one, which parse_config_file matches; the exact check drops it.
    expect(await paths('onfig%fil')).toEqual([])
  })

  it('a term under three characters falls back to a scan of the contents', async () => {
    const { results } = await search(db, 'x1')
    expect(results.map((result) => result.path)).toEqual(['docs/notes.md'])
    expect(results[0]!.snippets).toEqual([{ line: 1, text: 'Remember: x1 is short for the first axis.', highlights: [[10, 12]] }])
  })
})

describe('filters', () => {
  it('lang: with aliases, path: globs, kind: and tag:', async () => {
    expect(await paths('codebase lang:py')).toEqual([])
    expect(await paths('config lang:py')).toEqual(['src/parse_config.py'])
    expect(await paths('CodebaseIndex path:test/**')).toEqual(['test/codebase-index.test.ts'])
    expect(await paths('CodebaseIndex kind:interface')).toEqual(['src/generated/schema.generated.ts'])
    expect(await paths('CodebaseIndex tag:test')).toEqual(['test/codebase-index.test.ts'])
    expect(await paths('tag:handbook')).toEqual(['docs/notes.md'])
  })

  it('path: globs built to make a regular expression backtrack are matched at once, or refused with the position', async () => {
    // Forty stars: as a regular expression over a long name, such a glob grows with the name's length to their power.
    expect(await paths(`CodebaseIndex path:**/${'*e'.repeat(20)}*x`)).toEqual([])
    // Names with three e's or more: not uses-index.ts.
    expect(await paths(`CodebaseIndex path:**/${'*e'.repeat(3)}*.ts`)).toEqual([
      'src/codebase-index.ts',
      'src/generated/schema.generated.ts',
      'test/codebase-index.test.ts',
    ])
    const query = 'CodebaseIndex path:**/*a*b*c*{d,e}'
    await expect(search(db, query)).rejects.toMatchObject({
      name: 'SearchError',
      code: 'SEARCH_QUERY_INVALID',
      position: query.indexOf('path:'),
      message: 'the path glob **/*a*b*c*{d,e} has more than 4 * beside braces, classes or extglobs, which would take too long to match; use fewer',
    })
  })

  it('options filter as the query filters do, and limit and offset page the results', async () => {
    expect(await paths('CodebaseIndex', { languages: ['ts'], paths: ['src/*.ts'] })).toEqual(['src/codebase-index.ts', 'src/uses-index.ts'])
    expect(await paths('CodebaseIndex', { limit: 1, offset: 1 })).toEqual(['src/generated/schema.generated.ts'])
    const { total } = await search(db, 'CodebaseIndex', { limit: 1 })
    expect(total).toBe(4)
  })

  it('refuses bad options with a TypeError or RangeError naming them', async () => {
    await expect(search(db, 'x', { limit: 0 })).rejects.toThrow(new RangeError('search: options.limit Too small: expected number to be >=1'))
    await expect(search(db, 'x', { colour: 'red' } as never)).rejects.toThrow(TypeError)
  })
})

describe('bad input', () => {
  it('an empty query gives no results, and punctuation is searched for as a substring', async () => {
    expect(await paths('')).toEqual([])
    expect(await paths('   ')).toEqual([])
    // '-' alone is text; '--' excludes '-', which no search document holds as a token.
    expect(await paths('- -- """ ')).toEqual(['src/uses-index.ts', 'test/codebase-index.test.ts'])
  })

  it('FTS5 syntax in a query is plain text', async () => {
    for (const query of ['foo.bar', 'a-b', 'x::y', 'AND', 'OR NOT', 'NEAR(a b)', 'col:value', '*', '^start', '(', ')', '{names}: x']) {
      await expect(search(db, query)).resolves.toMatchObject({ query })
    }
  })

  it('a filter without a value is a SearchError with its position', async () => {
    const error = await search(db, 'CodebaseIndex  kind:').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SearchError)
    expect(error).toMatchObject({ code: 'SEARCH_QUERY_INVALID', position: 15, message: 'kind: needs a value, e.g. kind:function' })
  })

  it('a database with no index in it is FILE_NOT_INDEXED, not a bad query', async () => {
    const empty = openDatabase(':memory:')
    const error = await search(createKysely(empty), 'CodebaseIndex').catch((caught: unknown) => caught)
    empty.close()
    expect(error).not.toBeInstanceOf(SearchError)
    expect(error).toMatchObject({
      code: 'FILE_NOT_INDEXED',
      message: 'the database holds no codeindex index (no such table: search_index); run `codeindex index`',
    })
  })

  it('parses the query language into terms and filters', () => {
    expect(parseQuery('codebase "exact phrase" -test lang:ts path:src/** kind:Function tag:hot def:Name ind')).toEqual({
      terms: [
        { text: 'codebase', phrase: false, excluded: false, prefix: false, definitionOnly: false },
        { text: 'exact phrase', phrase: true, excluded: false, prefix: false, definitionOnly: false },
        { text: 'test', phrase: false, excluded: true, prefix: false, definitionOnly: false },
        { text: 'Name', phrase: false, excluded: false, prefix: false, definitionOnly: true },
        { text: 'ind', phrase: false, excluded: false, prefix: true, definitionOnly: false },
      ],
      languages: ['ts'],
      paths: ['src/**'],
      kinds: ['function'],
      tags: ['hot'],
    })
  })

  it('thousands of random and adversarial queries give results or a SearchError, never anything else', async () => {
    let state = 7
    const next = () => {
      state = (state * 1103515245 + 12345) >>> 0
      return state / 4294967296
    }
    const alphabet = ['a', 'Z', '_', '-', '"', "'", ':', '*', '^', '(', ')', '{', '}', '.', ' ', '\\', '\u0000', '\u001f', '\uD800', '\uDFFF', 'é', '🦀', 'AND', 'NOT', 'NEAR', 'lang:', 'def:', 'path:[', '%', '?']
    const queries = ['\uD83D', 'x'.repeat(100_000), '"'.repeat(5000), 'lang:ts '.repeat(2000), '-'.repeat(10), '\u0000'.repeat(10)]
    for (let index = 0; index < 3000; index++) {
      const length = Math.floor(next() * 12)
      queries.push(Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''))
    }
    const outcomes = { results: 0, searchErrors: 0 }
    for (const query of queries) {
      try {
        const result = await search(db, query, { limit: 5 })
        expect(Array.isArray(result.results)).toBe(true)
        outcomes.results++
      } catch (error) {
        expect(error).toBeInstanceOf(SearchError)
        expect((error as SearchError).code).toBe('SEARCH_QUERY_INVALID')
        outcomes.searchErrors++
      }
    }
    expect(outcomes.results + outcomes.searchErrors).toBe(queries.length)
    expect(outcomes.results).toBeGreaterThan(queries.length / 2)
  })
})

describe('structured lookups', () => {
  it('findDefinitions lists where a name is defined, exported first, optionally by kind', async () => {
    expect(await findDefinitions(db, 'CodebaseIndex')).toEqual([
      { path: 'src/codebase-index.ts', name: 'CodebaseIndex', kind: 'class', line: 2, endLine: 5, exported: true, signature: 'class CodebaseIndex' },
    ])
    expect(await findDefinitions(db, 'CodebaseIndex', { kinds: ['function'] })).toEqual([])
  })

  it('fileOutline nests methods inside their class, in source order', async () => {
    expect(await fileOutline(db, 'src/codebase-index.ts')).toEqual([
      {
        name: 'CodebaseIndex',
        kind: 'class',
        line: 2,
        endLine: 5,
        exported: true,
        signature: 'class CodebaseIndex',
        children: [{ name: 'open', kind: 'method', line: 4, endLine: 4, exported: true, signature: 'open(path: string): void', children: [] }],
      },
      { name: 'createMigrator', kind: 'function', line: 7, endLine: 9, exported: true, signature: 'function createMigrator(): number', children: [] },
    ])
    expect(await fileOutline(db, 'nowhere.ts')).toEqual([])
  })

  it('findImporters finds who imports a file through resolved relative imports, and importsOf what a file imports', async () => {
    expect((await findImporters(db, 'src/codebase-index.ts')).map((edge) => [edge.path, edge.module, edge.line])).toEqual([
      ['src/uses-index.ts', './codebase-index.js', 1],
      ['test/codebase-index.test.ts', '../src/codebase-index.js', 1],
    ])
    expect(await importsOf(db, 'src/uses-index.ts')).toEqual([
      { path: 'src/uses-index.ts', module: './codebase-index.js', kind: 'import', names: ['CodebaseIndex'], line: 1, resolvedPath: 'src/codebase-index.ts' },
    ])
  })
})
