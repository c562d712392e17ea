import { describe, expect, it } from 'vitest'
import { Language, Parser, type Node } from 'web-tree-sitter'
import { DEFAULT_GRAMMAR_FOLDER, Extractor } from '../../src/indexing/extractor.js'
import { c } from '../../src/indexing/languages/c.js'
import { go } from '../../src/indexing/languages/go.js'
import { ruby } from '../../src/indexing/languages/ruby.js'
import { parentOf, previousSiblingOf, withNavigation } from '../../src/indexing/languages/tree-navigation.js'

const lines = (count: number, line: (index: number) => string) => Array.from({ length: count }, (_, index) => line(index)).join('\n')

/** Each definition as `[name, exported, docstring]`. */
async function summary(spec: typeof c, source: string) {
  const { definitions } = await new Extractor().extract(spec, source)
  return definitions.map((definition) => [definition.name, definition.exported, definition.docstring])
}

describe('definitions in one long list', () => {
  it('a header inside its include guard: each prototype with its comment, the static ones not exported', async () => {
    const source = `#ifndef BIG_H\n#define BIG_H\n${lines(400, (index) => `/* f${index} doc */\n${index % 7 === 0 ? 'static ' : ''}int f${index}(void);`)}\n#endif\n`
    const found = await summary(c, source)
    expect(found).toHaveLength(401)
    expect([found[0], found[1], found[2], found[8], found[399], found[400]]).toEqual([
      ['BIG_H', true, null],
      ['f0', false, 'f0 doc'],
      ['f1', true, 'f1 doc'],
      ['f7', false, 'f7 doc'],
      ['f398', true, 'f398 doc'],
      ['f399', false, 'f399 doc'],
    ])
  })

  it('a Go const block: each constant with its own comment; a lone spec takes its declaration comment', async () => {
    const source = `package p\n\nconst (\n${lines(400, (index) => `\t// C${index} doc\n\tC${index} = ${index}`)}\n)\n\n// T is alone.\ntype T struct{}\n`
    const found = await summary(go, source)
    expect(found).toHaveLength(401)
    expect([found[0], found[399], found[400]]).toEqual([
      ['C0', true, 'C0 doc'],
      ['C399', true, 'C399 doc'],
      ['T', true, 'T is alone.'],
    ])
  })

  it('a Ruby module: a bare private or public governs every method after it, up to the next', async () => {
    const source = `module M\n${lines(400, (index) => `  def m${index}; end${index === 99 ? '\n  private' : index === 299 ? '\n  public' : ''}`)}\nend\n`
    const exported = (await summary(ruby, source)).filter(([name]) => name !== 'M').map(([, isExported]) => isExported)
    expect(exported).toEqual([...Array(100).fill(true), ...Array(200).fill(false), ...Array(100).fill(true)])
  })
})

describe('parentOf and previousSiblingOf', () => {
  it("agree with tree-sitter's own parent and previous sibling for every node, walked or not", async () => {
    await Parser.init()
    const language = await Language.load(`${DEFAULT_GRAMMAR_FOLDER}/tree-sitter-c.wasm`)
    const parser = new Parser()
    parser.setLanguage(language)
    const tree = parser.parse(`#ifndef H\n#define H\n${lines(40, (index) => `/* ${index} */\nint f${index}(int a);\nstruct s${index} { int x; };`)}\n#endif\n`)!
    const all: Node[] = []
    const visit = (node: Node) => {
      all.push(node)
      for (const child of node.children) if (child) visit(child)
    }
    visit(tree.rootNode)
    const targets = all.filter((node) => node.type === 'declaration' || node.type === 'struct_specifier')
    const seen = withNavigation(tree.rootNode, targets, () =>
      all.map((node) => [node.id, parentOf(node)?.id ?? null, previousSiblingOf(node)?.id ?? null]),
    )
    expect(seen).toEqual(all.map((node) => [node.id, node.parent?.id ?? null, node.previousSibling?.id ?? null]))
    expect(targets.length).toBe(80)
    tree.delete()
  })
})
