import { expect, it } from 'vitest'
import { Indexer } from '../../src/indexing/indexer.js'
import { search, type Snippet } from '../../src/search/search.js'
import { tree } from '../indexing/indexing-helpers.js'
import { latestIndexDatabase, random } from '../schema/schema-helpers.js'

const WIDTH = 200
const LEAD = 40

/**
 * The snippets the README promises, computed the plain way from the content as stored: its lines in order, the first
 * three holding the needle case-insensitively (Unicode case folding, so ſ is an s and the Kelvin sign a k), each
 * without its \r, cut to 200 characters or, for a match past those, shown from 40 characters before it after a `…`;
 * every match on the text shown highlighted. `exact` is false for a snippet whose window the search may place by bytes
 * rather than characters (a match past the width on a line beyond ASCII): only its line and its match are certain.
 */
function expectedSnippets(content: string, needle: string): Array<Snippet & { exact: boolean }> {
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const snippets: Array<Snippet & { exact: boolean }> = []
  content.split('\n').forEach((raw, index) => {
    if (snippets.length === 3) return
    const line = raw.replace(/\r$/, '')
    const first = new RegExp(escaped, 'iu').exec(line)
    if (!first) return
    const lead = first.index + first[0].length <= WIDTH ? 0 : first.index - LEAD
    const text = lead > 0 ? `…${line.slice(lead, lead + WIDTH - 1)}` : line.slice(0, WIDTH)
    const highlights: Array<readonly [number, number]> = []
    for (const hit of text.matchAll(new RegExp(escaped, 'giu'))) highlights.push([hit.index, hit.index + hit[0].length])
    snippets.push({ line: index + 1, text, highlights, exact: lead === 0 || /^[\x00-\x7f]*$/.test(line) })
  })
  return snippets
}

it('snippets are the first three matching lines, numbered, cut and highlighted as promised, over random contents and needles', async () => {
  const next = random(7)
  const pick = <T>(values: ReadonlyArray<T>): T => values[Math.floor(next() * values.length)]!
  // Words with letters beyond ASCII (ſ and the Kelvin sign fold to s and k), an astral character, CJK, digits, spaces.
  const words = ['alpha', 'Beta', 'gamma_delta', 'ſtop', '\u212aelvin', 'café', 'naïve', '😀', '漢字', 'x1', '=', '(k)', ' ', '\t', 'STOP', 'kel']
  const line = () => Array.from({ length: Math.floor(next() * 12) }, () => pick(words)).join(pick(['', ' ']))
  const files: Record<string, string> = {}
  for (let index = 0; index < 40; index++) {
    const lines = Array.from({ length: 1 + Math.floor(next() * 30) }, line)
    // Long lines: past the snippet's width, and now and then past a 64 KB piece of content.
    if (next() < 0.5) lines.splice(Math.floor(next() * lines.length), 0, Array.from({ length: 20 + Math.floor(next() * 60) }, () => pick(words)).join(' '))
    if (next() < 0.15) lines.splice(Math.floor(next() * lines.length), 0, `${'beta '.repeat(14_000)}stop here`)
    // A word found only past the width of an ASCII line: shown from a little before it.
    if (next() < 0.5) lines.splice(Math.floor(next() * lines.length), 0, `${'alpha '.repeat(35 + Math.floor(next() * 40))}omega tail`)
    files[`zz${index}.txt`] = `${next() < 0.1 ? '\ufeff' : ''}${lines.join(next() < 0.3 ? '\r\n' : '\n')}\n`
  }
  const root = tree(files)
  const { database, db } = await latestIndexDatabase()
  await new Indexer(database, { workers: 0 }).index(root)
  const stored = database.prepare('SELECT c.content FROM file_contents c JOIN files f ON f.id = c.file_id WHERE f.path = ?').pluck()
  const differences: unknown[] = []
  for (const path of Object.keys(files)) {
    const content = stored.get(path) as string
    for (let query = 0; query < 4; query++) {
      // A word-like piece of the content, its ASCII letters in any case: the query is that one bare word.
      const pieces = content.match(/[A-Za-z0-9_]{3,}/g) ?? ['alpha']
      const word = pick(pieces)
      const start = Math.floor(next() * (word.length - 2))
      const needle = [...word.slice(start, start + 3 + Math.floor(next() * 5))].map((char) => (next() < 0.5 ? char.toUpperCase() : char.toLowerCase())).join('')
      const expected = expectedSnippets(content, needle)
      const { results } = await search(db, `path:${path} ${needle}`)
      const actual = results[0]?.snippets ?? []
      // The trigram index finds the file exactly when a line holds the needle.
      const same =
        results.length === (expected.length > 0 ? 1 : 0) &&
        actual.length === expected.length &&
        expected.every((snippet, index) => {
          const got = actual[index]!
          if (snippet.exact) return got.line === snippet.line && got.text === snippet.text && JSON.stringify(got.highlights) === JSON.stringify(snippet.highlights)
          const line = content.split('\n')[snippet.line - 1]!
          return got.line === snippet.line && got.text.startsWith('…') && line.includes(got.text.slice(1)) && got.highlights.length > 0
        })
      if (!same) differences.push({ path, needle, expected, actual })
    }
  }
  expect(differences).toEqual([])
})
