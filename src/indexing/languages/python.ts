import type { Node } from 'web-tree-sitter'
import { commentAbove, hasAncestor } from './comments.js'
import type { LanguageSpec } from './language-spec.js'
import { joinRelative } from './relative-path.js'
import { parentOf } from './tree-navigation.js'

// A def is a method when it sits directly in a class body, a function at module level or inside another function;
// the contexts are spelled out so that no def matches both kinds.
const QUERY = String.raw`
(module (function_definition name: (identifier) @name) @definition.function)
(module (decorated_definition definition: (function_definition name: (identifier) @name) @definition.function))
(function_definition body: (block (function_definition name: (identifier) @name) @definition.function))
(function_definition body: (block (decorated_definition definition: (function_definition name: (identifier) @name) @definition.function)))
(class_definition body: (block (function_definition name: (identifier) @name) @definition.method))
(class_definition body: (block (decorated_definition definition: (function_definition name: (identifier) @name) @definition.method)))
(class_definition name: (identifier) @name) @definition.class
(class_definition body: (block (expression_statement (assignment left: (identifier) @name) @definition.field)))
(module (expression_statement (assignment left: (identifier) @name) @definition.constant)
  (#match? @name "^[A-Z][A-Z0-9_]*$"))
(module (expression_statement (assignment left: (identifier) @name) @definition.variable)
  (#not-match? @name "^[A-Z][A-Z0-9_]*$"))

(import_statement name: (dotted_name) @import.module @import.import)
(import_statement name: (aliased_import name: (dotted_name) @import.module alias: (identifier) @import.name) @import.import)
(import_from_statement module_name: (_) @import.module) @import.import
(import_from_statement name: (dotted_name) @import.name) @import.import
(import_from_statement name: (aliased_import name: (dotted_name) @import.name)) @import.import

(parameters (identifier) @symbol.parameter (#not-any-of? @symbol.parameter "self" "cls"))
(parameters (default_parameter name: (identifier) @symbol.parameter))
(parameters (typed_parameter (identifier) @symbol.parameter))
(parameters (typed_default_parameter name: (identifier) @symbol.parameter))
(parameters (list_splat_pattern (identifier) @symbol.parameter))
(parameters (dictionary_splat_pattern (identifier) @symbol.parameter))
(lambda_parameters (identifier) @symbol.parameter)
(function_definition body: (block (expression_statement (assignment left: (identifier) @symbol.local))))
(for_statement left: (identifier) @symbol.local)
(assignment left: (attribute object: (identifier) @_self attribute: (identifier) @symbol.field) (#eq? @_self "self"))
`

const FUNCTION_SCOPE = new Set(['function_definition'])
const DOC_WRAPPERS = new Set(['decorated_definition', 'expression_statement'])

/** Python has no export list but a convention: a leading underscore is private; a def inside a def is local. */
function isExported(node: Node, name: string): boolean {
  return !name.startsWith('_') && !hasAncestor(node, FUNCTION_SCOPE)
}

/** The string that opens a def's or class's body, cleaned as `inspect.cleandoc` does; else the `#` comment above. */
function docstring(node: Node): string | null {
  const first = node.childForFieldName('body')?.namedChildren.find((child) => child?.type !== 'comment')
  const string = first?.type === 'expression_statement' && first.namedChildCount === 1 ? first.namedChild(0) : null
  if (string?.type === 'string') {
    const start = string.children.find((child) => child?.type === 'string_start')
    const end = string.children.find((child) => child?.type === 'string_end')
    if (start && end) {
      return cleanDocstring(string.text.slice(start.endIndex - string.startIndex, end.startIndex - string.startIndex))
    }
  }
  return commentAbove(node, DOC_WRAPPERS)
}

function cleanDocstring(text: string): string | null {
  const [head = '', ...rest] = text.split('\n')
  const indents = rest.filter((line) => line.trim() !== '').map((line) => line.length - line.trimStart().length)
  const indent = indents.length > 0 ? Math.min(...indents) : 0
  const cleaned = [head.trim(), ...rest.map((line) => line.slice(indent).trimEnd())].join('\n').trim()
  return cleaned === '' ? null : cleaned
}

function decorators(node: Node): string[] {
  const parent = parentOf(node)
  const holder = parent?.type === 'decorated_definition' ? parent : undefined
  return holder ? holder.namedChildren.filter((child) => child?.type === 'decorator').map((child) => child!.text) : []
}

/** `.mod` from `pkg/a.py` -> `pkg/mod.py` or `pkg/mod/__init__.py`; each further dot climbs one folder. */
function resolveImport(specifier: string, fromPath: string, exists: (path: string) => boolean): string | undefined {
  const dots = /^\.+/.exec(specifier)?.[0].length ?? 0
  if (dots === 0) return undefined
  const base = joinRelative(fromPath, `${'../'.repeat(dots - 1)}${specifier.slice(dots).split('.').join('/')}`)
  if (base === undefined) return undefined
  const candidates = specifier.length === dots ? [`${base}/__init__.py`] : [`${base}.py`, `${base}/__init__.py`]
  return candidates.map((candidate) => candidate.replace(/^\.\//, '')).find(exists)
}

export const python: LanguageSpec = {
  id: 'python',
  grammar: 'python',
  extensions: ['.py', '.pyi'],
  query: QUERY,
  isExported,
  docstring,
  decorators,
  resolveImport,
}
