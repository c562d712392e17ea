import type { Node } from 'web-tree-sitter'
import { commentAbove } from './comments.js'
import type { LanguageSpec } from './language-spec.js'
import { joinRelative } from './relative-path.js'
import { extractionMemo, grandparentOf, parentOf, previousSiblingOf } from './tree-navigation.js'

// A def at the top of a file is a function (a private method of Object, in fact); anywhere else a method.
const QUERY = `
(program (method name: (_) @name) @definition.function)
(body_statement (method name: (_) @name) @definition.method)
(argument_list (method name: (_) @name) @definition.method)
(singleton_method name: (_) @name) @definition.method
(class name: [(constant) (scope_resolution)] @name) @definition.class
(module name: [(constant) (scope_resolution)] @name) @definition.module
(assignment left: (constant) @name) @definition.constant

((call method: (identifier) @_method arguments: (argument_list . (string (string_content) @import.module)))
  @import.require (#any-of? @_method "require" "require_relative"))

(method_parameters (identifier) @symbol.parameter)
(lambda_parameters (identifier) @symbol.parameter)
(block_parameters (identifier) @symbol.parameter)
(optional_parameter name: (identifier) @symbol.parameter)
(keyword_parameter name: (identifier) @symbol.parameter)
(splat_parameter name: (identifier) @symbol.parameter)
(hash_splat_parameter name: (identifier) @symbol.parameter)
(block_parameter name: (identifier) @symbol.parameter)
(assignment left: (identifier) @symbol.local)
(assignment left: (instance_variable) @symbol.field)
`

const VISIBILITY = new Set(['private', 'protected', 'public'])
const DOC_WRAPPERS = new Set(['argument_list', 'call'])

/**
 * Ruby has no exports: a definition is public unless made private or protected, either as an argument
 * (`private def x`) or by a bare `private`/`protected` earlier in the same body. `private :x` calls are not followed.
 */
function isExported(node: Node): boolean {
  const call = parentOf(node)?.type === 'argument_list' ? grandparentOf(node) : null
  if (call?.type === 'call') return !isHidingKeyword(call.childForFieldName('method'))
  const visibility = visibilityBefore(node)
  return visibility === undefined || visibility === 'public'
}

/**
 * The last bare `private`, `protected` or `public` before `node` in its body, if any. What it finds is kept for each
 * node it passed, for the rest of the extraction: each definition of a long body looks back only to the one before.
 */
function visibilityBefore(node: Node): string | undefined {
  const memo = extractionMemo<string | null>('ruby.visibility')
  const passed: number[] = []
  let found: string | null = null
  for (let previous = previousSiblingOf(node); previous; previous = previousSiblingOf(previous)) {
    const known = memo?.get(previous.id)
    if (known !== undefined) {
      found = known
      break
    }
    passed.push(previous.id)
    if (previous.isNamed && previous.type === 'identifier' && VISIBILITY.has(previous.text)) {
      found = previous.text
      break
    }
  }
  for (const id of passed) memo?.set(id, found)
  return found ?? undefined
}

function isHidingKeyword(node: Node | null): boolean {
  return node?.text === 'private' || node?.text === 'protected'
}

/**
 * `require_relative '../lib/helper'` from `app/a.rb` -> `lib/helper.rb`. `require` and `require_relative` are stored
 * alike, so a plain `require` resolves too when it names a file next to the requiring one.
 */
function resolveImport(specifier: string, fromPath: string, exists: (path: string) => boolean): string | undefined {
  const base = joinRelative(fromPath, specifier)
  if (base === undefined) return undefined
  return (base.endsWith('.rb') ? [base] : [`${base}.rb`, base]).find(exists)
}

export const ruby: LanguageSpec = {
  id: 'ruby',
  grammar: 'ruby',
  extensions: ['.rb', '.rake', '.gemspec'],
  filenames: ['Rakefile', 'Gemfile'],
  query: QUERY,
  isExported,
  docstring: (node) => commentAbove(node, DOC_WRAPPERS),
  resolveImport,
}
