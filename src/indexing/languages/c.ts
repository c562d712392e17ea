import type { Node } from 'web-tree-sitter'
import { commentAbove } from './comments.js'
import type { LanguageSpec } from './language-spec.js'
import { joinRelative } from './relative-path.js'
import { parentOf } from './tree-navigation.js'

// The grammars have no "not inside a function" operator, so a file-level pattern is an alternation over the nodes that
// can hold file-level declarations: header guards and other `#if` blocks, `extern "C"` and namespace bodies. Query
// compilation time grows with every alternative in a grammar as large as C++'s, hence the short lists: a declaration
// in an `#elif` block, or a template in an `#if`/`#else` block, is missed.
const FILE_LEVEL_PARENTS = ['translation_unit', 'declaration_list', 'preproc_ifdef', 'preproc_if', 'preproc_else']
const TEMPLATE_PARENTS = ['translation_unit', 'declaration_list', 'preproc_ifdef']

function atFileLevel(pattern: string, templates: boolean): string {
  const contexts = [
    ...FILE_LEVEL_PARENTS.map((parent) => `(${parent} ${pattern})`),
    ...(templates ? TEMPLATE_PARENTS.map((parent) => `(${parent} (template_declaration ${pattern}))`) : []),
  ]
  return `[${contexts.join('\n')}]`
}

/**
 * A function declarator around `inner`, also when the function returns a pointer (a pointer to pointer in C, a
 * reference in C++).
 */
function functionDeclarator(inner: string, cpp: boolean): string {
  const declarator = `(function_declarator declarator: ${inner})`
  const pointer = `(pointer_declarator declarator: ${declarator})`
  return cpp
    ? `[${declarator} ${pointer} (reference_declarator ${declarator})]`
    : `[${declarator} ${pointer} (pointer_declarator declarator: ${pointer})]`
}

// A declaration of one name is the definition, so that it keeps its signature; one of several (`int a, *b;`) yields
// each declarator instead, since a definition spanning the whole list would become the parent of the names after the
// first. Both apply to file-level variables and to fields.
const VARIABLE = `[(identifier) @name (pointer_declarator declarator: (identifier) @name)
  (array_declarator declarator: (identifier) @name)
  (init_declarator declarator: [(identifier) @name (pointer_declarator declarator: (identifier) @name)
    (array_declarator declarator: (identifier) @name)])]`
const FIELD = `[(field_identifier) @name (pointer_declarator declarator: (field_identifier) @name)
  (array_declarator declarator: (field_identifier) @name)]`

function commonQuery(cpp: boolean): string {
  const fn = (inner: string) => functionDeclarator(inner, cpp)
  return [
    // C has no classes, so a function is a function wherever it is; in C++ a class body makes it a member.
    ...[
      `(function_definition declarator: ${fn('(identifier) @name')}) @definition.function`,
      `(declaration declarator: ${fn('(identifier) @name')}) @definition.function`,
    ].map((pattern) => (cpp ? atFileLevel(pattern, true) : pattern)),
    atFileLevel(`(declaration type: (_) . declarator: ${VARIABLE} .) @definition.variable`, false),
    atFileLevel(`(declaration declarator: ${VARIABLE} @definition.variable declarator: (_))`, false),
    atFileLevel(`(declaration declarator: (_) declarator: ${VARIABLE} @definition.variable)`, false),
    `(field_declaration type: (_) . declarator: ${FIELD} .) @definition.field`,
    `(field_declaration type: (_) . declarator: ${FIELD} . (bitfield_clause) .) @definition.field`,
    `(field_declaration declarator: ${FIELD} @definition.field declarator: (_))`,
    `(field_declaration declarator: (_) declarator: ${FIELD} @definition.field)`,
    `(struct_specifier name: (type_identifier) @name body: (_)) @definition.struct`,
    `(union_specifier name: (type_identifier) @name body: (_)) @definition.union`,
    `(enum_specifier name: (type_identifier) @name body: (_)) @definition.enum`,
    `(enumerator name: (identifier) @name) @definition.enum_member`,
    `(type_definition declarator: [(type_identifier) @name (pointer_declarator declarator: (type_identifier) @name)
      (function_declarator declarator: (parenthesized_declarator (pointer_declarator declarator: (type_identifier) @name)))])
      @definition.type`,
    `(preproc_def name: (identifier) @name) @definition.macro`,
    `(preproc_function_def name: (identifier) @name) @definition.macro`,
    `(preproc_include path: (_) @import.module) @import.include`,
    `(parameter_list (parameter_declaration declarator: [(identifier) @symbol.parameter
      (pointer_declarator declarator: (identifier) @symbol.parameter)
      (pointer_declarator declarator: (pointer_declarator declarator: (identifier) @symbol.parameter))
      (array_declarator declarator: (identifier) @symbol.parameter)]))`,
    `(compound_statement (declaration declarator: ${VARIABLE.replaceAll('@name', '@symbol.local')}))`,
  ].join('\n')
}

const MEMBER_NAME = '[(identifier) (operator_name) (destructor_name)] @name'

