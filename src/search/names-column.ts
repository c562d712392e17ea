// Reading a search document's `names` column: the names of a file's definitions, one a line as the indexer writes
// them (before that, between spaces), and which of them a query names exactly.
import { splitWords } from '../indexing/split-words.js'
import type { QueryTerm } from './parse-query.js'

const ASCII = /^[\x00-\x7f]*$/

/** The most names of one large file looked up in the index; a file with more is scanned. */
export const MAX_NAMES_LOOKED_UP = 200

/**
 * The names in a search document's `names` column that hold `anchor` (lower case) and that `accepts`, or undefined
 * when the column cannot be read so: names are one a line as the indexer writes them, but a document written before
 * that joined them with spaces, which a name may hold itself. ASCII only (the UTF-8 is as long as the text), where a
 * case-insensitive search finds exactly the names whose lower case holds the anchor.
 */
export function namesHolding(names: string, anchor: string, accepts: (name: string) => boolean): string[] | undefined {
  if ((names.includes(' ') && !names.includes('\n')) || Buffer.byteLength(names) !== names.length) return undefined
  if (!ASCII.test(anchor)) return []
  const pattern = new RegExp(anchor.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi')
  // Each name (between line breaks) in which the anchor is found, once, in order.
  const found: string[] = []
  for (let match = pattern.exec(names); match !== null; match = pattern.exec(names)) {
    const next = names.indexOf('\n', match.index)
    const end = next === -1 ? names.length : next
    found.push(names.slice(names.lastIndexOf('\n', match.index) + 1, end))
    pattern.lastIndex = end
  }
  return found.filter(accepts)
}

/** Lower-cased letters and digits only: `Guarded_Migrator` -> `guardedmigrator`. */
export function squash(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')
}

/** An exact definition name: `CodebaseIndex` for `codebaseindex`, `codebase_index`, or the words `codebase index`. */
export function exactName(name: string, term: Pick<QueryTerm, 'text'>): boolean {
  return name.toLowerCase() === term.text.toLowerCase() || splitWords(name).join(' ') === splitWords(term.text).join(' ')
}
