import { describe, expect, it } from 'vitest'
import { ftsIntegrityCheck, insertFile, latestIndexDatabase, matchIds, random, substringIds } from './schema-helpers.js'

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet']

describe('after random sequences of inserts, updates and deletes', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`the FTS indexes agree exactly with their tables (seed ${seed})`, async () => {
      const { database } = await latestIndexDatabase()
      const next = random(seed)
      const pick = <T>(values: ReadonlyArray<T>): T => values[Math.floor(next() * values.length)]!
      const text = () => Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(WORDS)).join(' ')
      const live = new Map<number, { names: string; content: string | undefined }>()
      let counter = 0

      for (let step = 0; step < 300; step++) {
        const ids = [...live.keys()]
        const action = ids.length === 0 ? 0 : Math.floor(next() * 6)
        if (action === 0) {
          const id = insertFile(database, `dir/f${seed}-${++counter}.ts`)
          live.set(id, { names: '', content: undefined })
        } else if (action === 1) {
          const id = pick(ids)
          const names = text()
          database.prepare(`UPDATE search_documents SET names = ?, docstrings = ? WHERE file_id = ?`).run(names, text(), id)
          live.get(id)!.names = names
        } else if (action === 2) {
          const id = pick(ids)
          database.prepare(`DELETE FROM files WHERE id = ?`).run(id)
          live.delete(id)
        } else if (action === 3) {
          const id = pick(ids)
          const content = text()
          database
            .prepare(`INSERT INTO file_contents (file_id, content) VALUES (?, ?) ON CONFLICT (file_id) DO UPDATE SET content = excluded.content`)
            .run(id, content)
          live.get(id)!.content = content
        } else if (action === 4) {
          const id = pick(ids)
          database.prepare(`DELETE FROM file_contents WHERE file_id = ?`).run(id)
          live.get(id)!.content = undefined
        } else {
          const id = pick(ids)
          database.prepare(`UPDATE files SET path = ? WHERE id = ?`).run(`moved/f${seed}-${++counter}.ts`, id)
        }
      }

      ftsIntegrityCheck(database, 'search_index')
      ftsIntegrityCheck(database, 'content_index')
      // Integrity alone says index and content agree; these say both agree with what the sequence left behind.
      for (const word of WORDS) {
        const withName = [...live].filter(([, file]) => file.names.split(' ').includes(word)).map(([id]) => id)
        expect({ word, ids: matchIds(database, 'search_index', `names:${word}`) }).toEqual({ word, ids: withName.sort((a, b) => a - b) })
        const withContent = [...live].filter(([, file]) => file.content?.includes(word)).map(([id]) => id)
        expect({ word, ids: substringIds(database, word) }).toEqual({
          word,
          ids: withContent.sort((a, b) => a - b),
        })
      }
    })
  }

  it('the integrity check with rank=1 catches an index that drifted from its content', async () => {
    const { database } = await latestIndexDatabase()
    const id = insertFile(database)
    // Changed behind the trigger's back (as a rowid-only delete would leave it): the index still holds the old row.
    database.prepare(`DROP TRIGGER search_documents_after_update`).run()
    database.prepare(`UPDATE search_documents SET names = 'changed' WHERE file_id = ?`).run(id)
    expect(() => ftsIntegrityCheck(database, 'search_index')).toThrow(/database disk image is malformed|corrupt/)
  })
})
