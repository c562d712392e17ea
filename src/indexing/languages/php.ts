import type { Node } from 'web-tree-sitter'
import { commentAbove } from './comments.js'
import type { LanguageSpec } from './language-spec.js'
import { joinRelative } from './relative-path.js'
import { parentOf } from './tree-navigation.js'

// A declaration of one constant or property is the definition, so that it keeps its signature; one of several
// (`const A = 1, B = 2;`) yields each element instead, since a definition spanning the whole list would become the
// parent of the names after the first.
const INCLUDE_PATH = '[(string (string_content) @import.module) (encapsed_string (string_content) @import.module)]'
const INCLUDES = ['require_expression', 'require_once_expression', 'include_expression', 'include_once_expression']
  .flatMap((type) => [
    `(${type} ${INCLUDE_PATH}) @import.require`,
    `((${type} (binary_expression left: (name) @_dir right: ${INCLUDE_PATH})) @import.require (#eq? @_dir "__DIR__"))`,
  ])
  .join('\n')

const QUERY = `
(namespace_definition name: (namespace_name) @name) @definition.namespace
(class_declaration name: (name) @name) @definition.class
(interface_declaration name: (name) @name) @definition.interface
(trait_declaration name: (name) @name) @definition.trait
(enum_declaration name: (name) @name) @definition.enum
(enum_case name: (name) @name) @definition.enum_member
(function_definition name: (name) @name) @definition.function
((method_declaration name: (name) @name) @definition.constructor (#eq? @name "__construct"))
((method_declaration name: (name) @name) @definition.method (#not-eq? @name "__construct"))
(const_declaration "const" . (const_element (name) @name) .) @definition.constant
(const_declaration (const_element (name) @name) @definition.constant (const_element))
(const_declaration (const_element) (const_element (name) @name) @definition.constant)
(property_declaration type: (_) . (property_element (variable_name (name) @name)) .) @definition.property
(property_declaration [(visibility_modifier) (static_modifier) (var_modifier) (readonly_modifier)]
  . (property_element (variable_name (name) @name)) .) @definition.property
(property_declaration (property_element (variable_name (name) @name)) @definition.property (property_element))
(property_declaration (property_element) (property_element (variable_name (name) @name)) @definition.property)

(namespace_use_declaration (namespace_use_clause [(qualified_name) (name)] @import.module) @import.use)
(namespace_use_clause (namespace_aliasing_clause (name) @import.name)) @import.use
(namespace_use_declaration (namespace_name) @import.module) @import.use
(namespace_use_declaration (namespace_use_group (namespace_use_group_clause (namespace_name) @import.name))) @import.use
${INCLUDES}

(simple_parameter name: (variable_name (name) @symbol.parameter))
(variadic_parameter name: (variable_name (name) @symbol.parameter))
(property_promotion_parameter name: (variable_name (name) @symbol.parameter))
(assignment_expression left: (variable_name (name) @symbol.local))
`

/** The declaration that carries the modifiers and the comment: the declaration itself for one of its several names. */
function holderOf(node: Node): Node {
  return ((node.type === 'const_element' || node.type === 'property_element') && parentOf(node)) || node
}

/** PHP has no exports: everything is reachable by its (namespaced) name unless it is a `private` member. */
function isExported(node: Node): boolean {
  return !holderOf(node).children.some((child) => child?.type === 'visibility_modifier' && child.text === 'private')
}

function decorators(node: Node): string[] {
  const lists = holderOf(node).children.filter((child) => child?.type === 'attribute_list')
  return lists.flatMap((list) =>
    list!.namedChildren.filter((group) => group?.type === 'attribute_group').map((group) => group!.text),
  )
}

/**
 * `include 'lib/a.php'` and `require __DIR__ . '/lib/a.php'` (stored as `/lib/a.php`) from `src/b.php` ->
 * `src/lib/a.php`: the folder of the including file, which is where PHP looks after its include path.
 */
function resolveImport(specifier: string, fromPath: string, exists: (path: string) => boolean): string | undefined {
  if (!specifier.endsWith('.php')) return undefined
  const candidate = joinRelative(fromPath, specifier.replace(/^\/+/, ''))
  return candidate !== undefined && exists(candidate) ? candidate : undefined
}

export const php: LanguageSpec = {
  id: 'php',
  grammar: 'php',
  extensions: ['.php', '.phtml'],
  query: QUERY,
  isExported,
  docstring: (node) => commentAbove(holderOf(node)),
  decorators,
  resolveImport,
}
