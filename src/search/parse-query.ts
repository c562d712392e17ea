import { SearchError } from './search-error.js'

export interface QueryTerm {
  readonly text: string
  /** `"exact phrase"`. */
  readonly phrase: boolean
  /** `-word`: files matching it are left out. */
  readonly excluded: boolean
  /** The last bare word of the query is matched as a prefix. */
  readonly prefix: boolean
  /** `def:Name`: matches definition names only. */
  readonly definitionOnly: boolean
}

export interface ParsedQuery {
  readonly terms: ReadonlyArray<QueryTerm>
  readonly languages: ReadonlyArray<string>
  readonly paths: ReadonlyArray<string>
  readonly kinds: ReadonlyArray<string>
  readonly tags: ReadonlyArray<string>
}

const FILTERS = new Set(['lang', 'path', 'kind', 'tag', 'def'])
/** Query text is cut here: no identifier or phrase anyone types is longer, and FTS5 need not see 100 KB. */
export const MAX_QUERY_LENGTH = 1000
const MAX_TERMS = 32

/**
 * Parses the small query language: bare words (all must match; the last one as a prefix), `"exact phrase"`,
 * `-excluded`, `lang:ts`, `path:src/**`, `kind:function`, `tag:test`, `def:Name`. FTS5 syntax never reaches the user:
 * `foo.bar`, `a-b`, `x::y` and a bare `AND` are plain text here. Control characters and lone surrogates are dropped.
 * Throws `SEARCH_QUERY_INVALID` with the position at fault for a filter without a value.
 *
 * ```ts
 * parseQuery('codebase index lang:ts -test').terms.map((t) => t.text) // ['codebase', 'index', 'test']
 * ```
 */
export function parseQuery(input: string): ParsedQuery {
  if (typeof input !== 'string') throw new TypeError('query must be a string')
  const text = clean(input.slice(0, MAX_QUERY_LENGTH))
  const terms: QueryTerm[] = []
  const languages: string[] = []
  const paths: string[] = []
  const kinds: string[] = []
  const tags: string[] = []
  let index = 0
  while (index < text.length) {
    while (index < text.length && /\s/.test(text[index]!)) index++
    if (index >= text.length) break
    const start = index
    let excluded = false
    if (text[index] === '-' && index + 1 < text.length && !/\s/.test(text[index + 1]!)) {
      excluded = true
      index++
    }
    if (text[index] === '"') {
      const close = text.indexOf('"', index + 1)
      // An unbalanced quote runs to the end of the query, as people mean it.
      const end = close === -1 ? text.length : close
      const phrase = text.slice(index + 1, end).trim()
      index = close === -1 ? text.length : close + 1
      if (phrase !== '') terms.push({ text: phrase, phrase: true, excluded, prefix: false, definitionOnly: false })
      continue
    }
    let end = index
    while (end < text.length && !/\s/.test(text[end]!)) end++
    const word = text.slice(index, end)
    index = end
    const colon = word.indexOf(':')
    const name = colon > 0 ? word.slice(0, colon).toLowerCase() : ''
    if (!excluded && FILTERS.has(name) && word[colon + 1] !== ':') {
      const value = word.slice(colon + 1)
      if (value === '') {
        throw new SearchError('SEARCH_QUERY_INVALID', `${name}: needs a value, e.g. ${name}:${example(name)}`, { position: start })
      }
      if (name === 'lang') languages.push(value.toLowerCase())
      else if (name === 'path') paths.push(value)
      else if (name === 'kind') kinds.push(value.toLowerCase())
      else if (name === 'tag') tags.push(value)
      else terms.push({ text: value, phrase: false, excluded: false, prefix: false, definitionOnly: true })
      continue
    }
    if (word !== '') terms.push({ text: word, phrase: false, excluded, prefix: false, definitionOnly: false })
  }
  const kept = terms.slice(0, MAX_TERMS)
  // The last bare, included word is read as a prefix: people search while they type.
  for (let last = kept.length - 1; last >= 0; last--) {
    const term = kept[last]!
    if (!term.phrase && !term.excluded && !term.definitionOnly) {
      kept[last] = { ...term, prefix: true }
      break
    }
  }
  return { terms: kept, languages, paths, kinds, tags }
}

function example(filter: string): string {
  return { lang: 'ts', path: 'src/**', kind: 'function', tag: 'test', def: 'Name' }[filter] ?? 'value'
}

/** Drops control characters and unpaired UTF-16 surrogates, which no identifier holds and SQLite would mangle. */
function clean(text: string): string {
  return text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, ' ')
}
