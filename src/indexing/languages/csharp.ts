import type { Node } from 'web-tree-sitter'
import { commentAbove } from './comments.js'
import type { LanguageSpec } from './language-spec.js'
import { grandparentOf } from './tree-navigation.js'

// A field that declares one name is the definition, so that it keeps its signature; one that declares several
// (`int a, b;`) yields each declarator instead, since a definition spanning the whole list would become the parent of
// the names after the first. A `const` field is a constant (`#not-eq?` holds when no modifier at all is `const`).
const FIELDS = [
  ['constant', '#any-eq?'],
  ['field', '#not-eq?'],
].flatMap(([kind, predicate]) => [
  `((field_declaration (modifier)* @_modifiers (variable_declaration type: (_) . (variable_declarator (identifier) @name) .))
    @definition.${kind} (${predicate} @_modifiers "const"))`,
  `((field_declaration (modifier)* @_modifiers (variable_declaration (variable_declarator (identifier) @name) @definition.${kind}
    (variable_declarator))) (${predicate} @_modifiers "const"))`,
  `((field_declaration (modifier)* @_modifiers (variable_declaration (variable_declarator)
    (variable_declarator (identifier) @name) @definition.${kind})) (${predicate} @_modifiers "const"))`,
])

const QUERY = `
(namespace_declaration name: (_) @name) @definition.namespace
(class_declaration name: (identifier) @name) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(struct_declaration name: (identifier) @name) @definition.struct
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(enum_member_declaration name: (identifier) @name) @definition.enum_member
(delegate_declaration name: (identifier) @name) @definition.type
(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.constructor
(local_function_statement name: (identifier) @name) @definition.function
(property_declaration name: (identifier) @name) @definition.property
${FIELDS.join('\n')}

(using_directive [(identifier) (qualified_name)] @import.module) @import.use
(using_directive (name_equals (identifier) @import.name)) @import.use

(parameter name: (identifier) @symbol.parameter)
(parameter_list (identifier) @symbol.parameter)
(type_parameter name: (identifier) @symbol.type_parameter)
(local_declaration_statement (variable_declaration (variable_declarator (identifier) @symbol.local)))
(for_each_statement left: (identifier) @symbol.local)
`

/** Members of interfaces and enums, which need no `public`, are as visible as their container. */
const IMPLICITLY_PUBLIC = new Set(['interface_declaration', 'enum_declaration'])

/** The declaration that carries the modifiers and the comment: the field itself for one of its several names. */
function holderOf(node: Node): Node {
  return node.type === 'variable_declarator' ? (grandparentOf(node) ?? node) : node
}

/** Public to other assemblies: a `public` modifier, or membership of a visible interface or enum; any namespace. */
function isExported(node: Node): boolean {
  if (node.type === 'namespace_declaration') return true
  const holder = holderOf(node)
  if (holder.children.some((child) => child?.type === 'modifier' && child.text === 'public')) return true
  const container = grandparentOf(holder)
  return container !== null && container !== undefined && IMPLICITLY_PUBLIC.has(container.type) && isExported(container)
}

/** The `///` block above the definition, without the `<summary>` wrapper of XML documentation comments. */
function docstring(node: Node): string | null {
  const text = commentAbove(holderOf(node))?.replace(/<\/?summary>/g, '').trim()
  return text ? text : null
}

function decorators(node: Node): string[] {
  return holderOf(node)
    .children.filter((child) => child?.type === 'attribute_list')
    .map((attributes) => attributes!.text)
}

export const csharp: LanguageSpec = {
  id: 'csharp',
  grammar: 'c_sharp',
  extensions: ['.cs'],
  query: QUERY,
  isExported,
  docstring,
  decorators,
}
