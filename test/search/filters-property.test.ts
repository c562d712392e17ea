import picomatch from 'picomatch'
import { expect, it } from 'vitest'
import { Indexer } from '../../src/indexing/indexer.js'
import { search } from '../../src/search/search.js'
import { tree } from '../indexing/indexing-helpers.js'
import { latestIndexDatabase, random } from '../schema/schema-helpers.js'

it('a filtered search lists, in the same order, exactly the files of the unfiltered one that the filters leave, over random queries and filters', async () => {
  const next = random(21)
  const pick = <T>(values: ReadonlyArray<T>): T => values[Math.floor(next() * values.length)]!
  const words = ['widget', 'render', 'parse', 'store', 'queue']
  const sources: Record<string, (name: string) => string> = {
    ts: (name) => (next() < 0.5 ? `export function ${name}() {}\n` : `export class ${name} { run() {} }\n`),
    py: (name) => (next() < 0.5 ? `def ${name}(x):\n    return x\n` : `class ${name}:\n    pass\n`),
    go: (name) => (next() < 0.5 ? `package main\n\nfunc ${name}() {}\n` : `package main\n\ntype ${name} struct {}\n`),
    rs: (name) => `pub struct ${name} {}\n`,
    md: (name) => `# ${name}\n\nabout the ${pick(words)}\n`,
  }
  const files: Record<string, string> = {}
  for (let index = 0; index < 60; index++) {
    const extension = pick(Object.keys(sources))
    const folder = pick(['src', 'src/lib', 'lib', 'test', 'docs'])
    const name = `${pick(words)}${pick(['', 'Item', 'Line'])}${index}`
    files[`${folder}/${name}.${extension}`] = `${sources[extension]!(name)}// uses ${pick(words)} and ${pick(words)}\n`
  }
  const root = tree(files)
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const facts = new Map(
    (database.prepare('SELECT id, path, language FROM files').all() as Array<{ id: number; path: string; language: string | null }>).map((file) => [
      file.path,
      {
        language: file.language,
        tags: new Set((database.prepare('SELECT tag FROM file_tags WHERE file_id = ?').pluck().all(file.id) as string[])),
        kinds: new Set((database.prepare('SELECT kind FROM definitions WHERE file_id = ?').pluck().all(file.id) as string[])),
      },
    ]),
  )
  const aliases: Record<string, string> = { ts: 'typescript', py: 'python', go: 'go', md: 'markdown' }
  const differences: unknown[] = []
  for (let round = 0; round < 60; round++) {
    const word = pick(words)
    const languages = next() < 0.4 ? [pick(Object.keys(aliases))] : []
    const kinds = next() < 0.4 ? [pick(['function', 'class', 'struct', 'method'])] : []
    const tags = next() < 0.3 ? [pick(['test', 'python', 'src', 'docs'])] : []
    const paths = next() < 0.4 ? [pick(['src/**', '**/*.py', 'lib/*', 'test/**', '*/widget*'])] : []
    if (languages.length + kinds.length + tags.length + paths.length === 0) continue
    const query = [word, ...languages.map((language) => `lang:${language}`), ...kinds.map((kind) => `kind:${kind}`), ...tags.map((tag) => `tag:${tag}`), ...paths.map((path) => `path:${path}`)].join(' ')
    const kept = (path: string) => {
      const file = facts.get(path)!
      return (
        languages.every((language) => file.language === aliases[language]) &&
        kinds.every((kind) => file.kinds.has(kind)) &&
        tags.every((tag) => file.tags.has(tag)) &&
        paths.every((glob) => picomatch(glob, { dot: true })(path))
      )
    }
    const all = (await search(db, word, { limit: 1000 })).results.map((result) => result.path)
    const filtered = (await search(db, query, { limit: 1000 })).results.map((result) => result.path)
    const expected = all.filter(kept)
    if (JSON.stringify(filtered) !== JSON.stringify(expected)) differences.push({ query, expected, filtered })
  }
  expect(differences).toEqual([])
})
