import type { Node } from 'web-tree-sitter'

// web-tree-sitter 0.25 finds a node's parent, and so its previous sibling, by descending from the root and scanning
// each level's children for the one that holds it. Where a file's definitions sit in one long list (a C header inside
// its include guard, a Go const block, a Ruby module of thousands of methods), asking each definition's parents and the
// comments above it cost seconds: 3.5-4.5 s for 3,000 of them. So the extractor walks to every definition once, forward
// only, with a tree cursor, and records the parent and the previous sibling of each node it passes; the language specs
// ask parentOf and previousSiblingOf, which fall back to the node's own (slow) properties for any other node.

interface Navigation {
  readonly parents: Map<number, Node | null>
  readonly previous: Map<number, Node | null>
  readonly memos: Map<string, Map<number, unknown>>
}

let current: Navigation | undefined

/** The parent of `node`: from the walk of the extraction under way when it passed the node, else from tree-sitter. */
export function parentOf(node: Node): Node | null {
  const known = current?.parents.get(node.id)
  return known === undefined ? node.parent : known
}

/** The previous sibling of `node` (named or not), as {@link parentOf} finds parents. */
export function previousSiblingOf(node: Node): Node | null {
  const known = current?.previous.get(node.id)
  return known === undefined ? node.previousSibling : known
}

/** A map a spec keeps under `key` for the extraction under way (what it found for a node, by node id); undefined outside one. */
export function extractionMemo<T>(key: string): Map<number, T> | undefined {
  if (!current) return undefined
  let memo = current.memos.get(key)
  if (!memo) current.memos.set(key, (memo = new Map()))
  return memo as Map<number, T>
}

/** Runs `work` with the parents and previous siblings of every node on the way from `root` to each of `targets` known. */
export function withNavigation<T>(root: Node, targets: ReadonlyArray<Node>, work: () => T): T {
  const saved = current
  current = walk(root, [...targets].sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex))
  try {
    return work()
  } finally {
    current = saved
  }
}

/**
 * One forward walk to the targets in source order: down into the node that holds the next target, along siblings
 * past the ones before it, up out of a node that ends before it. Each node passed is created once; a target the walk
 * cannot reach (not under the node that holds its range) is left to tree-sitter.
 */
function walk(root: Node, targets: ReadonlyArray<Node>): Navigation {
  const parents = new Map<number, Node | null>([[root.id, null]])
  const previous = new Map<number, Node | null>([[root.id, null]])
  const cursor = root.walk()
  const path: Node[] = [root]
  const holds = (node: Node, target: Node) => node.startIndex <= target.startIndex && target.endIndex <= node.endIndex
  try {
    for (const target of targets) {
      for (;;) {
        const top = path[path.length - 1]!
        if (top.id === target.id) break
        if (holds(top, target)) {
          if (!cursor.gotoFirstChild()) break
          const child = cursor.currentNode
          parents.set(child.id, top)
          previous.set(child.id, null)
          path.push(child)
          continue
        }
        if (path.length > 1 && target.startIndex >= top.endIndex && cursor.gotoNextSibling()) {
          const sibling = cursor.currentNode
          parents.set(sibling.id, path[path.length - 2]!)
          previous.set(sibling.id, top)
          path[path.length - 1] = sibling
          continue
        }
        if (path.length === 1) break
        cursor.gotoParent()
        path.pop()
        // Every child of this node that could hold the target was passed: it is not under this node after all.
        if (holds(path[path.length - 1]!, target)) break
      }
    }
  } finally {
    cursor.delete()
  }
  return { parents, previous, memos: new Map() }
}

/** The parent of the parent of `node`, as {@link parentOf} finds parents. */
export function grandparentOf(node: Node): Node | null {
  const parent = parentOf(node)
  return parent && parentOf(parent)
}
