import type { Node } from 'web-tree-sitter'
import { commentAbove } from './comments.js'
import type { LanguageSpec } from './language-spec.js'
import { parentOf } from './tree-navigation.js'

// A spec or field that declares one name is the definition, so that it keeps its signature and comment; one that
// declares several (`a, b int`) yields each name's identifier instead, since a definition spanning the whole list would
// become the parent of the names after the first. Names after the first in a spec carry no `name:` field in this
// grammar version, hence the unlabelled identifiers. An import's name is its alias, when the alias is a name: the blank
// `_` and the dot import bind none.
const QUERY = String.raw`
(function_declaration name: (identifier) @name) @definition.function
(method_declaration name: (field_identifier) @name) @definition.method
(type_spec name: (type_identifier) @name type: (struct_type)) @definition.struct
(type_spec name: (type_identifier) @name type: (interface_type)) @definition.interface
(type_spec name: (type_identifier) @name type: [(type_identifier) (qualified_type) (generic_type) (pointer_type)
  (slice_type) (array_type) (map_type) (channel_type) (function_type)]) @definition.type
(type_alias name: (type_identifier) @name) @definition.type
(method_spec name: (field_identifier) @name) @definition.method
(field_declaration . name: (field_identifier) @name . type: (_)) @definition.field
(field_declaration name: (field_identifier) @name @definition.field name: (field_identifier))
(field_declaration name: (field_identifier) name: (field_identifier) @name @definition.field)
(source_file (const_declaration (const_spec . (identifier) @name . type: (_)) @definition.constant))
(source_file (const_declaration (const_spec . (identifier) @name . value: (_)) @definition.constant))
(source_file (const_declaration (const_spec . (identifier) @name .) @definition.constant))
(source_file (const_declaration (const_spec (identifier) @name @definition.constant (identifier))))
(source_file (const_declaration (const_spec (identifier) (identifier) @name @definition.constant)))
(source_file (var_declaration (var_spec . (identifier) @name . type: (_)) @definition.variable))
(source_file (var_declaration (var_spec . (identifier) @name . value: (_)) @definition.variable))
(source_file (var_declaration (var_spec (identifier) @name @definition.variable (identifier))))
(source_file (var_declaration (var_spec (identifier) (identifier) @name @definition.variable)))

(import_spec path: (_) @import.module) @import.import
(import_spec name: (package_identifier) @import.name) @import.import

(parameter_list (parameter_declaration name: (identifier) @symbol.parameter))
(parameter_list (variadic_parameter_declaration name: (identifier) @symbol.parameter))
(type_parameter_list (parameter_declaration name: (identifier) @symbol.type_parameter))
(short_var_declaration left: (expression_list (identifier) @symbol.local))
(block (var_declaration (var_spec (identifier) @symbol.local)))
(block (const_declaration (const_spec (identifier) @symbol.local)))
(range_clause left: (expression_list (identifier) @symbol.local))
`

const SPECS = new Set(['type_spec', 'type_alias', 'const_spec', 'var_spec'])

/** Go exports a name by capitalising it. */
function isExported(_node: Node, name: string): boolean {
  return /^\p{Lu}/u.test(name)
}

/**
 * The `//` block above the definition (above its spec, for one of several names); a spec alone in its declaration
 * (`type T struct` without parentheses) takes the comment above the declaration keyword, as godoc does.
 */
function docstring(node: Node): string | null {
  const anchor = (node.type.endsWith('identifier') && parentOf(node)) || node
  const own = commentAbove(anchor)
  if (own !== null || !SPECS.has(anchor.type)) return own
  const declaration = parentOf(anchor)
  return declaration && onlySpec(declaration) ? commentAbove(declaration) : null
}

/** Whether `declaration` holds one spec (comments aside): looks no further than the second. */
function onlySpec(declaration: Node): boolean {
  let specs = 0
  for (let index = 0; index < declaration.namedChildCount; index++) {
    if (declaration.namedChild(index)?.type !== 'comment' && ++specs > 1) return false
  }
  return specs === 1
}

export const go: LanguageSpec = {
  id: 'go',
  grammar: 'go',
  extensions: ['.go'],
  query: QUERY,
  isExported,
  docstring,
}
