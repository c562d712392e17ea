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
  return namesMatching(names, new RegExp(anchor.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), '\n').filter(accepts)
}

/** Each name of `names` (between `separator`s) in which the global `pattern` matches, once, in order. */
function namesMatching(names: string, pattern: RegExp, separator: string): string[] {
  const found: string[] = []
  pattern.lastIndex = 0
  for (let match = pattern.exec(names); match !== null; match = pattern.exec(names)) {
    const next = names.indexOf(separator, match.index)
    const end = next === -1 ? names.length : next
    found.push(names.slice(names.lastIndexOf(separator, match.index) + 1, end))
    pattern.lastIndex = end
  }
  return found
}

/** The names of a search document's `names` column: one a line, or (written before that) between spaces. */
export function namesOf(names: string): string[] {
  return names === '' ? [] : names.split(names.includes('\n') ? '\n' : ' ').filter((name) => name !== '')
}

/**
 * A finder of the names in a search document's `names` column that may be exact for one of `texts` (every one that
 * is, and a few more), by a case-insensitive search for each text's letters and digits with anything else between
 * them; undefined when that would not be exact or not worth it. An exact name of an ASCII text squashes as the text
 * does, and is ASCII itself (no other character lower-cases to ASCII but K, the Kelvin sign, and İ, whose texts the
 * finder gives back undefined); other texts, or a text of under three letters and digits, are left to the caller.
 */
export function namesSquashingTo(texts: ReadonlyArray<string>): ((names: string) => string[] | undefined) | undefined {
  if (!texts.every((text) => ASCII.test(text))) return undefined
  const forms = [...new Set(texts.map(squash))]
  if (forms.some((form) => form.length < 3)) return undefined
  if (forms.length === 0) return () => []
  // Names are one a line, or (written before that) between spaces.
  const patterns = ['\n', ' '].map((separator) => {
    const between = separator === '\n' ? '[^a-z0-9\\n]*' : '[^a-z0-9 ]*'
    return { separator, pattern: new RegExp(forms.map((form) => [...form].join(between)).join('|'), 'gi') }
  })
  return (names) => {
    if (names.includes('\u212a') || names.includes('\u0130')) return undefined
    const { separator, pattern } = patterns[names.includes('\n') ? 0 : 1]!
    return namesMatching(names, pattern, separator)
  }
}

/** The length of a `names` text past which its names are searched for rather than split: see {@link namesSquashingTo}. */
export const SEARCHED_NAMES = 1024

/** Lower-cased letters and digits only: `Guarded_Migrator` -> `guardedmigrator`. */
export function squash(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')
}

/**
 * Whether `name` squashes to one of `compact`. A name that starts with an ASCII letter or digit starts its squashed
 * form with it, lower-cased: most names are ruled out by that one character, without a regular expression.
 */
export function mayBeCompact(name: string, compact: ReadonlySet<string>): boolean {
  const code = name.charCodeAt(0)
  const letter = (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)
  if (letter || (code >= 0x30 && code <= 0x39)) {
    const first = String.fromCharCode(letter ? code | 0x20 : code)
    for (const text of compact) if (text.startsWith(first)) return compact.has(squash(name))
    return false
  }
  return compact.has(squash(name))
}

/** An exact definition name: `CodebaseIndex` for `codebaseindex`, `codebase_index`, or the words `codebase index`. */
export function exactName(name: string, term: Pick<QueryTerm, 'text'>): boolean {
  return name.toLowerCase() === term.text.toLowerCase() || splitWords(name).join(' ') === splitWords(term.text).join(' ')
}
