import type { Node } from 'web-tree-sitter'
import { commentAbove } from './comments.js'
import type { LanguageSpec } from './language-spec.js'
import { grandparentOf, parentOf } from './tree-navigation.js'

// A field that declares one name is the definition, so that it keeps its signature; one that declares several
// (`int a, b;`) yields each declarator instead, since a definition spanning the whole list would become the parent of
// the names after the first. A `static final` field is a constant.
// (A query string unescapes `\\` once, so the regular expression's backslashes are doubled.)
const STATIC_FINAL = String.raw`"^(?=[\\s\\S]*\\bstatic\\b)(?=[\\s\\S]*\\bfinal\\b)"`
const QUERY = String.raw`
(class_declaration name: (identifier) @name) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(annotation_type_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(enum_constant name: (identifier) @name) @definition.enum_member
(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.constructor
(compact_constructor_declaration name: (identifier) @name) @definition.constructor
(constant_declaration type: (_) . declarator: (variable_declarator name: (identifier) @name) .) @definition.constant
(constant_declaration declarator: (variable_declarator name: (identifier) @name) @definition.constant declarator: (_))
(constant_declaration declarator: (_) declarator: (variable_declarator name: (identifier) @name) @definition.constant)

((field_declaration (modifiers) @_modifiers type: (_) . declarator: (variable_declarator name: (identifier) @name) .)
  @definition.constant (#match? @_modifiers ${STATIC_FINAL}))
((field_declaration (modifiers)? @_modifiers type: (_) . declarator: (variable_declarator name: (identifier) @name) .)
  @definition.field (#not-match? @_modifiers ${STATIC_FINAL}))
((field_declaration (modifiers) @_modifiers declarator: (variable_declarator name: (identifier) @name) @definition.constant
  declarator: (_)) (#match? @_modifiers ${STATIC_FINAL}))
((field_declaration (modifiers) @_modifiers declarator: (_)
  declarator: (variable_declarator name: (identifier) @name) @definition.constant) (#match? @_modifiers ${STATIC_FINAL}))
((field_declaration (modifiers)? @_modifiers declarator: (variable_declarator name: (identifier) @name) @definition.field
  declarator: (_)) (#not-match? @_modifiers ${STATIC_FINAL}))
((field_declaration (modifiers)? @_modifiers declarator: (_)
  declarator: (variable_declarator name: (identifier) @name) @definition.field) (#not-match? @_modifiers ${STATIC_FINAL}))

(import_declaration (scoped_identifier) @import.module) @import.import
(import_declaration (scoped_identifier name: (identifier) @import.name) .) @import.import

(formal_parameter name: (identifier) @symbol.parameter)
(spread_parameter (variable_declarator name: (identifier) @symbol.parameter))
(catch_formal_parameter name: (identifier) @symbol.parameter)
(lambda_expression parameters: (identifier) @symbol.parameter)
(inferred_parameters (identifier) @symbol.parameter)
(type_parameter (type_identifier) @symbol.type_parameter)
(local_variable_declaration declarator: (variable_declarator name: (identifier) @symbol.local))
(enhanced_for_statement name: (identifier) @symbol.local)
`

/** Members of interfaces and enums, which need no `public`, are as visible as their container. */
const IMPLICITLY_PUBLIC = new Set(['interface_declaration', 'annotation_type_declaration', 'enum_declaration'])

/** The declaration that carries the modifiers and the comment: the field itself for one of its several names. */
function holderOf(node: Node): Node {
  return (node.type === 'variable_declarator' && parentOf(node)) || node
}

function modifiersOf(node: Node): Node | undefined {
  return holderOf(node).children.find((child) => child?.type === 'modifiers') ?? undefined
}

/** Public to other packages: a `public` modifier, or membership of a visible interface or enum. */
function isExported(node: Node): boolean {
  if (modifiersOf(node)?.children.some((child) => child?.type === 'public')) return true
  const holder = holderOf(node)
  const container = grandparentOf(holder)
  if (!container || !IMPLICITLY_PUBLIC.has(container.type)) return false
  // Enum constants are implicitly public; an enum's methods and fields are not.
  if (container.type === 'enum_declaration' && holder.type !== 'enum_constant') return false
  return isExported(container)
}

function decorators(node: Node): string[] {
  const modifiers = modifiersOf(node)?.children ?? []
  return modifiers
    .filter((child) => child?.type === 'annotation' || child?.type === 'marker_annotation')
    .map((annotation) => annotation!.text)
}

export const java: LanguageSpec = {
  id: 'java',
  grammar: 'java',
  extensions: ['.java'],
  query: QUERY,
  isExported,
  docstring: (node) => commentAbove(holderOf(node)),
  decorators,
}