const CPP_ONLY = [
  `(class_specifier name: (type_identifier) @name body: (_)) @definition.class`,
  `(namespace_definition name: (_) @name) @definition.namespace`,
  `(alias_declaration name: (type_identifier) @name) @definition.type`,
  `(field_declaration type: (_) . declarator: ${FIELD} . default_value: (_) .) @definition.field`,
  // Members declared or defined in the class body: a constructor has no return type; a member template's name is a
  // plain identifier, an ordinary member's a field identifier (below).
  ...['declaration', 'function_definition'].flatMap((member) => [
    `(field_declaration_list
      (${member} !type declarator: (function_declarator declarator: (identifier) @name)) @definition.constructor)`,
    `(field_declaration_list
      (${member} declarator: (function_declarator declarator: (destructor_name) @name)) @definition.method)`,
    `(field_declaration_list (template_declaration
      (${member} !type declarator: (function_declarator declarator: (identifier) @name)) @definition.constructor))`,
    `(field_declaration_list (template_declaration
      (${member} type: (_) declarator: ${functionDeclarator('(identifier) @name', true)}) @definition.method))`,
  ]),
  ...['field_declaration', 'function_definition'].map(
    (member) =>
      `(${member} declarator: ${functionDeclarator('[(field_identifier) (operator_name)] @name', true)}) @definition.method`,
  ),
  // Members defined outside the class (`Shape::Shape`, `geo::Circle::area`): a constructor is named after its scope.
  ...[
    `(qualified_identifier scope: (_) @_scope name: ${MEMBER_NAME})`,
    `(qualified_identifier name: (qualified_identifier scope: (_) @_scope name: ${MEMBER_NAME}))`,
  ].flatMap((qualified) => [
    `((function_definition declarator: ${functionDeclarator(qualified, true)}) @definition.constructor (#eq? @_scope @name))`,
    `((function_definition declarator: ${functionDeclarator(qualified, true)}) @definition.method (#not-eq? @_scope @name))`,
  ]),
  `(using_declaration [(identifier) (qualified_identifier)] @import.module) @import.use`,
  `(parameter_list (parameter_declaration declarator: (reference_declarator (identifier) @symbol.parameter)))`,
  `(parameter_list (optional_parameter_declaration declarator: [(identifier) @symbol.parameter
    (pointer_declarator declarator: (identifier) @symbol.parameter)
    (reference_declarator (identifier) @symbol.parameter)]))`,
  `(type_parameter_declaration (type_identifier) @symbol.type_parameter)`,
  `(template_parameter_list (parameter_declaration declarator: (identifier) @symbol.type_parameter))`,
  `(optional_type_parameter_declaration name: (type_identifier) @symbol.type_parameter)`,
  `(for_range_loop declarator: [(identifier) @symbol.local (reference_declarator (identifier) @symbol.local)])`,
].join('\n')

const FILE_LEVEL = new Set([...FILE_LEVEL_PARENTS, 'preproc_elif', 'template_declaration'])

/**
 * Visible to other translation units: not declared `static` at file level (the `static` of a class member does not
 * count), not in an anonymous namespace, not inside a function body.
 */
function isExported(node: Node): boolean {
  for (let current = node, parent = parentOf(node); parent; current = parent, parent = parentOf(parent)) {
    if (current.type === 'compound_statement') return false
    if (parent.type === 'namespace_definition' && !parent.childForFieldName('name')) return false
    // A preprocessor block (an include guard, say) holds declarations but takes no `static` itself: its children,
    // thousands in a large header, are not read for one.
    if (FILE_LEVEL.has(parent.type) && !current.type.startsWith('preproc_') && isStatic(current)) return false
  }
  return true
}

function isStatic(node: Node): boolean {
  return node.children.some((child) => child?.type === 'storage_class_specifier' && child.text === 'static')
}

const DOC_WRAPPERS = new Set([
  'template_declaration',
  'type_definition',
  'declaration',
  'field_declaration',
  'init_declarator',
  'pointer_declarator',
  'array_declarator',
])

/** `#include "util/list.h"` from `src/a.c` -> `src/util/list.h`: only the folder of the including file is searched. */
function resolveInclude(specifier: string, fromPath: string, exists: (path: string) => boolean): string | undefined {
  const candidate = joinRelative(fromPath, specifier)
  return candidate !== undefined && exists(candidate) ? candidate : undefined
}

const shared = {
  isExported,
  docstring: (node: Node) => commentAbove(node, DOC_WRAPPERS),
  resolveImport: resolveInclude,
} satisfies Partial<LanguageSpec>

export const c: LanguageSpec = {
  id: 'c',
  grammar: 'c',
  extensions: ['.c', '.h'],
  query: commonQuery(false),
  ...shared,
}

export const cpp: LanguageSpec = {
  id: 'cpp',
  grammar: 'cpp',
  extensions: ['.cc', '.cpp', '.cxx', '.c++', '.hpp', '.hh', '.hxx', '.h'],
  query: `${commonQuery(true)}\n${CPP_ONLY}`,
  ...shared,
}
