import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Language, Parser, Query, type Node, type QueryMatch, type Tree } from 'web-tree-sitter'
import type { DefinitionKind, ImportKind, SymbolKind } from '../db/tables.js'
import { withNavigation } from './languages/tree-navigation.js'
import type {
  ExtractedDefinition,
  ExtractedImport,
  ExtractedSymbol,
  Extraction,
  LanguageSpec,
} from './languages/language-spec.js'

const require = createRequire(import.meta.url)
/** Where the prebuilt grammars are: tree-sitter-wasms' `out/` folder in node_modules. */
export const DEFAULT_GRAMMAR_FOLDER = join(dirname(require.resolve('tree-sitter-wasms/package.json')), 'out')

/** A parse, or a run of the language's query, that takes longer than this is given up: the file is indexed as text. */
const DEFAULT_TIMEOUT_MS = 5_000
const SIGNATURE_MAX = 240

let initialised: Promise<void> | undefined
/** Grammar loads run one at a time: two WebAssembly modules linking at once clash over their exported symbols. */
let loading: Promise<unknown> = Promise.resolve()

interface LoadedLanguage {
  readonly parser: Parser
  readonly query: Query
}

/** Why a file could not be parsed; it is then indexed as text only. */
export class ExtractionError extends Error {
  constructor(
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options)
    this.name = 'ExtractionError'
  }
}

/**
 * Parses source text with tree-sitter (WebAssembly grammars from tree-sitter-wasms, loaded offline from
 * node_modules) and extracts definitions, imports and symbols with each language's query. One per thread: a parser
 * is not shareable. Every tree is deleted after use, or WebAssembly memory grows without bound.
 *
 * ```ts
 * const extractor = new Extractor()
 * const { definitions } = await extractor.extract(typescript, 'export class A {}')
 * ```
 */
export class Extractor {
  readonly #languages = new Map<string, Promise<LoadedLanguage>>()
  readonly #grammarFolder: string
  readonly #timeoutMs: number

  /**
   * `grammarFolder` holds `tree-sitter-<grammar>.wasm` files; default: tree-sitter-wasms' own. `timeoutMs` bounds the
   * parse and, apart, the query of one file (default 5 s).
   */
  constructor(grammarFolder: string = DEFAULT_GRAMMAR_FOLDER, options: { readonly timeoutMs?: number | undefined } = {}) {
    this.#grammarFolder = grammarFolder
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  }

  /** Extracts from `source`; rejects with {@link ExtractionError} when the grammar or the parse fails. */
  async extract(spec: LanguageSpec, source: string): Promise<Extraction> {
    if (!spec.grammar || !spec.query) throw new TypeError(`extract: language ${spec.id} has no grammar`)
    const { parser, query } = await this.#load(spec)
    const timeoutMs = this.#timeoutMs
    const started = performance.now()
    let tree: Tree | null
    try {
      tree = parser.parse(source, null, {
        progressCallback: () => performance.now() - started > timeoutMs,
      })
    } catch (error) {
      // A WebAssembly trap leaves the parser unusable: drop it so that the next file gets a fresh one.
      this.#languages.delete(spec.grammar)
      throw new ExtractionError(`the ${spec.id} parser failed: ${(error as Error).message}`, { cause: error })
    }
    if (!tree) throw new ExtractionError(`the ${spec.id} parse took longer than ${timeoutMs} ms`)
    try {
      // A query can take far longer than the parse on some input (a pattern that keeps a partial match per child of a
      // long list): past the deadline it stops, and the file is indexed as text rather than hold up the run.
      const queried = performance.now()
      let late = false
      const matches = query.matches(tree.rootNode, {
        progressCallback: () => (late ||= performance.now() - queried > timeoutMs),
      })
      if (late) throw new ExtractionError(`the ${spec.id} query took longer than ${timeoutMs} ms`)
      return collect(spec, matches, tree.rootNode, source)
    } finally {
      tree.delete()
    }
  }

