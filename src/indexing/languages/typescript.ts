import type { Node } from 'web-tree-sitter'
import { commentAbove, hasAncestor } from './comments.js'
import type { LanguageSpec } from './language-spec.js'
import { joinRelative } from './relative-path.js'
import { parentOf } from './tree-navigation.js'

// Shared by JavaScript, TypeScript and TSX; the TypeScript-only patterns are added below. The names of `export { a }`
// are captured with or without a `from`; one without it has no module and is dropped from the imports. (Asking for
// the `source` after the names made tree-sitter hold a partial match per name: 13.8 s for the 1,417 names of one
// `export { ... }` in @babel/types' index.d.ts.)
const COMMON = `
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(class_declaration name: (_) @name) @definition.class
(method_definition name: (_) @name) @definition.method
(variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression) (generator_function)]) @definition.function
(program (lexical_declaration (variable_declarator name: (identifier) @name value: (_) @_value) @definition.constant)
  (#not-match? @_value "^(async\\\\s*)?(function|\\\\(|[A-Za-z_$][A-Za-z0-9_$]*\\\\s*=>)"))
(program (export_statement (lexical_declaration (variable_declarator name: (identifier) @name value: (_) @_value) @definition.constant))
  (#not-match? @_value "^(async\\\\s*)?(function|\\\\(|[A-Za-z_$][A-Za-z0-9_$]*\\\\s*=>)"))

(import_statement source: (string (string_fragment) @import.module)) @import.import
(import_statement (import_clause (identifier) @import.name)) @import.import
(import_statement (import_clause (named_imports (import_specifier name: (identifier) @import.name)))) @import.import
(import_statement (import_clause (namespace_import (identifier) @import.name))) @import.import
(export_statement source: (string (string_fragment) @import.module)) @import.export
(export_statement (export_clause (export_specifier name: (identifier) @import.name))) @import.export
(call_expression function: (identifier) @_require arguments: (arguments . (string (string_fragment) @import.module)) (#eq? @_require "require")) @import.require
(call_expression function: (import) arguments: (arguments . (string (string_fragment) @import.module))) @import.dynamic

(arrow_function parameter: (identifier) @symbol.parameter)
(statement_block (lexical_declaration (variable_declarator name: (identifier) @symbol.local)))
(statement_block (variable_declaration (variable_declarator name: (identifier) @symbol.local)))
`

const JAVASCRIPT_ONLY = `
(formal_parameters (identifier) @symbol.parameter)
(formal_parameters (assignment_pattern left: (identifier) @symbol.parameter))
(field_definition property: (property_identifier) @name) @definition.property
`

const TYPESCRIPT_ONLY = `
(abstract_class_declaration name: (type_identifier) @name) @definition.class
(interface_declaration name: (type_identifier) @name) @definition.interface
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.enum
(internal_module name: (_) @name) @definition.namespace
(abstract_method_signature name: (_) @name) @definition.method
(method_signature name: (_) @name) @definition.method
(function_signature name: (identifier) @name) @definition.function
(public_field_definition name: (property_identifier) @name) @definition.property
(property_signature name: (property_identifier) @name) @definition.property
(required_parameter pattern: (identifier) @symbol.parameter)
(optional_parameter pattern: (identifier) @symbol.parameter)
`

const EXPORT_WRAPPERS = new Set(['export_statement'])
const DOC_WRAPPERS = new Set(['export_statement', 'lexical_declaration', 'variable_declaration'])

function isExported(node: Node): boolean {
  return hasAncestor(node, EXPORT_WRAPPERS)
}

/** Decorators written on the definition, or on the export statement that wraps it. */
function decorators(node: Node): string[] {
  const parent = parentOf(node)
  const holders = parent?.type === 'export_statement' ? [parent, node] : [node]
  const found = holders.flatMap((holder) => holder.children.filter((child) => child?.type === 'decorator').map((child) => child!.text))
  return [...new Set(found)]
}

const SCRIPT_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.d.ts']

/** `./util` from `src/a.ts` -> `src/util.ts`, `src/util/index.ts`, ...; a `.js` specifier may name a `.ts` file. */
export function resolveScriptImport(specifier: string, fromPath: string, exists: (path: string) => boolean): string | undefined {
  if (!specifier.startsWith('.')) return undefined
  const base = joinRelative(fromPath, specifier)
  if (base === undefined) return undefined
  const stem = base.replace(/\.(m|c)?js$/, '').replace(/\.jsx$/, '')
  const candidates = [
    base,
    ...SCRIPT_EXTENSIONS.map((extension) => `${stem}${extension}`),
    ...SCRIPT_EXTENSIONS.map((extension) => `${base}/index${extension}`),
  ]
  return candidates.find(exists)
}

const shared = {
  isExported,
  docstring: (node: Node) => commentAbove(node, DOC_WRAPPERS),
  decorators,
  resolveImport: resolveScriptImport,
} satisfies Partial<LanguageSpec>

export const typescript: LanguageSpec = {
  id: 'typescript',
  grammar: 'typescript',
  extensions: ['.ts', '.mts', '.cts'],
  query: COMMON + TYPESCRIPT_ONLY,
  ...shared,
}

export const tsx: LanguageSpec = {
  id: 'tsx',
  grammar: 'tsx',
  extensions: ['.tsx'],
  query: COMMON + TYPESCRIPT_ONLY,
  ...shared,
}

export const javascript: LanguageSpec = {
  id: 'javascript',
  grammar: 'javascript',
  extensions: ['.js', '.jsx', '.mjs', '.cjs'],
  query: COMMON + JAVASCRIPT_ONLY,
  ...shared,
}
