import type { Extraction } from '../../../src/indexing/languages/language-spec.js'

/** Each definition as `[name, kind, line, parent name]`: the parent by name, which a reader can check by eye. */
export function outline(extraction: Extraction): Array<[string, string, number, string | null]> {
  const { definitions } = extraction
  return definitions.map((definition) => [
    definition.name,
    definition.kind,
    definition.line,
    definition.parent === null ? null : definitions[definition.parent]!.name,
  ])
}

/** The names of the exported definitions, in source order. */
export function exportedNames(extraction: Extraction): string[] {
  return extraction.definitions.filter((definition) => definition.exported).map((definition) => definition.name)
}

/** `[name, docstring]` for each definition that has one. */
export function docstrings(extraction: Extraction): Array<[string, string]> {
  return extraction.definitions.flatMap((definition) => (definition.docstring === null ? [] : [[definition.name, definition.docstring]]))
}

/** `[name, decorators]` for each definition that has some. */
export function decorated(extraction: Extraction): Array<[string, ReadonlyArray<string>]> {
  return extraction.definitions.flatMap((definition) => (definition.decorators.length === 0 ? [] : [[definition.name, definition.decorators]]))
}

/** Each symbol as `[name, kind, line, scope]`. */
export function symbolTable(extraction: Extraction): Array<[string, string, number, string | null]> {
  return extraction.symbols.map((symbol) => [symbol.name, symbol.kind, symbol.line, symbol.scope])
}

/** An `exists` callback for `resolveImport` that knows exactly `paths`. */
export function indexed(...paths: string[]): (path: string) => boolean {
  return (path) => paths.includes(path)
}
