/**
 * The words of an identifier, lower-cased: `CodebaseIndex`, `codebase_index`, `codebase-index` and `codebaseIndex`
 * all give `['codebase', 'index']`; `XMLHttpRequest` gives `['xml', 'http', 'request']`.
 *
 * ```ts
 * splitWords('parseHTTPResponse_v2') // ['parse', 'http', 'response', 'v', '2']
 * ```
 */
export function splitWords(identifier: string): string[] {
  return (identifier.match(/[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+|[^\x00-\x7F]+/g) ?? []).map((word) =>
    word.toLowerCase(),
  )
}
