import type { Node } from 'web-tree-sitter'
import type { DefinitionKind, ImportKind, SymbolKind } from '../../db/tables.js'

/**
 * How one language is read. The `query` follows these capture conventions:
 * - `@definition.<kind>` on a definition's node, with `@name` on its name node in the same pattern;
 * - `@import.<kind>` on an import's node, `@import.module` on the specifier, `@import.name` on each imported name;
 * - `@symbol.<kind>` on the identifier of a local, parameter or field.
 * Captures whose name starts with `_` are helpers for predicates and are ignored.
 */
export interface LanguageSpec {
  /** The value stored in `files.language`. */
  readonly id: string
  /** The grammar's wasm file in tree-sitter-wasms (`tree-sitter-<grammar>.wasm`); none: indexed as text only. */
  readonly grammar?: string | undefined
  readonly extensions: ReadonlyArray<string>
  readonly filenames?: ReadonlyArray<string> | undefined
  readonly query?: string | undefined
  /** Whether a definition is visible outside its file/module. Default: false. */
  readonly isExported?: ((node: Node, name: string) => boolean) | undefined
  /** The definition's documentation. Default: the comment block right above it. */
  readonly docstring?: ((node: Node) => string | null) | undefined
  /** Decorators or annotations, as written. Default: none. */
  readonly decorators?: ((node: Node) => string[]) | undefined
  /** The indexed file a relative import points at, tried in order; `exists` says whether a path is indexed. */
  readonly resolveImport?: ((specifier: string, fromPath: string, exists: (path: string) => boolean) => string | undefined) | undefined
}

export interface ExtractedDefinition {
  readonly name: string
  readonly kind: DefinitionKind
  /** 1-based. */
  readonly line: number
  /** 0-based, in UTF-16 code units as tree-sitter reports them for JavaScript strings. */
  readonly column: number
  readonly endLine: number
  readonly endColumn: number
  readonly exported: boolean
  readonly docstring: string | null
  readonly signature: string | null
  readonly decorators: ReadonlyArray<string>
  /** Index of the enclosing definition in the same list, or null at top level. */
  readonly parent: number | null
}

export interface ExtractedImport {
  readonly module: string
  readonly kind: ImportKind
  readonly names: ReadonlyArray<string>
  readonly line: number
}

export interface ExtractedSymbol {
  readonly name: string
  readonly kind: SymbolKind
  readonly line: number
  readonly column: number
  /** The innermost enclosing definition's name, or null at top level. */
  readonly scope: string | null
}

export interface Extraction {
  readonly definitions: ReadonlyArray<ExtractedDefinition>
  readonly imports: ReadonlyArray<ExtractedImport>
  readonly symbols: ReadonlyArray<ExtractedSymbol>
}

export const EMPTY_EXTRACTION: Extraction = Object.freeze({
  definitions: Object.freeze([]),
  imports: Object.freeze([]),
  symbols: Object.freeze([]),
})
