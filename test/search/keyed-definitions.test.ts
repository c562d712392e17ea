import { describe, expect, it } from 'vitest'
import { readSnapshot } from '../../src/db/read-snapshot.js'
import { splitWords } from '../../src/indexing/split-words.js'
import { keyedDefinitions } from '../../src/search/fts-sql.js'
import { exactName, squash } from '../../src/search/names-column.js'
import { insertFile, latestIndexDatabase, random } from '../schema/schema-helpers.js'

describe('keyedDefinitions', () => {
  it('finds every definition whose name is exact for a text, among thousands of random names of some files', async () => {
    const { database, db } = await latestIndexDatabase()
    const next = random(23)
    const pick = <T>(values: ReadonlyArray<T>): T => values[Math.floor(next() * values.length)]!
    // Words, separators, and the characters that fold or lower-case to ASCII (ſ, K, İ) or are letters beyond it.
    const pieces = ['zeta', 'Zeta', 'ZETA', 'fn', 'Fn', 'x9', '9', 'http', 'HTTP', '$', '_', '-', '.', '#', ':', 'k', 'i', ' ']
    const rare = ['é', 'Ä', 'ſ', '\u212a', '\u0130']
    const nameOf = () => Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(next() < 0.02 ? rare : pieces)).join('')
    const files = Array.from({ length: 40 }, () => insertFile(database))
    const insert = database.prepare(
      `INSERT INTO definitions (file_id, name, kind, line, "column", end_line, end_column, exported) VALUES (?, ?, 'function', 1, 0, 1, 0, ?)`,
    )
    const names: Array<{ fileId: number; name: string }> = []
    for (let index = 0; index < 4000; index++) {
      const name = nameOf()
      if (name.trim() === '') continue
      const fileId = pick(files)
      insert.run(fileId, name, next() < 0.5 ? 1 : 0)
      names.push({ fileId, name })
    }
    let found = 0
    for (let round = 0; round < 300; round++) {
      // A name as typed, lower-cased, or its words joined by a space or an underscore; among some of the files.
      const texts = Array.from({ length: 1 + Math.floor(next() * 2) }, () => {
        const name = next() < 0.8 ? pick(names).name : nameOf()
        return pick([name, name.toLowerCase(), splitWords(name).join(' '), splitWords(name).join('_')])
      })
      const among = files.filter(() => next() < 0.5)
      const keyed = await readSnapshot(db, (reader) => keyedDefinitions(reader, [...new Set(texts.map(squash))], among))
      const keyedNames = new Set(keyed.map((definition) => `${definition.fileId} ${definition.name}`))
      const exact = names.filter(({ fileId, name }) => among.includes(fileId) && texts.some((text) => exactName(name, { text })))
      for (const { fileId, name } of exact) expect([texts, name, keyedNames.has(`${fileId} ${name}`)]).toEqual([texts, name, true])
      for (const definition of keyed) expect(among).toContain(definition.fileId)
      found += exact.length
    }
    // The property held where it was put to the test, many times over.
    expect(found).toBeGreaterThan(1000)
  })
})
