import { describe, expect, it } from 'vitest'
import { ExtractionError, Extractor } from '../../src/indexing/extractor.js'
import { typescript } from '../../src/indexing/languages/typescript.js'

/** `export { name0, ..., name<count - 1> }`: one export clause with many names and no `from`. */
function longExportClause(count: number): string {
  const names = Array.from({ length: count }, (_, index) => `name${index}`)
  return `${names.map((name) => `const ${name} = 1`).join('\n')}\nexport { ${names.join(', ')} }\n`
}

describe('the TypeScript query', () => {
  it('records the names of `export { ... } from`, and none for a long `export { ... }` of local names', async () => {
    // 1,500 local names in one clause: the pattern that asked for `from` after the names took seconds on such a clause.
    const source = `${longExportClause(1500)}export { parse, format as show } from './dates.js'\n`
    const { imports, definitions } = await new Extractor().extract(typescript, source)
    expect(imports).toEqual([{ module: './dates.js', kind: 'export', names: ['parse', 'format'], line: 1502 }])
    expect(definitions).toHaveLength(1500)
  })
})

describe('a query past its deadline', () => {
  it('gives up with an ExtractionError, so that the file is indexed as text', async () => {
    // The names of an export clause followed by its `from`: tree-sitter keeps a partial match per name, and takes
    // seconds over 1,500 names without a `from`.
    const slow = { ...typescript, query: `(export_statement (export_clause (export_specifier name: (identifier) @import.name)) source: (_)) @import.export` }
    const extraction = new Extractor(undefined, { timeoutMs: 300 }).extract(slow, longExportClause(1500))
    await expect(extraction).rejects.toThrow(ExtractionError)
    await expect(extraction).rejects.toThrow('the typescript query took longer than 300 ms')
  })
})