  #load(spec: LanguageSpec): Promise<LoadedLanguage> {
    const grammar = spec.grammar!
    let loaded = this.#languages.get(grammar)
    if (!loaded) {
      loaded = (async () => {
        initialised ??= Parser.init()
        await initialised
        let language: Language
        try {
          const load = loading.then(() => Language.load(join(this.#grammarFolder, `tree-sitter-${grammar}.wasm`)))
          loading = load.catch(() => undefined)
          language = await load
        } catch (error) {
          throw new ExtractionError(`the ${grammar} grammar failed to load: ${(error as Error).message}`, { cause: error })
        }
        let query: Query
        try {
          query = new Query(language, spec.query!)
        } catch (error) {
          throw new ExtractionError(`the ${spec.id} query does not compile: ${(error as Error).message}`, { cause: error })
        }
        const parser = new Parser()
        parser.setLanguage(language)
        return { parser, query }
      })()
      this.#languages.set(grammar, loaded)
      loaded.catch(() => this.#languages.delete(grammar))
    }
    return loaded
  }
}

// Every property of a web-tree-sitter Node (startIndex, text, startPosition) is a call into WebAssembly that first
// copies the node into its memory: positions are read once per node and kept as numbers, and text is sliced from the
// source (indexes are UTF-16 offsets into it).

interface PendingDefinition {
  readonly node: Node
  readonly name: string
  readonly kind: DefinitionKind
  readonly start: number
  readonly end: number
}

interface PendingSymbol {
  readonly kind: SymbolKind
  readonly start: number
  readonly end: number
  readonly line: number
  readonly column: number
}

interface PendingImport {
  readonly node: Node
  kind: ImportKind
  module: string | undefined
  readonly names: string[]
}

function collect(spec: LanguageSpec, matches: ReadonlyArray<QueryMatch>, root: Node, source: string): Extraction {
  const definitions = new Map<number, PendingDefinition>()
  const imports = new Map<number, PendingImport>()
  const symbols: PendingSymbol[] = []

  for (const match of matches) {
    let definition: { node: Node; kind: DefinitionKind } | undefined
    let name: Node | undefined
    let importNode: { node: Node; kind: ImportKind } | undefined
    let module: Node | undefined
    const importNames: Node[] = []
    for (const { name: capture, node } of match.captures) {
      if (capture === 'name') name = node
      else if (capture.startsWith('definition.')) definition = { node, kind: capture.slice(11) as DefinitionKind }
      else if (capture === 'import.module') module = node
      else if (capture === 'import.name') importNames.push(node)
      else if (capture.startsWith('import.')) importNode = { node, kind: capture.slice(7) as ImportKind }
      else if (capture.startsWith('symbol.')) {
        const { row, column } = node.startPosition
        symbols.push({ kind: capture.slice(7) as SymbolKind, start: node.startIndex, end: node.endIndex, line: row + 1, column })
      }
    }
    if (definition && name && !definitions.has(definition.node.id)) {
      const text = source.slice(name.startIndex, name.endIndex).trim()
      if (text !== '') {
        const { node, kind } = definition
        definitions.set(node.id, { node, name: text, kind, start: node.startIndex, end: node.endIndex })
      }
    }
    if (importNode) {
      let pending = imports.get(importNode.node.id)
      if (!pending) {
        pending = { node: importNode.node, kind: importNode.kind, module: undefined, names: [] }
        imports.set(importNode.node.id, pending)
      }
      if (module) pending.module = unquote(module.text)
      for (const imported of importNames) if (!pending.names.includes(imported.text)) pending.names.push(imported.text)
    }
  }

  const ordered = [...definitions.values()].sort((a, b) => a.start - b.start || b.end - a.end)
  const extracted = withNavigation(
    root,
    ordered.map((pending) => pending.node),
    () => definitionsOf(spec, ordered),
  )

  // A symbol's scope is the last definition (in source order) that starts at or before it and ends at or after it.
  // Symbols come in order, so the definitions started so far are kept as they open: one that ended before a symbol
  // starts can hold no later symbol either, and goes.
  const seen = new Set<string>()
  const extractedSymbols: ExtractedSymbol[] = []
  const open: PendingDefinition[] = []
  let next = 0
  for (const symbol of symbols.sort((a, b) => a.start - b.start)) {
    const text = source.slice(symbol.start, symbol.end)
    const key = `${symbol.start}:${text}`
    if (seen.has(key) || text === '') continue
    seen.add(key)
    while (next < ordered.length && ordered[next]!.start <= symbol.start) open.push(ordered[next++]!)
    while (open.length > 0 && open[open.length - 1]!.end < symbol.start) open.pop()
    let scope: string | null = null
    for (let index = open.length - 1; index >= 0; index--) {
      if (open[index]!.end >= symbol.end) {
        scope = open[index]!.name
        break
      }
    }
    extractedSymbols.push({ name: text, kind: symbol.kind, line: symbol.line, column: symbol.column, scope })
  }

  const extractedImports: ExtractedImport[] = [...imports.values()]
    .filter((entry): entry is PendingImport & { module: string } => entry.module !== undefined && entry.module !== '')
    .sort((a, b) => a.node.startIndex - b.node.startIndex)
    .map((entry) => ({ module: entry.module, kind: entry.kind, names: entry.names, line: entry.node.startPosition.row + 1 }))

  return { definitions: extracted, imports: extractedImports, symbols: extractedSymbols }
}

/** The definitions in source order, each with its parent's index (the innermost definition that holds it). */
function definitionsOf(spec: LanguageSpec, ordered: ReadonlyArray<PendingDefinition>): ExtractedDefinition[] {
  const extracted: ExtractedDefinition[] = []
  const stack: number[] = []
  for (const [index, pending] of ordered.entries()) {
    const { node } = pending
    while (stack.length > 0 && ordered[stack[stack.length - 1]!]!.end <= pending.start) stack.pop()
    extracted.push({
      name: pending.name,
      kind: pending.kind,
      line: node.startPosition.row + 1,
      column: node.startPosition.column,
      endLine: node.endPosition.row + 1,
      endColumn: node.endPosition.column,
      exported: spec.isExported?.(node, pending.name) ?? false,
      docstring: spec.docstring ? spec.docstring(node) : null,
      signature: signatureOf(node),
      decorators: spec.decorators?.(node) ?? [],
      parent: stack.length > 0 ? stack[stack.length - 1]! : null,
    })
    stack.push(index)
  }
  return extracted
}

/** The definition's head: its text up to the body, whitespace collapsed. */
function signatureOf(node: Node): string | null {
  const body = node.childForFieldName('body')
  const end = body ? body.startIndex - node.startIndex : node.text.indexOf('\n')
  const head = (end >= 0 ? node.text.slice(0, end) : node.text).replace(/\s+/g, ' ').trim()
  if (head === '') return null
  return head.length > SIGNATURE_MAX ? `${head.slice(0, SIGNATURE_MAX - 1)}…` : head
}

function unquote(text: string): string {
  const trimmed = text.trim()
  if (/^(['"`<]).*(['"`>])$/s.test(trimmed)) return trimmed.slice(1, -1)
  return trimmed
}
