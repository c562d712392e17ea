import type { Node } from 'web-tree-sitter'
import { commentAbove } from './comments.js'
import type { LanguageSpec } from './language-spec.js'
import { grandparentOf, previousSiblingOf } from './tree-navigation.js'

// A fn is a method directly inside an impl or trait block, a function elsewhere; the contexts are spelled out so that
// no fn matches both kinds. An impl is named after the type it is for (`impl Area for Point<T>` -> Point).
const QUERY = String.raw`
(source_file (function_item name: (identifier) @name) @definition.function)
(mod_item body: (declaration_list (function_item name: (identifier) @name) @definition.function))
(block (function_item name: (identifier) @name) @definition.function)
(foreign_mod_item body: (declaration_list (function_signature_item name: (identifier) @name) @definition.function))
(impl_item body: (declaration_list (function_item name: (identifier) @name) @definition.method))
(trait_item body: (declaration_list (function_item name: (identifier) @name) @definition.method))
(trait_item body: (declaration_list (function_signature_item name: (identifier) @name) @definition.method))
(struct_item name: (type_identifier) @name) @definition.struct
(union_item name: (type_identifier) @name) @definition.union
(enum_item name: (type_identifier) @name) @definition.enum
(enum_variant name: (identifier) @name) @definition.enum_member
(trait_item name: (type_identifier) @name) @definition.trait
(impl_item type: [(type_identifier) @name (generic_type type: (type_identifier) @name)
  (scoped_type_identifier name: (type_identifier) @name)]) @definition.impl
(mod_item name: (identifier) @name) @definition.module
(type_item name: (type_identifier) @name) @definition.type
(associated_type name: (type_identifier) @name) @definition.type
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.variable
(field_declaration name: (field_identifier) @name) @definition.field
(macro_definition name: (identifier) @name) @definition.macro

(use_declaration argument: [(identifier) (scoped_identifier)] @import.module) @import.use
(use_declaration argument: (use_as_clause path: (_) @import.module alias: (identifier) @import.name)) @import.use
(use_declaration argument: (scoped_use_list path: (_) @import.module)) @import.use
(use_declaration argument: (scoped_use_list list: (use_list [(identifier) (scoped_identifier)] @import.name))) @import.use
(use_declaration argument: (scoped_use_list list: (use_list (use_as_clause path: (_) @import.name)))) @import.use
(use_declaration argument: (use_wildcard (_) @import.module)) @import.use
(extern_crate_declaration name: (identifier) @import.module) @import.use

(parameter pattern: (identifier) @symbol.parameter)
(closure_parameters (identifier) @symbol.parameter)
(type_parameters (type_identifier) @symbol.type_parameter)
(type_parameters (constrained_type_parameter left: (type_identifier) @symbol.type_parameter))
(let_declaration pattern: (identifier) @symbol.local)
(let_declaration pattern: (tuple_pattern (identifier) @symbol.local))
`

const INHERITS_VISIBILITY = new Set(['enum_item', 'enum_variant', 'trait_item'])

/**
 * Any `pub`, including `pub(crate)`: visible beyond its own module. Variants, their fields and trait items cannot be
 * marked: they are as visible as their enum or trait. A `macro_rules!` macro is exported by `#[macro_export]`.
 */
function isExported(node: Node): boolean {
  if (node.type === 'macro_definition') {
    return attributesAbove(node).some((attribute) => attribute.text.includes('macro_export'))
  }
  if (node.children.some((child) => child?.type === 'visibility_modifier')) return true
  const container = grandparentOf(node)
  return container !== null && container !== undefined && INHERITS_VISIBILITY.has(container.type) && isExported(container)
}

/** The `#[...]` attributes right above a definition, top to bottom. */
function attributesAbove(node: Node): Node[] {
  const found: Node[] = []
  for (let sibling = previousSiblingOf(node); sibling?.type === 'attribute_item'; sibling = previousSiblingOf(sibling)) {
    found.unshift(sibling)
  }
  return found
}

/** The `///` block above the definition, which may sit above its attributes. */
function docstring(node: Node): string | null {
  return commentAbove(attributesAbove(node)[0] ?? node)
}

export const rust: LanguageSpec = {
  id: 'rust',
  grammar: 'rust',
  extensions: ['.rs'],
  query: QUERY,
  isExported,
  docstring,
  decorators: (node) => attributesAbove(node).map((attribute) => attribute.text),
}
