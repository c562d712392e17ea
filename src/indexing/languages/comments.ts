import type { Node } from 'web-tree-sitter'
import { parentOf, previousSiblingOf } from './tree-navigation.js'

const COMMENT_TYPES = new Set(['comment', 'line_comment', 'block_comment', 'doc_comment'])

/** Strips comment markers (line, block and doc comments, hash comments, leading stars) and joins the lines. */
export function cleanComment(text: string): string {
  return text
    .replace(/^\/\*+!?/, '')
    .replace(/\*+\/$/, '')
    .split('\n')
    .map((line) =>
      line
        .trim()
        .replace(/^(\/\/[/!]?|#+|\*(?!\/))\s?/, '')
        .trimEnd(),
    )
    .join('\n')
    .trim()
}

/**
 * The comment block that ends on the line right above `node` (or above the wrapper that holds it, such as an export
 * statement), cleaned of markers; null when there is none.
 */
export function commentAbove(node: Node, wrappers: ReadonlySet<string> = new Set()): string | null {
  let anchor = node
  for (let parent = parentOf(anchor); parent && wrappers.has(parent.type); parent = parentOf(anchor)) anchor = parent
  const parts: string[] = []
  let line = anchor.startPosition.row
  for (let sibling = previousSiblingOf(anchor); sibling && COMMENT_TYPES.has(sibling.type); sibling = previousSiblingOf(sibling)) {
    if (sibling.endPosition.row < line - 1) break
    parts.unshift(sibling.text)
    line = sibling.startPosition.row
  }
  if (parts.length === 0) return null
  const text = cleanComment(parts.map(cleanComment).join('\n'))
  return text === '' ? null : text
}

/** Whether any ancestor of `node` (up to the root) has one of `types`. */
export function hasAncestor(node: Node, types: ReadonlySet<string>): boolean {
  for (let current = parentOf(node); current; current = parentOf(current)) if (types.has(current.type)) return true
  return false
}
